//! Units that carry their meaning in their type, so a kbit/s never meets a bit/s by accident.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// A bit rate in bits per second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bitrate(pub u64);

impl Bitrate {
    /// A rate given in kilobits per second (1 kbit = 1000 bits).
    pub const fn from_kbps(kbps: u64) -> Self {
        Bitrate(kbps * 1000)
    }

    /// A rate given as a floating-point number of kilobits per second, rounded to the nearest bit/s.
    pub fn from_kbps_f64(kbps: f64) -> Self {
        Bitrate((kbps * 1000.0).round().max(0.0) as u64)
    }

    /// Bits per second.
    pub const fn bps(self) -> u64 {
        self.0
    }

    /// Kilobits per second as a float.
    pub fn kbps(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Megabits per second as a float.
    pub fn mbps(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// The rate that moves `bytes` in `elapsed`; `None` for a zero duration.
    pub fn from_transfer(bytes: Bytes, elapsed: Duration) -> Option<Self> {
        let secs = elapsed.as_secs_f64();
        (secs > 0.0).then(|| Bitrate((bytes.bits() as f64 / secs).round() as u64))
    }

    /// How many bytes this rate moves in `elapsed`.
    pub fn bytes_in(self, elapsed: Duration) -> Bytes {
        Bytes((self.0 as f64 * elapsed.as_secs_f64() / 8.0) as u64)
    }
}

impl fmt::Display for Bitrate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 1_000_000 {
            write!(f, "{:.2} Mbit/s", self.mbps())
        } else {
            write!(f, "{:.0} kbit/s", self.kbps())
        }
    }
}

/// A number of bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bytes(pub u64);

impl Bytes {
    /// The same amount in bits.
    pub const fn bits(self) -> u64 {
        self.0.saturating_mul(8)
    }

    /// The raw byte count.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl Add for Bytes {
    type Output = Bytes;
    fn add(self, rhs: Bytes) -> Bytes {
        Bytes(self.0 + rhs.0)
    }
}

impl AddAssign for Bytes {
    fn add_assign(&mut self, rhs: Bytes) {
        self.0 += rhs.0;
    }
}

impl Sub for Bytes {
    type Output = Bytes;
    fn sub(self, rhs: Bytes) -> Bytes {
        Bytes(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} B", self.0)
    }
}
