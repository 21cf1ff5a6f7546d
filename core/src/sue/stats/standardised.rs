//! Equality within the same needs (issue 15, point 3): rates of activation, sanction and
//! exemption by gender, age band, origin and household, directly standardised to the needs
//! profile of all clients in the report, beside the crude rates.
//!
//! The counts behind them form an ordinary table, `needs_profile` (per group and needs profile:
//! clients and the clients with each measure), which goes through the report's disclosure control
//! like every other table. The standardised rates are then computed from that table's *published*
//! counts only, so they reveal nothing the published table does not; a rate whose inputs are not
//! all published is not shown.
//!
//! Needs profile (see DESIGN.md): the FIA overall assessment's four categories: the person's
//! FIA assessment where one is linked (`link.rs`), else read from the
//! need areas SUE records before the intervention — a need in `arbete` is a work-related need,
//! a need in any other area a social one, and no need recorded is "no support need" (SUE cannot
//! tell an empty list from an unanswered one).

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;
use crate::stats::builder::{Base, Column, Columns, Label, text};
use crate::stats::disclosure::SuppressionReason;
use crate::stats::{Cell, Row, Table};

/// The needs profiles, in the order of the FIA overall assessment's categories.
pub(super) const PROFILES: [Label; 4] = [
    (
        "inget_stodbehov",
        "Inget stödbehov registrerat",
        "No support need recorded",
    ),
    (
        "socialt_stodbehov",
        "Socialt stödbehov",
        "Social support need",
    ),
    (
        "arbetsrelaterat_stodbehov",
        "Arbetsrelaterat stödbehov",
        "Work-related support need",
    ),
    (
        "bade_socialt_och_arbete",
        "Både socialt och arbetsrelaterat stödbehov",
        "Both social and work-related support need",
    ),
];

/// The measures standardised: code and labels.
pub(super) const MEASURES: [Label; 5] = [
    (
        "aktiverade",
        "Aktiverade (jobb- eller resursaktivering)",
        "Activated (work-first or human-resource)",
    ),
    ("jobbaktivering", "Jobbaktivering", "Work-first activation"),
    (
        "resursaktivering",
        "Resursaktivering",
        "Human-resource activation",
    ),
    ("sanktion", "Sanktion", "Sanction"),
    ("undantag", "Undantag", "Exemption"),
];

/// Slots per profile: clients, then one per measure.
pub(super) const PER_PROFILE: usize = 1 + MEASURES.len();

/// The needs profile (index into [`PROFILES`]) of a record's need areas (`None`: none
/// recorded), `work` being the bit of the area `arbete`.
pub(super) fn profile(needs: Option<u32>, work: u32) -> u8 {
    let needs = needs.unwrap_or(0);
    match (needs & !work != 0, needs & work != 0) {
        (false, false) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (true, true) => 3,
    }
}

/// Which measures a record has, in the order of [`MEASURES`].
pub(super) fn measures(schema: &SueSchema, record: &SueRecord, groups: u8) -> [bool; 5] {
    let jobb = groups & (1 << JOB) != 0;
    let resurs = groups & (1 << RESOURCE) != 0;
    [
        jobb || resurs,
        jobb,
        resurs,
        record.interventions & (1 << schema.sanction) != 0,
        record.interventions & (1 << schema.exemption) != 0,
    ]
}

/// The table of the counts behind the standardisation: per group, for each profile, its clients
/// (of the group's clients) and the clients with each measure (of the profile's clients), and
/// each measure's crude count (of the group's clients).
pub(super) fn counts_table(layout: &Layout) -> TableSpec {
    // Per profile, from its first slot: its clients (of the group's), then each measure (of the
    // profile's clients).
    let mut per_profile = vec![Column::of(
        &("klienter", "Klienter", "Clients"),
        0,
        Base::Fixed(layout.clients),
    )];
    for (m, measure) in MEASURES.iter().enumerate() {
        per_profile.push(Column::of(measure, 1 + m, Base::Relative(0)));
    }
    let per_profile = Columns(per_profile);
    let mut columns = Columns::default();
    for (k, profile) in PROFILES.iter().enumerate() {
        columns.extend(per_profile.for_group(layout.profile + k * PER_PROFILE, profile));
    }
    for (m, measure) in MEASURES.iter().enumerate() {
        columns.extend(Columns(vec![Column::of(
            measure,
            layout.crude(m),
            Base::Fixed(layout.clients),
        )]));
    }
    columns.by_dimension(
        "needs_profile",
        [
            text("Insatser efter behovsprofil", "Interventions by needs profile"),
            text("Underlaget till de standardiserade andelarna: per grupp och behovsprofil antal klienter (av gruppens klienter) och andel med varje insats (av profilens klienter), och gruppens andel med varje insats (av gruppens klienter). Behovsprofil: FIA:s sammanlagda bedömning när samma person har en FIA i rapportens underlag (den senaste intervjun), annars avläst ur de behov som registrerats före insats", "What the standardised shares are computed from: per group and needs profile the number of clients (of the group's clients) and the share with each intervention (of the profile's clients), and the group's share with each intervention (of the group's clients). Needs profile: the FIA overall assessment when the same person has a FIA in the report's input (the latest interview), else read from the needs recorded before the intervention"),
        ],
        STANDARDISED,
    )
}

/// The dimensions standardised rates are given by (the total row gives the standard population).
pub(super) const STANDARDISED: &[Dimension] = &[
    Dimension::Total,
    Dimension::Gender,
    Dimension::AgeBand,
    Dimension::Origin,
    Dimension::Household,
];

/// The directly standardised rate `sum_k w_k * events_k / bases_k` with its 95 % interval (normal
/// approximation, variance `sum_k w_k^2 p_k (1 - p_k) / n_k`, clipped to 0–1). `None` when a
/// profile with weight has no clients in the group: its rate, hence the sum, is unknown.
pub(crate) fn standardise(
    weights: &[f64],
    events: &[u64],
    bases: &[u64],
) -> Option<(f64, [f64; 2])> {
    const Z: f64 = 1.959_963_984_540_054;
    let mut rate = 0.0;
    let mut variance = 0.0;
    for ((&w, &x), &n) in weights.iter().zip(events).zip(bases) {
        if w == 0.0 {
            continue;
        }
        if n == 0 || x > n {
            return None;
        }
        #[allow(clippy::cast_precision_loss)] // client counts are far below 2^52
        let p = x as f64 / n as f64;
        rate += w * p;
        #[allow(clippy::cast_precision_loss)]
        let n = n as f64;
        variance += w * w * p * (1.0 - p) / n;
    }
    let half = Z * variance.sqrt();
    Some((rate, [(rate - half).max(0.0), (rate + half).min(1.0)]))
}

/// The standardised tables, one per table of `needs_profile` (same breakdown), computed from its
/// published cells: per measure, the crude share (the published cell) and the standardised one.
pub(super) fn standardised_tables(tables: &[Table]) -> Vec<Table> {
    let Some(total) = tables.iter().find(|t| t.id == "needs_profile") else {
        return Vec::new();
    };
    let column = |table: &Table, code: &str| {
        table
            .categories
            .iter()
            .position(|c| c.code == code)
            .expect("the needs-profile table has every column")
    };
    // The standard population: all clients of the report, by profile (published counts). A
    // profile too small to publish is left out of it (weight 0).
    // A report without records has no rows at all.
    let counts: Vec<u64> = PROFILES
        .iter()
        .map(|(code, _, _)| {
            total.rows.first().map_or(0, |everyone| {
                everyone.cells[column(total, &format!("klienter_{code}"))]
                    .count
                    .unwrap_or(0)
            })
        })
        .collect();
    let shown: u64 = counts.iter().sum();
    // Only a profile hidden for being *small* may be left out. One hidden for another reason
    // (protecting another cell in an exact report, or close to its base) may be large: its
    // weight is unknown, and so is every standardised share.
    let weight_unknown = total.rows.first().is_some_and(|everyone| {
        PROFILES.iter().any(|(code, _, _)| {
            let cell = &everyone.cells[column(total, &format!("klienter_{code}"))];
            cell.count.is_none() && cell.reason != Some(SuppressionReason::Small)
        })
    });
    #[allow(clippy::cast_precision_loss)] // client counts are far below 2^52
    let weights: Option<Vec<f64>> = (shown > 0 && !weight_unknown)
        .then(|| counts.iter().map(|&c| c as f64 / shown as f64).collect());
    let mut categories = Vec::new();
    for (measure, sv, en) in MEASURES {
        categories.push(category(
            &format!("{measure}_grov"),
            Text {
                sv: format!("{sv}, faktisk andel"),
                en: format!("{en}, crude share"),
            },
        ));
        categories.push(category(
            &format!("{measure}_standardiserad"),
            Text {
                sv: format!("{sv}, standardiserad till samma behov"),
                en: format!("{en}, standardised to the same needs"),
            },
        ));
    }
    tables
        .iter()
        .filter(|t| t.id == "needs_profile" || t.id.starts_with("needs_profile."))
        .map(|table| {
            let rows = table
                .rows
                .iter()
                .map(|row| {
                    let mut cells = Vec::new();
                    for (measure, _, _) in MEASURES {
                        cells.push(row.cells[column(table, measure)].clone());
                        let mut events = Vec::new();
                        let mut bases = Vec::new();
                        for (code, _, _) in PROFILES {
                            let cell = &row.cells[column(table, &format!("{measure}_{code}"))];
                            events.push(cell.count);
                            bases.push(cell.base);
                        }
                        // A hidden number is unknown; it matters only for a profile with weight.
                        let result = weights.as_ref().and_then(|w| {
                            let mut x = Vec::new();
                            let mut n = Vec::new();
                            for ((&weight, events), base) in w.iter().zip(&events).zip(&bases) {
                                match (events, base) {
                                    (Some(e), Some(b)) => {
                                        x.push(*e);
                                        n.push(*b);
                                    }
                                    _ if weight == 0.0 => {
                                        x.push(0);
                                        n.push(0);
                                    }
                                    _ => return None,
                                }
                            }
                            standardise(w, &x, &n)
                        });
                        cells.push(Cell {
                            count: None,
                            base: None,
                            share: result.map(|r| r.0),
                            interval: result.map(|r| r.1),
                            suppressed: result.is_none(),
                            reason: result
                                .is_none()
                                .then_some(SuppressionReason::Derived),
                            weeks: None,
                            count_key: row.cells[0].count_key,
                            base_key: row.cells[0].base_key,
                        });
                    }
                    Row {
                        code: row.code.clone(),
                        label: row.label.clone(),
                        cells,
                    }
                })
                .collect();
            Table {
                id: table.id.replacen("needs_profile", "standardised", 1),
                title: Text { sv: "Insatser vid samma behov".into(), en: "Interventions with the same needs".into() },
                unit: table.unit.clone(),
                description: Text { sv: "Andel med varje insats: faktisk andel och andel direkt standardiserad till behovsprofilen hos samtliga klienter i rapporten, med 95 % konfidensintervall. Om andelarna skiljer sig mellan grupper också efter standardisering får grupper med samma behov olika insatser. Beräknad ur de publicerade talen i tabellen över insatser efter behovsprofil: en behovsprofil för liten för att visas ingår inte, och andelen visas inte när något tal den behöver är dolt. Beskriver samband, inte orsaker".into(), en: "Share with each intervention: the crude share and the share directly standardised to the needs profile of all clients in the report, with 95 % confidence intervals. If groups still differ after standardisation, groups with the same needs get different interventions. Computed from the published numbers of the table of interventions by needs profile: a profile too small to publish is left out, and the share is not shown when any number it needs is hidden. Describes associations, not causes".into() },
                rows_are: table.rows_are.clone(),
                rows_label: table.rows_label.clone(),
                categories: categories.clone(),
                rows,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::stats::disclosure::QuantityKey;

    proptest! {
        /// When a group has the needs profile of everyone (its clients per profile are the same
        /// multiple of everyone's), the standardised rate is the crude rate.
        #[test]
        fn standardised_equals_crude_with_the_same_needs_profile(
            everyone in proptest::collection::vec(1u64..200, 1..6),
            multiple in 1u64..5,
            hits in proptest::collection::vec(0.0f64..=1.0, 6),
        ) {
            let total: u64 = everyone.iter().sum();
            #[allow(clippy::cast_precision_loss)]
            let weights: Vec<f64> = everyone.iter().map(|&n| n as f64 / total as f64).collect();
            let bases: Vec<u64> = everyone.iter().map(|&n| n * multiple).collect();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let events: Vec<u64> = bases
                .iter()
                .zip(&hits)
                .map(|(&n, &h)| (n as f64 * h).floor() as u64)
                .collect();
            let (rate, [low, high]) = standardise(&weights, &events, &bases).expect("every profile has clients");
            #[allow(clippy::cast_precision_loss)]
            let crude = events.iter().sum::<u64>() as f64 / bases.iter().sum::<u64>() as f64;
            prop_assert!((rate - crude).abs() < 1e-12, "{rate} vs {crude}");
            prop_assert!(low <= rate && rate <= high);
        }
    }

    /// A `needs_profile` table of one row (everyone): each profile with `clients` (a hidden
    /// count with its reason), and every measure half of the profile's clients.
    fn everyone(clients: [(Option<u64>, Option<SuppressionReason>); 4]) -> Table {
        let cell = |count: Option<u64>, base: Option<u64>, reason| Cell {
            count,
            base,
            share: None,
            interval: None,
            suppressed: count.is_none(),
            reason,
            weeks: None,
            count_key: QuantityKey::default(),
            base_key: QuantityKey::default(),
        };
        let all: u64 = clients.iter().filter_map(|c| c.0).sum();
        let mut categories = Vec::new();
        let mut cells = Vec::new();
        for ((code, _, _), (count, reason)) in PROFILES.iter().zip(clients) {
            categories.push(category(&format!("klienter_{code}"), text("", "")));
            cells.push(cell(count, Some(all), reason));
            for (measure, _, _) in MEASURES {
                categories.push(category(&format!("{measure}_{code}"), text("", "")));
                cells.push(cell(count.map(|c| c / 2), count, None));
            }
        }
        for (measure, _, _) in MEASURES {
            categories.push(category(measure, text("", "")));
            cells.push(cell(Some(all / 2), Some(all), None));
        }
        Table {
            id: "needs_profile".into(),
            title: text("", ""),
            unit: "persons".into(),
            description: text("", ""),
            rows_are: "total".into(),
            rows_label: text("", ""),
            categories,
            rows: vec![Row {
                code: "total".into(),
                label: text("", ""),
                cells,
            }],
        }
    }

    fn standardised_shown(table: Table) -> bool {
        let tables = standardised_tables(&[table]);
        tables[0].rows[0]
            .cells
            .iter()
            .skip(1)
            .step_by(2)
            .all(|c| c.share.is_some())
    }

    #[test]
    fn a_small_hidden_profile_is_left_out_but_a_large_one_hides_the_standardised_shares() {
        let (small, secondary) = (
            Some(SuppressionReason::Small),
            Some(SuppressionReason::Secondary),
        );
        let shown = [(Some(40), None), (Some(30), None), (Some(20), None)];
        let with = |last| everyone([shown[0], shown[1], shown[2], last]);
        assert!(standardised_shown(with((Some(10), None))));
        // Under the threshold: left out of the standard population.
        assert!(standardised_shown(with((None, small))));
        // Hidden to protect another cell (exact reports): it may be large, so no share.
        assert!(!standardised_shown(with((None, secondary))));
        assert!(!standardised_shown(with((
            None,
            Some(SuppressionReason::NearBase)
        ))));
    }

    #[test]
    fn a_profile_missing_from_a_group_leaves_the_rate_unknown() {
        assert_eq!(standardise(&[0.5, 0.5], &[1, 0], &[2, 0]), None);
        // A profile nobody in the report has does not count.
        let (rate, _) = standardise(&[1.0, 0.0], &[1, 0], &[4, 0]).expect("known");
        assert!((rate - 0.25).abs() < 1e-15);
    }

    #[test]
    fn profiles_follow_the_fia_assessment_categories() {
        let work = 1 << 3;
        assert_eq!(
            PROFILES[usize::from(profile(Some(0), work))].0,
            "inget_stodbehov"
        );
        assert_eq!(
            PROFILES[usize::from(profile(Some(1), work))].0,
            "socialt_stodbehov"
        );
        assert_eq!(
            PROFILES[usize::from(profile(Some(work), work))].0,
            "arbetsrelaterat_stodbehov"
        );
        assert_eq!(
            PROFILES[usize::from(profile(Some(work | 1), work))].0,
            "bade_socialt_och_arbete"
        );
        assert_eq!(
            PROFILES[usize::from(profile(None, work))].0,
            "inget_stodbehov"
        );
    }
}
