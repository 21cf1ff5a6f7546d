//! Cell-key perturbation: the noise that keeps group reports safe across many requests.
//!
//! Suppression protects one report; an analyst who may ask for as many reports as they like can
//! subtract one from another and recover what each hid. Statistical agencies that answer arbitrary
//! table queries (the Australian Bureau of Statistics' TableBuilder, Eurostat's recommendation for
//! the 2021 census, the `ptable`/`cellKey` R packages) add a small, *stable* deviation to every
//! count instead:
//!
//! - every person has a secret record key in [0, 1), derived with a keyed hash from their
//!   pseudonym under a statistics secret ([`RecordKey::derive`]), never from data an analyst sees;
//! - a cell's key is the fractional part of the sum of its persons' record keys ([`CellKey`]);
//! - a perturbation table ([`PerturbationTable`]) maps (true count, cell key) to a deviation.
//!
//! The same set of persons therefore gets the same deviation in every report, in any shape,
//! through every interface: asking again does not average the noise away.
//!
//! Keys are fixed-point numbers: a `u64` read as a fraction of 2^64, so "the fractional part of
//! the sum" is exactly wrapping addition, independent of the order persons are added in (floats
//! would round differently depending on the order).
//!
//! The table is built like `ptable`'s: for each true count `n` a distribution over deviations
//! `d` in `[-D, D]` with `n + d >= 0`, unbiased (mean 0), with variance `V`, and of maximum entropy
//! among those (p(d) proportional to exp(a·d + b·d²), solved by Newton's method). A count of 0
//! always stays 0: an empty cell is not made to look inhabited, and no person's key is in it.
//! Counts of `D + 1` and more share one symmetric row.

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::error::{Error, ErrorKind, Result};
use crate::identifier::PseudonymKey;
use crate::mac::keyed_u64;
use crate::text::Text;

/// A person's secret record key: a fraction in [0, 1) held as a 64-bit fixed-point number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecordKey(u64);

impl RecordKey {
    /// The record key of the person with `pseudonym`, under the organisation's statistics secret.
    ///
    /// HMAC-SHA256 with a domain tag, so the key says nothing about the pseudonym to whoever lacks
    /// the secret, and a statistics secret can never double as a pseudonym key.
    pub fn derive(statistics_secret: &[u8], pseudonym: &str) -> RecordKey {
        RecordKey(keyed_u64(
            statistics_secret,
            b"bistand-record-key-v1\0",
            &[pseudonym.as_bytes()],
        ))
    }

    /// A record key from its fixed-point value (tests, and keys carried between aggregates).
    pub fn from_bits(bits: u64) -> RecordKey {
        RecordKey(bits)
    }

    /// The fixed-point value: the key times 2^64.
    pub fn bits(self) -> u64 {
        self.0
    }
}

/// The organisation's statistics secret: what record keys are derived under.
///
/// Kept in the keys file as `statistics_key`; a keys file without one gets a secret derived from
/// its pseudonym key under a domain tag ([`StatisticsKey::derive_from`]), so one key file is
/// enough and the derived secret says nothing about the pseudonym key. The secret is wiped on drop.
pub struct StatisticsKey(Box<[u8]>);

impl StatisticsKey {
    /// The smallest secret accepted, in bytes.
    pub const MIN_LEN: usize = 32;

    /// A statistics secret from its bytes.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when `secret` is shorter than [`StatisticsKey::MIN_LEN`].
    pub fn new(secret: &[u8]) -> Result<StatisticsKey> {
        if secret.len() < Self::MIN_LEN {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: format!(
                        "statistiknyckeln är för kort: minst {} byte krävs",
                        Self::MIN_LEN
                    ),
                    en: format!(
                        "the statistics key is too short: at least {} bytes are needed",
                        Self::MIN_LEN
                    ),
                },
            ));
        }
        Ok(StatisticsKey(secret.into()))
    }

    /// The statistics secret of a keys file without its own: HMAC-SHA256 of a domain tag under the
    /// pseudonym key.
    pub fn derive_from(pseudonym_key: &PseudonymKey) -> StatisticsKey {
        let mut secret = pseudonym_key.derive_secret(b"bistand-statistics-key-v1\0");
        let key = StatisticsKey(secret.as_slice().into());
        secret.zeroize();
        key
    }

    /// The person behind a document: identified by `pseudonym` when there is one (the same key in
    /// every report, whichever record of theirs is counted), otherwise a person of their own,
    /// keyed by the document's bytes. Either way the document's key breaks ties between two
    /// records of one person with the same start (see [`Person`]).
    pub fn person(&self, pseudonym: Option<&str>, document: &[u8]) -> Person {
        let document = self.keyed(b"bistand-document-key-v1\0", document);
        match pseudonym {
            Some(pseudonym) => Person {
                key: RecordKey::derive(&self.0, pseudonym),
                document,
                identified: true,
            },
            None => Person {
                key: RecordKey(document),
                document,
                identified: false,
            },
        }
    }

    fn keyed(&self, domain: &[u8], value: &[u8]) -> u64 {
        keyed_u64(&self.0, domain, &[value])
    }
}

impl Drop for StatisticsKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for StatisticsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatisticsKey(<redacted>)")
    }
}

/// Who a counted record belongs to, for counting persons rather than records.
///
/// Records of one identified person share `key`; of several records of one person, a report
/// counts the one with the latest start (ties broken by the larger document key, so the choice
/// is the same in any order and through any interface). A document without a person id is a
/// person of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Person {
    key: RecordKey,
    document: u64,
    identified: bool,
}

impl Person {
    /// The person's record key.
    pub fn key(self) -> RecordKey {
        self.key
    }

    /// Whether the person is identified (by a pseudonym) rather than one document.
    pub fn identified(self) -> bool {
        self.identified
    }

    /// The document's key, the tie-break between two records of one person.
    pub(crate) fn document(self) -> u64 {
        self.document
    }
}

/// A cell's key: the fractional part of the sum of its persons' record keys.
///
/// Adding is wrapping addition of the fixed-point values, so cell keys of disjoint groups add up
/// to the key of their union, in any order: a breakdown cell's key is the sum of its strata's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey(u64);

impl CellKey {
    /// The key of an empty cell.
    pub const EMPTY: CellKey = CellKey(0);

    /// Adds one person.
    pub fn add(&mut self, key: RecordKey) {
        self.0 = self.0.wrapping_add(key.0);
    }

    /// Adds the persons of another, disjoint cell.
    pub fn merge(&mut self, other: CellKey) {
        self.0 = self.0.wrapping_add(other.0);
    }

    /// The key as a fraction in [0, 1) (for display; lookups use the exact value).
    pub fn fraction(self) -> f64 {
        self.0 as f64 / 18_446_744_073_709_551_616.0
    }

    /// A cell key from its fixed-point value.
    pub fn from_bits(bits: u64) -> CellKey {
        CellKey(bits)
    }
}

/// The parameters of the perturbation, printed in every report. Read back (a report's
/// provenance) through [`PerturbationParams::new`], so a read value is a valid one.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPerturbationParams")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerturbationParams {
    /// The largest deviation, in persons (`D`).
    pub max_deviation: u32,
    /// The variance of the deviation (`V`).
    pub variance: f64,
}

impl PerturbationParams {
    /// The defaults: deviations of at most 2 persons, variance 1.
    pub const DEFAULT: PerturbationParams = PerturbationParams {
        max_deviation: 2,
        variance: 1.0,
    };

    /// The largest `D` accepted: wider noise would make small-area tables useless.
    pub const MAX_DEVIATION: u32 = 5;

    /// Checked parameters.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] unless `1 <= max_deviation <= 5` and
    /// `0 < variance < max_deviation²` (a variance the bounded, unbiased noise can have).
    pub fn new(max_deviation: u32, variance: f64) -> Result<PerturbationParams> {
        let bound = f64::from(max_deviation * max_deviation);
        if !(1..=Self::MAX_DEVIATION).contains(&max_deviation)
            || !variance.is_finite()
            || variance <= 0.0
            || variance >= bound
        {
            return Err(invalid_params(max_deviation));
        }
        Ok(PerturbationParams {
            max_deviation,
            variance,
        })
    }
}

/// [`PerturbationParams`] as written, before the check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerturbationParams {
    max_deviation: u32,
    variance: f64,
}

impl TryFrom<RawPerturbationParams> for PerturbationParams {
    type Error = Error;

    fn try_from(raw: RawPerturbationParams) -> Result<PerturbationParams> {
        PerturbationParams::new(raw.max_deviation, raw.variance)
    }
}

impl Default for PerturbationParams {
    fn default() -> PerturbationParams {
        PerturbationParams::DEFAULT
    }
}

fn invalid_params(max_deviation: u32) -> Error {
    let max = PerturbationParams::MAX_DEVIATION;
    let bound = max_deviation.saturating_mul(max_deviation);
    Error::new(
        ErrorKind::InvalidArgument,
        Text {
            sv: format!(
                "störningsparametrarna ligger utanför sitt intervall: största avvikelsen ska vara 1 \
             till {max} och variansen över 0 och under {bound}"
            ),
            en: format!(
                "perturbation parameters out of range: the largest deviation must be 1 to {max} and \
             the variance above 0 and below {bound}"
            ),
        },
    )
}

/// One row of the table: the distribution of the deviation for one true count.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    /// The smallest deviation of the row; `probabilities[i]` is the chance of `lowest + i`.
    lowest: i64,
    probabilities: Vec<f64>,
    /// Upper ends of the cumulative intervals as fixed-point fractions of 2^64; the last is
    /// `u64::MAX` so every key falls in some interval.
    bounds: Vec<u64>,
}

/// The perturbation table: for each true count, a distribution of deviations.
#[derive(Clone, Debug, PartialEq)]
pub struct PerturbationTable {
    params: PerturbationParams,
    /// Rows for true counts 1 ..= D + 1; the last row serves every larger count.
    rows: Vec<Row>,
}

impl PerturbationTable {
    /// Builds the table for `params`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when no unbiased distribution with that variance exists for
    /// some count (does not happen for parameters [`PerturbationParams::new`] accepts with a
    /// variance up to 2 for `D` = 2).
    pub fn new(params: PerturbationParams) -> Result<PerturbationTable> {
        let d = i64::from(params.max_deviation);
        let rows = (1..=d + 1)
            .map(|count| {
                let lowest = (-count).max(-d);
                maximum_entropy(lowest, d, params.variance)
                    .map(|probabilities| Row::new(lowest, probabilities))
                    .ok_or_else(|| invalid_params(params.max_deviation))
            })
            .collect::<Result<_>>()?;
        Ok(PerturbationTable { params, rows })
    }

    /// The parameters the table was built from.
    pub fn params(&self) -> PerturbationParams {
        self.params
    }

    /// The deviation for a cell of `count` persons with key `key`; 0 for an empty cell.
    pub fn deviation(&self, count: u64, key: CellKey) -> i64 {
        if count == 0 {
            return 0;
        }
        let index = usize::try_from(count)
            .unwrap_or(usize::MAX)
            .min(self.rows.len())
            - 1;
        self.rows[index].deviation(key.0)
    }

    /// The published count: `count` plus its deviation (never negative).
    pub fn perturb(&self, count: u64, key: CellKey) -> u64 {
        count.saturating_add_signed(self.deviation(count, key))
    }

    /// The distribution for a true count: `(deviation, probability)` pairs, in ascending order of
    /// deviation, zero-probability deviations left out (for documentation and tests).
    pub fn distribution(&self, count: u64) -> Vec<(i64, f64)> {
        if count == 0 {
            return vec![(0, 1.0)];
        }
        let index = usize::try_from(count)
            .unwrap_or(usize::MAX)
            .min(self.rows.len())
            - 1;
        let row = &self.rows[index];
        (row.lowest..)
            .zip(row.probabilities.iter().copied())
            .filter(|&(_, p)| p > 0.0)
            .collect()
    }
}

impl Row {
    fn new(lowest: i64, probabilities: Vec<f64>) -> Row {
        let mut cumulative = 0.0;
        let mut bounds: Vec<u64> = probabilities
            .iter()
            .map(|p| {
                cumulative += p;
                // The float-to-int cast saturates, so a cumulative sum of 1.0 maps to u64::MAX.
                (cumulative * 18_446_744_073_709_551_616.0) as u64
            })
            .collect();
        if let Some(last) = bounds.last_mut() {
            *last = u64::MAX;
        }
        Row {
            lowest,
            probabilities,
            bounds,
        }
    }

    fn deviation(&self, key: u64) -> i64 {
        let index = self.bounds.partition_point(|&upper| upper <= key);
        let index = index.min(self.bounds.len() - 1);
        self.lowest + index as i64
    }
}

/// The maximum-entropy distribution on `lowest ..= highest` with mean 0 and variance `variance`:
/// p(d) ∝ exp(a·d + b·(d² − V)), with (a, b) minimising the convex dual log Σ exp(...), by
/// Newton's method with backtracking. `None` when no such distribution exists.
fn maximum_entropy(lowest: i64, highest: i64, variance: f64) -> Option<Vec<f64>> {
    let support: Vec<f64> = (lowest..=highest).map(|d| d as f64).collect();
    let dual = |a: f64, b: f64| -> f64 {
        let exponents: Vec<f64> = support
            .iter()
            .map(|d| a * d + b * (d * d - variance))
            .collect();
        let top = exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top + exponents.iter().map(|e| (e - top).exp()).sum::<f64>().ln()
    };
    let distribution = |a: f64, b: f64| -> Vec<f64> {
        let exponents: Vec<f64> = support
            .iter()
            .map(|d| a * d + b * (d * d - variance))
            .collect();
        let top = exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = exponents.iter().map(|e| (e - top).exp()).collect();
        let total: f64 = weights.iter().sum();
        weights.into_iter().map(|w| w / total).collect()
    };
    let (mut a, mut b) = (0.0_f64, 0.0_f64);
    for _ in 0..200 {
        let p = distribution(a, b);
        let mean: f64 = p.iter().zip(&support).map(|(p, d)| p * d).sum();
        let second: f64 = p
            .iter()
            .zip(&support)
            .map(|(p, d)| p * (d * d - variance))
            .sum();
        if mean.abs() < 1e-13 && second.abs() < 1e-13 {
            return Some(p);
        }
        // Hessian: the covariance of (d, d² − V).
        let cov = |f: &dyn Fn(f64) -> f64, g: &dyn Fn(f64) -> f64| -> f64 {
            let ef: f64 = p.iter().zip(&support).map(|(p, d)| p * f(*d)).sum();
            let eg: f64 = p.iter().zip(&support).map(|(p, d)| p * g(*d)).sum();
            p.iter()
                .zip(&support)
                .map(|(p, d)| p * (f(*d) - ef) * (g(*d) - eg))
                .sum()
        };
        let first = |d: f64| d;
        let squared = |d: f64| d * d - variance;
        let (haa, hab, hbb) = (
            cov(&first, &first),
            cov(&first, &squared),
            cov(&squared, &squared),
        );
        let determinant = haa * hbb - hab * hab;
        if determinant.abs() < 1e-300 {
            return None;
        }
        let step_a = (hbb * mean - hab * second) / determinant;
        let step_b = (haa * second - hab * mean) / determinant;
        let current = dual(a, b);
        let mut scale = 1.0;
        while dual(a - scale * step_a, b - scale * step_b) > current + 1e-15 && scale > 1e-12 {
            scale /= 2.0;
        }
        a -= scale * step_a;
        b -= scale * step_b;
        if !a.is_finite() || !b.is_finite() || b.abs() > 1e6 {
            // The multipliers run off: the constraints cannot be met on this support.
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(distribution: &[(i64, f64)]) -> (f64, f64, f64) {
        let total: f64 = distribution.iter().map(|(_, p)| p).sum();
        let mean: f64 = distribution.iter().map(|(d, p)| *d as f64 * p).sum();
        let variance: f64 = distribution
            .iter()
            .map(|(d, p)| (*d as f64).powi(2) * p)
            .sum();
        (total, mean, variance)
    }

    #[test]
    fn every_row_is_unbiased_with_the_variance_and_bound_asked_for() {
        for (d, v) in [(2, 1.0), (2, 0.5), (2, 1.5), (3, 2.0), (1, 0.5), (5, 4.0)] {
            let params = PerturbationParams::new(d, v).expect("valid");
            let table = PerturbationTable::new(params).expect("feasible");
            for count in 0..40u64 {
                let distribution = table.distribution(count);
                let (total, mean, variance) = moments(&distribution);
                assert!(
                    (total - 1.0).abs() < 1e-12,
                    "D={d} V={v} n={count}: sum {total}"
                );
                assert!(mean.abs() < 1e-9, "D={d} V={v} n={count}: mean {mean}");
                let expected = if count == 0 { 0.0 } else { v };
                assert!(
                    (variance - expected).abs() < 1e-9,
                    "D={d} V={v} n={count}: variance {variance}"
                );
                for (deviation, _) in distribution {
                    assert!(deviation.unsigned_abs() <= u64::from(d));
                    assert!(count as i64 + deviation >= 0, "never below zero");
                }
            }
        }
    }

    #[test]
    fn an_empty_cell_stays_empty_whatever_its_key() {
        let table = PerturbationTable::new(PerturbationParams::DEFAULT).expect("table");
        for bits in [0, 1, u64::MAX / 3, u64::MAX] {
            assert_eq!(table.perturb(0, CellKey::from_bits(bits)), 0);
        }
    }

    #[test]
    fn keys_spread_evenly_reproduce_the_row_probabilities() {
        let table = PerturbationTable::new(PerturbationParams::DEFAULT).expect("table");
        let steps = 1u64 << 16;
        for count in [1u64, 2, 3, 10] {
            let mut seen = std::collections::BTreeMap::new();
            for i in 0..steps {
                let key = CellKey::from_bits(i.wrapping_mul(u64::MAX / steps));
                *seen.entry(table.deviation(count, key)).or_insert(0u64) += 1;
            }
            for (deviation, p) in table.distribution(count) {
                let share = *seen.get(&deviation).unwrap_or(&0) as f64 / steps as f64;
                assert!(
                    (share - p).abs() < 1e-3,
                    "n={count} d={deviation}: {share} vs {p}"
                );
            }
        }
    }

    #[test]
    fn cell_keys_do_not_depend_on_the_order_persons_are_added_in() {
        let keys: Vec<RecordKey> = (0..50)
            .map(|i| RecordKey::derive(b"statistics secret", &format!("pseudonym-{i}")))
            .collect();
        let mut forward = CellKey::EMPTY;
        keys.iter().for_each(|k| forward.add(*k));
        let mut halves = (CellKey::EMPTY, CellKey::EMPTY);
        keys.iter().rev().take(20).for_each(|k| halves.0.add(*k));
        keys.iter().rev().skip(20).for_each(|k| halves.1.add(*k));
        halves.0.merge(halves.1);
        assert_eq!(forward, halves.0);
    }

    #[test]
    fn record_keys_depend_on_the_secret_and_the_pseudonym() {
        let a = RecordKey::derive(b"secret one", "p");
        assert_eq!(a, RecordKey::derive(b"secret one", "p"));
        assert_ne!(a, RecordKey::derive(b"secret two", "p"));
        assert_ne!(a, RecordKey::derive(b"secret one", "q"));
    }

    #[test]
    fn parameters_out_of_range_are_refused() {
        assert!(PerturbationParams::new(0, 1.0).is_err());
        assert!(PerturbationParams::new(6, 1.0).is_err());
        assert!(PerturbationParams::new(2, 0.0).is_err());
        assert!(PerturbationParams::new(2, 4.0).is_err());
        assert!(PerturbationParams::new(2, f64::NAN).is_err());
        let error = PerturbationParams::new(9, 1.0).expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    }
}
