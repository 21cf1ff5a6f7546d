//! Seed figures that more than one generator calibrates to, kept in one place so that the FIA and
//! the SUE generators agree where they describe the same thing (issue 15, point 7).

/// Percentage of clients affected "i stor eller viss omfattning" per FIA life area, from the FIA
/// trial (DOMAIN.md (b)). `barnens_situation` is among parents (the only clients asked).
///
/// `overgrepp_tvang` is any violence: the union of its kinds (fysiskt 37 %, psykiskt 48 %,
/// sexuellt 13 %) is at least the largest kind, 48 %; 50 % is bistand's choice just above that
/// bound (DOMAIN.md gives no figure for the union itself).
pub(crate) const LIFE_AREAS_AFFECTED: [(&str, u32); 14] = [
    ("boende", 16),
    ("situationen_hemma", 42),
    ("socialt_natverk", 42),
    ("kroppslig_halsa", 54),
    ("psykisk_halsa", 47),
    ("funktionsnedsattning", 29),
    ("alkohol_droger", 5),
    ("ovriga_beroenden", 24),
    ("overgrepp_tvang", 50),
    ("utsatthet_brott", 13),
    ("rattslig_situation", 27),
    ("skulder", 70),
    ("narstaendes_problem", 33),
    ("barnens_situation", 20),
];

/// The share (0–1) of clients affected in `area`, if it is one of [`LIFE_AREAS_AFFECTED`].
pub(crate) fn affected_share(area: &str) -> Option<f64> {
    LIFE_AREAS_AFFECTED
        .iter()
        .find(|(a, _)| *a == area)
        .map(|&(_, percent)| f64::from(percent) / 100.0)
}

/// Obstacles to work that caseworkers named in the seed study (DOMAIN.md (a)), percent of
/// clients: lack of education (the most common, 46 %), lack of work experience (38 %) and
/// language (c. 20 %). SUE version 2 records the first as the need area `utbildning` and the
/// others as background (`bakgrund.arbetslivserfarenhet`, `bakgrund.svenskkunskaper`).
pub(crate) const NAMED_OBSTACLES: [(&str, u32); 3] = [
    ("utbildning", 46),
    ("arbetslivserfarenhet", 38),
    ("svenska", 20),
];

/// The share (0–1) of clients for whom caseworkers named `obstacle`, if it is one of
/// [`NAMED_OBSTACLES`].
pub(crate) fn obstacle_share(obstacle: &str) -> Option<f64> {
    NAMED_OBSTACLES
        .iter()
        .find(|(o, _)| *o == obstacle)
        .map(|&(_, percent)| f64::from(percent) / 100.0)
}

/// Register outcomes of the seed study over all its clients, activated or not, and not mutually
/// exclusive (DOMAIN.md (e)): wages of at least two base amounts over two years.
pub(crate) const REGISTER_WORK: f64 = 0.24;
/// Assistance of at least two base amounts over the same two years (DOMAIN.md (e)).
pub(crate) const REGISTER_ASSISTANCE: f64 = 0.17;
