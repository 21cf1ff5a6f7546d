//! FIA and other instruments' records of the same person (issue 15, point 5; see `stats::link`).
//!
//! A FIA interview tells other reports the person's overall assessment ([`FiaLinker`]); a FIA
//! report takes each interviewed person's background (gender, age band, origin, household) from
//! the SUE record of theirs that "Persons, not records" picks ([`with_background`]). A FIA of a
//! person with no such record stays in the groups "Uppgift saknas" / "Not recorded".

use std::borrow::Cow;

use crate::document::AnswerValue;
use crate::error::Result;
use crate::instrument::{Definition, ItemId};
use crate::module::Resolver;
use crate::stats::dimension::ASSESSMENTS;
use crate::stats::engine::Aggregate;
use crate::stats::link::{InstrumentLinker, Links};
use crate::stats::perturbation::Person;
use crate::validate::Validated;

/// Reads a FIA interview's overall assessment for other instruments' reports.
#[derive(Debug)]
pub(crate) struct FiaLinker {
    assessment: ItemId,
    /// Per code of the assessment's list, its index into [`ASSESSMENTS`] (matched by code).
    categories: Vec<Option<u8>>,
}

impl FiaLinker {
    /// The linker of `definition`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidDefinition`] when `bedomning.kategori` is missing or not a choice.
    pub(crate) fn new(definition: &Definition) -> Result<FiaLinker> {
        let resolver = Resolver::new(definition, "FIA statistics", "FIA-statistiken");
        let assessment = resolver.item("bedomning.kategori")?;
        let categories = resolver
            .codes(assessment)?
            .codes
            .iter()
            .map(|c| {
                ASSESSMENTS[..ASSESSMENTS.len() - 1]
                    .iter()
                    .position(|a| a.code == c.code)
                    .and_then(|i| u8::try_from(i).ok())
            })
            .collect();
        Ok(FiaLinker {
            assessment,
            categories,
        })
    }
}

impl InstrumentLinker for FiaLinker {
    fn link(&self, validated: &Validated<'_>, person: Person, links: &mut Links) {
        let document = &validated.document;
        if let Some(AnswerValue::Code(code)) = document.value(self.assessment)
            && let Some(Some(category)) = self.categories.get(usize::from(*code))
        {
            links.add_assessment(person, document.interview_date(), *category);
        }
    }
}

/// `aggregate` with every interviewed person who has a linked background counted under it (a
/// copy only when something is linked).
pub(super) fn with_background<'a>(aggregate: &'a Aggregate, links: &Links) -> Cow<'a, Aggregate> {
    if links.is_empty() {
        return Cow::Borrowed(aggregate);
    }
    let mut linked = aggregate.clone();
    linked.relink(|key, stratum, _| {
        if let Some(background) = links.background(key) {
            stratum.gender = background.gender;
            stratum.age = background.age;
            stratum.origin = background.origin;
            stratum.household = background.household;
        }
    });
    Cow::Owned(linked)
}
