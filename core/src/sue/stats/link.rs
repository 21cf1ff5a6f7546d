//! SUE and other instruments' records of the same person (issue 15, point 5; see `stats::link`).
//!
//! A SUE record tells other reports the person's background ([`SueLinker`]): of several records
//! of one person, the one "Persons, not records" picks (the latest case start, ties by the
//! document key). A SUE report takes each person's FIA overall assessment from the FIA interview
//! of theirs picked by the same rule ([`with_assessment`]): it is the breakdown
//! `fia_assessment`, and it replaces the needs profile read from SUE's need areas, whose
//! categories are FIA's own.

use std::borrow::Cow;

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;
use crate::stats::link::{Background, InstrumentLinker, Links};

/// Reads a SUE record's background for other instruments' reports.
#[derive(Debug)]
pub struct SueLinker {
    schema: SueSchema,
}

impl SueLinker {
    /// The linker of `definition`.
    ///
    /// # Errors
    /// As [`SueSchema::new`].
    pub fn new(definition: &Definition) -> Result<SueLinker> {
        Ok(SueLinker {
            schema: SueSchema::new(definition)?,
        })
    }
}

impl InstrumentLinker for SueLinker {
    fn link(&self, validated: &Validated<'_>, person: Person, links: &mut Links) {
        let record = SueRecord::from_document(&self.schema, &validated.document);
        let background = Background {
            gender: record.gender,
            age: record.age,
            origin: record.origin,
            household: record.household,
        };
        links.add_background(person, record.start, background);
    }
}

/// `aggregate` with every person who has a linked FIA assessment counted under it: in the
/// breakdown `fia_assessment`, and in the needs profile (its slots moved to the assessment's).
pub(super) fn with_assessment<'a>(
    aggregate: &'a Aggregate,
    layout: &Layout,
    links: &Links,
) -> Cow<'a, Aggregate> {
    if links.is_empty() {
        return Cow::Borrowed(aggregate);
    }
    let first = layout.profile;
    let profiles = first..first + standardised::PROFILES.len() * standardised::PER_PROFILE;
    let mut linked = aggregate.clone();
    linked.relink(|key, stratum, slots| {
        let Some(assessment) = links.assessment(key) else {
            return;
        };
        stratum.assessment = assessment;
        for slot in slots.iter_mut() {
            let at = *slot as usize;
            if profiles.contains(&at) {
                let within = (at - first) % standardised::PER_PROFILE;
                let moved = first + usize::from(assessment) * standardised::PER_PROFILE + within;
                *slot = u32::try_from(moved).expect("fewer than 2^32 slots");
            }
        }
    });
    Cow::Owned(linked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::dimension::ASSESSMENTS;

    #[test]
    fn needs_profiles_are_the_fia_assessment_categories_in_order() {
        let profiles: Vec<&str> = standardised::PROFILES.iter().map(|p| p.0).collect();
        let assessments: Vec<&str> = ASSESSMENTS[..ASSESSMENTS.len() - 1]
            .iter()
            .map(|a| a.code)
            .collect();
        assert_eq!(profiles, assessments);
    }
}
