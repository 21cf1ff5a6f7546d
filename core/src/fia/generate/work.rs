//! Part 2 of a FIA document: work.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

/// What the work answers of one document imply for the rest of it.
pub(super) struct Work {
    /// The work indicators, for the assessment's work need.
    pub(super) rank: RankInput,
    pub(super) weak_swedish: bool,
}

pub(super) fn generate_work(
    items: &Items,
    answers: &mut Answers<'_>,
    rng: &mut Draw,
    interview: Date,
) -> Work {
    let mut rank = RankInput::default();

    let har_arbetat = rng.percent(HAR_ARBETAT_PERCENT);
    answers.put(items.har_arbetat, Value::Bool(har_arbetat));
    rank.push_both(1.0 - percent(HAR_ARBETAT_PERCENT), !har_arbetat);
    if rng.percent(85) {
        let year = i64::from(interview.year()) - rng.between(0, 12);
        answers.put_integer(items.senaste_arbete_ar, year);
    }
    if rng.percent(80) {
        answers.put_integer(items.arbetslivserfarenhet_ar, rng.between(0, 25));
    }
    if har_arbetat && rng.percent(60) {
        answers.put_text(items.yrke, rng.pick(YRKEN));
    }

    let utbildning = rng.weighted(UTBILDNING);
    answers.put(items.utbildning, code(utbildning));
    if answers.enabled(items.utbildning, None) {
        rank.push_both(
            share(UTBILDNING, LOW_EDUCATION),
            LOW_EDUCATION.contains(&utbildning),
        );
    }
    let abroad = rng.percent(40);
    if rng.percent(85) {
        answers.put(items.utbildning_utomlands, Value::Bool(abroad));
    }
    let mut weak_swedish = false;
    if rng.percent(90) {
        let table = if abroad {
            SPRAK_EDUCATED_ABROAD
        } else {
            SPRAK_EDUCATED_HERE
        };
        let svenska = rng.weighted(table);
        weak_swedish = answers.put(items.svenska, code(svenska)) && WEAK_SWEDISH.contains(&svenska);
    }

    let tydlig_bild = rng.weighted(TYDLIG_BILD);
    if answers.put(items.tydlig_bild, code(tydlig_bild)) {
        rank.push_both(1.0 - share(TYDLIG_BILD, &["ja"]), tydlig_bild != "ja");
    }
    if rng.percent(55) {
        answers.put_text(items.mal_arbete, rng.pick(MAL_ARBETE));
    }
    if answers.enabled(items.svart_soka, None) {
        let answered = rng.percent(SVART_SOKA_ANSWERED_PERCENT);
        let svart = rng.weighted(SVART_SOKA);
        if answered {
            answers.put(items.svart_soka, code(svart));
        }
        let p = percent(SVART_SOKA_ANSWERED_PERCENT) * share(SVART_SOKA, &["alla_steg"]);
        rank.push_both(p, answered && svart == "alla_steg");
    }

    let wished: Vec<&str> = ONSKADE_INSATSER
        .iter()
        .filter(|&&(_, p)| rng.percent(p))
        .map(|&(c, _)| c)
        .collect();
    if let Some(value) = answers.selection(items.onskade_insatser, wished) {
        answers.put(items.onskade_insatser, value);
    }
    answers.put(items.syn_pa_krav, code(rng.weighted(SYN_PA_KRAV)));

    Work { rank, weak_swedish }
}
