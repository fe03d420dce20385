//! A small, bounds-checked ISO BMFF walker: the track timescales of an initialization segment,
//! and media segments with their decode times moved on (`moof/traf/tfdt` and a top-level
//! `sidx`'s earliest presentation time).
//!
//! A 32-bit time that would overflow is rewritten as a 64-bit one (its box turns version 1 and
//! grows by 4 bytes, or 8 for a `sidx`); every size and offset the growth moves is fixed: the
//! sizes of the boxes around it, `trun` data offsets, `tfhd` base data offsets, and the
//! `sidx`'s first offset and referenced sizes. Odd input is an error, never a panic.

/// Why a segment could not be read or patched.
pub(crate) type Mp4Error = String;

/// A box: where it starts, how long its header is, where it ends (exclusive), and its type.
#[derive(Clone, Copy, Debug)]
struct Header {
    start: usize,
    header: usize,
    end: usize,
    kind: [u8; 4],
}

impl Header {
    /// Where its payload starts.
    fn body(&self) -> usize {
        self.start + self.header
    }
}

/// The boxes directly inside `data[from..to]`.
fn children(data: &[u8], from: usize, to: usize) -> Result<Vec<Header>, Mp4Error> {
    let mut boxes = Vec::new();
    let mut at = from;
    while at < to {
        let size = u64::from(read_u32(data, at)?);
        let kind: [u8; 4] =
            data.get(at + 4..at + 8).and_then(|k| k.try_into().ok()).ok_or("a box header is cut")?;
        let (size, header) = match size {
            0 => ((to - at) as u64, 8),
            1 => (read_u64(data, at + 8)?, 16),
            n => (n, 8),
        };
        let end = usize::try_from(size).ok().and_then(|s| at.checked_add(s)).filter(|&end| end <= to);
        let Some(end) = end.filter(|_| size >= header as u64) else {
            return Err(format!("box {} at {at} has a bad size {size}", String::from_utf8_lossy(&kind)));
        };
        boxes.push(Header { start: at, header, end, kind });
        at = end;
    }
    Ok(boxes)
}

fn read_u32(data: &[u8], at: usize) -> Result<u32, Mp4Error> {
    let bytes = data.get(at..at.saturating_add(4)).ok_or_else(|| format!("cut short at {at}"))?;
    Ok(u32::from_be_bytes(bytes.try_into().map_err(|_| "cut short")?))
}

fn read_u64(data: &[u8], at: usize) -> Result<u64, Mp4Error> {
    let bytes = data.get(at..at.saturating_add(8)).ok_or_else(|| format!("cut short at {at}"))?;
    Ok(u64::from_be_bytes(bytes.try_into().map_err(|_| "cut short")?))
}

fn read_u8(data: &[u8], at: usize) -> Result<u8, Mp4Error> {
    data.get(at).copied().ok_or_else(|| format!("cut short at {at}"))
}

fn find(boxes: &[Header], kind: &[u8; 4]) -> Option<Header> {
    boxes.iter().find(|b| &b.kind == kind).copied()
}

/// `(track_ID, timescale)` of every track of an initialization segment (`moov/trak/tkhd` and
/// `moov/trak/mdia/mdhd`).
pub(crate) fn track_timescales(init: &[u8]) -> Result<Vec<(u32, u32)>, Mp4Error> {
    let top = children(init, 0, init.len())?;
    let moov = find(&top, b"moov").ok_or("no moov box")?;
    let mut tracks = Vec::new();
    for trak in children(init, moov.body(), moov.end)?.iter().filter(|b| &b.kind == b"trak") {
        let inside = children(init, trak.body(), trak.end)?;
        let tkhd = find(&inside, b"tkhd").ok_or("a trak without tkhd")?;
        let id_at = tkhd.body() + if read_u8(init, tkhd.body())? == 1 { 20 } else { 12 };
        let mdia = find(&inside, b"mdia").ok_or("a trak without mdia")?;
        let mdhd = find(&children(init, mdia.body(), mdia.end)?, b"mdhd").ok_or("an mdia without mdhd")?;
        let scale_at = mdhd.body() + if read_u8(init, mdhd.body())? == 1 { 20 } else { 12 };
        let timescale = read_u32(init, scale_at)?;
        if timescale == 0 {
            return Err("a track has a timescale of 0".into());
        }
        tracks.push((read_u32(init, id_at)?, timescale));
    }
    if tracks.is_empty() {
        return Err("no track in the moov box".into());
    }
    Ok(tracks)
}

/// One number to write into the patched segment. Positions are in the original segment.
#[derive(Debug)]
enum Patch {
    /// A time at `at`, 8 bytes wide when `wide`; a field widened from 4 bytes also sets the
    /// version byte at `version_at` to 1.
    Time { version_at: usize, at: usize, wide: bool, widened: bool, value: u64 },
    /// The size field of the box `start..end`, 64-bit when `large`.
    Size { start: usize, large: bool, end: usize },
    /// A signed 32-bit offset from `base` to `target`.
    Relative32 { at: usize, base: usize, target: usize },
    /// An offset from `base` to `target`, 8 bytes wide when `wide` (a `sidx` first offset).
    Relative { at: usize, wide: bool, base: usize, target: usize },
    /// A 64-bit absolute offset to `target`.
    Absolute64 { at: usize, target: usize },
    /// A `sidx` reference: reference type bit and 31-bit size of `start..end`.
    Reference { at: usize, start: usize, end: usize },
}

/// What changes in a segment.
#[derive(Debug, Default)]
struct Plan {
    /// Where 4 bytes are inserted (before the original byte at that position), in order.
    insertions: Vec<usize>,
    patches: Vec<Patch>,
}

impl Plan {
    /// Where original position `x` lands: it moves by 4 for every insertion before it.
    fn moved(&self, x: usize) -> usize {
        x + 4 * self.insertions.partition_point(|&p| p < x)
    }

    /// A time field that will hold `value`, widened when it does not fit in 32 bits.
    fn time(&mut self, version_at: usize, at: usize, wide: bool, value: u64) -> bool {
        let widened = !wide && value > u64::from(u32::MAX);
        if widened {
            self.insertions.push(at);
        }
        self.patches.push(Patch::Time { version_at, at, wide, widened, value });
        widened
    }
}

/// `segment` with every decode time moved on: a `tfdt` of track `id` by `shift(timescale of
/// id)` (from `timescales`, as [`track_timescales`] gives them; a segment of a single-track
/// stream may name another id), and a top-level `sidx` by `shift(its timescale)`.
pub(crate) fn shift_times(
    segment: &[u8],
    timescales: &[(u32, u32)],
    shift: impl Fn(u32) -> u64,
) -> Result<Vec<u8>, Mp4Error> {
    let timescale_of = |id: u32| -> Result<u32, Mp4Error> {
        match timescales.iter().find(|(track, _)| *track == id) {
            Some(&(_, scale)) => Ok(scale),
            None if timescales.len() == 1 => Ok(timescales[0].1),
            None => Err(format!("track {id} is not in the initialization segment")),
        }
    };
    let mut plan = Plan::default();
    for top in children(segment, 0, segment.len())? {
        match &top.kind {
            b"sidx" => plan_sidx(segment, &top, &mut plan, &shift)?,
            b"moof" => plan_moof(segment, &top, &mut plan, &|id| Ok(shift(timescale_of(id)?)))?,
            _ => {}
        }
    }
    plan.insertions.sort_unstable();
    apply(segment, &plan)
}

fn plan_sidx(
    data: &[u8],
    sidx: &Header,
    plan: &mut Plan,
    shift: &impl Fn(u32) -> u64,
) -> Result<(), Mp4Error> {
    let body = sidx.body();
    let wide = read_u8(data, body)? == 1;
    let timescale = read_u32(data, body + 8)?;
    let ept_at = body + 12;
    let ept = if wide { read_u64(data, ept_at)? } else { u64::from(read_u32(data, ept_at)?) };
    let value = ept.checked_add(shift(timescale)).ok_or("a sidx time past 2^64")?;
    let widened = plan.time(body, ept_at, wide, value);
    let first_at = ept_at + if wide { 8 } else { 4 };
    let first = if wide { read_u64(data, first_at)? } else { u64::from(read_u32(data, first_at)?) };
    if widened {
        plan.insertions.push(first_at);
    }
    let refs_at = first_at + if wide { 8 } else { 4 };
    let count = usize::from(u16::from_be_bytes([read_u8(data, refs_at + 2)?, read_u8(data, refs_at + 3)?]));
    let mut start =
        usize::try_from(first).ok().and_then(|f| sidx.end.checked_add(f)).ok_or("a bad sidx offset")?;
    plan.patches.push(Patch::Relative { at: first_at, wide: wide || widened, base: sidx.end, target: start });
    for i in 0..count {
        let at = refs_at + 4 + 12 * i;
        let size = (read_u32(data, at)? & 0x7fff_ffff) as usize;
        let end = start.checked_add(size).ok_or("a bad sidx reference")?;
        plan.patches.push(Patch::Reference { at, start, end });
        start = end;
    }
    plan.patches.push(Patch::Size { start: sidx.start, large: sidx.header == 16, end: sidx.end });
    Ok(())
}

fn plan_moof(
    data: &[u8],
    moof: &Header,
    plan: &mut Plan,
    shift: &dyn Fn(u32) -> Result<u64, Mp4Error>,
) -> Result<(), Mp4Error> {
    plan.patches.push(Patch::Size { start: moof.start, large: moof.header == 16, end: moof.end });
    let trafs = children(data, moof.body(), moof.end)?;
    for (n, traf) in trafs.iter().filter(|b| &b.kind == b"traf").enumerate() {
        plan.patches.push(Patch::Size { start: traf.start, large: traf.header == 16, end: traf.end });
        let inside = children(data, traf.body(), traf.end)?;
        let tfhd = find(&inside, b"tfhd").ok_or("a traf without tfhd")?;
        let flags = read_u32(data, tfhd.body())? & 0x00ff_ffff;
        let id = read_u32(data, tfhd.body() + 4)?;
        // Where trun data offsets count from (ISO/IEC 14496-12 8.8.7.1); `None` when it is the
        // end of the previous traf's data, which lies after this moof and does not move with it.
        let base = if flags & 0x1 != 0 {
            let at = tfhd.body() + 8;
            let target = usize::try_from(read_u64(data, at)?).map_err(|_| "a bad base data offset")?;
            plan.patches.push(Patch::Absolute64 { at, target });
            Some(target)
        } else if flags & 0x02_0000 != 0 || n == 0 {
            Some(moof.start)
        } else {
            None
        };
        if let Some(tfdt) = find(&inside, b"tfdt") {
            let wide = read_u8(data, tfdt.body())? == 1;
            let at = tfdt.body() + 4;
            let time = if wide { read_u64(data, at)? } else { u64::from(read_u32(data, at)?) };
            let value = time.checked_add(shift(id)?).ok_or("a decode time past 2^64")?;
            plan.time(tfdt.body(), at, wide, value);
            plan.patches.push(Patch::Size { start: tfdt.start, large: tfdt.header == 16, end: tfdt.end });
        }
        for trun in inside.iter().filter(|b| &b.kind == b"trun") {
            if read_u32(data, trun.body())? & 0x1 == 0 {
                continue;
            }
            let at = trun.body() + 8;
            let offset = i64::from(read_u32(data, at)? as i32);
            if let Some(base) = base {
                let target = usize::try_from(base as i64 + offset)
                    .map_err(|_| "a trun data offset before the file")?;
                plan.patches.push(Patch::Relative32 { at, base, target });
            }
        }
    }
    Ok(())
}

/// The segment with `plan`'s insertions made and its numbers written.
fn apply(data: &[u8], plan: &Plan) -> Result<Vec<u8>, Mp4Error> {
    let mut out = Vec::with_capacity(data.len() + 4 * plan.insertions.len());
    let mut copied = 0;
    for &at in &plan.insertions {
        out.extend_from_slice(data.get(copied..at).ok_or("an insertion outside the segment")?);
        out.extend_from_slice(&[0; 4]);
        copied = at;
    }
    out.extend_from_slice(data.get(copied..).unwrap_or_default());
    let span = |start: usize, end: usize| plan.moved(end) as i128 - plan.moved(start) as i128;
    for patch in &plan.patches {
        match *patch {
            Patch::Time { version_at, at, wide, widened, value } => {
                if widened {
                    put(&mut out, plan.moved(version_at), &[1])?;
                }
                let at = plan.moved(at);
                if wide || widened {
                    put(&mut out, at, &value.to_be_bytes())?;
                } else {
                    put(&mut out, at, &(value as u32).to_be_bytes())?;
                }
            }
            Patch::Size { start, large, end } => {
                let size = span(start, end);
                if large {
                    put(&mut out, plan.moved(start) + 8, &(size as u64).to_be_bytes())?;
                } else {
                    let size = u32::try_from(size).map_err(|_| "a box grew past 4 GiB")?;
                    put(&mut out, plan.moved(start), &size.to_be_bytes())?;
                }
            }
            Patch::Relative32 { at, base, target } => {
                let offset = i32::try_from(span(base, target)).map_err(|_| "a data offset past 2^31")?;
                put(&mut out, plan.moved(at), &offset.to_be_bytes())?;
            }
            Patch::Relative { at, wide, base, target } => {
                let offset = span(base, target);
                if wide {
                    put(&mut out, plan.moved(at), &(offset as u64).to_be_bytes())?;
                } else {
                    let offset = u32::try_from(offset).map_err(|_| "a sidx offset past 2^32")?;
                    put(&mut out, plan.moved(at), &offset.to_be_bytes())?;
                }
            }
            Patch::Absolute64 { at, target } => {
                put(&mut out, plan.moved(at), &(plan.moved(target) as u64).to_be_bytes())?;
            }
            Patch::Reference { at, start, end } => {
                let size = u32::try_from(span(start, end)).ok().filter(|s| *s <= 0x7fff_ffff);
                let size = size.ok_or("a sidx reference past 2^31")?;
                let kind = read_u32(data, at)? & 0x8000_0000;
                put(&mut out, plan.moved(at), &(kind | size).to_be_bytes())?;
            }
        }
    }
    Ok(out)
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) -> Result<(), Mp4Error> {
    let slot = out
        .get_mut(at..at.saturating_add(bytes.len()))
        .ok_or_else(|| format!("a field at {at} is outside the segment"))?;
    slot.copy_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
mod tests;
