//! Exact audit of disclosure control, for tests.

use std::collections::HashMap;

use super::{QuantityKey, Registry, State};

/// Exact audit of a registry, for tests: which suppressed quantities a reader could determine from
/// the shown ones through the report's sums. Linear algebra over GF(p) for two large primes (a
/// quantity is determined iff its unit vector lies in the row space of the constraint matrix
/// restricted to unknown quantities), plus the non-negativity case: unknown parts of a sum with a
/// known total that add up to 0 are all 0.
pub(crate) fn determined_suppressed(registry: &Registry) -> Vec<QuantityKey> {
    let mut variables: Vec<QuantityKey> = Vec::new();
    let mut index: HashMap<QuantityKey, usize> = HashMap::new();
    let mut rows: Vec<Vec<(usize, i64)>> = Vec::new();
    let mut zero_sums: Vec<QuantityKey> = Vec::new();
    for constraint in &registry.constraints {
        let mut row = Vec::new();
        let terms = std::iter::once((constraint.total, 1i64))
            .chain(constraint.parts.iter().map(|&k| (k, -1)));
        for (key, sign) in terms {
            if registry.state(key) != State::Shown {
                let next = variables.len();
                let i = *index.entry(key).or_insert_with(|| {
                    variables.push(key);
                    next
                });
                row.push((i, sign));
            }
        }
        if registry.state(constraint.total) == State::Shown {
            let unknown_parts: Vec<QuantityKey> = constraint
                .parts
                .iter()
                .copied()
                .filter(|&k| registry.state(k) != State::Shown)
                .collect();
            let shown_sum: u64 = constraint
                .parts
                .iter()
                .filter(|&&k| registry.state(k) == State::Shown)
                .map(|&k| registry.value(k))
                .sum();
            if !unknown_parts.is_empty() && registry.value(constraint.total) == shown_sum {
                zero_sums.extend(
                    unknown_parts
                        .into_iter()
                        .filter(|&k| registry.state(k) == State::Suppressed),
                );
            }
        }
        if !row.is_empty() {
            rows.push(row);
        }
    }
    let mut found: Vec<QuantityKey> = zero_sums;
    for prime in [2_305_843_009_213_693_951i128, 4_611_686_018_427_387_847] {
        let basis = reduce(&rows, variables.len(), prime);
        for (i, key) in variables.iter().enumerate() {
            if registry.state(*key) != State::Suppressed {
                continue;
            }
            let mut unit = vec![0i128; variables.len()];
            unit[i] = 1;
            if in_span(&basis, unit, prime) && !found.contains(key) {
                found.push(*key);
            }
        }
    }
    found
}

fn reduce(rows: &[Vec<(usize, i64)>], width: usize, prime: i128) -> Vec<(usize, Vec<i128>)> {
    let mut basis: Vec<(usize, Vec<i128>)> = Vec::new();
    for sparse in rows {
        let mut row = vec![0i128; width];
        for &(i, v) in sparse {
            row[i] = (row[i] + i128::from(v)).rem_euclid(prime);
        }
        for (pivot, base) in &basis {
            let factor = row[*pivot];
            if factor != 0 {
                for (r, b) in row.iter_mut().zip(base) {
                    *r = (*r - factor * b).rem_euclid(prime);
                }
            }
        }
        if let Some(pivot) = row.iter().position(|&v| v != 0) {
            let inverse = pow(row[pivot], prime - 2, prime);
            for r in &mut row {
                *r = (*r * inverse).rem_euclid(prime);
            }
            for (_, base) in &mut basis {
                let factor = base[pivot];
                if factor != 0 {
                    for (b, r) in base.iter_mut().zip(&row) {
                        *b = (*b - factor * r).rem_euclid(prime);
                    }
                }
            }
            basis.push((pivot, row));
        }
    }
    basis
}

fn in_span(basis: &[(usize, Vec<i128>)], mut row: Vec<i128>, prime: i128) -> bool {
    for (pivot, base) in basis {
        let factor = row[*pivot];
        if factor != 0 {
            for (r, b) in row.iter_mut().zip(base) {
                *r = (*r - factor * b).rem_euclid(prime);
            }
        }
    }
    row.iter().all(|&v| v == 0)
}

fn pow(mut base: i128, mut exponent: i128, prime: i128) -> i128 {
    let mut result = 1i128;
    base = base.rem_euclid(prime);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = mul(result, base, prime);
        }
        base = mul(base, base, prime);
        exponent >>= 1;
    }
    result
}

fn mul(a: i128, b: i128, prime: i128) -> i128 {
    // Both below 2^62: the product fits in i128.
    (a * b).rem_euclid(prime)
}

pub(crate) fn shown_below(registry: &Registry, threshold: u64) -> usize {
    registry
        .quantities
        .values()
        .filter(|q| q.state == State::Shown && q.value < threshold)
        .count()
}
