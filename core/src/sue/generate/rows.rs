//! Drawing one client's needs and intervention rows, and writing rows as JSON.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

pub(super) fn day(offset: i64) -> Date {
    START
        .checked_add(Span::new().days(offset))
        .expect("offsets stay within 0..=END_DAY, well inside jiff's range")
}

/// Areas where the client has problems, with whether the extent is large: among the first
/// `areas` of [`OMRADE`] (those the definition has).
pub(super) fn draw_needs(
    rng: &mut Draw,
    model: &Needs,
    client: &Client,
    areas: usize,
) -> Vec<(usize, bool)> {
    let mut needs = Vec::new();
    for (area, code) in OMRADE.iter().enumerate().take(areas) {
        let health = matches!(*code, "kroppslig_halsa" | "psykisk_halsa");
        let p = model.probability(area, client.mask);
        if rng.chance(p) {
            let large = rng.chance(if health && client.has(G_OHALSA) {
                0.6
            } else {
                0.35
            });
            needs.push((area, large));
        }
    }
    needs
}

pub(super) fn has_need(needs: &[(usize, bool)], area: &str) -> bool {
    needs.iter().any(|&(a, _)| OMRADE[a] == area)
}

/// Distinct picks from weighted options.
pub(super) fn pick_distinct(rng: &mut Draw, weights: &[f64], count: usize) -> Vec<usize> {
    let mut weights = weights.to_vec();
    let mut chosen = Vec::new();
    for _ in 0..count {
        if weights.iter().all(|&w| w <= 0.0) {
            break;
        }
        let i = rng.index_by_weight(&weights);
        weights[i] = 0.0;
        chosen.push(i);
    }
    chosen
}

/// The client's intervention rows, in start order, before the case's closure is known.
pub(super) fn draw_rows(
    rng: &mut Draw,
    client: &Client,
    needs: &[(usize, bool)],
    start: i64,
    years_in_sweden: Option<i64>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let finish = |start: i64, days: (i64, i64), rng: &mut Draw| {
        let end = start + rng.between(days.0, days.1);
        (end <= END_DAY).then_some(end)
    };
    let activation_start = (start + rng.between(7, 90)).min(END_DAY);
    if client.has(JOBB_BIT) {
        let count = if client.has(RESURS_BIT) || !rng.chance(0.25) {
            1
        } else {
            2
        };
        let weights = [0.5, if client.has(LOW_EDU) { 0.375 } else { 0.25 }, 0.25];
        for (n, i) in pick_distinct(rng, &weights, count).into_iter().enumerate() {
            let begin = (activation_start + 60 * n as i64).min(END_DAY);
            let provider = UTFORARE[rng.index_by_weight(&[0.20, 0.70, 0.0, 0.0, 0.10, 0.0])];
            rows.push(Row {
                kind: JOBB[i],
                start: begin,
                end: finish(begin, (60, 240), rng),
                hours: rng.chance(0.8).then(|| rng.between(15, 40)),
                provider: rng.chance(0.8).then_some(provider),
                reason: None,
            });
        }
    }
    if client.has(RESURS_BIT) {
        let count = if client.has(JOBB_BIT) || !rng.chance(0.25) {
            1
        } else {
            2
        };
        let sfi = client.has(ABROAD) && years_in_sweden.is_some_and(|y| y <= 10);
        let weights = [
            0.40,
            0.22,
            if sfi { 0.25 } else { 0.0 },
            0.10,
            if client.has(G_OHALSA) { 0.24 } else { 0.08 },
        ];
        let offset = if client.has(JOBB_BIT) { 90 } else { 0 };
        for (n, i) in pick_distinct(rng, &weights, count).into_iter().enumerate() {
            let begin = (activation_start + offset + 60 * n as i64).min(END_DAY);
            let (days, providers): ((i64, i64), [f64; 6]) = match RESURS[i] {
                "arbetspraktik" => ((60, 180), [0.05, 0.55, 0.30, 0.0, 0.10, 0.0]),
                "utbildning" => ((120, 300), [0.0, 0.10, 0.10, 0.0, 0.20, 0.60]),
                "sfi" => ((120, 360), [0.0, 0.05, 0.0, 0.0, 0.15, 0.80]),
                "studie_och_yrkesvagledning" => ((14, 60), [0.20, 0.40, 0.20, 0.0, 0.0, 0.20]),
                _ => ((120, 365), [0.0, 0.50, 0.0, 0.50, 0.0, 0.0]),
            };
            let hours = match RESURS[i] {
                "sfi" => rng.between(10, 20),
                "studie_och_yrkesvagledning" => rng.between(1, 4),
                _ => rng.between(10, 40),
            };
            let provider = UTFORARE[rng.index_by_weight(&providers)];
            rows.push(Row {
                kind: RESURS[i],
                start: begin,
                end: finish(begin, days, rng),
                hours: rng.chance(0.8).then_some(hours),
                provider: rng.chance(0.8).then_some(provider),
                reason: None,
            });
        }
    }
    if client.has(SANK) {
        let count = if rng.chance(0.15) { 2 } else { 1 };
        let first = if client.has(ACTIVATED) {
            activation_start + rng.between(14, 60)
        } else {
            start + rng.between(14, 120)
        };
        for n in 0..count {
            let begin = (first + 45 * n).min(END_DAY);
            let reason = if client.has(ACTIVATED) {
                SANKTION_SKAL[rng.index_by_weight(&[0.70, 0.20, 0.10])]
            } else {
                SANKTION_SKAL[rng.index_by_weight(&[0.30, 0.60, 0.10])]
            };
            rows.push(Row {
                kind: "sanktion",
                start: begin,
                end: finish(begin, (28, 31), rng),
                hours: None,
                provider: rng.chance(0.8).then_some("socialtjansten"),
                reason: Some(("sanktion_skal", reason)),
            });
        }
    }
    if client.has(UND) {
        let begin = (start + rng.between(0, 60)).min(END_DAY);
        let weights = [
            if client.has(G_OHALSA) { 0.70 } else { 0.15 },
            if client.has(CHILDREN) { 0.30 } else { 0.02 },
            if client.has(YOUNG) { 0.25 } else { 0.05 },
            if client.has(G_SOCIALA) { 0.50 } else { 0.10 },
            0.08,
        ];
        rows.push(Row {
            kind: "undantag",
            start: begin,
            end: finish(begin, (60, 180), rng),
            hours: None,
            provider: rng.chance(0.8).then_some("socialtjansten"),
            reason: Some((
                "undantag_skal",
                UNDANTAG_SKAL[rng.index_by_weight(&weights)],
            )),
        });
    }
    if client.has(STOD_BIT) {
        let health = has_need(needs, "kroppslig_halsa") || has_need(needs, "psykisk_halsa");
        let large_debts = needs
            .iter()
            .any(|&(a, large)| OMRADE[a] == "skulder" && large);
        let weights = [
            if health || client.has(G_OHALSA) {
                0.75
            } else {
                0.30
            },
            if has_need(needs, "alkohol_droger") {
                0.50
            } else if has_need(needs, "ovriga_beroenden") {
                0.10
            } else {
                0.0
            },
            if has_need(needs, "socialt_natverk") {
                0.40
            } else {
                0.20
            },
            if large_debts { 0.40 } else { 0.10 },
        ];
        let count = if rng.chance(0.3) { 2 } else { 1 };
        for i in pick_distinct(rng, &weights, count) {
            let begin = (start + rng.between(0, 120)).min(END_DAY);
            let providers: [f64; 6] = match STOD[i] {
                "halsoinsats" => [0.10, 0.10, 0.0, 0.70, 0.10, 0.0],
                "missbruksbehandling" => [0.50, 0.0, 0.0, 0.40, 0.10, 0.0],
                "sociala_aktiviteter" => [0.40, 0.10, 0.0, 0.0, 0.50, 0.0],
                _ => [0.90, 0.0, 0.0, 0.0, 0.10, 0.0],
            };
            let provider = UTFORARE[rng.index_by_weight(&providers)];
            rows.push(Row {
                kind: STOD[i],
                start: begin,
                end: finish(begin, (30, 180), rng),
                hours: rng.chance(0.6).then(|| rng.between(1, 6)),
                provider: rng.chance(0.8).then_some(provider),
                reason: None,
            });
        }
    }
    rows.sort_by_key(|row| row.start);
    rows
}

pub(super) fn row_json(row: &Row) -> Value {
    let mut object = Map::new();
    object.insert("typ".into(), json!(row.kind));
    object.insert("startdatum".into(), json!(day(row.start).to_string()));
    if let Some(end) = row.end {
        object.insert("slutdatum".into(), json!(day(end).to_string()));
    }
    if let Some(hours) = row.hours {
        object.insert("intensitet_timmar".into(), json!(hours));
    }
    if let Some(provider) = row.provider {
        object.insert("utforare".into(), json!(provider));
    }
    if let Some((item, reason)) = row.reason {
        object.insert(item.into(), json!(reason));
    }
    Value::Object(object)
}
