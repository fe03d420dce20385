//! Synthetic bandwidth traces of network kinds the shipped trace sets lack, in Pensieve's text
//! format (`time_s<TAB>Mbit/s`), seeded and reproducible. Used to check that Flick's algorithm
//! holds up on networks it was not tuned on.
//!
//! `cargo run --release -p flick-platform --example synth_traces -- FAMILY COUNT SEED OUT_DIR`
//!
//! Families (1 s samples):
//! - `lte`: log-normal fading around a mean of 3-40 Mbit/s (AR(1), 0.9 per second, σ 0.35 per
//!   step), with a 1 % chance per second of a 2-10 s outage at 0.01-0.1 Mbit/s; 320 s.
//! - `mmwave`: 40-400 Mbit/s, faster fading (0.8, σ 0.4), a 4 % chance per second of a 1-5 s
//!   blockage at 0.05-2 Mbit/s; 700 s.
//! - `slow3g`: 0.4-3 Mbit/s drifting slowly (0.97, σ 0.12), 1 % chance of a 3-20 s dip to
//!   0.01-0.2 Mbit/s; 400 s.
//! - `steps`: levels of 0.4-25 Mbit/s (log-uniform) held 15-80 s each, ±10 % noise; 320 s.

use std::io::Write;
use std::path::Path;

/// SplitMix64: small, seedable, good enough for synthetic traces.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    fn log_uniform(&mut self, low: f64, high: f64) -> f64 {
        self.uniform(low.ln(), high.ln()).exp()
    }

    fn int(&mut self, low: u32, high: u32) -> u32 {
        low + (self.unit() * f64::from(high - low + 1)) as u32
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

/// Log-normal fading around `mean` with occasional outages: one Mbit/s sample per second.
struct Fading {
    mean_range: (f64, f64),
    memory: f64,
    sigma: f64,
    outage_chance: f64,
    outage_s: (u32, u32),
    outage_mbps: (f64, f64),
    length_s: usize,
}

impl Fading {
    fn samples(&self, rng: &mut Rng) -> Vec<f64> {
        let mean = rng.log_uniform(self.mean_range.0, self.mean_range.1);
        let mut x = 0.0;
        let mut out = Vec::with_capacity(self.length_s);
        while out.len() < self.length_s {
            x = self.memory * x + self.sigma * rng.normal();
            if rng.unit() < self.outage_chance {
                for _ in 0..rng.int(self.outage_s.0, self.outage_s.1) {
                    out.push(rng.uniform(self.outage_mbps.0, self.outage_mbps.1));
                }
            }
            out.push(mean * x.exp());
        }
        out
    }
}

fn steps(rng: &mut Rng, length_s: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(length_s);
    while out.len() < length_s {
        let level = rng.log_uniform(0.4, 25.0);
        for _ in 0..rng.int(15, 80) {
            out.push(level * rng.uniform(0.9, 1.1));
        }
    }
    out
}

fn samples(family: &str, rng: &mut Rng) -> Option<Vec<f64>> {
    let fading = |mean_range, memory, sigma, outage_chance, outage_s, outage_mbps, length_s| Fading {
        mean_range,
        memory,
        sigma,
        outage_chance,
        outage_s,
        outage_mbps,
        length_s,
    };
    Some(match family {
        "lte" => fading((3.0, 40.0), 0.9, 0.35, 0.01, (2, 10), (0.01, 0.1), 320).samples(rng),
        "mmwave" => fading((40.0, 400.0), 0.8, 0.4, 0.04, (1, 5), (0.05, 2.0), 700).samples(rng),
        "slow3g" => fading((0.4, 3.0), 0.97, 0.12, 0.01, (3, 20), (0.01, 0.2), 400).samples(rng),
        "steps" => steps(rng, 320),
        _ => return None,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: synth_traces lte|mmwave|slow3g|steps COUNT SEED OUT_DIR");
        std::process::exit(2);
    }
    let family = args[1].as_str();
    let count: usize = args[2].parse().expect("COUNT");
    let seed: u64 = args[3].parse().expect("SEED");
    let out = Path::new(&args[4]);
    std::fs::create_dir_all(out).expect("create OUT_DIR");
    let mut rng = Rng(seed);
    for i in 0..count {
        let Some(mbps) = samples(family, &mut rng) else {
            eprintln!("unknown family {family}: lte, mmwave, slow3g or steps");
            std::process::exit(2);
        };
        let path = out.join(format!("{family}_{i:03}"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create trace"));
        writeln!(file, "0.0\t{:.4}", mbps[0]).expect("write");
        for (t, b) in mbps.iter().enumerate() {
            writeln!(file, "{}.0\t{b:.4}", t + 1).expect("write");
        }
    }
    println!("{count} {family} traces in {}", out.display());
}
