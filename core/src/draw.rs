//! The random source of the synthetic generators ([`crate::fia::generate`], [`crate::sue::generate`]).

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random source. Only ChaCha8's raw `next_u64` is used, and everything derived from it here
/// is integer or basic IEEE arithmetic, so the sequence depends neither on the platform nor on
/// how a `rand` version samples ranges and floats: a seed gives the same documents everywhere.
#[derive(Clone, Debug)]
pub(crate) struct Draw(ChaCha8Rng);

impl Draw {
    pub(crate) fn new(seed: u64) -> Draw {
        Draw(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Uniform in `[0, 1)`, from the top 53 bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(crate) fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// True with exactly `percent` % probability.
    pub(crate) fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    /// Uniform in `0..n` (multiply-shift; the bias of at most `n / 2^64` is immaterial here).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0, "an empty range has no member");
        ((u128::from(self.0.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi, "an empty range has no member");
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// One of `items`, uniformly.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// The index of an entry, with probability proportional to its integer weight.
    pub(crate) fn weighted_index(&mut self, weights: impl Iterator<Item = u32> + Clone) -> usize {
        let total: u32 = weights.clone().sum();
        let mut r = self.below(total as usize) as u32;
        let mut last = 0;
        for (index, weight) in weights.enumerate() {
            if r < weight {
                return index;
            }
            r -= weight;
            last = index;
        }
        last
    }

    /// A value from a weight table, with probability proportional to its weight.
    pub(crate) fn weighted<T: Copy>(&mut self, table: &[(T, u32)]) -> T {
        table[self.weighted_index(table.iter().map(|&(_, w)| w))].0
    }

    /// An index drawn with probability proportional to its real weight (weights are not all
    /// zero).
    pub(crate) fn index_by_weight(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut r = self.unit() * total;
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        // Rounding can leave `r` just above the last weight: take the last positive one.
        weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
    }
}
