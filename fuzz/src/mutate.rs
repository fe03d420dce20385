//! Deterministic inputs for the targets' bounded runs under `cargo test`: a seeded generator and
//! libFuzzer-like mutations of the seeds (bit flips, interesting values, insertions, deletions,
//! duplications, splices). No coverage feedback: the coverage-guided runs are libFuzzer's.

/// A xorshift generator: the same seed gives the same inputs on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// Bytes libFuzzer also likes to try.
const INTERESTING: &[u8] = &[0, 1, 0x7f, 0x80, 0xff, b'0', b'9', b'-', b'"', b'<', b'>', b'{', b'}', b'e'];

/// `input` changed by one to four mutations, some taking pieces of `other`.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = out.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => {
                let i = rng.below(len + 1);
                let n = rng.below(16) + 1;
                let bytes = rng.bytes(n);
                out.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below(len - i) + 1;
                out.drain(i..i + n.min(64));
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = (rng.below(len - i) + 1).min(256);
                let piece = out[i..i + n].to_vec();
                let at = rng.below(len + 1);
                out.splice(at..at, piece);
            }
            5 if !other.is_empty() => {
                let i = rng.below(other.len());
                let n = (rng.below(other.len() - i) + 1).min(512);
                let at = rng.below(len + 1);
                out.splice(at..at, other[i..i + n].iter().copied());
            }
            _ => out.truncate(rng.below(len + 1)),
        }
    }
    out
}

/// `count` inputs: random bytes, then mutations of the seeds (in turn).
pub fn inputs(seed: u64, seeds: &[Vec<u8>], count: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            if seeds.is_empty() || i % 8 == 0 {
                let len = rng.below(256);
                rng.bytes(len)
            } else {
                let a = &seeds[i % seeds.len()];
                let b = &seeds[rng.below(seeds.len())];
                mutate(&mut rng, a, b)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let seeds = vec![b"hello world".to_vec(), b"{\"a\":1}".to_vec()];
        assert_eq!(inputs(7, &seeds, 50), inputs(7, &seeds, 50));
        assert_ne!(inputs(7, &seeds, 50), inputs(8, &seeds, 50));
    }
}
