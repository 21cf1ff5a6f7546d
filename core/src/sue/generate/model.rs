//! Client profiles as bit masks, and the logistic models over them whose base odds are solved
//! against the exactly enumerated background distribution.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

pub(super) type Mask = u32;
pub(super) const MAN: Mask = 1;
pub(super) const ANNAT: Mask = 1 << 1;
pub(super) const YOUNG: Mask = 1 << 2;
pub(super) const AGE55: Mask = 1 << 3;
pub(super) const SWEDISH: Mask = 1 << 4;
pub(super) const ABROAD: Mask = 1 << 5;
pub(super) const CHILDREN: Mask = 1 << 6;
pub(super) const MOTHER: Mask = 1 << 7;
pub(super) const G_OHALSA: Mask = 1 << 8;
pub(super) const G_SOCIALA: Mask = 1 << 9;
pub(super) const G_OVRIGT: Mask = 1 << 10;
pub(super) const LOW_EDU: Mask = 1 << 11;
pub(super) const UNIT_AM: Mask = 1 << 12;
pub(super) const UNIT_INTAG: Mask = 1 << 13;
pub(super) const LONG: Mask = 1 << 14;
pub(super) const ACTIVATED: Mask = 1 << 15;
pub(super) const JOBB_BIT: Mask = 1 << 16;
pub(super) const RESURS_BIT: Mask = 1 << 17;
pub(super) const SANK: Mask = 1 << 18;
pub(super) const UND: Mask = 1 << 19;
pub(super) const STOD_BIT: Mask = 1 << 20;
/// What a case's later states are made of; kept through every projection.
pub(super) const STATE_BITS: Mask =
    LONG | ACTIVATED | JOBB_BIT | RESURS_BIT | SANK | UND | STOD_BIT;

/// Odds ratios: each set bit multiplies a category's odds by its factor.
pub(super) type Terms = &'static [(Mask, f64)];

/// Long-term receipt: commoner with ill health and social reasons, rarer among the young.
pub(super) const LONG_TERMS: Terms = &[
    (G_OHALSA, 1.65),
    (G_SOCIALA, 1.5),
    (ABROAD, 1.2),
    (YOUNG, 0.55),
    (LOW_EDU, 1.35),
];
/// Activation: men more, mothers least, long-term recipients more, the young not more (seed
/// study, DOMAIN.md (d) and the 2015 slides); mainly for the unemployed; varies by unit.
pub(super) const ACTIVATION_TERMS: Terms = &[
    (MAN, 1.5),
    (MOTHER, 0.45),
    (LONG, 1.8),
    (YOUNG, 0.86),
    (G_OHALSA, 0.3),
    (G_SOCIALA, 0.6),
    (G_OVRIGT, 0.45),
    (UNIT_AM, 2.0),
    (UNIT_INTAG, 0.50),
];
/// Jobbaktivering only (against both kinds): men and clients without education get it more.
pub(super) const MIX_JOBB_TERMS: Terms =
    &[(MAN, 1.65), (LOW_EDU, 1.65), (ABROAD, 0.8), (LONG, 1.2)];
/// Resursaktivering only: sfi for the foreign-born, IPS for ill health.
pub(super) const MIX_RESURS_TERMS: Terms = &[(ABROAD, 1.5), (YOUNG, 1.2), (G_OHALSA, 1.35)];
/// Sanktion: mostly Swedish-born men over 25, after activation, and more common in
/// resursaktivering than in jobbaktivering (seed study, stated in bold, DOMAIN.md (d)): the
/// resursaktivering factor outweighs the jobbaktivering mix's lean to Swedish-born men.
pub(super) const SANKTION_TERMS: Terms = &[
    (MAN, 2.2),
    (SWEDISH, 1.8),
    (YOUNG, 0.55),
    (ACTIVATED, 2.4),
    (RESURS_BIT, 2.2),
    (LONG, 1.2),
    (G_OHALSA, 0.45),
    (MOTHER, 0.6),
];
/// Undantag: more often women and the young (seed study, DOMAIN.md (d)), ill health, social
/// reasons.
pub(super) const UNDANTAG_TERMS: Terms = &[
    (MAN, 0.55),
    (YOUNG, 1.8),
    (G_OHALSA, 3.3),
    (G_SOCIALA, 1.8),
    (G_OVRIGT, 1.35),
    (MOTHER, 1.5),
    (ACTIVATED, 0.75),
];
/// Support interventions: ill health and social reasons.
pub(super) const SUPPORT_TERMS: Terms = &[(G_OHALSA, 2.7), (G_SOCIALA, 2.2), (LONG, 1.35)];
/// Outcome after intervention, in the order of [`UTFALL`]: work commoner after resursaktivering
/// (also with sanktion), continued assistance after sanktion (DOMAIN.md (e)).
pub(super) const OUTCOME_TERMS: [Terms; 6] = [
    &[
        (RESURS_BIT, 2.0),
        (JOBB_BIT, 1.2),
        (G_OHALSA, 0.37),
        (LONG, 0.67),
        (LOW_EDU, 0.75),
        (SWEDISH, 1.2),
    ],
    &[(RESURS_BIT, 2.2), (JOBB_BIT, 1.5), (G_OHALSA, 0.6)],
    &[(YOUNG, 2.5), (RESURS_BIT, 1.65), (ABROAD, 1.2)],
    &[(G_OHALSA, 3.3), (UND, 1.5), (AGE55, 1.65)],
    &[
        (SANK, 2.5),
        (LONG, 1.65),
        (JOBB_BIT, 1.2),
        (STOD_BIT, 1.2),
        (UND, 1.2),
    ],
    &[],
];
/// Register outcome work (wages of at least two base amounts), over all clients: commoner after
/// resursaktivering, also with sanktion (DOMAIN.md (e)); rarer with ill health, long receipt and
/// little education (assumptions).
pub(super) const REGISTER_WORK_TERMS: Terms = &[
    (RESURS_BIT, 2.0),
    (JOBB_BIT, 1.1),
    (G_OHALSA, 0.37),
    (LONG, 0.6),
    (LOW_EDU, 0.75),
    (SWEDISH, 1.2),
    (YOUNG, 1.2),
];
/// Register outcome assistance (at least two base amounts), over all clients: commoner after
/// sanktion, also jobbaktivering with sanktion (DOMAIN.md (e)), and with long receipt and ill
/// health (assumptions).
pub(super) const REGISTER_ASSISTANCE_TERMS: Terms = &[
    (SANK, 2.5),
    (JOBB_BIT, 1.2),
    (LONG, 2.0),
    (G_OHALSA, 1.5),
    (RESURS_BIT, 0.8),
];
pub(super) const OUTCOME_TARGETS: [f64; 6] = [
    TARGET_OUTCOME_WORK,
    TARGET_OUTCOME_WORK_SUPPORTED,
    TARGET_OUTCOME_STUDIES,
    TARGET_OUTCOME_OTHER_BENEFIT,
    TARGET_OUTCOME_CONTINUED,
    TARGET_OUTCOME_UNKNOWN,
];

pub(super) fn bits_of(terms: &[Terms]) -> Mask {
    terms
        .iter()
        .flat_map(|t| t.iter())
        .fold(0, |acc, (bit, _)| acc | bit)
}

/// A multinomial logit (two categories for a yes/no model) in odds form: a category's weight is
/// its base odds times the odds ratios of the profile's bits. The base odds are solved so that the
/// category shares over a distribution of profiles equal the targets. Only `+`, `*` and `/` are
/// used, so the probabilities are bit-for-bit the same on every platform.
#[derive(Debug, Clone)]
pub(super) struct Model {
    pub(super) terms: Vec<Terms>,
    pub(super) odds: Vec<f64>,
}

impl Model {
    pub(super) fn calibrated(terms: &[Terms], targets: &[f64], cells: &[(Mask, f64)]) -> Model {
        // Only the bits the model reads matter: aggregate the cells on them first.
        let cells = project(cells, bits_of(terms));
        let total: f64 = cells.iter().map(|c| c.1).sum();
        let mut model = Model {
            terms: terms.to_vec(),
            odds: targets.to_vec(),
        };
        // Fixed-point iteration: each step scales a category's odds by target / current share.
        // Converges in a few dozen steps for effects of this size (the tests check the result).
        for _ in 0..1000 {
            let mut shares = vec![0.0; targets.len()];
            for &(mask, weight) in &cells {
                for (share, p) in shares.iter_mut().zip(model.probabilities(mask)) {
                    *share += weight * p / total;
                }
            }
            let mut worst: f64 = 0.0;
            for ((odds, target), share) in model.odds.iter_mut().zip(targets).zip(&shares) {
                worst = worst.max((share - target).abs());
                *odds *= target / share;
            }
            let last = model.odds[model.odds.len() - 1];
            for odds in &mut model.odds {
                *odds /= last;
            }
            if worst < 1e-12 {
                break;
            }
        }
        model
    }

    pub(super) fn binary(terms: Terms, target: f64, cells: &[(Mask, f64)]) -> Model {
        Model::calibrated(&[&[], terms], &[1.0 - target, target], cells)
    }

    pub(super) fn probabilities(&self, mask: Mask) -> Vec<f64> {
        let weights: Vec<f64> = self
            .terms
            .iter()
            .zip(&self.odds)
            .map(|(terms, odds)| {
                terms
                    .iter()
                    .filter(|(bit, _)| mask & bit != 0)
                    .fold(*odds, |acc, (_, ratio)| acc * ratio)
            })
            .collect();
        let sum: f64 = weights.iter().sum();
        weights.into_iter().map(|w| w / sum).collect()
    }

    /// Splits each cell by the model's categories, setting `bits[k]` for category `k`.
    pub(super) fn expand(&self, cells: &[(Mask, f64)], bits: &[Mask]) -> Vec<(Mask, f64)> {
        aggregate(cells.iter().flat_map(|&(mask, weight)| {
            self.probabilities(mask)
                .into_iter()
                .zip(bits)
                .map(move |(p, bit)| (mask | bit, weight * p))
        }))
    }

    pub(super) fn draw(&self, rng: &mut Draw, mask: Mask) -> usize {
        rng.index_by_weight(&self.probabilities(mask))
    }
}

pub(super) fn aggregate(cells: impl Iterator<Item = (Mask, f64)>) -> Vec<(Mask, f64)> {
    let mut map: BTreeMap<Mask, f64> = BTreeMap::new();
    for (mask, weight) in cells {
        if weight > 0.0 {
            *map.entry(mask).or_insert(0.0) += weight;
        }
    }
    map.into_iter().collect()
}

pub(super) fn project(cells: &[(Mask, f64)], keep: Mask) -> Vec<(Mask, f64)> {
    aggregate(cells.iter().map(|&(mask, weight)| (mask & keep, weight)))
}

/// One rule of the need draw: in `area`, a client with every bit of `set` and none of `clear` is
/// affected with probability `p`. The first matching rule of an area counts; a client no rule
/// matches gets the area's base probability, solved in [`Needs::calibrate`].
pub(super) struct NeedRule {
    pub(super) area: &'static str,
    pub(super) set: Mask,
    pub(super) clear: Mask,
    pub(super) p: f64,
}

const fn rule(area: &'static str, set: Mask, clear: Mask, p: f64) -> NeedRule {
    NeedRule {
        area,
        set,
        clear,
        p,
    }
}

/// Group differences in needs (assumptions unless said otherwise); the overall shares stay on the
/// FIA trial's figures whatever these are.
pub(super) const NEED_RULES: &[NeedRule] = &[
    // The seed shows 32 % with housing problems among those living with their parents.
    rule("boende", YOUNG, 0, 0.28),
    rule("kroppslig_halsa", G_OHALSA, 0, 0.85),
    rule("psykisk_halsa", G_OHALSA, 0, 0.85),
    rule("psykisk_halsa", G_SOCIALA, 0, 0.65),
    // Seed study: mainly Swedish-born men had substance problems.
    rule("alkohol_droger", MAN | SWEDISH, 0, 0.10),
    rule("overgrepp_tvang", 0, MAN | ANNAT, 0.58),
    // Asked only of parents.
    rule("barnens_situation", 0, CHILDREN, 0.0),
    rule("arbete", 0, G_OHALSA | G_SOCIALA | G_OVRIGT, NEED_WORK.0),
    // Version 2's obstacles (assumptions; the overall shares are the seed study's): lack of
    // education mostly among those with little schooling, lack of work experience among the
    // young, lack of Swedish rarely among the Swedish-born.
    rule("utbildning", LOW_EDU, 0, 0.75),
    rule("arbetslivserfarenhet", YOUNG, 0, 0.65),
    rule("svenska", SWEDISH, 0, 0.02),
];

/// Who an area's target share is among: parents for `barnens_situation`, else every client.
pub(super) fn need_population(area: &str) -> Mask {
    if area == "barnens_situation" {
        CHILDREN
    } else {
        0
    }
}

/// The need draw: per area of [`OMRADE`], the base probability of clients no rule matches; and
/// the same for version 2's obstacles in the background ([`OBSTACLE_ITEMS`]).
#[derive(Debug, Clone)]
pub(super) struct Needs {
    pub(super) base: [f64; OMRADE.len()],
    pub(super) obstacles: [f64; OBSTACLE_ITEMS.len()],
}

impl Needs {
    /// Solves each area's base probability so that its share over the background distribution
    /// (among [`need_population`]) equals the FIA trial's figure
    /// ([`crate::seed_figures::LIFE_AREAS_AFFECTED`]) or, for `utbildning`, the seed study's
    /// ([`crate::seed_figures::NAMED_OBSTACLES`]); `arbete`, SUE's own, keeps [`NEED_WORK`]. The
    /// obstacles' bases are solved against the seed study's figures the same way.
    pub(super) fn calibrate(cells: &[(Mask, f64)]) -> Needs {
        let mut base = [NEED_WORK.1; OMRADE.len()];
        for (area, code) in OMRADE.iter().enumerate() {
            let target = crate::seed_figures::affected_share(code)
                .or_else(|| crate::seed_figures::obstacle_share(code));
            if let Some(target) = target {
                base[area] = solve_base(code, target, cells);
            }
        }
        let obstacles = OBSTACLE_ITEMS.map(|(_, key)| {
            let target = crate::seed_figures::obstacle_share(key).expect("a named obstacle");
            solve_base(key, target, cells)
        });
        Needs { base, obstacles }
    }

    /// The probability that a client with profile `mask` has a need in area `area`.
    pub(super) fn probability(&self, area: usize, mask: Mask) -> f64 {
        matching_rule(OMRADE[area], mask).map_or(self.base[area], |rule| rule.p)
    }

    /// The probability that a client with profile `mask` has obstacle `i` of [`OBSTACLE_ITEMS`].
    pub(super) fn obstacle_probability(&self, i: usize, mask: Mask) -> f64 {
        matching_rule(OBSTACLE_ITEMS[i].1, mask).map_or(self.obstacles[i], |rule| rule.p)
    }
}

/// The probability of clients no rule of `key` matches such that the share over `cells` (among
/// [`need_population`]) is `target`.
fn solve_base(key: &str, target: f64, cells: &[(Mask, f64)]) -> f64 {
    let population = need_population(key);
    let (mut total, mut ruled, mut free) = (0.0, 0.0, 0.0);
    for &(mask, weight) in cells {
        if mask & population != population {
            continue;
        }
        total += weight;
        match matching_rule(key, mask) {
            Some(rule) => ruled += weight * rule.p,
            None => free += weight,
        }
    }
    (target * total - ruled) / free
}

fn matching_rule(area: &str, mask: Mask) -> Option<&'static NeedRule> {
    NEED_RULES
        .iter()
        .find(|r| r.area == area && mask & r.set == r.set && mask & r.clear == 0)
}

/// One option of a background draw: code index, the profile bits it sets, its weight.
pub(super) type Options = Vec<(usize, Mask, f64)>;

pub(super) fn sex_options() -> Options {
    vec![
        (0, 0, TARGET_WOMEN),
        (1, MAN, 1.0 - TARGET_WOMEN - TARGET_OTHER_GENDER),
        (2, ANNAT, TARGET_OTHER_GENDER),
    ]
}

pub(super) fn band_options() -> Options {
    AGE_BANDS
        .iter()
        .enumerate()
        .map(|(i, &(low, _, share))| {
            let bits = if low < 25 {
                YOUNG
            } else if low >= 55 {
                AGE55
            } else {
                0
            };
            (i, bits, share)
        })
        .collect()
}

pub(super) fn origin_options() -> Options {
    let abroad = TARGET_BORN_ABROAD;
    vec![
        (0, SWEDISH, 1.0 - abroad - TARGET_ORIGIN_UNKNOWN),
        (1, ABROAD, abroad * 0.04),
        (2, ABROAD, abroad * 0.24),
        (3, ABROAD, abroad * 0.72),
        (4, 0, TARGET_ORIGIN_UNKNOWN),
    ]
}

/// Household types by gender: many single men without children, many single mothers.
pub(super) fn household_options(mask: Mask) -> Options {
    let weights: [f64; 7] = if mask & MAN != 0 {
        [0.0, 0.0, 0.66, 0.05, 0.08, 0.18, 0.03]
    } else if mask & ANNAT != 0 {
        [0.0, 0.0, 0.0, 0.0, 0.20, 0.10, 0.70]
    } else {
        [0.38, 0.36, 0.0, 0.0, 0.05, 0.18, 0.03]
    };
    let woman = mask & (MAN | ANNAT) == 0;
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            let bits = if matches!(i, 1 | 3 | 5) {
                CHILDREN | if woman { MOTHER } else { 0 }
            } else {
                0
            };
            (i, bits, w)
        })
        .collect()
}

/// Highest education: foreign-born clients more often lack compulsory school (seed study: lack of
/// education the commonest obstacle, DOMAIN.md (a)).
pub(super) fn education_options(mask: Mask) -> Options {
    let weights: [f64; 7] = if mask & ABROAD != 0 {
        [0.22, 0.22, 0.10, 0.18, 0.07, 0.11, 0.10]
    } else {
        [0.04, 0.30, 0.18, 0.32, 0.07, 0.05, 0.04]
    };
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| (i, if i < 2 { LOW_EDU } else { 0 }, w))
        .collect()
}

pub(super) fn hinder_options(mask: Mask, groups: &[Mask; 12]) -> Options {
    let abroad = mask & ABROAD != 0;
    let young = mask & YOUNG != 0;
    let children = mask & CHILDREN != 0;
    let applies = |code: &str| match code {
        "etablering" => abroad,
        "foraldraledig" | "saknar_barnomsorg" => children,
        "pension" => mask & AGE55 != 0,
        "ensamkommande_gymnasium" => abroad && young,
        _ => true,
    };
    HINDER
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let weight = if applies(code) {
                HINDER_WEIGHTS[i]
            } else {
                0.0
            };
            (i, groups[i], weight)
        })
        .collect()
}

pub(super) fn unit_options(mask: Mask) -> Options {
    let young = mask & YOUNG != 0;
    UNITS
        .iter()
        .enumerate()
        .map(|(i, unit)| match *unit {
            "Intag" => (i, UNIT_INTAG, 1.2),
            "Ungdom" => (i, 0, if young { 2.5 } else { 0.05 }),
            "Arbetsmarknad" => (i, UNIT_AM, 0.8),
            _ => (i, 0, 1.0),
        })
        .collect()
}

/// The background stages in draw order; each depends only on bits set by earlier ones.
pub(super) fn background_stages(mask: Mask, stage: usize, groups: &[Mask; 12]) -> Options {
    match stage {
        0 => sex_options(),
        1 => band_options(),
        2 => origin_options(),
        3 => household_options(mask),
        4 => education_options(mask),
        5 => hinder_options(mask, groups),
        _ => unit_options(mask),
    }
}
pub(super) const STAGES: usize = 7;

/// Every background profile with its probability, enumerated exactly.
pub(super) fn background_cells(groups: &[Mask; 12]) -> Vec<(Mask, f64)> {
    let mut cells = vec![(0, 1.0)];
    for stage in 0..STAGES {
        cells = aggregate(cells.iter().flat_map(|&(mask, weight)| {
            let options = background_stages(mask, stage, groups);
            let total: f64 = options.iter().map(|o| o.2).sum();
            options
                .into_iter()
                .map(move |(_, bits, w)| (mask | bits, weight * w / total))
        }));
    }
    cells
}

/// The calibrated models, in the order a client's states are drawn.
#[derive(Debug, Clone)]
pub(super) struct Models {
    pub(super) long_term: Model,
    pub(super) activation: Model,
    pub(super) mix: Model,
    pub(super) sanktion: Model,
    pub(super) undantag: Model,
    pub(super) support: Model,
    pub(super) outcome: Model,
    pub(super) needs: Needs,
    pub(super) register_work: Model,
    pub(super) register_assistance: Model,
}

/// The activation mix categories: jobb only, resurs only, both.
pub(super) const MIX_BITS: [Mask; 3] = [JOBB_BIT, RESURS_BIT, JOBB_BIT | RESURS_BIT];

impl Models {
    pub(super) fn calibrate(groups: &[Mask; 12]) -> Models {
        let later = |terms: &[Terms]| bits_of(terms) | STATE_BITS;
        let mut cells = background_cells(groups);
        let needs = Needs::calibrate(&cells);
        let long_term = Model::binary(LONG_TERMS, TARGET_LONG_TERM, &cells);
        cells = long_term.expand(&cells, &[0, LONG]);
        let activation = Model::binary(ACTIVATION_TERMS, TARGET_ACTIVATED, &cells);
        cells = activation.expand(&cells, &[0, ACTIVATED]);
        let keep = later(&[
            MIX_JOBB_TERMS,
            MIX_RESURS_TERMS,
            SANKTION_TERMS,
            UNDANTAG_TERMS,
            SUPPORT_TERMS,
        ]) | later(&OUTCOME_TERMS)
            | later(&[REGISTER_WORK_TERMS, REGISTER_ASSISTANCE_TERMS]);
        cells = project(&cells, keep);
        let (activated, passive): (Vec<_>, Vec<_>) =
            cells.iter().partition(|(mask, _)| mask & ACTIVATED != 0);
        let mix = Model::calibrated(
            &[MIX_JOBB_TERMS, MIX_RESURS_TERMS, &[]],
            &[
                TARGET_JOBB_ONLY,
                TARGET_RESURS_ONLY,
                1.0 - TARGET_JOBB_ONLY - TARGET_RESURS_ONLY,
            ],
            &activated,
        );
        cells = mix.expand(&activated, &MIX_BITS);
        cells.extend(passive);
        let sanktion = Model::binary(SANKTION_TERMS, TARGET_SANKTION, &cells);
        cells = sanktion.expand(&cells, &[0, SANK]);
        let undantag = Model::binary(UNDANTAG_TERMS, TARGET_UNDANTAG, &cells);
        cells = undantag.expand(&cells, &[0, UND]);
        cells = project(
            &cells,
            later(&[
                SUPPORT_TERMS,
                REGISTER_WORK_TERMS,
                REGISTER_ASSISTANCE_TERMS,
            ]) | later(&OUTCOME_TERMS),
        );
        let support = Model::binary(SUPPORT_TERMS, TARGET_SUPPORT, &cells);
        cells = support.expand(&cells, &[0, STOD_BIT]);
        // Register outcomes are over all clients, with or without an intervention.
        let register_work = Model::binary(REGISTER_WORK_TERMS, REGISTER_WORK, &cells);
        let register_assistance =
            Model::binary(REGISTER_ASSISTANCE_TERMS, REGISTER_ASSISTANCE, &cells);
        let with_intervention: Vec<(Mask, f64)> = cells
            .into_iter()
            .filter(|(mask, _)| mask & (ACTIVATED | SANK | UND | STOD_BIT) != 0)
            .collect();
        let outcome = Model::calibrated(&OUTCOME_TERMS, &OUTCOME_TARGETS, &with_intervention);
        Models {
            long_term,
            activation,
            mix,
            sanktion,
            undantag,
            support,
            outcome,
            needs,
            register_work,
            register_assistance,
        }
    }
}
