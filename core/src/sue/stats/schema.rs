//! The items and codes of a SUE definition that the statistics read, resolved once
//! ([`SueSchema`]), and the report's fixed groupings of them (intervention groups, re-opening
//! windows).

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;

/// Intervention groups of the catalogue (the `group` of each `insats` code), in report order.
pub(super) const INTERVENTION_GROUPS: [(&str, &str, &str); 4] = [
    ("jobbaktivering", "Jobbaktivering", "Work-first activation"),
    (
        "resursaktivering",
        "Resursaktivering",
        "Human-resource activation",
    ),
    ("stod", "Stöd och behandling", "Support and treatment"),
    ("kontroll", "Kontroll (sanktion)", "Control (sanction)"),
];
pub(super) const JOB: usize = 0;
pub(super) const RESOURCE: usize = 1;
/// Windows for re-opening after closure, in months.
pub(super) const REOPEN_WINDOWS: [i8; 3] = [3, 6, 12];
/// Most life areas and intervention types a record's bit sets can hold.
pub(super) const MAX_CODES: usize = 32;

/// The lookups of the statistics in `definition`, failing with messages that name the statistics.
fn resolver(definition: &Definition) -> Resolver<'_> {
    Resolver::new(definition, "SUE statistics", "SUE-statistiken")
}

/// What the statistics miss, for the checks that are not lookups (same words as [`resolver`]).
pub(super) fn missing(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidDefinition,
        Text {
            sv: format!("SUE-statistiken kräver {what} i definitionen"),
            en: format!("SUE statistics need {what} in the definition"),
        },
    )
}

/// A code list as the statistics need it: codes and labels.
#[derive(Clone, Debug)]
pub(super) struct Codes {
    pub(super) codes: Vec<(String, Text)>,
}

impl Codes {
    pub(super) fn len(&self) -> usize {
        self.codes.len()
    }

    pub(super) fn position(&self, code: &str) -> Result<usize> {
        self.codes
            .iter()
            .position(|(c, _)| c == code)
            .ok_or_else(|| missing(&format!("the code `{code}`")))
    }

    pub(super) fn categories(&self) -> Vec<Category> {
        self.codes
            .iter()
            .map(|(code, label)| Category {
                code: code.clone(),
                label: label.clone(),
            })
            .collect()
    }
}

/// The items and codes of a SUE definition that the statistics read, resolved once.
#[derive(Clone, Debug)]
pub struct SueSchema {
    pub(super) version: String,
    pub(super) start: ItemId,
    pub(super) gender: ItemId,
    pub(super) birth_year: ItemId,
    pub(super) country: ItemId,
    pub(super) household: ItemId,
    pub(super) years_in_sweden: ItemId,
    pub(super) hinder: ItemId,
    pub(super) education: ItemId,
    /// Work experience and Swedish language skills as obstacles (version 2 on), with their
    /// codes; `None` in a definition without the item.
    pub(super) work_experience: Option<(ItemId, Codes)>,
    pub(super) language: Option<(ItemId, Codes)>,
    pub(super) months_12: ItemId,
    pub(super) months_36: ItemId,
    /// Months in the last full calendar year (the national long-term measure); `None` in a
    /// definition without the item.
    pub(super) months_calendar: Option<ItemId>,
    /// Register outcomes over all clients (work, assistance); `None` without the items.
    pub(super) register: Option<(ItemId, ItemId)>,
    pub(super) problems: (ItemId, usize),
    pub(super) interventions: (ItemId, usize),
    pub(super) outcome: ItemId,
    pub(super) changes: (ItemId, usize, usize),
    pub(super) goal: ItemId,
    pub(super) satisfaction: ItemId,
    pub(super) helped: ItemId,
    pub(super) closed: ItemId,
    pub(super) reopened: ItemId,
    pub(super) gender_codes: Codes,
    pub(super) country_codes: Codes,
    pub(super) household_codes: Codes,
    pub(super) hinder_codes: Codes,
    pub(super) education_codes: Codes,
    pub(super) areas: Codes,
    pub(super) intervention_types: Codes,
    pub(super) intervention_group_of: Vec<u8>,
    pub(super) outcomes: Codes,
    pub(super) goals: Codes,
    pub(super) change_codes: Codes,
    pub(super) satisfaction_codes: Codes,
    pub(super) helped_codes: Codes,
    pub(super) work_outcomes: [usize; 2],
    pub(super) satisfied: [usize; 2],
    pub(super) sanction: usize,
    pub(super) exemption: usize,
    /// The single-choice items of `choices::CODED`, with their codes.
    pub(super) coded: Vec<(ItemId, Codes)>,
    /// The yes/no items of `choices::YES_NO`.
    pub(super) yes_no: Vec<ItemId>,
    /// The bits of the need areas `arbete` and, where the definition has it, `utbildning`
    /// (work-related needs in the needs profile).
    pub(super) work_area: u32,
    pub(super) goal_fully: usize,
    /// The intervention rows' provider, reasons and start (`collected`).
    pub(super) collected: collected::Items,
}

pub(super) fn top(definition: &Definition, id: &str) -> Result<ItemId> {
    resolver(definition).item(id)
}

pub(super) fn sub(definition: &Definition, group: ItemId, local: &str) -> Result<usize> {
    resolver(definition).sub_item(group, local)
}

pub(super) fn codes_of(definition: &Definition, item: ItemId) -> Result<Codes> {
    Ok(Codes {
        codes: resolver(definition)
            .codes(item)?
            .codes
            .iter()
            .map(|c| (c.code.clone(), c.label.clone()))
            .collect(),
    })
}

impl SueSchema {
    /// Resolves the statistics' items in a SUE definition.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] naming an item or code the statistics need and the
    /// definition lacks.
    pub fn new(definition: &Definition) -> Result<SueSchema> {
        if definition.instrument() != "sue" {
            return Err(missing("instrument `sue`"));
        }
        let problems = top(definition, "fore_insats.problem")?;
        let interventions = top(definition, "insatser.insats")?;
        let changes = top(definition, "efter_insats.forandring")?;
        let problems_area = sub(definition, problems, "omrade")?;
        let intervention_type = sub(definition, interventions, "typ")?;
        let change_area = sub(definition, changes, "omrade")?;
        let change_value = sub(definition, changes, "forandring")?;
        let child = |group: ItemId, position: usize| match &definition.item(group).kind {
            ItemKind::Group(g) => g.children[position],
            _ => unreachable!("checked to be a group by `sub`"),
        };
        let areas = codes_of(definition, child(problems, problems_area))?;
        let intervention_types = codes_of(definition, child(interventions, intervention_type))?;
        if areas.len() > MAX_CODES || intervention_types.len() > MAX_CODES {
            return Err(missing(&format!(
                "at most {MAX_CODES} life areas and intervention types"
            )));
        }
        let list = match &definition
            .item(child(interventions, intervention_type))
            .kind
        {
            ItemKind::SingleChoice { list } => definition.code_list(*list),
            _ => return Err(missing("a single-choice intervention type")),
        };
        let intervention_group_of = list
            .codes
            .iter()
            .map(|code| {
                let group = code.group.as_deref().unwrap_or_default();
                INTERVENTION_GROUPS
                    .iter()
                    .position(|(g, _, _)| *g == group)
                    .map(|p| u8::try_from(p).expect("four groups"))
                    .ok_or_else(|| {
                        missing(&format!("a known group for intervention `{}`", code.code))
                    })
            })
            .collect::<Result<Vec<u8>>>()?;
        let outcome = top(definition, "efter_insats.utfall")?;
        let goal = top(definition, "efter_insats.maluppfyllelse")?;
        let satisfaction = top(definition, "brukaruppfoljning.nojdhet")?;
        let helped = top(definition, "brukaruppfoljning.hjalpt")?;
        let outcomes = codes_of(definition, outcome)?;
        let goals = codes_of(definition, goal)?;
        let satisfaction_codes = codes_of(definition, satisfaction)?;
        let gender = top(definition, "bakgrund.kon")?;
        let country = top(definition, "bakgrund.fodelseland")?;
        let household = top(definition, "bakgrund.hushallstyp")?;
        let hinder = top(definition, "bakgrund.forsorjningshinder")?;
        let education = top(definition, "bakgrund.utbildning")?;
        let optional_choice = |id: &str| -> Result<Option<(ItemId, Codes)>> {
            definition
                .find(id)
                .map(|item| Ok((item, codes_of(definition, item)?)))
                .transpose()
        };
        // Lack of education is an obstacle to work: a work-related need, as `arbete` is.
        let education_area = areas
            .codes
            .iter()
            .position(|(code, _)| code == "utbildning")
            .map_or(0, |position| 1 << position);
        Ok(SueSchema {
            version: definition.version().to_owned(),
            start: top(definition, "bakgrund.aktualiseringsdatum")?,
            gender,
            birth_year: top(definition, "bakgrund.fodelsear")?,
            country,
            household,
            gender_codes: codes_of(definition, gender)?,
            country_codes: codes_of(definition, country)?,
            household_codes: codes_of(definition, household)?,
            years_in_sweden: top(definition, "bakgrund.ar_i_sverige")?,
            hinder,
            education,
            hinder_codes: codes_of(definition, hinder)?,
            education_codes: codes_of(definition, education)?,
            work_experience: optional_choice("bakgrund.arbetslivserfarenhet")?,
            language: optional_choice("bakgrund.svenskkunskaper")?,
            months_12: top(definition, "bakgrund.manader_senaste_ar")?,
            months_36: top(definition, "bakgrund.manader_senaste_3ar")?,
            months_calendar: definition.find("bakgrund.manader_kalenderar"),
            register: definition
                .find("registeruppfoljning.arbete")
                .zip(definition.find("registeruppfoljning.bistand")),
            problems: (problems, problems_area),
            interventions: (interventions, intervention_type),
            outcome,
            changes: (changes, change_area, change_value),
            goal,
            satisfaction,
            helped,
            closed: top(definition, "avslutning.datum")?,
            reopened: top(definition, "ateraktualisering.datum")?,
            work_outcomes: [
                outcomes.position("arbete_utan_stod")?,
                outcomes.position("arbete_med_stod")?,
            ],
            satisfied: [
                satisfaction_codes.position("mycket_nojd")?,
                satisfaction_codes.position("ganska_nojd")?,
            ],
            sanction: intervention_types.position("sanktion")?,
            exemption: intervention_types.position("undantag")?,
            work_area: 1 << areas.position("arbete")? | education_area,
            coded: choices::CODED
                .iter()
                .map(|(_, id, _, _)| {
                    let item = top(definition, id)?;
                    Ok((item, codes_of(definition, item)?))
                })
                .collect::<Result<Vec<_>>>()?,
            yes_no: choices::YES_NO
                .iter()
                .map(|(_, id, ..)| top(definition, id))
                .collect::<Result<Vec<_>>>()?,
            goal_fully: goals.position("helt")?,
            collected: collected::Items::new(definition, interventions)?,
            change_codes: codes_of(definition, child(changes, change_value))?,
            helped_codes: codes_of(definition, helped)?,
            areas,
            intervention_types,
            intervention_group_of,
            outcomes,
            goals,
            satisfaction_codes,
        })
    }
}
