//! Part 1 of a FIA document: the life areas.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

/// A life area's items and calibration.
#[derive(Clone, Debug)]
pub(super) struct Area {
    /// The section id, also the area's subject code in the ranking.
    pub(super) code: &'static str,
    pub(super) omfattning: ItemId,
    pub(super) problem: ItemId,
    pub(super) paverkar_arbete: ItemId,
    pub(super) vill_ha_hjalp: ItemId,
    pub(super) kommentar: ItemId,
    /// Probability of being affected at low and at high latent burden; their mean is the target.
    pub(super) affected_low: f64,
    pub(super) affected_high: f64,
    /// Whether an affected client calls it a large problem. Drawn from a shuffled deck so that
    /// the share stays on target even where few clients are affected (5 % for alcohol).
    pub(super) large_problem: Deck,
}

impl Area {
    pub(super) fn resolve(r: &mut Resolver<'_>, spec: &AreaSpec) -> Result<Area> {
        let id = spec.id;
        let problem_codes: Vec<&str> = LARGE_PROBLEM
            .iter()
            .chain(SMALL_PROBLEM)
            .map(|&(c, _)| c)
            .collect();
        let ja_nej: Vec<&str> = WANTS_HELP_LARGE.iter().map(|&(c, _)| c).collect();
        let omfattning_codes = [AFFECTED[0], AFFECTED[1], NOT_AFFECTED];
        let share = f64::from(spec.affected) / 100.0;
        let spread = BURDEN_SPREAD * share.min(1.0 - share);
        Ok(Area {
            code: id,
            omfattning: r.choice(
                &format!("{id}.omfattning"),
                "single_choice",
                &omfattning_codes,
            )?,
            problem: r.choice(
                &format!("{id}.problem_klient"),
                "single_choice",
                &problem_codes,
            )?,
            paverkar_arbete: r.choice(
                &format!("{id}.paverkar_arbete"),
                "single_choice",
                &ja_nej,
            )?,
            vill_ha_hjalp: r.choice(&format!("{id}.vill_ha_hjalp"), "single_choice", &ja_nej)?,
            kommentar: r.item(&format!("{id}.kommentar"), "text")?,
            affected_low: share - spread,
            affected_high: share + spread,
            large_problem: Deck::new(spec.large_problem),
        })
    }

    pub(super) fn generate(
        &mut self,
        answers: &mut Answers<'_>,
        rng: &mut Draw,
        high: bool,
    ) -> AreaState {
        if !answers.enabled(self.omfattning, None) {
            return AreaState::default();
        }
        let p = if high {
            self.affected_high
        } else {
            self.affected_low
        };
        if !rng.chance(p) {
            answers.put(self.omfattning, code(NOT_AFFECTED));
            return AreaState {
                asked: true,
                ..AreaState::default()
            };
        }
        let large = self.large_problem.draw(rng);
        let to_large_extent = rng.percent(if large { 55 } else { 20 });
        answers.put(
            self.omfattning,
            code(AFFECTED[usize::from(!to_large_extent)]),
        );
        let (problem, affects_work, help) = if large {
            (LARGE_PROBLEM, AFFECTS_WORK_LARGE, WANTS_HELP_LARGE)
        } else {
            (SMALL_PROBLEM, AFFECTS_WORK_SMALL, WANTS_HELP_SMALL)
        };
        answers.put(self.problem, code(rng.weighted(problem)));
        answers.put(self.paverkar_arbete, code(rng.weighted(affects_work)));
        let help = rng.weighted(help);
        answers.put(self.vill_ha_hjalp, code(help));
        if rng.percent(10) {
            answers.put_text(self.kommentar, rng.pick(AREA_COMMENTS));
        }
        AreaState {
            asked: true,
            affected: true,
            large_problem: large,
            wants_help: help == "ja",
        }
    }
}

/// What one document says about one life area.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct AreaState {
    pub(super) asked: bool,
    pub(super) affected: bool,
    pub(super) large_problem: bool,
    pub(super) wants_help: bool,
}
