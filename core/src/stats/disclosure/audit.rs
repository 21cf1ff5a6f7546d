//! Exact audit of disclosure control: which suppressed quantities a reader could determine from the
//! shown ones through the report's sums.
//!
//! Each sum is a linear equation; shown quantities are constants, the rest unknowns. A suppressed
//! quantity is determined exactly when its unit vector lies in the row space of the equations over
//! the unknowns. Ranks are computed over GF(p) (p = 2^61 − 1) after two reductions that keep the
//! systems small: an unknown no table shows that sits in a single equation makes that equation
//! useless to a reader (it only defines that unknown), so it is peeled off, repeatedly; and the rest
//! splits into independent components. Non-negativity adds one more way to pin values down: when a
//! known total leaves 0 for its unknown parts, every one of them is 0.

use std::collections::HashMap;

use super::{QuantityKey, Registry, State};

const PRIME: u128 = (1 << 61) - 1;

/// Suppressed quantities a reader could determine, in key order.
pub(crate) fn exposed(registry: &Registry) -> Vec<QuantityKey> {
    let mut variables: Vec<QuantityKey> = Vec::new();
    let mut index: HashMap<QuantityKey, usize> = HashMap::new();
    let mut equations: Vec<Vec<(usize, i64)>> = Vec::new();
    let mut found: Vec<QuantityKey> = Vec::new();
    for constraint in &registry.constraints {
        let mut equation = Vec::new();
        let terms =
            std::iter::once((constraint.total, 1)).chain(constraint.parts.iter().map(|&k| (k, -1)));
        for (key, sign) in terms {
            if registry.state(key) != State::Shown {
                let next = variables.len();
                let i = *index.entry(key).or_insert_with(|| {
                    variables.push(key);
                    next
                });
                equation.push((i, sign));
            }
        }
        if registry.state(constraint.total) == State::Shown && !equation.is_empty() {
            let shown: u64 = constraint
                .parts
                .iter()
                .filter(|&&k| registry.state(k) == State::Shown)
                .map(|&k| registry.value(k))
                .sum();
            if registry.value(constraint.total) == shown {
                found.extend(
                    equation
                        .iter()
                        .map(|&(i, _)| variables[i])
                        .filter(|&k| registry.state(k) == State::Suppressed),
                );
            }
        }
        if !equation.is_empty() {
            equations.push(equation);
        }
    }
    let suppressed: Vec<bool> = variables
        .iter()
        .map(|&k| registry.state(k) == State::Suppressed)
        .collect();
    let live = peel(&equations, &suppressed, variables.len());
    for component in components(&equations, &live, variables.len()) {
        for variable in determined(&equations, &component) {
            if suppressed[variable] {
                found.push(variables[variable]);
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Equations left after repeatedly dropping those that hold an unshown unknown found in no other.
fn peel(equations: &[Vec<(usize, i64)>], suppressed: &[bool], variables: usize) -> Vec<bool> {
    let mut live = vec![true; equations.len()];
    let mut uses: Vec<Vec<usize>> = vec![Vec::new(); variables];
    for (e, equation) in equations.iter().enumerate() {
        for &(v, _) in equation {
            uses[v].push(e);
        }
    }
    let mut count: Vec<usize> = uses.iter().map(Vec::len).collect();
    let mut queue: Vec<usize> = (0..variables)
        .filter(|&v| !suppressed[v] && count[v] == 1)
        .collect();
    while let Some(v) = queue.pop() {
        if count[v] != 1 {
            continue;
        }
        let Some(&e) = uses[v].iter().find(|&&e| live[e]) else {
            continue;
        };
        live[e] = false;
        for &(other, _) in &equations[e] {
            count[other] -= 1;
            if !suppressed[other] && count[other] == 1 {
                queue.push(other);
            }
        }
    }
    live
}

/// Live equations grouped into components that share no unknown.
fn components(equations: &[Vec<(usize, i64)>], live: &[bool], variables: usize) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..variables).collect();
    fn find(parent: &mut [usize], mut v: usize) -> usize {
        while parent[v] != v {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        v
    }
    for (e, equation) in equations.iter().enumerate() {
        if !live[e] {
            continue;
        }
        for pair in equation.windows(2) {
            let (a, b) = (find(&mut parent, pair[0].0), find(&mut parent, pair[1].0));
            parent[a] = b;
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (e, equation) in equations.iter().enumerate() {
        if live[e] {
            let root = find(&mut parent, equation[0].0);
            groups.entry(root).or_default().push(e);
        }
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    out.sort();
    out
}

/// Unknowns of one component that its equations determine.
fn determined(equations: &[Vec<(usize, i64)>], component: &[usize]) -> Vec<usize> {
    let mut columns: Vec<usize> = component
        .iter()
        .flat_map(|&e| equations[e].iter().map(|&(v, _)| v))
        .collect();
    columns.sort_unstable();
    columns.dedup();
    let column_of: HashMap<usize, usize> =
        columns.iter().enumerate().map(|(c, &v)| (v, c)).collect();
    let width = columns.len();
    // Reduced row echelon form: a unit vector is in the row space iff some basis row equals it.
    let mut basis: Vec<(usize, Vec<u128>)> = Vec::new();
    for &e in component {
        let mut row = vec![0u128; width];
        for &(v, sign) in &equations[e] {
            let c = column_of[&v];
            row[c] = if sign > 0 {
                (row[c] + 1) % PRIME
            } else {
                (row[c] + PRIME - 1) % PRIME
            };
        }
        for (pivot, base) in &basis {
            let factor = row[*pivot];
            eliminate(&mut row, base, factor);
        }
        let Some(pivot) = row.iter().position(|&x| x != 0) else {
            continue;
        };
        let inverse = power(row[pivot], PRIME - 2);
        for x in &mut row {
            *x = *x * inverse % PRIME;
        }
        for (_, base) in &mut basis {
            let factor = base[pivot];
            eliminate(base, &row, factor);
        }
        basis.push((pivot, row));
    }
    basis
        .iter()
        .filter(|(_, row)| row.iter().filter(|&&x| x != 0).count() == 1)
        .map(|(pivot, _)| columns[*pivot])
        .collect()
}

fn eliminate(row: &mut [u128], base: &[u128], factor: u128) {
    if factor == 0 {
        return;
    }
    for (r, b) in row.iter_mut().zip(base) {
        *r = (*r + PRIME - factor * b % PRIME) % PRIME;
    }
}

fn power(mut base: u128, mut exponent: u128) -> u128 {
    let mut result = 1;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result * base % PRIME;
        }
        base = base * base % PRIME;
        exponent >>= 1;
    }
    result
}

#[cfg(test)]
pub(crate) use independent::{determined_suppressed, shown_below};

/// A second, deliberately plain audit for the property tests: the whole system at once, no
/// peeling or components, over two other primes. It shares no code with the audit above, so a
/// mistake in one does not hide itself in the other.
#[cfg(test)]
mod independent {
    use std::collections::{BTreeMap, HashMap};

    use super::super::{QuantityKey, Registry, State};

    pub(crate) fn shown_below(registry: &Registry, threshold: u64) -> usize {
        registry
            .quantities
            .values()
            .filter(|q| q.state == State::Shown && q.value < threshold)
            .count()
    }

    pub(crate) fn determined_suppressed(registry: &Registry) -> Vec<QuantityKey> {
        let mut variables: Vec<QuantityKey> = Vec::new();
        let mut index: HashMap<QuantityKey, usize> = HashMap::new();
        let mut rows: Vec<Vec<(usize, i64)>> = Vec::new();
        let mut found: Vec<QuantityKey> = Vec::new();
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
                let unknown: Vec<QuantityKey> = constraint
                    .parts
                    .iter()
                    .copied()
                    .filter(|&k| registry.state(k) != State::Shown)
                    .collect();
                let shown: u64 = constraint
                    .parts
                    .iter()
                    .filter(|&&k| registry.state(k) == State::Shown)
                    .map(|&k| registry.value(k))
                    .sum();
                if !unknown.is_empty() && registry.value(constraint.total) == shown {
                    found.extend(
                        unknown
                            .into_iter()
                            .filter(|&k| registry.state(k) == State::Suppressed),
                    );
                }
            }
            if !row.is_empty() {
                rows.push(row);
            }
        }
        for prime in [2_305_843_009_213_693_951i128, 4_611_686_018_427_387_847] {
            let basis = echelon(&rows, prime);
            for (i, key) in variables.iter().enumerate() {
                if registry.state(*key) != State::Suppressed || found.contains(key) {
                    continue;
                }
                let unit: BTreeMap<usize, i128> = std::iter::once((i, 1)).collect();
                if reduce(&basis, unit, prime).is_empty() {
                    found.push(*key);
                }
            }
        }
        found
    }

    /// Sparse echelon form: each basis row keyed by its first (smallest) variable, scaled to 1.
    fn echelon(rows: &[Vec<(usize, i64)>], prime: i128) -> BTreeMap<usize, BTreeMap<usize, i128>> {
        let mut basis: BTreeMap<usize, BTreeMap<usize, i128>> = BTreeMap::new();
        for sparse in rows {
            let mut row: BTreeMap<usize, i128> = BTreeMap::new();
            for &(i, v) in sparse {
                let entry = row.entry(i).or_insert(0);
                *entry = (*entry + i128::from(v)).rem_euclid(prime);
            }
            row.retain(|_, v| *v != 0);
            let row = reduce(&basis, row, prime);
            if let Some((&pivot, &lead)) = row.iter().next() {
                let inverse = pow(lead, prime - 2, prime);
                let row = row
                    .into_iter()
                    .map(|(k, v)| (k, (v * inverse).rem_euclid(prime)))
                    .collect();
                basis.insert(pivot, row);
            }
        }
        basis
    }

    /// `row` minus its components along the basis, eliminating variables in increasing order.
    fn reduce(
        basis: &BTreeMap<usize, BTreeMap<usize, i128>>,
        mut row: BTreeMap<usize, i128>,
        prime: i128,
    ) -> BTreeMap<usize, i128> {
        let mut from = 0;
        while let Some((&key, &factor)) = row.range(from..).next() {
            if let Some(base) = basis.get(&key) {
                for (&k, &b) in base {
                    let entry = row.entry(k).or_insert(0);
                    *entry = (*entry - factor * b).rem_euclid(prime);
                    if *entry == 0 {
                        row.remove(&k);
                    }
                }
            }
            from = key + 1;
        }
        row
    }

    fn pow(mut base: i128, mut exponent: i128, prime: i128) -> i128 {
        let mut result = 1i128;
        base = base.rem_euclid(prime);
        while exponent > 0 {
            if exponent & 1 == 1 {
                result = (result * base).rem_euclid(prime);
            }
            base = (base * base).rem_euclid(prime);
            exponent >>= 1;
        }
        result
    }
}
