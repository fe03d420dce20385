//! Reading fuzz bytes as numbers and choices: every read succeeds (zeros past the end), so any
//! input decodes to something.

use std::time::Duration;

/// A cursor over fuzz bytes.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte (0 past the end).
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next two bytes, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// The next four bytes, big-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// The next eight bytes, big-endian.
    pub fn u64(&mut self) -> u64 {
        (u64::from(self.u32()) << 32) | u64::from(self.u32())
    }

    /// A choice among `n` (at least 1).
    pub fn choose(&mut self, n: usize) -> usize {
        usize::from(self.u8()) % n.max(1)
    }

    /// Up to `max` of the next bytes, the count read first.
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let len = usize::from(self.u8()).min(max).min(self.data.len());
        let (taken, rest) = self.data.split_at(len);
        self.data = rest;
        taken
    }

    /// A count, mostly small: 0..=255, sometimes a few thousand or `u64::MAX`.
    pub fn count(&mut self) -> u64 {
        match self.u8() % 8 {
            0..=4 => u64::from(self.u8()),
            5 => u64::from(self.u16()),
            6 => u64::from(self.u32()),
            _ => u64::MAX - u64::from(self.u8()),
        }
    }

    /// A time step: mostly milliseconds, sometimes seconds or a whole day.
    pub fn step(&mut self) -> Duration {
        match self.u8() % 8 {
            0..=4 => Duration::from_millis(u64::from(self.u16() % 2000)),
            5 | 6 => Duration::from_millis(u64::from(self.u16()) * 10),
            _ => Duration::from_secs(u64::from(self.u32() % 86_400)),
        }
    }

    /// A position on the presentation timeline: mostly inside a short presentation, sometimes far
    /// past it, sometimes as large as a `Duration` can be (`huge`).
    pub fn position(&mut self, huge: bool) -> Duration {
        match self.u8() % 8 {
            0..=4 => Duration::from_millis(u64::from(self.u16())),
            5 => Duration::from_secs(u64::from(self.u32())),
            6 if huge => Duration::MAX,
            6 => Duration::from_secs(u64::from(u32::MAX)),
            _ if huge => Duration::new(u64::MAX - u64::from(self.u8()), self.u32() % 1_000_000_000),
            _ => Duration::from_nanos(self.u64() >> 16),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_zero() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16(), 0x0102);
        assert_eq!(r.u16(), 0x0300);
        assert!(r.is_empty());
        assert_eq!(r.u64(), 0);
        assert_eq!(r.choose(0), 0);
        assert_eq!(r.bytes(10), b"");
    }
}
