//! Logistic regression on categorical controls, for association analysis (issue 15, point 4):
//! a small iteratively reweighted least squares (IRLS, Newton's method for the logit) with a
//! Cholesky solve, and the output rules statistical offices' output checking asks for before
//! anything is shown. Results are associations, never effects.
//!
//! Output rules, checked before estimating: every level of every control has at least the
//! threshold of persons and of events (and of non-events); a level in which the outcome is always
//! or never present predicts it perfectly (separation) and is reported, not estimated; at least
//! [`MIN_RESIDUAL_DF`] residual degrees of freedom. A fit that does not converge is refused as
//! separation too. Every refusal has a reason in Swedish and English that names the control and
//! level, never a person.

use crate::text::Text;

/// Least residual degrees of freedom (persons minus parameters) before a model is shown.
pub const MIN_RESIDUAL_DF: usize = 10;
/// Iterations before a fit that has not converged is refused.
const MAX_ITERATIONS: usize = 100;
/// Convergence: the largest change of a coefficient in an iteration.
const TOLERANCE: f64 = 1e-12;
/// A coefficient this large means the likelihood has no finite maximum (quasi-separation).
const DIVERGED: f64 = 30.0;
const Z: f64 = 1.959_963_984_540_054;

/// A categorical control: its name, its levels (the first present level is the reference) and
/// each person's level.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    /// Stable name (`gender`).
    pub name: String,
    /// Level codes.
    pub levels: Vec<String>,
    /// Each person's level, an index into `levels`.
    pub values: Vec<usize>,
}

/// One estimated level: odds ratio against the reference level with its 95 % interval, and the
/// persons and events in the level.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// The control.
    pub factor: String,
    /// The level.
    pub level: String,
    /// Log odds ratio against the reference level.
    pub coefficient: f64,
    /// Its standard error.
    pub standard_error: f64,
    /// `exp(coefficient)`.
    pub odds_ratio: f64,
    /// 95 % interval of the odds ratio (Wald, on the log scale).
    pub interval: [f64; 2],
    /// Persons in the level.
    pub persons: u64,
    /// Persons in the level with the outcome.
    pub events: u64,
}

/// A fitted model.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The intercept (log odds of the reference levels) and its standard error.
    pub intercept: (f64, f64),
    /// The reference level of each control, with its persons and events.
    pub references: Vec<(String, String, u64, u64)>,
    /// The other levels.
    pub terms: Vec<Term>,
    /// Persons.
    pub persons: u64,
    /// Persons with the outcome.
    pub events: u64,
    /// Persons minus parameters.
    pub residual_df: usize,
    /// IRLS iterations used.
    pub iterations: usize,
}

/// Why a model is not shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// Fewer residual degrees of freedom than [`MIN_RESIDUAL_DF`].
    ResidualDf {
        /// Residual degrees of freedom of the data.
        df: usize,
    },
    /// A level with fewer persons, events or non-events than the threshold.
    SmallLevel {
        /// The control.
        factor: String,
        /// The level.
        level: String,
    },
    /// Levels of different controls that always go together (the same persons), so their
    /// associations cannot be told apart.
    Collinear,
    /// A level in which everyone or no one has the outcome, or a fit without a finite maximum.
    Separation {
        /// The control and level, when one level is the cause.
        at: Option<(String, String)>,
    },
}

impl Refusal {
    /// The reason, for caseworkers (Swedish) and developers (English).
    pub fn reason(&self) -> Text {
        match self {
            Refusal::ResidualDf { df } => Text {
                sv: format!("För få personer i förhållande till antalet förklaringsvariabler (kvar {df}, minst {MIN_RESIDUAL_DF} krävs). Sambanden visas inte."),
                en: format!("Too few persons for the number of controls ({df} residual degrees of freedom, at least {MIN_RESIDUAL_DF} required). The associations are not shown."),
            },
            Refusal::SmallLevel { factor, level } => Text {
                sv: format!("Gruppen {level} ({factor}) har för få personer, med eller utan utfallet, för att sambanden ska kunna visas."),
                en: format!("The level {level} of {factor} has too few persons with or without the outcome for the associations to be shown."),
            },
            Refusal::Collinear => Text {
                sv: "Några grupper består av samma personer (till exempel en enhet med bara kvinnor), så deras samband kan inte skiljas åt. Sambanden visas inte.".into(),
                en: "Some levels of different controls hold the same persons (a unit of women only, say), so their associations cannot be told apart (collinearity). The associations are not shown.".into(),
            },
            Refusal::Separation { at: Some((factor, level)) } => Text {
                sv: format!("I gruppen {level} ({factor}) har alla eller ingen utfallet. Det redovisas, men sambanden kan inte skattas."),
                en: format!("In the level {level} of {factor} everyone or no one has the outcome (separation). This is reported; the associations cannot be estimated."),
            },
            Refusal::Separation { at: None } => Text {
                sv: "Utfallet förutsägs helt av en kombination av grupper. Sambanden kan inte skattas.".into(),
                en: "A combination of levels predicts the outcome perfectly (separation). The associations cannot be estimated.".into(),
            },
        }
    }
}

/// A categorical control of grouped data: its name and its levels (the first present level is
/// the reference).
#[derive(Clone, Debug, PartialEq)]
pub struct Control {
    /// Stable name (`gender`).
    pub name: String,
    /// Level codes.
    pub levels: Vec<String>,
}

/// Persons sharing one pattern of levels (one level index per control), and how many of them
/// have the outcome.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pattern {
    /// The level of each control, an index into its `levels`.
    pub levels: Vec<usize>,
    /// Persons with this pattern.
    pub persons: u64,
    /// Of them, persons with the outcome.
    pub events: u64,
}

/// Fits `outcome` on `factors` (one value per person each) after checking the output rules with
/// `threshold` persons, events and non-events per level. The persons are grouped by their
/// pattern of levels and fitted by [`fit_grouped`]: the same likelihood, the same estimates.
///
/// # Errors
/// A [`Refusal`] when an output rule is broken or the fit has no finite maximum.
///
/// # Panics
/// If a factor's values and the outcomes differ in length or a value is not a level (a caller's
/// bug, not data).
pub fn fit(outcome: &[bool], factors: &[Factor], threshold: u64) -> Result<Fit, Refusal> {
    let mut patterns: std::collections::BTreeMap<Vec<usize>, (u64, u64)> =
        std::collections::BTreeMap::new();
    for factor in factors {
        assert_eq!(factor.values.len(), outcome.len(), "one value per person");
    }
    for (i, &y) in outcome.iter().enumerate() {
        let levels = factors.iter().map(|f| f.values[i]).collect();
        let (persons, events) = patterns.entry(levels).or_default();
        *persons += 1;
        *events += u64::from(y);
    }
    let controls: Vec<Control> = factors
        .iter()
        .map(|f| Control {
            name: f.name.clone(),
            levels: f.levels.clone(),
        })
        .collect();
    let patterns: Vec<Pattern> = patterns
        .into_iter()
        .map(|(levels, (persons, events))| Pattern {
            levels,
            persons,
            events,
        })
        .collect();
    fit_grouped(&patterns, &controls, threshold)
}

/// Persons and events per level of each control, summed over `patterns`.
pub fn level_totals(patterns: &[Pattern], controls: &[Control]) -> Vec<Vec<(u64, u64)>> {
    let mut totals: Vec<Vec<(u64, u64)>> = controls
        .iter()
        .map(|c| vec![(0, 0); c.levels.len()])
        .collect();
    for pattern in patterns {
        assert_eq!(
            pattern.levels.len(),
            controls.len(),
            "one level per control"
        );
        for (total, &level) in totals.iter_mut().zip(&pattern.levels) {
            total[level].0 += pattern.persons;
            total[level].1 += pattern.events;
        }
    }
    totals
}

/// The per-level output rules over `totals` (persons and events per level of each control, as
/// [`level_totals`] gives them): a present level of at least `threshold` persons in which
/// everyone or no one has the outcome is separation; one with fewer than `threshold` persons,
/// events or non-events is too small (a level under the threshold is not said to be separated:
/// that would tell something of fewer persons than may be shown).
///
/// # Errors
/// The first [`Refusal`] found, in control and level order.
pub fn check_levels(
    controls: &[Control],
    totals: &[Vec<(u64, u64)>],
    threshold: u64,
) -> Result<(), Refusal> {
    for (control, levels) in controls.iter().zip(totals) {
        for (l, &(persons, events)) in levels.iter().enumerate() {
            if persons == 0 {
                continue;
            }
            let at = || (control.name.clone(), control.levels[l].clone());
            // A level too small to show is not described further, not even as separation.
            if persons >= threshold && (events == 0 || events >= persons) {
                return Err(Refusal::Separation { at: Some(at()) });
            }
            if persons < threshold || events < threshold || persons - events < threshold {
                let (factor, level) = at();
                return Err(Refusal::SmallLevel { factor, level });
            }
        }
    }
    Ok(())
}

/// Fits the logit of grouped data: `patterns` of levels of `controls`, with persons and events
/// each, after checking the output rules with `threshold` persons, events and non-events per
/// level. Patterns without persons are ignored; a pattern's events must not exceed its persons.
///
/// # Errors
/// A [`Refusal`] when an output rule is broken, the controls' levels are collinear, or the fit
/// has no finite maximum.
///
/// # Panics
/// If a pattern does not have one valid level per control (a caller's bug, not data).
pub fn fit_grouped(
    patterns: &[Pattern],
    controls: &[Control],
    threshold: u64,
) -> Result<Fit, Refusal> {
    let totals = level_totals(patterns, controls);
    check_levels(controls, &totals, threshold)?;
    // Levels present, with persons and events; absent levels are not part of the model.
    let present: Vec<Vec<(usize, u64, u64)>> = totals
        .iter()
        .map(|levels| {
            levels
                .iter()
                .enumerate()
                .filter(|(_, t)| t.0 > 0)
                .map(|(l, &(persons, events))| (l, persons, events))
                .collect()
        })
        .collect();
    let n: u64 = patterns.iter().map(|p| p.persons).sum();
    let parameters = 1 + present
        .iter()
        .map(|l| l.len().saturating_sub(1))
        .sum::<usize>();
    let residual_df = usize::try_from(n)
        .unwrap_or(usize::MAX)
        .saturating_sub(parameters);
    if residual_df < MIN_RESIDUAL_DF {
        return Err(Refusal::ResidualDf { df: residual_df });
    }
    // Column of each (control, level): None for the reference.
    let columns: Vec<Vec<Option<usize>>> = {
        let mut next = 1;
        controls
            .iter()
            .zip(&present)
            .map(|(control, levels)| {
                let mut column = vec![None; control.levels.len()];
                for &(l, _, _) in levels.iter().skip(1) {
                    column[l] = Some(next);
                    next += 1;
                }
                column
            })
            .collect()
    };
    // Each pattern's design row (the columns that are 1), persons and events, as floats.
    #[allow(clippy::cast_precision_loss)] // person counts are far below 2^52
    let rows: Vec<(Vec<usize>, f64, f64)> = patterns
        .iter()
        .filter(|p| p.persons > 0)
        .map(|p| {
            let mut x = vec![0];
            for (&level, column) in p.levels.iter().zip(&columns) {
                if let Some(c) = column[level] {
                    x.push(c);
                }
            }
            (x, p.persons as f64, p.events.min(p.persons) as f64)
        })
        .collect();
    let p = parameters;
    let information_at = |beta: &[f64], score: Option<&mut Vec<f64>>| {
        let mut xwx = vec![0.0; p * p];
        let mut gradient = vec![0.0; p];
        for (x, persons, events) in &rows {
            let eta: f64 = x.iter().map(|&c| beta[c]).sum();
            let mu = 1.0 / (1.0 + (-eta).exp());
            let w = persons * mu * (1.0 - mu);
            let residual = events - persons * mu;
            for &a in x {
                gradient[a] += residual;
                for &b in x {
                    xwx[a * p + b] += w;
                }
            }
        }
        if let Some(score) = score {
            *score = gradient;
        }
        xwx
    };

    let mut beta = vec![0.0; p];
    let mut score = Vec::new();
    let mut iterations = 0;
    let information = loop {
        iterations += 1;
        // Newton step: (X'WX) delta = X'(y - mu).
        let xwx = information_at(&beta, Some(&mut score));
        let Some(factor) = cholesky(&xwx, p) else {
            // At the start every weight is equal: a singular matrix there means levels that
            // always go together, not separation.
            return Err(if iterations == 1 {
                Refusal::Collinear
            } else {
                Refusal::Separation { at: None }
            });
        };
        let delta = solve(&factor, p, &score);
        let mut change: f64 = 0.0;
        for (b, d) in beta.iter_mut().zip(&delta) {
            *b += d;
            change = change.max(d.abs());
        }
        if beta.iter().any(|b| !b.is_finite() || b.abs() > DIVERGED) || iterations >= MAX_ITERATIONS
        {
            return Err(Refusal::Separation { at: None });
        }
        if change < TOLERANCE {
            // The information at the final coefficients gives the standard errors.
            break cholesky(&information_at(&beta, None), p)
                .ok_or(Refusal::Separation { at: None })?;
        }
    };
    let variance = |column: usize| {
        let mut unit = vec![0.0; p];
        unit[column] = 1.0;
        solve(&information, p, &unit)[column]
    };

    let mut references = Vec::new();
    let mut terms = Vec::new();
    for ((control, levels), column) in controls.iter().zip(&present).zip(&columns) {
        for &(l, persons, events) in levels {
            let Some(c) = column[l] else {
                references.push((
                    control.name.clone(),
                    control.levels[l].clone(),
                    persons,
                    events,
                ));
                continue;
            };
            let se = variance(c).sqrt();
            terms.push(Term {
                factor: control.name.clone(),
                level: control.levels[l].clone(),
                coefficient: beta[c],
                standard_error: se,
                odds_ratio: beta[c].exp(),
                interval: [(beta[c] - Z * se).exp(), (beta[c] + Z * se).exp()],
                persons,
                events,
            });
        }
    }
    Ok(Fit {
        intercept: (beta[0], variance(0).sqrt()),
        references,
        terms,
        persons: n,
        events: patterns.iter().map(|p| p.events.min(p.persons)).sum(),
        residual_df,
        iterations,
    })
}

/// The lower Cholesky factor of the symmetric `p`×`p` matrix `a`, or `None` if it is not
/// positive definite.
fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum();
            if i == j {
                let d = a[i * p + i] - sum;
                if d <= 1e-300 || !d.is_finite() {
                    return None;
                }
                l[i * p + i] = d.sqrt();
            } else {
                l[i * p + j] = (a[i * p + j] - sum) / l[j * p + j];
            }
        }
    }
    Some(l)
}

/// Solves `L L' x = b` for the Cholesky factor `l`.
fn solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; p];
    for i in 0..p {
        let sum: f64 = (0..i).map(|k| l[i * p + k] * y[k]).sum();
        y[i] = (b[i] - sum) / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let sum: f64 = (i + 1..p).map(|k| l[k * p + i] * x[k]).sum();
        x[i] = (y[i] - sum) / l[i * p + i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(name: &str, levels: &[&str], values: Vec<usize>) -> Factor {
        Factor {
            name: name.into(),
            levels: levels.iter().map(|&l| l.to_owned()).collect(),
            values,
        }
    }

    #[test]
    fn a_single_binary_control_gives_the_sample_odds_ratio() {
        // 2x2 table: level a 30 of 100, level b 60 of 100: odds ratio (60/40)/(30/70) = 3.5,
        // standard error sqrt(1/30 + 1/70 + 1/60 + 1/40).
        let mut outcome = Vec::new();
        let mut values = Vec::new();
        for (level, events) in [(0, 30), (1, 60)] {
            for i in 0..100 {
                outcome.push(i < events);
                values.push(level);
            }
        }
        let fit = fit(&outcome, &[factor("kon", &["kvinna", "man"], values)], 5).expect("fits");
        let term = &fit.terms[0];
        assert!((term.odds_ratio - 3.5).abs() < 1e-9, "{}", term.odds_ratio);
        let se = (1.0 / 30.0 + 1.0 / 70.0 + 1.0 / 60.0 + 1.0 / 40.0_f64).sqrt();
        assert!((term.standard_error - se).abs() < 1e-9);
        assert_eq!((term.persons, term.events), (100, 60));
        assert_eq!(fit.references[0], ("kon".into(), "kvinna".into(), 100, 30));
        assert_eq!(fit.residual_df, 198);
    }

    /// One control `enhet` over levels given as (persons, events).
    fn levels(levels: &[(&str, u64, u64)]) -> (Vec<bool>, Vec<Factor>) {
        let mut outcome = Vec::new();
        let mut values = Vec::new();
        for (l, &(_, persons, events)) in levels.iter().enumerate() {
            for i in 0..persons {
                outcome.push(i < events);
                values.push(l);
            }
        }
        let names: Vec<&str> = levels.iter().map(|l| l.0).collect();
        (outcome, vec![factor("enhet", &names, values)])
    }

    proptest::proptest! {
        /// A level with persons both with and without the outcome, but fewer than the threshold
        /// in all, is refused, naming it.
        #[test]
        fn a_level_under_the_threshold_is_refused(
            persons in 20u64..200,
            share in 0.25f64..0.75,
            small in 2u64..5,
            small_events in 1u64..4,
        ) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let events = (persons as f64 * share) as u64;
            let small_events = small_events.min(small - 1);
            let (outcome, factors) = levels(&[("Norr", persons, events), ("Söder", small, small_events)]);
            let refusal = fit(&outcome, &factors, 5).expect_err("a small level");
            proptest::prop_assert_eq!(
                &refusal,
                &Refusal::SmallLevel { factor: "enhet".into(), level: "Söder".into() }
            );
            proptest::prop_assert!(refusal.reason().sv.contains("Söder"));
        }

        /// A level in which everyone or no one has the outcome is reported as separation,
        /// however large.
        #[test]
        fn a_level_that_predicts_the_outcome_is_refused(
            persons in 20u64..200,
            share in 0.25f64..0.75,
            separated in 5u64..300,
            everyone in proptest::bool::ANY,
        ) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let events = (persons as f64 * share) as u64;
            let separated_events = if everyone { separated } else { 0 };
            let (outcome, factors) = levels(&[("Norr", persons, events), ("Östra", separated, separated_events)]);
            let refusal = fit(&outcome, &factors, 5).expect_err("separation");
            proptest::prop_assert_eq!(
                &refusal,
                &Refusal::Separation { at: Some(("enhet".into(), "Östra".into())) }
            );
            proptest::prop_assert!(refusal.reason().en.contains("separation"));
        }

        /// Fewer than ten persons more than parameters is refused, with the count.
        #[test]
        fn too_few_residual_degrees_of_freedom_are_refused(
            level_count in 2usize..10,
        ) {
            let names: Vec<String> = (0..level_count).map(|l| format!("enhet {l}")).collect();
            let spec: Vec<(&str, u64, u64)> = names.iter().map(|n| (n.as_str(), 2, 1)).collect();
            let (outcome, factors) = levels(&spec);
            // Every level passes a threshold of one; 2 persons per level, one parameter each.
            let refusal = fit(&outcome, &factors, 1).expect_err("too few");
            proptest::prop_assert_eq!(&refusal, &Refusal::ResidualDf { df: level_count });
            proptest::prop_assert!(refusal.reason().sv.contains("minst 10"));
        }
    }

    #[test]
    fn collinear_controls_are_refused_as_such() {
        // The unit and the gender hold the same persons: their effects cannot be told apart.
        let outcome: Vec<bool> = (0..80).map(|i| i % 3 == 0).collect();
        let values: Vec<usize> = (0..80).map(|i| i % 2).collect();
        let refusal = fit(
            &outcome,
            &[
                factor("enhet", &["Norr", "Söder"], values.clone()),
                factor("kon", &["kvinna", "man"], values),
            ],
            5,
        )
        .expect_err("collinear");
        assert_eq!(refusal, Refusal::Collinear);
        assert!(refusal.reason().sv.contains("samma personer"));
    }

    #[test]
    fn output_rules_refuse_with_a_reason() {
        let outcome: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
        // Separation: everyone in level "b" has the outcome.
        let values: Vec<usize> = (0..40).map(|i| usize::from(i % 4 == 0)).collect();
        let refusal =
            fit(&outcome, &[factor("enhet", &["a", "b"], values)], 5).expect_err("separation");
        assert_eq!(
            refusal,
            Refusal::Separation {
                at: Some(("enhet".into(), "b".into()))
            }
        );
        assert!(refusal.reason().sv.contains("alla eller ingen"));
        // A level with too few persons.
        let values: Vec<usize> = (0..40).map(|i| usize::from(i < 4)).collect();
        let refusal =
            fit(&outcome, &[factor("enhet", &["a", "Söder"], values)], 5).expect_err("small");
        assert_eq!(
            refusal,
            Refusal::SmallLevel {
                factor: "enhet".into(),
                level: "Söder".into()
            }
        );
        assert!(refusal.reason().sv.contains("Söder"));
        // Too few residual degrees of freedom: 12 persons, 4 parameters.
        let outcome: Vec<bool> = (0..12).map(|i| i % 2 == 0).collect();
        let values: Vec<usize> = (0..12).map(|i| (i / 2) % 4).collect();
        let refusal = fit(
            &outcome,
            &[factor("alder", &["a", "b", "c", "d"], values)],
            1,
        )
        .expect_err("df");
        assert_eq!(refusal, Refusal::ResidualDf { df: 8 });
    }
}
