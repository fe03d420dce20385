//! The upper bound on the QoE still reachable, used to prune the search.

/// For the chunks after chunk `n`, the largest sum of rates their segments can have within a
/// budget of bits: the bound of the linear relaxation of that multiple-choice knapsack (each
/// segment's (bits, R) points reduced to their upper concave hull, increments taken in order of
/// rate per bit).
pub(super) struct RateBound {
    after: Vec<Budget>,
}

#[derive(Default)]
pub(super) struct Budget {
    /// Bits and rate sum with every segment at its smallest size.
    pub(super) base_bits: f64,
    base_rate: f64,
    /// Cumulative bits and rates of the increments, steepest first.
    bits: Vec<f64>,
    rate: Vec<f64>,
    /// Bits of the increments steep enough to be worth their stall on the fastest link.
    pub(super) worth_stalling: f64,
}

impl RateBound {
    /// The budget of the chunks after chunk `n`.
    pub(super) fn after(&self, n: usize) -> &Budget {
        &self.after[n]
    }

    /// The bound for `sizes` and `rate`; increments steeper than `stall_per_bit` (the stall
    /// penalty of one bit fetched late at the fastest rate) count in `worth_stalling`.
    pub(super) fn new(sizes: &[Vec<u64>], rate: &[f64], chunks: usize, stall_per_bit: f64) -> Self {
        // (chunk, bits, rate) increments of each chunk's hull, and each chunk's start.
        let mut increments: Vec<(usize, f64, f64)> = Vec::new();
        let mut starts = Vec::with_capacity(chunks);
        for (n, row) in sizes.iter().enumerate().take(chunks) {
            let mut points: Vec<(f64, f64)> =
                row.iter().zip(rate).map(|(&b, &r)| (b as f64 * 8.0, r)).collect();
            points.sort_by(|x, y| x.0.total_cmp(&y.0).then(y.1.total_cmp(&x.1)));
            let mut hull: Vec<(f64, f64)> = Vec::new();
            for p in points {
                if hull.last().is_some_and(|h| p.1 <= h.1) {
                    continue; // more bits for no more rate
                }
                while hull.len() >= 2 {
                    let (o, q) = (hull[hull.len() - 2], hull[hull.len() - 1]);
                    // Drop q when it lies on or under the segment from o to p.
                    if (q.1 - o.1) * (p.0 - o.0) <= (p.1 - o.1) * (q.0 - o.0) {
                        hull.pop();
                    } else {
                        break;
                    }
                }
                hull.push(p);
            }
            starts.push(hull[0]);
            for w in hull.windows(2) {
                increments.push((n, w[1].0 - w[0].0, w[1].1 - w[0].1));
            }
        }
        increments.sort_by(|x, y| (y.2 / y.1).total_cmp(&(x.2 / x.1)));
        let after = (0..chunks)
            .map(|n| {
                let mut b = Budget::default();
                for &(bits, r) in &starts[n + 1..] {
                    b.base_bits += bits;
                    b.base_rate += r;
                }
                let (mut bits, mut r) = (0.0, 0.0);
                for &(_, db, dr) in increments.iter().filter(|i| i.0 > n) {
                    bits += db;
                    r += dr;
                    b.bits.push(bits);
                    b.rate.push(r);
                    if dr / db > stall_per_bit {
                        b.worth_stalling = bits;
                    }
                }
                b
            })
            .collect();
        RateBound { after }
    }
}

impl Budget {
    /// The largest rate sum within `bits` (at least every segment at its smallest).
    pub(super) fn rate_within(&self, bits: f64) -> f64 {
        let extra = bits - self.base_bits;
        if extra <= 0.0 {
            return self.base_rate;
        }
        let i = self.bits.partition_point(|&b| b <= extra);
        let (done_bits, done_rate) = if i == 0 { (0.0, 0.0) } else { (self.bits[i - 1], self.rate[i - 1]) };
        match self.bits.get(i) {
            None => self.base_rate + done_rate,
            Some(&next_bits) => {
                let slope = (self.rate[i] - done_rate) / (next_bits - done_bits);
                self.base_rate + done_rate + slope * (extra - done_bits)
            }
        }
    }
}
