//! Breakdowns beside the report's dimensions (issue 15, point 1): försörjningshinder, education,
//! country of birth in detail, years in Sweden, long-term status, and gender × household (single
//! mothers, single fathers, ...). Each is one table whose rows are the breakdown's groups and
//! whose cells are the measures of the equality table. They are counted in per-group slots rather
//! than in the strata's key (which would multiply the strata), so the disclosure control of fixed
//! rows applies to them as to every other table, with each breakdown's groups declared to add up
//! to all clients.

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;
use crate::stats::builder::{Base, Column, Columns, Label, text};
use crate::stats::dimension::Class;
#[cfg(doc)]
use crate::stats::dimension::UNKNOWN;

/// Where a breakdown's group comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    /// `bakgrund.forsorjningshinder`, by code.
    Hinder,
    /// `bakgrund.utbildning`, by code.
    Education,
    /// `bakgrund.fodelseland`, by code.
    Country,
    /// `bakgrund.arbetslivserfarenhet` (version 2 on), by code.
    WorkExperience,
    /// `bakgrund.svenskkunskaper` (version 2 on), by code.
    Language,
    /// [`classify::YEARS_IN_SWEDEN`].
    YearsInSweden,
    /// [`classify::LONG_TERM_STATUS`].
    LongTerm,
    /// [`classify::GENDER_HOUSEHOLDS`].
    GenderHousehold,
}

/// The measures of every breakdown table after the clients and the standardised measures
/// (`standardised::MEASURES`), in column order: code and labels.
const REGISTER_MEASURES: [Label; 3] = [
    ("arbete_register", "Arbete (register)", "Work (register)"),
    (
        "bistand_register",
        "Bistånd (register)",
        "Assistance (register)",
    ),
    ("langvarigt", "Långvarigt bistånd", "Long-term assistance"),
];

// Slots of one group, from its first slot.
const CLIENTS: usize = 0;
const ACTIVATED: usize = 1;
const JOBB: usize = 2;
const RESURS: usize = 3;
const SANCTION: usize = 4;
const EXEMPTION: usize = 5;
const WORK: usize = 6;
const WORK_BASE: usize = 7;
const ASSISTANCE: usize = 8;
const ASSISTANCE_BASE: usize = 9;
const LONG: usize = 10;
const LONG_BASE: usize = 11;
pub(super) const PER_GROUP: usize = 12;

/// One breakdown: its table, its groups and its first slot.
#[derive(Clone, Debug)]
pub(super) struct Breakdown {
    pub(super) id: &'static str,
    pub(super) rows_are: &'static str,
    pub(super) title: Text,
    pub(super) source: Source,
    pub(super) groups: Vec<(String, Text)>,
    pub(super) start: usize,
}

fn classes(classes: &[Class]) -> Vec<(String, Text)> {
    classes
        .iter()
        .map(|c| (c.code.to_owned(), c.label()))
        .collect()
}

/// The group of records without an answer, in breakdowns by a definition's codes. Not
/// [`UNKNOWN`]'s code: a code list may have its own `okand` (answered "unknown"), and a row code
/// must name one group only.
const NOT_ANSWERED: (&str, &str, &str) = ("ej_besvarad", "Ej besvarad", "Not answered");

/// A definition's codes, then "not answered".
fn codes_then_unknown(codes: &Codes) -> Vec<(String, Text)> {
    let mut groups = codes.codes.clone();
    let (code, sv, en) = NOT_ANSWERED;
    groups.push((code.to_owned(), text(sv, en)));
    groups
}

impl Breakdown {
    /// The breakdowns of `schema`, laid out from slot `next` on; returns them and the next free
    /// slot.
    pub(super) fn all(schema: &SueSchema, mut next: usize) -> (Vec<Breakdown>, usize) {
        let mut specs = vec![
            (
                "by_forsorjningshinder",
                "forsorjningshinder",
                text("Försörjningshinder", "Main obstacle to self-support"),
                Source::Hinder,
                codes_then_unknown(&schema.hinder_codes),
            ),
            (
                "by_utbildning",
                "utbildning",
                text("Utbildningsnivå", "Level of education"),
                Source::Education,
                codes_then_unknown(&schema.education_codes),
            ),
            (
                "by_fodelseland",
                "fodelseland",
                text("Födelseland", "Country of birth"),
                Source::Country,
                codes_then_unknown(&schema.country_codes),
            ),
            (
                "by_ar_i_sverige",
                "ar_i_sverige",
                text("År i Sverige", "Years in Sweden"),
                Source::YearsInSweden,
                classes(&classify::YEARS_IN_SWEDEN),
            ),
            (
                "by_langvarighet",
                "langvarighet",
                text("Långvarighet", "Long-term status"),
                Source::LongTerm,
                classes(&classify::LONG_TERM_STATUS),
            ),
            (
                "by_kon_och_hushall",
                "kon_och_hushall",
                text("Kön och hushållstyp", "Gender and household"),
                Source::GenderHousehold,
                classes(&classify::GENDER_HOUSEHOLDS),
            ),
        ];
        // Version 2's obstacles; a record of version 1 (read through the migration) has no
        // answer and falls into "not answered".
        for (id, rows_are, title, source, codes) in [
            (
                "by_arbetslivserfarenhet",
                "arbetslivserfarenhet",
                text("Arbetslivserfarenhet", "Work experience"),
                Source::WorkExperience,
                &schema.work_experience,
            ),
            (
                "by_svenskkunskaper",
                "svenskkunskaper",
                text("Kunskaper i svenska", "Swedish language skills"),
                Source::Language,
                &schema.language,
            ),
        ] {
            if let Some((_, codes)) = codes {
                specs.push((id, rows_are, title, source, codes_then_unknown(codes)));
            }
        }
        let breakdowns = specs
            .into_iter()
            .map(|(id, rows_are, title, source, groups)| {
                let start = next;
                next += groups.len() * PER_GROUP;
                Breakdown {
                    id,
                    rows_are,
                    title,
                    source,
                    groups,
                    start,
                }
            })
            .collect();
        (breakdowns, next)
    }

    /// The group of `record` (the last group, "not recorded", when the value is missing).
    pub(super) fn group_of(&self, record: &SueRecord) -> usize {
        let unknown = self.groups.len() - 1;
        let code = |value: Option<u8>| value.map_or(unknown, usize::from).min(unknown);
        match self.source {
            Source::Hinder => code(record.hinder),
            Source::Education => code(record.education),
            Source::Country => code(record.country),
            Source::WorkExperience => code(record.work_experience),
            Source::Language => code(record.language),
            Source::YearsInSweden => usize::from(record.years_in_sweden),
            Source::LongTerm => classify::long_term_status(classify::LongTerm {
                long_term: record.long_term,
                rolling_12: record.long_term_rolling,
                very_long_term: record.very_long_term,
            }),
            Source::GenderHousehold => usize::from(record.gender_household),
        }
    }

    /// Counts `record` into its group; `groups` are the record's intervention groups as bits.
    pub(super) fn count(
        &self,
        counts: &mut Tally<'_>,
        schema: &SueSchema,
        record: &SueRecord,
        groups: u8,
    ) {
        let at = self.start + self.group_of(record) * PER_GROUP;
        let mut add = |offset: usize, hit: bool| {
            if hit {
                counts.add(at + offset);
            }
        };
        let jobb = groups & (1 << JOB) != 0;
        let resurs = groups & (1 << RESOURCE) != 0;
        add(CLIENTS, true);
        add(ACTIVATED, jobb || resurs);
        add(JOBB, jobb);
        add(RESURS, resurs);
        add(SANCTION, record.interventions & (1 << schema.sanction) != 0);
        add(
            EXEMPTION,
            record.interventions & (1 << schema.exemption) != 0,
        );
        for (value, count, base) in [
            (record.register_work, WORK, WORK_BASE),
            (record.register_assistance, ASSISTANCE, ASSISTANCE_BASE),
            (record.long_term, LONG, LONG_BASE),
        ] {
            add(base, value.is_some());
            add(count, value == Some(true));
        }
    }

    /// The columns of a breakdown table, from a group's first slot: clients (of all clients),
    /// the standardised measures (of the group's clients), then the register measures and
    /// long-term assistance (of those recorded).
    fn columns(clients: usize) -> Columns {
        let mut columns = vec![Column::of(
            &("klienter", "Klienter", "Clients"),
            CLIENTS,
            Base::OverAll(clients),
        )];
        let slots = [ACTIVATED, JOBB, RESURS, SANCTION, EXEMPTION];
        for (label, slot) in standardised::MEASURES.iter().zip(slots) {
            columns.push(Column::of(label, slot, Base::Relative(CLIENTS)));
        }
        let slots = [
            (WORK, WORK_BASE),
            (ASSISTANCE, ASSISTANCE_BASE),
            (LONG, LONG_BASE),
        ];
        for (label, (slot, base)) in REGISTER_MEASURES.iter().zip(slots) {
            columns.push(Column::of(label, slot, Base::Relative(base)));
        }
        Columns(columns)
    }

    /// The table of this breakdown.
    pub(super) fn table(&self, clients: usize) -> TableSpec {
        let description = text(
            &format!(
                "Per grupp efter {}: antal klienter (och andel av samtliga), andel aktiverade, med sanktion och med undantag (av gruppens klienter), arbete och bistånd enligt register (av dem med registeruppföljning) och långvarigt bistånd enligt Socialstyrelsens mått (av dem med uppgift). Beskrivande jämförelser, inte effekter",
                self.title.sv.to_lowercase()
            ),
            &format!(
                "Per group by {}: number of clients (and share of all), share activated, sanctioned and exempted (of the group's clients), work and assistance by register (of those with a register follow-up) and long-term assistance by Socialstyrelsen's measure (of those recorded). Descriptive comparisons, not effects",
                self.title.en.to_lowercase()
            ),
        );
        Breakdown::columns(clients).fixed(
            self.id,
            [self.title.clone(), description],
            (self.rows_are, self.title.clone()),
            self.groups.iter().enumerate().map(|(g, (code, label))| {
                (code.clone(), label.clone(), self.start + g * PER_GROUP)
            }),
        )
    }

    /// The sum that holds: the groups' clients add up to all clients.
    pub(super) fn partition(&self, clients: usize) -> Partition {
        Partition {
            total: clients,
            parts: (0..self.groups.len())
                .map(|g| self.start + g * PER_GROUP + CLIENTS)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    #[test]
    fn every_row_code_names_one_group() {
        let engine = Engine::new().expect("builtin");
        let schema = SueSchema::new(engine.definition("sue", None).expect("sue")).expect("schema");
        let (breakdowns, _) = Breakdown::all(&schema, 0);
        for breakdown in &breakdowns {
            let mut codes: Vec<&str> = breakdown.groups.iter().map(|(c, _)| c.as_str()).collect();
            codes.sort_unstable();
            let before = codes.len();
            codes.dedup();
            assert_eq!(codes.len(), before, "{}: {codes:?}", breakdown.id);
        }
    }
}
