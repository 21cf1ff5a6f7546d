//! The tables of the SUE report: their texts, columns and the counter slots behind each cell.

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;

pub(super) const DEMOGRAPHIC: &[Dimension] = &Dimension::ALL;
pub(super) const EQUALITY: &[Dimension] = &[
    Dimension::Gender,
    Dimension::AgeBand,
    Dimension::Origin,
    Dimension::Household,
];

pub(super) fn category(code: &str, label: Text) -> Category {
    Category {
        code: code.to_owned(),
        label,
    }
}

pub(super) fn cells(count_start: usize, n: usize, base: usize) -> Vec<CellSlots> {
    (0..n)
        .map(|i| CellSlots::new(count_start + i, base))
        .collect()
}

pub(super) fn group_categories() -> Vec<Category> {
    crate::stats::builder::categories(&INTERVENTION_GROUPS)
}

pub(super) fn table_specs(schema: &SueSchema, layout: &Layout) -> Vec<TableSpec> {
    let groups = INTERVENTION_GROUPS.len();
    let mut intervention_categories = schema.intervention_types.categories();
    intervention_categories.extend(group_categories());
    intervention_categories.push(category(
        "ingen_insats",
        Text {
            sv: "Ingen insats".into(),
            en: "No intervention".into(),
        },
    ));
    let mut intervention_cells = cells(layout.intervention, layout.types, layout.clients);
    intervention_cells.extend(cells(layout.intervention_group, groups, layout.clients));
    intervention_cells.push(CellSlots::new(layout.no_intervention, layout.clients));

    let mut need_categories = group_categories();
    need_categories.push(category(
        "ingen_insats",
        Text {
            sv: "Ingen insats".into(),
            en: "No intervention".into(),
        },
    ));
    let area_rows = |f: &dyn Fn(usize) -> Vec<CellSlots>| -> Vec<(String, Text, Vec<CellSlots>)> {
        schema
            .areas
            .codes
            .iter()
            .enumerate()
            .map(|(i, (code, label))| (code.clone(), label.clone(), f(i)))
            .collect()
    };
    let areas_label = Text {
        sv: "Område".into(),
        en: "Area".into(),
    };

    let mut specs = vec![
        TableSpec {
            id: "clients",
            title: Text { sv: "Klienter".into(), en: "Clients".into() },
            description: Text { sv: "Antal klienter och andel av samtliga klienter i rapporten".into(), en: "Number of clients and share of all clients in the report".into() },
            categories: vec![category("klienter", Text { sv: "Klienter".into(), en: "Clients".into() })],
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: vec![CellSlots {
                    count: layout.clients,
                    base: layout.clients,
                    base_over_all: true,
                }],
            },
        },
        TableSpec {
            id: "needs",
            title: Text { sv: "Behov före insats".into(), en: "Needs before intervention".into() },
            description: Text { sv: "Andel klienter med behov inom varje område, av samtliga klienter".into(), en: "Share of clients with a need in each area, of all clients".into() },
            categories: schema.areas.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(layout.need, layout.areas, layout.clients),
            },
        },
        TableSpec {
            id: "needs_interventions",
            title: Text { sv: "Behov och insatser".into(), en: "Needs and interventions".into() },
            description: Text { sv: "Bland klienter med behov inom området: andel som fått insatser av varje slag, och andel utan insats".into(), en: "Among clients with a need in the area: share who received each kind of intervention, and share with none".into() },
            categories: need_categories,
            rows: RowsSpec::Fixed {
                rows_are: "area",
                rows_label: areas_label.clone(),
                rows: area_rows(&|area| {
                    cells(
                        layout.need_by_group + area * (groups + 1),
                        groups + 1,
                        layout.need + area,
                    )
                }),
            },
        },
        TableSpec {
            id: "interventions",
            title: Text { sv: "Insatser".into(), en: "Interventions".into() },
            description: Text { sv: "Andel klienter som fått varje insats, av samtliga klienter (en klient kan få flera)".into(), en: "Share of clients who received each intervention, of all clients (a client may receive several)".into() },
            categories: intervention_categories,
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: intervention_cells,
            },
        },
        TableSpec {
            id: "outcomes",
            title: Text { sv: "Utfall efter insats".into(), en: "Outcomes after intervention".into() },
            description: Text { sv: "Sysselsättning eller försörjning efter insats, bland klienter med registrerat utfall".into(), en: "Occupation or income source after intervention, among clients with a recorded outcome".into() },
            categories: schema.outcomes.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(layout.outcome, layout.outcomes, layout.outcome_base),
            },
        },
        TableSpec {
            id: "outcomes_by_intervention",
            title: Text { sv: "Utfall efter slag av insats".into(), en: "Outcomes by kind of intervention".into() },
            description: Text { sv: "Utfall bland klienter som fått insatser av varje slag (beskrivande, inte effekter)".into(), en: "Outcomes among clients who received each kind of intervention (descriptive, not effects)".into() },
            categories: schema.outcomes.categories(),
            rows: RowsSpec::Fixed {
                rows_are: "intervention_group",
                rows_label: Text { sv: "Slag av insats".into(), en: "Kind of intervention".into() },
                rows: INTERVENTION_GROUPS
                    .iter()
                    .enumerate()
                    .map(|(g, (code, sv, en))| {
                        (
                            (*code).to_owned(),
                            Text { sv: (*sv).into(), en: (*en).into() },
                            cells(
                                layout.outcome_by_group + g * layout.outcomes,
                                layout.outcomes,
                                layout.outcome_by_group_base + g,
                            ),
                        )
                    })
                    .collect(),
            },
        },
        TableSpec {
            id: "goal_attainment",
            title: Text { sv: "Måluppfyllelse".into(), en: "Goal attainment".into() },
            description: Text { sv: "Hur väl målen med klienten uppnåtts, bland klienter med satta mål och registrerad måluppfyllelse".into(), en: "How fully the goals set with the client were met, among clients with goals and a recorded attainment".into() },
            categories: schema.goals.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(layout.goal, layout.goals, layout.goal_base),
            },
        },
        TableSpec {
            id: "change_by_area",
            title: Text { sv: "Förändring per område".into(), en: "Change per area".into() },
            description: Text { sv: "Förändring efter insats inom varje område, bland klienter med registrerad förändring där".into(), en: "Change after intervention in each area, among clients with a change recorded there".into() },
            categories: schema.change_codes.categories(),
            rows: RowsSpec::Fixed {
                rows_are: "area",
                rows_label: areas_label,
                rows: area_rows(&|area| {
                    cells(
                        layout.change + area * layout.change_codes,
                        layout.change_codes,
                        layout.change_base + area,
                    )
                }),
            },
        },
        TableSpec {
            id: "satisfaction",
            title: Text { sv: "Klientens nöjdhet".into(), en: "Client satisfaction".into() },
            description: Text { sv: "Klientens egen bedömning i brukaruppföljningen, bland klienter som svarat".into(), en: "The client's own view in the client follow-up, among clients who answered".into() },
            categories: schema.satisfaction_codes.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(
                    layout.satisfaction_at,
                    layout.satisfaction,
                    layout.satisfaction_base,
                ),
            },
        },
        TableSpec {
            id: "helped",
            title: Text { sv: "Har insatsen hjälpt?".into(), en: "Did the intervention help?".into() },
            description: Text { sv: "Klientens svar på om insatsen hjälpt, bland klienter som svarat".into(), en: "The client's answer whether the intervention helped, among clients who answered".into() },
            categories: schema.helped_codes.categories(),
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: cells(layout.helped_at, layout.helped, layout.helped_base),
            },
        },
        TableSpec {
            id: "satisfaction_by_goal",
            title: Text { sv: "Nöjdhet efter måluppfyllelse".into(), en: "Satisfaction by goal attainment".into() },
            description: Text { sv: "Klientens nöjdhet bland klienter med respektive måluppfyllelse".into(), en: "Client satisfaction among clients with each level of goal attainment".into() },
            categories: schema.satisfaction_codes.categories(),
            rows: RowsSpec::Fixed {
                rows_are: "goal_attainment",
                rows_label: Text { sv: "Måluppfyllelse".into(), en: "Goal attainment".into() },
                rows: schema
                    .goals
                    .codes
                    .iter()
                    .enumerate()
                    .map(|(g, (code, label))| {
                        (
                            code.clone(),
                            label.clone(),
                            cells(
                                layout.satisfaction_by_goal + g * layout.satisfaction,
                                layout.satisfaction,
                                layout.satisfaction_by_goal_base + g,
                            ),
                        )
                    })
                    .collect(),
            },
        },
        TableSpec {
            id: "long_term",
            title: Text { sv: "Långvarigt biståndsmottagande".into(), en: "Long-term assistance".into() },
            description: Text { sv: "Långvarigt (Socialstyrelsens mått): bistånd 10–12 månader under det senaste hela kalenderåret, av dem med uppgift. Långvarigt, rullande 12 månader: 10–12 av de 12 månaderna före aktualiseringen, av samtliga; ett annat mått än Socialstyrelsens. Mycket långvarigt: minst 27 av 36 månader, av dem med uppgift".into(), en: "Long-term (Socialstyrelsen's measure): assistance in 10–12 months of the last full calendar year, of those recorded. Long-term, rolling 12 months: 10–12 of the 12 months before the case start, of all; not Socialstyrelsen's measure. Very long-term: at least 27 of 36 months, of those recorded".into() },
            categories: vec![
                category("langvarigt", Text { sv: "Långvarigt".into(), en: "Long-term".into() }),
                category("langvarigt_rullande_12", Text { sv: "Långvarigt, rullande 12 månader".into(), en: "Long-term, rolling 12 months".into() }),
                category("mycket_langvarigt", Text { sv: "Mycket långvarigt".into(), en: "Very long-term".into() }),
            ],
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: vec![
                    CellSlots::new(layout.long_term, layout.long_term_base),
                    CellSlots::new(layout.long_term_rolling, layout.clients),
                    CellSlots::new(layout.very_long_term, layout.very_long_term_base),
                ],
            },
        },
        TableSpec {
            id: "reopening",
            title: Text { sv: "Återaktualisering".into(), en: "Re-opening".into() },
            description: Text { sv: "Andel personer vars ärende återaktualiserats inom 3, 6 och 12 månader efter avslutningen, bland personer vars ärende avslutades minst så länge före rapportdatumet; varje person räknas en gång, genom sitt senaste ärende".into(), en: "Share of persons whose case was re-opened within 3, 6 and 12 months of closure, among persons whose case closed at least that long before the report date; each person counts once, through their latest case".into() },
            categories: vec![
                category("inom_3_manader", Text { sv: "Inom 3 månader".into(), en: "Within 3 months".into() }),
                category("inom_6_manader", Text { sv: "Inom 6 månader".into(), en: "Within 6 months".into() }),
                category("inom_12_manader", Text { sv: "Inom 12 månader".into(), en: "Within 12 months".into() }),
            ],
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: (0..REOPEN_WINDOWS.len())
                    .map(|i| CellSlots::new(layout.reopened + i, layout.reopen_base + i))
                    .collect(),
            },
        },
        TableSpec {
            id: "register_outcomes",
            title: Text { sv: "Utfall i register".into(), en: "Register outcomes".into() },
            description: Text { sv: "Bland alla klienter med registeruppföljning, med eller utan insats: arbetsinkomst respektive ekonomiskt bistånd om minst två basbelopp under uppföljningsperioden. En klient kan ha båda".into(), en: "Among all clients with a register follow-up, with or without an intervention: earned income and social assistance of at least two base amounts over the follow-up period. A client may have both".into() },
            categories: vec![
                category("arbete", Text { sv: "Arbete".into(), en: "Work".into() }),
                category("bistand", Text { sv: "Ekonomiskt bistånd".into(), en: "Social assistance".into() }),
            ],
            rows: RowsSpec::ByDimension {
                dimensions: DEMOGRAPHIC,
                cells: vec![
                    CellSlots::new(layout.register_work, layout.register_work_base),
                    CellSlots::new(layout.register_assistance, layout.register_assistance_base),
                ],
            },
        },
        TableSpec {
            id: "equality",
            title: Text { sv: "Likvärdighet".into(), en: "Equality".into() },
            description: Text { sv: "Samma mått sida vid sida för olika grupper: får kvinnor och män, unga och äldre, inrikes och utrikes födda samma insatser och resultat?".into(), en: "The same measures side by side for groups: do women and men, young and old, born in Sweden and abroad get the same interventions and results?".into() },
            categories: vec![
                category("aktiverade", Text { sv: "Aktiverade (jobb- eller resursaktivering)".into(), en: "Activated (work-first or human-resource)".into() }),
                category("jobbaktivering", Text { sv: "Jobbaktivering".into(), en: "Work-first activation".into() }),
                category("resursaktivering", Text { sv: "Resursaktivering".into(), en: "Human-resource activation".into() }),
                category("sanktion", Text { sv: "Sanktion".into(), en: "Sanction".into() }),
                category("undantag", Text { sv: "Undantag".into(), en: "Exemption".into() }),
                category("arbete_efter_insats", Text { sv: "Arbete efter insats".into(), en: "Work after intervention".into() }),
                category("mal_helt_uppfyllda", Text { sv: "Mål helt uppfyllda".into(), en: "Goals fully met".into() }),
                category("nojda", Text { sv: "Nöjda klienter".into(), en: "Satisfied clients".into() }),
                category("langvarigt", Text { sv: "Långvarigt bistånd".into(), en: "Long-term assistance".into() }),
            ],
            rows: RowsSpec::ByDimension {
                dimensions: EQUALITY,
                cells: vec![
                    CellSlots::new(layout.activated, layout.clients),
                    CellSlots::new(layout.intervention_group + JOB, layout.clients),
                    CellSlots::new(layout.intervention_group + RESOURCE, layout.clients),
                    CellSlots::new(layout.intervention + schema.sanction, layout.clients),
                    CellSlots::new(layout.intervention + schema.exemption, layout.clients),
                    CellSlots::new(layout.work, layout.outcome_base),
                    CellSlots::new(layout.goal + schema.goal_fully, layout.goal_base),
                    CellSlots::new(layout.satisfied, layout.satisfaction_base),
                    CellSlots::new(layout.long_term, layout.long_term_base),
                ],
            },
        },
    ];
    specs.extend(choices::tables(layout, schema));
    specs.extend(collected::tables(layout, schema));
    specs.push(standardised::counts_table(layout));
    specs.extend(layout.breakdowns.iter().map(|b| b.table(layout.clients)));
    specs
}
