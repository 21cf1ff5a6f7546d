//! Synthetic FIA documents: deterministic, seeded, calibrated to the FIA trials, for tests,
//! benchmarks and demonstrations (`bistand generate fia --count N --seed S`).
//!
//! A [`FiaGenerator`] turns a seed into an endless sequence of `complete` FIA version 1 documents
//! that validate without error findings. Document `i` of seed `s` is the same on every run, build
//! and platform: the only source of randomness is ChaCha8 seeded with
//! [`rand::SeedableRng::seed_from_u64`], of which only the raw 64-bit outputs are used (every
//! conversion to ranges and probabilities is done here in integer or plain IEEE arithmetic, so it
//! cannot change with `rand`'s sampling algorithms). There is no clock and no I/O.
//!
//! The answers follow the figures reported from the FIA trials (see the domain notes, part b):
//! the share of clients affected in each life area and how many of them call it a large problem,
//! the interviewer's overall assessment (correlated with how many areas are affected and with the
//! client's work history, while its shares stay on target), wished interventions, views on
//! demands, and the evaluation questionnaires (in about 60 % of documents). Free texts are short,
//! neutral Swedish phrases without digits, so they never look like personal or phone numbers.
//! Hideable items are answered too: validate the documents with an engine whose profile hides
//! none of them (the default).
//!
//! Bounds come from the definition (code lists, `min`/`max`, `max_length`, selection, ranking and
//! row limits, `enabled_when`, ranking eligibility); only item ids and codes are fixed here.
//!
//! ```
//! use bistand_core::Engine;
//! use bistand_core::fia::{FiaGenerator, fia_documents};
//!
//! let engine = Engine::new()?;
//! let definition = engine.definition("fia", Some("1"))?;
//! let documents: Vec<serde_json::Value> = FiaGenerator::new(definition, 7)?.take(3).collect();
//! for document in &documents {
//!     let bytes = serde_json::to_vec(document).expect("a JSON value always serialises");
//!     let report = engine.validate(Some("fia"), &bytes)?;
//!     assert_eq!(report.errors, 0);
//! }
//! // The same seed gives the same documents.
//! assert_eq!(documents, fia_documents(definition, 7, 3)?);
//! # Ok::<(), bistand_core::Error>(())
//! ```

use jiff::Span;
use jiff::civil::{Date, date};
use serde_json::{Map, Value};

use crate::draw::Draw;
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Condition, DateRef, Definition, ItemId, ItemKind};

mod answers;
mod areas;
mod assessment;
mod calibration;
mod deck;
mod plan;
mod resolve;
#[cfg(test)]
mod tests;
mod work;

use answers::*;
use areas::*;
use assessment::*;
use calibration::*;
use deck::*;
use plan::*;
use resolve::*;
use work::*;

/// Generates synthetic FIA version 1 documents from a seed; an endless [`Iterator`]. Two
/// generators with the same seed yield the same sequence; cloning one forks the sequence.
///
/// Each document is a JSON value of the shape
/// `{"instrument": "fia", "version": "1", "status": "complete", "interview_date": "YYYY-MM-DD",
/// "answers": {...}}`, with interview dates spread evenly over 2025-01-01..=2026-10-31.
#[derive(Clone, Debug)]
pub struct FiaGenerator<'d> {
    definition: &'d Definition,
    items: Items,
    areas: Vec<Area>,
    rng: Draw,
    interview_days: i64,
}

impl<'d> FiaGenerator<'d> {
    /// A generator over `definition` (FIA version 1) starting from `seed`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] if the definition is not shaped like FIA version 1: an item
    /// the generator answers is missing or of another kind, a code it uses is missing from a code
    /// list, a date it fills is ordered against something other than the interview date, or the
    /// definition requires an item the generator does not know how to answer.
    pub fn new(definition: &'d Definition, seed: u64) -> Result<FiaGenerator<'d>> {
        let mut resolver = Resolver {
            definition,
            used: Vec::new(),
        };
        let items = Items::resolve(&mut resolver)?;
        let areas = AREAS
            .iter()
            .map(|spec| Area::resolve(&mut resolver, spec))
            .collect::<Result<Vec<Area>>>()?;
        resolver.finish()?;
        Ok(FiaGenerator {
            definition,
            items,
            areas,
            rng: Draw::new(seed),
            interview_days: (LAST_INTERVIEW - FIRST_INTERVIEW).get_days().into(),
        })
    }

    /// The next document of the sequence.
    pub fn next_document(&mut self) -> Value {
        let definition = self.definition;
        let items = &self.items;
        let rng = &mut self.rng;
        let interview = add_days(FIRST_INTERVIEW, rng.between(0, self.interview_days));
        let mut answers = Answers {
            definition,
            map: Map::new(),
        };

        // Part 1, life situation. A latent "burden" level, shared by all areas, makes problems
        // cluster as they do in real caseloads without moving any area's share.
        let high_burden = rng.chance(0.5);
        answers.put(items.har_barn, Value::Bool(rng.percent(HAR_BARN_PERCENT)));
        let mut states = Vec::with_capacity(self.areas.len());
        for area in &mut self.areas {
            states.push(area.generate(&mut answers, rng, high_burden));
        }

        // Part 2, work.
        let work = generate_work(items, &mut answers, rng, interview);

        // Part 3, overall assessment: social need rises with the number of affected areas, work
        // need with the work indicators; see `kategori`.
        let social_rank = self.areas.iter().zip(&states).fold(
            RankInput::default(),
            |mut input, (area, state)| {
                if state.asked {
                    input.push(area.affected_low, area.affected_high, state.affected);
                }
                input
            },
        );
        let need = kategori(rng, &social_rank, &work.rank);
        answers.put(items.kategori, code(need.code()));
        if rng.percent(70) {
            answers.put_text(items.motivering, rng.pick(need.motivation()));
        }
        if rng.percent(35) {
            answers.put_text(items.resurser, rng.pick(RESURSER));
        }

        // Part 4, the client's ranking of what to change.
        let ranking = generate_ranking(items, &self.areas, &states, &need, &mut answers, rng);

        // Part 5, the plan.
        generate_plan(items, &ranking, &work, interview, &mut answers, rng);

        // Evaluation questionnaires.
        if rng.percent(EVALUATION_PERCENT) {
            for question in &items.survey {
                if rng.percent(95) {
                    let value = match question.answer {
                        Survey::Codes(table) => code(rng.weighted(table)),
                        Survey::Yes(percent) => Value::Bool(rng.percent(percent)),
                    };
                    answers.put(question.item, value);
                }
            }
            if rng.percent(10) {
                answers.put_text(items.client_comment, rng.pick(CLIENT_COMMENTS));
            }
            if rng.percent(10) {
                answers.put_text(items.caseworker_comment, rng.pick(CASEWORKER_COMMENTS));
            }
        }

        let mut document = Map::new();
        document.insert("instrument".into(), definition.instrument().into());
        document.insert("version".into(), definition.version().into());
        document.insert("status".into(), "complete".into());
        document.insert("interview_date".into(), interview.to_string().into());
        document.insert("answers".into(), Value::Object(answers.map));
        Value::Object(document)
    }
}

impl Iterator for FiaGenerator<'_> {
    type Item = Value;

    /// Always `Some`: the sequence is endless; use [`Iterator::take`].
    fn next(&mut self) -> Option<Value> {
        Some(self.next_document())
    }
}

/// The first `count` documents of `seed`: what [`FiaGenerator::new`] followed by
/// [`Iterator::take`] gives.
///
/// # Errors
/// As [`FiaGenerator::new`].
pub fn fia_documents(definition: &Definition, seed: u64, count: usize) -> Result<Vec<Value>> {
    Ok(FiaGenerator::new(definition, seed)?.take(count).collect())
}
