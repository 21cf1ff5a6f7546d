//! Tables of what SUE already collects and no table showed (issue 15, point 2): combinations of
//! activation with and without sanction, sanctions and exemptions by activation, and the coded
//! answers on method, goals, participation, interruptions, closure and re-opening.

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;
use crate::stats::builder::{Base, Column, Columns, Label, text};

/// Activation combinations: code and labels, in the order of [`combination`].
pub(super) const COMBINATIONS: [Label; 4] = [
    (
        "endast_jobbaktivering",
        "Endast jobbaktivering",
        "Work-first activation only",
    ),
    (
        "endast_resursaktivering",
        "Endast resursaktivering",
        "Human-resource activation only",
    ),
    (
        "bade_jobb_och_resurs",
        "Både jobb- och resursaktivering",
        "Both work-first and human-resource activation",
    ),
    ("ingen_aktivering", "Ingen aktivering", "No activation"),
];

/// Slots per combination: without sanction, with sanction, with exemption, clients.
pub(super) const PER_COMBINATION: usize = 4;

/// The activation combination (index into [`COMBINATIONS`]) of a record's intervention groups.
pub(super) fn combination(groups: u8) -> usize {
    match (groups & (1 << JOB) != 0, groups & (1 << RESOURCE) != 0) {
        (true, false) => 0,
        (false, true) => 1,
        (true, true) => 2,
        (false, false) => 3,
    }
}

/// The single-choice items tabulated by code: table id, item id, title.
pub(super) const CODED: [(&str, &str, &str, &str); 5] = [
    (
        "method",
        "fore_insats.metod",
        "Metod för att bedöma behoven (användes FIA?)",
        "Method used to assess the needs (was FIA used?)",
    ),
    (
        "participation",
        "under_insats.narvaro",
        "Deltagande i insatsen",
        "Participation in the intervention",
    ),
    (
        "interruption_reasons",
        "under_insats.avbrott_orsak",
        "Orsak till avbrott",
        "Reason for interruption",
    ),
    (
        "closure_reasons",
        "avslutning.orsak",
        "Avslutsorsak",
        "Reason for closure",
    ),
    (
        "reopening_reasons",
        "ateraktualisering.orsak",
        "Orsak till återaktualisering",
        "Reason for re-opening",
    ),
];

/// The yes/no items tabulated: table id, item id, title, category label.
pub(super) const YES_NO: [(&str, &str, &str, &str, &str, &str); 2] = [
    (
        "goals_set",
        "fore_insats.mal_satta",
        "Mål satta med klienten",
        "Goals set with the client",
        "Mål satta",
        "Goals set",
    ),
    (
        "interruptions",
        "under_insats.avbrott",
        "Avbrott i insatsen",
        "Interruption of the intervention",
        "Avbrott",
        "Interrupted",
    ),
];

/// Counts the record's combination, coded answers and yes/no answers.
pub(super) fn count(
    counts: &mut Tally<'_>,
    layout: &Layout,
    schema: &SueSchema,
    record: &SueRecord,
    groups: u8,
) {
    let at = layout.combination + combination(groups) * PER_COMBINATION;
    let sanctioned = record.interventions & (1 << schema.sanction) != 0;
    counts.add(at + usize::from(sanctioned));
    if record.interventions & (1 << schema.exemption) != 0 {
        counts.add(at + 2);
    }
    counts.add(at + 3);
    for (i, code) in record.coded.iter().enumerate() {
        let (start, n) = layout.coded[i];
        if let Some(code) = code.map(usize::from).filter(|&c| c < n) {
            counts.add(start + code);
            counts.add(start + n);
        }
    }
    for (i, answer) in record.yes_no.iter().enumerate() {
        if let Some(yes) = answer {
            let start = layout.yes_no[i];
            counts.add(start + 1);
            if *yes {
                counts.add(start);
            }
        }
    }
}

/// The tables.
pub(super) fn tables(layout: &Layout, schema: &SueSchema) -> Vec<TableSpec> {
    let mut specs = Vec::new();
    let mut categories = Vec::new();
    let mut combination_cells = Vec::new();
    for (k, (code, sv, en)) in COMBINATIONS.iter().enumerate() {
        let at = layout.combination + k * PER_COMBINATION;
        categories.push(category(
            &format!("{code}_utan_sanktion"),
            text(
                &format!("{sv}, utan sanktion"),
                &format!("{en}, without sanction"),
            ),
        ));
        combination_cells.push(CellSlots::new(at, layout.clients));
        categories.push(category(
            &format!("{code}_med_sanktion"),
            text(
                &format!("{sv}, med sanktion"),
                &format!("{en}, with sanction"),
            ),
        ));
        combination_cells.push(CellSlots::new(at + 1, layout.clients));
    }
    specs.push(TableSpec {
        id: "intervention_combinations",
        title: text("Kombinationer av insatser", "Combinations of interventions"),
        description: text("Andel klienter med varje kombination av aktivering, med och utan sanktion, av samtliga klienter (varje klient i en kolumn)", "Share of clients with each combination of activation, with and without sanction, of all clients (each client in one column)"),
        categories,
        rows: RowsSpec::ByDimension { dimensions: DEMOGRAPHIC, cells: combination_cells },
    });
    specs.push(
        Columns(vec![
            Column::of(&("sanktion", "Sanktion", "Sanction"), 1, Base::Relative(3)),
            Column::of(&("undantag", "Undantag", "Exemption"), 2, Base::Relative(3)),
        ])
        .fixed(
            "sanctions_by_activation",
            [
                text("Sanktioner och undantag efter aktivering", "Sanctions and exemptions by activation"),
                text("Andel med sanktion och med undantag bland klienterna med varje slag av aktivering (beskrivande, inte effekter)", "Share with a sanction and with an exemption among the clients with each kind of activation (descriptive, not effects)"),
            ],
            ("activation", text("Aktivering", "Activation")),
            COMBINATIONS.iter().enumerate().map(|(k, (code, sv, en))| {
                ((*code).to_owned(), text(sv, en), layout.combination + k * PER_COMBINATION)
            }),
        ),
    );
    for (i, (id, _, sv, en)) in CODED.iter().enumerate() {
        let (start, n) = layout.coded[i];
        specs.push(TableSpec {
            id,
            title: text(sv, en),
            description: text(
                &format!("{sv}: andel av klienterna med svar"),
                &format!("{en}: share of the clients with an answer"),
            ),
            categories: schema.coded[i].1.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(start, n, start + n),
            },
        });
    }
    for (i, (id, _, sv, en, yes_sv, yes_en)) in YES_NO.iter().enumerate() {
        let start = layout.yes_no[i];
        specs.push(TableSpec {
            id,
            title: text(sv, en),
            description: text(
                &format!("{sv}: andel av klienterna med svar"),
                &format!("{en}: share of the clients with an answer"),
            ),
            categories: vec![category("ja", text(yes_sv, yes_en))],
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: vec![CellSlots::new(start, start + 1)],
            },
        });
    }
    specs
}

/// The sums that hold: the combinations' clients add up to all clients, each combination's
/// clients to those without and with sanction, and each coded item's codes to its base.
pub(super) fn partitions(layout: &Layout) -> Vec<Partition> {
    let mut out = vec![Partition {
        total: layout.clients,
        parts: (0..COMBINATIONS.len())
            .map(|k| layout.combination + k * PER_COMBINATION + 3)
            .collect(),
    }];
    for k in 0..COMBINATIONS.len() {
        let at = layout.combination + k * PER_COMBINATION;
        out.push(Partition {
            total: at + 3,
            parts: vec![at, at + 1],
        });
    }
    for &(start, n) in &layout.coded {
        out.push(Partition {
            total: start + n,
            parts: (start..start + n).collect(),
        });
    }
    out
}
