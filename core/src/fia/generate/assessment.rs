//! Part 3 of a FIA document: the interviewer's overall assessment.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

/// `bedomning.kategori`: need of social support and of work-related support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Need {
    pub(super) social: bool,
    pub(super) work: bool,
}

impl Need {
    pub(super) const ALL: [Need; 4] = [
        Need::new(false, false),
        Need::new(true, false),
        Need::new(false, true),
        Need::new(true, true),
    ];

    pub(super) const fn new(social: bool, work: bool) -> Need {
        Need { social, work }
    }

    pub(super) fn code(self) -> &'static str {
        match (self.social, self.work) {
            (false, false) => "inget_stodbehov",
            (true, false) => "socialt_stodbehov",
            (false, true) => "arbetsrelaterat_stodbehov",
            (true, true) => "bade_socialt_och_arbete",
        }
    }

    pub(super) fn motivation(self) -> &'static [&'static str] {
        match (self.social, self.work) {
            (false, false) => &[
                "Klienten bedöms kunna söka arbete på egen hand.",
                "Inga hinder framkommer som kräver särskilt stöd.",
            ],
            (true, false) => &[
                "Klienten behöver stöd i sin livssituation innan arbete är aktuellt.",
                "Sociala svårigheter behöver hanteras först.",
            ],
            (false, true) => &[
                "Klienten behöver stöd för att närma sig arbetsmarknaden.",
                "Behöver stöd för att hitta en väg till arbete.",
            ],
            (true, true) => &[
                "Klienten behöver både socialt stöd och stöd mot arbete.",
                "Flera områden påverkar möjligheten att arbeta.",
            ],
        }
    }
}

/// Draws the assessment so that its shares are exactly the targets in expectation, while social
/// need rises with the number of affected areas and work need with the work indicators.
///
/// Each count is turned into a uniform number by its randomised probability integral transform
/// (`P(count below) + U · P(count)`, uniform because the count's distribution is known exactly:
/// independent events with known probabilities). Mixed with an independent uniform, it is still
/// uniform; thresholds on it then give exact shares: social need at `1 - P(social)`, work need at
/// `1 - P(work | social)`. The work indicators are independent of the life areas, so the
/// conditional share holds.
pub(super) fn kategori(rng: &mut Draw, social: &RankInput, work: &RankInput) -> Need {
    let social_share = percent(KATEGORI_SOCIAL + KATEGORI_BOTH);
    let social_u = social.uniform(rng, SOCIAL_RANK_PERCENT);
    let is_social = social_u >= 1.0 - social_share;
    let work_share = if is_social {
        f64::from(KATEGORI_BOTH) / f64::from(KATEGORI_SOCIAL + KATEGORI_BOTH)
    } else {
        f64::from(KATEGORI_WORK) / f64::from(KATEGORI_NONE + KATEGORI_WORK)
    };
    let work_u = work.uniform(rng, WORK_RANK_PERCENT);
    Need::new(is_social, work_u >= 1.0 - work_share)
}

/// A count of independent events, each with a probability that depends on whether the latent
/// burden is low or high (equally likely), and how many happened.
#[derive(Clone, Debug, Default)]
pub(super) struct RankInput {
    pub(super) low: Vec<f64>,
    pub(super) high: Vec<f64>,
    pub(super) count: usize,
}

impl RankInput {
    pub(super) fn push(&mut self, low: f64, high: f64, happened: bool) {
        self.low.push(low);
        self.high.push(high);
        self.count += usize::from(happened);
    }

    pub(super) fn push_both(&mut self, p: f64, happened: bool) {
        self.push(p, p, happened);
    }

    /// A uniform number in `[0, 1)`: with `percent` % probability the count's rank, else chance.
    pub(super) fn uniform(&self, rng: &mut Draw, percent: u32) -> f64 {
        let low = count_distribution(&self.low);
        let high = count_distribution(&self.high);
        let mass = |k: usize| 0.5 * (low[k] + high[k]);
        let below: f64 = (0..self.count).map(mass).sum();
        let rank = below + rng.unit() * mass(self.count);
        if rng.percent(percent) {
            rank
        } else {
            rng.unit()
        }
    }
}

/// The distribution of the number of independent events that happen (Poisson binomial).
pub(super) fn count_distribution(probabilities: &[f64]) -> Vec<f64> {
    let mut mass = vec![1.0];
    for &p in probabilities {
        let mut next = vec![0.0; mass.len() + 1];
        for (k, &m) in mass.iter().enumerate() {
            next[k] += m * (1.0 - p);
            next[k + 1] += m * p;
        }
        mass = next;
    }
    mass
}
