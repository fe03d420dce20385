use super::*;

fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut out = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(payload);
    out
}

fn full(kind: &[u8; 4], version: u8, flags: u32, payload: &[u8]) -> Vec<u8> {
    let mut body = ((u32::from(version) << 24) | flags).to_be_bytes().to_vec();
    body.extend_from_slice(payload);
    boxed(kind, &body)
}

const PAYLOAD: &[u8] = b"HELLO, MEDIA";

/// A segment: styp, sidx v0 (timescale 48000), moof (one traf: tfhd with `tfhd_flags`, tfdt v0
/// at `time`, a trun with a data offset) and mdat.
fn segment(time: u32, tfhd_flags: u32) -> Vec<u8> {
    let moof = |offset: u32, base: u64| {
        let mut tfhd = 1u32.to_be_bytes().to_vec();
        if tfhd_flags & 1 != 0 {
            tfhd.extend_from_slice(&base.to_be_bytes());
        }
        let traf = [
            full(b"tfhd", 0, tfhd_flags, &tfhd),
            full(b"tfdt", 0, 0, &time.to_be_bytes()),
            full(b"trun", 0, 1, &[1u32.to_be_bytes(), offset.to_be_bytes()].concat()),
        ]
        .concat();
        boxed(b"moof", &[full(b"mfhd", 0, 0, &7u32.to_be_bytes()), boxed(b"traf", &traf)].concat())
    };
    let mdat = boxed(b"mdat", PAYLOAD);
    let styp = boxed(b"styp", b"msdhmsix");
    let sidx_len = 8 + 4 + 4 + 4 + 4 + 4 + 4 + 12;
    let moof_len = moof(0, 0).len();
    let sidx = full(
        b"sidx",
        0,
        0,
        &[
            1u32.to_be_bytes(),
            48_000u32.to_be_bytes(),
            time.to_be_bytes(),
            0u32.to_be_bytes(),
            1u32.to_be_bytes(), // reserved, reference_count = 1
            ((moof_len + mdat.len()) as u32).to_be_bytes(),
            96_000u32.to_be_bytes(),
            0x9000_0000u32.to_be_bytes(),
        ]
        .concat(),
    );
    assert_eq!(sidx.len(), sidx_len);
    let moof_start = styp.len() + sidx.len();
    let offset = if tfhd_flags & 1 != 0 { 8 } else { moof_len as u32 + 8 };
    let base = (moof_start + moof_len) as u64;
    [styp, sidx, moof(offset, base), mdat].concat()
}

/// Where the sample data of the first trun points, read as a player would.
fn sample_data(seg: &[u8]) -> &[u8] {
    let top = children(seg, 0, seg.len()).unwrap();
    let moof = find(&top, b"moof").unwrap();
    let traf = find(&children(seg, moof.body(), moof.end).unwrap(), b"traf").unwrap();
    let inside = children(seg, traf.body(), traf.end).unwrap();
    let tfhd = find(&inside, b"tfhd").unwrap();
    let trun = find(&inside, b"trun").unwrap();
    let offset = read_u32(seg, trun.body() + 8).unwrap() as usize;
    let base = if read_u32(seg, tfhd.body()).unwrap() & 1 != 0 {
        read_u64(seg, tfhd.body() + 8).unwrap() as usize
    } else {
        moof.start
    };
    &seg[base + offset..base + offset + PAYLOAD.len()]
}

/// (tfdt version, time), (sidx version, earliest presentation time, first offset, referenced size).
fn times(seg: &[u8]) -> ((u8, u64), (u8, u64, u64, u32)) {
    let top = children(seg, 0, seg.len()).unwrap();
    let moof = find(&top, b"moof").unwrap();
    let traf = find(&children(seg, moof.body(), moof.end).unwrap(), b"traf").unwrap();
    let tfdt = find(&children(seg, traf.body(), traf.end).unwrap(), b"tfdt").unwrap();
    let v = seg[tfdt.body()];
    let t = if v == 1 {
        read_u64(seg, tfdt.body() + 4).unwrap()
    } else {
        read_u32(seg, tfdt.body() + 4).unwrap().into()
    };
    let sidx = find(&top, b"sidx").unwrap();
    let sv = seg[sidx.body()];
    let (ept, first, refs) = if sv == 1 {
        (read_u64(seg, sidx.body() + 12).unwrap(), read_u64(seg, sidx.body() + 20).unwrap(), sidx.body() + 28)
    } else {
        (
            read_u32(seg, sidx.body() + 12).unwrap().into(),
            read_u32(seg, sidx.body() + 16).unwrap().into(),
            sidx.body() + 20,
        )
    };
    let size = read_u32(seg, refs + 4).unwrap();
    assert_eq!(sidx.end + first as usize, moof.start, "the sidx's first offset leads to the moof");
    assert_eq!((size & 0x7fff_ffff) as usize, seg.len() - moof.start, "the reference covers moof and mdat");
    ((v, t), (sv, ept, first, size & 0x7fff_ffff))
}

#[test]
fn small_shifts_are_written_in_place() {
    let original = segment(96_256, 0x02_0000);
    let shifted = shift_times(&original, &[(1, 48_000)], |scale| u64::from(scale) * 6).unwrap();
    assert_eq!(shifted.len(), original.len());
    let ((tv, t), (sv, ept, first, _)) = times(&shifted);
    assert_eq!((tv, t, sv, ept, first), (0, 96_256 + 288_000, 0, 96_256 + 288_000, 0));
    assert_eq!(sample_data(&shifted), PAYLOAD);
    let changed = original.iter().zip(&shifted).filter(|(a, b)| a != b).count();
    assert!(changed <= 6, "only the two times change: {changed} bytes");
}

#[test]
fn overflowing_times_become_64_bit_and_every_offset_follows() {
    for flags in [0x02_0000, 0, 0x1] {
        let original = segment(4_000_000_000, flags);
        let shift = |scale: u32| u64::from(scale) * 100_000;
        let shifted = shift_times(&original, &[(1, 48_000)], shift).unwrap();
        assert_eq!(shifted.len(), original.len() + 12, "4 bytes in the tfdt, 8 in the sidx");
        let expected = 4_000_000_000 + 4_800_000_000;
        let ((tv, t), (sv, ept, first, _)) = times(&shifted);
        assert_eq!((tv, t, sv, ept, first), (1, expected, 1, expected, 0), "flags {flags:#x}");
        assert_eq!(sample_data(&shifted), PAYLOAD, "flags {flags:#x}");
        assert!(children(&shifted, 0, shifted.len()).is_ok());
        // A second pass reads what the first wrote.
        let again = shift_times(&shifted, &[(1, 48_000)], |_| 1).unwrap();
        assert_eq!(times(&again).0, (1, expected + 1));
    }
}

#[test]
fn tracks_are_found_by_id_or_alone() {
    let seg = segment(0, 0x02_0000);
    assert!(shift_times(&seg, &[(2, 90_000), (3, 48_000)], |_| 1).is_err());
    let shifted = shift_times(&seg, &[(9, 90_000)], u64::from).unwrap();
    assert_eq!(times(&shifted).0, (0, 90_000), "the only track, whatever its id");
}

#[test]
fn init_segments_give_their_timescales() {
    let trak = |id: u32, scale: u32, version: u8| {
        let (tkhd, mdhd) = if version == 1 {
            (
                [[0u8; 16].to_vec(), id.to_be_bytes().to_vec()].concat(),
                [[0u8; 16].to_vec(), scale.to_be_bytes().to_vec()].concat(),
            )
        } else {
            (
                [[0u8; 8].to_vec(), id.to_be_bytes().to_vec()].concat(),
                [[0u8; 8].to_vec(), scale.to_be_bytes().to_vec()].concat(),
            )
        };
        boxed(
            b"trak",
            &[full(b"tkhd", version, 3, &tkhd), boxed(b"mdia", &full(b"mdhd", version, 0, &mdhd))].concat(),
        )
    };
    let init = [boxed(b"ftyp", b"iso6"), boxed(b"moov", &[trak(1, 12_800, 0), trak(2, 48_000, 1)].concat())]
        .concat();
    assert_eq!(track_timescales(&init).unwrap(), [(1, 12_800), (2, 48_000)]);
    assert!(track_timescales(&boxed(b"ftyp", b"iso6")).is_err());
    assert!(track_timescales(&[boxed(b"moov", &trak(1, 0, 0))].concat()).is_err());
}

#[test]
fn odd_input_is_an_error_never_a_panic() {
    let seg = segment(4_000_000_000, 0x1);
    let shift = |_: u32| 1u64 << 33;
    for len in 0..seg.len() {
        let _ = shift_times(&seg[..len], &[(1, 48_000)], shift);
        let _ = track_timescales(&seg[..len]);
    }
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20_000 {
        let mut bad = seg.clone();
        for _ in 0..3 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = (x % bad.len() as u64) as usize;
            bad[at] = (x >> 32) as u8;
        }
        let _ = shift_times(&bad, &[(1, 48_000)], shift);
        let _ = track_timescales(&bad);
    }
    assert!(shift_times(&[0, 0, 0, 9, b'm', b'o', b'o', b'f', 0], &[(1, 1)], shift).is_err());
}
