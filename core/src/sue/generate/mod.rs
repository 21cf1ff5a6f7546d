//! Deterministic synthetic SUE documents (instrument `sue`, version 1 or 2, as the definition
//! given) for tests, demonstrations and the development of reports. Version 2 documents also
//! carry work experience and Swedish language skills and the need area `utbildning`, at the
//! seed study's shares of named obstacles (`crate::seed_figures::NAMED_OBSTACLES`), drawn only
//! for a version 2 definition, so a version 1 stream is unchanged.
//!
//! The same definition and seed give the same documents on every run, build and platform: the
//! only randomness is ChaCha8 seeded with [`rand::SeedableRng::seed_from_u64`], of which only the raw
//! 64-bit outputs are used, and all probabilities are computed with plain IEEE arithmetic. There
//! is no clock. Every document validates without error findings.
//!
//! The shares are calibrated on the seed study of activation of social assistance recipients
//! (DOMAIN.md (d) and (e)), on the register figures of DOMAIN.md (a) and on the FIA trial
//! (DOMAIN.md (b)); each target is a named constant below. The group differences the study
//! describes (men get more jobbaktivering, mothers the least activation, sanctions mostly go to
//! Swedish-born men over 25, undantag to women and the young, work is commoner after
//! resursaktivering and continued assistance after sanktion) are odds ratios in logistic models
//! whose base odds are solved against the exactly enumerated background distribution, so the
//! overall shares hit their targets in expectation whatever the size of the group effects.
//!
//! Each document has the shape `{"instrument": "sue", "version": "2", "status": "complete",
//! "unit": "Norr", "interview_date": "YYYY-MM-DD", "answers": {...}}`; about 10 % are drafts
//! (`"status": "draft"` with `completed_sections`) of cases still running. `interview_date`, which
//! every document envelope needs, is the date the record was last registered. Dates lie in
//! 2024-01-01..=2026-10-31. Hideable items (the client follow-up) are answered too: validate with
//! an engine whose profile hides none of them (the default).
//!
//! Synthetic documents describe no real person, and the associations in them were put there by
//! this module: they are test material, never evidence.
//!
//! ```
//! use bistand_core::{Engine, sue};
//!
//! let engine = Engine::new()?;
//! let definition = engine.definition("sue", Some("1"))?;
//! for document in sue::sue_documents(definition, 42, 5)? {
//!     let bytes = serde_json::to_vec(&document).expect("a JSON value serialises");
//!     assert_eq!(engine.validate(Some("sue"), &bytes)?.errors, 0);
//! }
//! # Ok::<(), bistand_core::Error>(())
//! ```

use std::collections::BTreeMap;

use jiff::Span;
use jiff::civil::{Date, date};
use serde_json::{Map, Value, json};

use crate::draw::Draw;
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Definition, ItemKind};
use crate::seed_figures::{REGISTER_ASSISTANCE, REGISTER_WORK};
use crate::text::Text;

mod calibration;
mod check;
mod model;
mod rows;
#[cfg(test)]
mod tests;

pub use calibration::*;
use check::check;
use model::*;
use rows::*;

// ---------------------------------------------------------------------------------------------
// The generator.
// ---------------------------------------------------------------------------------------------

/// An endless, deterministic stream of synthetic SUE documents as JSON values.
#[derive(Debug, Clone)]
pub struct SueGenerator<'d> {
    definition: &'d Definition,
    rng: Draw,
    groups: [Mask; 12],
    models: Models,
    /// Whether the definition has version 2's additions (the obstacles and `utbildning`).
    extended: bool,
}

/// A client's drawn background and states.
struct Client {
    mask: Mask,
    sex: usize,
    age: i64,
    origin: usize,
    household: usize,
    education: usize,
    hinder: usize,
    unit: usize,
    outcome: Option<usize>,
    /// Register outcomes over all clients: work, assistance (not mutually exclusive).
    register: (bool, bool),
}

impl Client {
    fn has(&self, bit: Mask) -> bool {
        self.mask & bit != 0
    }
}

/// One intervention row, with dates as days after [`START`].
struct Row {
    kind: &'static str,
    start: i64,
    end: Option<i64>,
    hours: Option<i64>,
    provider: Option<&'static str>,
    reason: Option<(&'static str, &'static str)>,
}

fn definition_error(en: String, sv: String) -> Error {
    Error::new(ErrorKind::InvalidDefinition, Text { sv, en })
}

impl<'d> SueGenerator<'d> {
    /// A generator over `definition` (SUE version 1, or version 2 with its additions) seeded
    /// with `seed`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] if the definition lacks an item, a code or a code group the
    /// generator writes.
    pub fn new(definition: &'d Definition, seed: u64) -> Result<SueGenerator<'d>> {
        let (groups, extended) = check(definition)?;
        Ok(SueGenerator {
            definition,
            rng: Draw::new(seed),
            models: Models::calibrate(&groups),
            groups,
            extended,
        })
    }

    fn draw_client(&mut self) -> Client {
        let rng = &mut self.rng;
        let mut mask = 0;
        let mut codes = [0usize; STAGES];
        for (stage, code) in codes.iter_mut().enumerate() {
            let options = background_stages(mask, stage, &self.groups);
            let weights: Vec<f64> = options.iter().map(|o| o.2).collect();
            let (index, bits, _) = options[rng.index_by_weight(&weights)];
            *code = index;
            mask |= bits;
        }
        let (low, high, _) = AGE_BANDS[codes[1]];
        let age = rng.between(low, high);
        let models = &self.models;
        if models.long_term.draw(rng, mask) == 1 {
            mask |= LONG;
        }
        if models.activation.draw(rng, mask) == 1 {
            mask |= ACTIVATED;
            mask |= MIX_BITS[models.mix.draw(rng, mask)];
        }
        if models.sanktion.draw(rng, mask) == 1 {
            mask |= SANK;
        }
        if models.undantag.draw(rng, mask) == 1 {
            mask |= UND;
        }
        if models.support.draw(rng, mask) == 1 {
            mask |= STOD_BIT;
        }
        let outcome = (mask & (ACTIVATED | SANK | UND | STOD_BIT) != 0)
            .then(|| models.outcome.draw(rng, mask));
        let register = (
            models.register_work.draw(rng, mask) == 1,
            models.register_assistance.draw(rng, mask) == 1,
        );
        Client {
            mask,
            sex: codes[0],
            age,
            origin: codes[2],
            household: codes[3],
            education: codes[4],
            hinder: codes[5],
            unit: codes[6],
            outcome,
            register,
        }
    }

    /// The next document.
    fn document(&mut self) -> Value {
        let client = self.draw_client();
        let rng = &mut self.rng;
        let draft = rng.chance(DRAFT_SHARE);
        let start = if draft {
            rng.between(END_DAY - DRAFT_WINDOW, END_DAY - 14)
        } else {
            rng.between(0, END_DAY - FOLLOW_UP_DAYS)
        };
        // A draft is being registered now: nothing in it lies after its registration date.
        let draft_date = draft.then(|| (start + rng.between(30, 240)).min(END_DAY));
        let mut answers = Map::new();
        let mut put = |id: &str, value: Value| {
            answers.insert(id.to_owned(), value);
        };

        // Bakgrund.
        let start_date = day(start);
        put(
            "bakgrund.aktualiseringsdatum",
            json!(start_date.to_string()),
        );
        put("bakgrund.kon", json!(KON[client.sex]));
        put(
            "bakgrund.fodelsear",
            json!(i64::from(start_date.year()) - client.age),
        );
        put("bakgrund.fodelseland", json!(FODELSELAND[client.origin]));
        let mut years_in_sweden = None;
        if client.has(ABROAD) {
            let years = if HINDER[client.hinder] == "etablering" {
                rng.between(0, 3)
            } else {
                let r = rng.unit();
                ((r * r * 35.0) as i64).min(client.age)
            };
            years_in_sweden = Some(years);
            put("bakgrund.ar_i_sverige", json!(years));
        }
        put("bakgrund.hushallstyp", json!(HUSHALL[client.household]));
        if client.has(CHILDREN) {
            if rng.chance(0.9) {
                let children = 1 + rng.index_by_weight(&[0.40, 0.30, 0.17, 0.08, 0.05]);
                put("bakgrund.antal_barn", json!(children));
            }
        } else if rng.chance(0.6) {
            put("bakgrund.antal_barn", json!(0));
        }
        put("bakgrund.utbildning", json!(UTBILDNING[client.education]));
        if self.extended {
            // Version 2's obstacles, at the seed study's shares (named by caseworkers).
            for (i, (id, _)) in OBSTACLE_ITEMS.iter().enumerate() {
                let lack = rng.chance(self.models.needs.obstacle_probability(i, client.mask));
                let code = if lack {
                    0
                } else if rng.chance(OBSTACLE_UNKNOWN) {
                    2
                } else {
                    1
                };
                put(id, json!(OBSTACLE_CODES[code]));
            }
        }
        put("bakgrund.forsorjningshinder", json!(HINDER[client.hinder]));
        // Long-term by the national measure: 10–12 months of the last full calendar year. The
        // rolling 12 months before the case start are near it, a few months either way.
        let calendar = if client.has(LONG) {
            10 + rng.index_by_weight(&[0.20, 0.25, 0.55])
        } else {
            rng.index_by_weight(&[0.05, 0.10, 0.10, 0.10, 0.10, 0.12, 0.12, 0.11, 0.10, 0.10])
        } as i64;
        put("bakgrund.manader_kalenderar", json!(calendar));
        let months = (calendar + rng.between(-2, 2)).clamp(0, 12);
        put("bakgrund.manader_senaste_ar", json!(months));
        if rng.chance(0.7) {
            let extra = if client.has(LONG) {
                rng.between(8, 24)
            } else {
                rng.between(0, 12)
            };
            put(
                "bakgrund.manader_senaste_3ar",
                json!((months + extra).min(36)),
            );
        }

        // Före insats.
        let areas = if self.extended {
            OMRADE.len()
        } else {
            OMRADE_V1
        };
        let needs = draw_needs(rng, &self.models.needs, &client, areas);
        if !needs.is_empty() && rng.chance(NEEDS_RECORDED) {
            let rows: Vec<Value> = needs
                .iter()
                .map(|&(area, large)| {
                    json!({ "omrade": OMRADE[area], "omfattning": OMFATTNING[usize::from(!large)] })
                })
                .collect();
            put("fore_insats.problem", Value::Array(rows));
        }
        if rng.chance(0.85) {
            put(
                "fore_insats.metod",
                json!(METOD[rng.index_by_weight(&[0.25, 0.15, 0.60])]),
            );
        }
        let completed_sections = draft.then(|| 1 + rng.index_by_weight(&[0.3, 0.4, 0.3]));
        let goals_set = rng.chance(if client.has(ACTIVATED) { 0.75 } else { 0.55 });
        let goals_answered = completed_sections.is_none_or(|k| k >= 2) || rng.chance(0.7);
        if goals_answered {
            put("fore_insats.mal_satta", json!(goals_set));
            if goals_set && rng.chance(0.85) {
                let goals = 1 + rng.index_by_weight(&[0.35, 0.35, 0.20, 0.10]);
                put("fore_insats.antal_mal", json!(goals));
            }
        }

        // Insatser, with dates as days after START.
        let mut rows = draw_rows(rng, &client, &needs, start, years_in_sweden);
        if let Some(now) = draft_date {
            for row in &mut rows {
                row.start = row.start.min(now);
                row.end = row.end.filter(|&end| end <= now);
            }
        }
        let has_rows = !rows.is_empty();
        let follow_up = (has_rows && !draft).then(|| {
            let last = rows
                .iter()
                .map(|r| r.end.unwrap_or(r.start + 90))
                .max()
                .unwrap_or(start);
            (last + rng.between(0, 30)).min(END_DAY)
        });
        let closed = (!draft && rng.chance(TARGET_CLOSED / (1.0 - DRAFT_SHARE))).then(|| {
            let base = follow_up.unwrap_or(start + rng.between(30, 400));
            (base.max(start + rng.between(30, 200)) + rng.between(0, 60)).min(END_DAY)
        });
        if let Some(closed) = closed {
            for row in &mut rows {
                row.end = Some(row.end.unwrap_or(closed).min(closed));
            }
        }
        if has_rows {
            let rows: Vec<Value> = rows.iter().map(row_json).collect();
            put("insatser.insats", Value::Array(rows));
        }

        // Under insats.
        if has_rows && (!draft || rng.chance(0.5)) {
            let sanctioned = client.has(SANK);
            if rng.chance(0.85) {
                let weights: &[f64] = if sanctioned {
                    &[0.15, 0.35, 0.40, 0.10]
                } else {
                    &[0.55, 0.25, 0.10, 0.10]
                };
                put(
                    "under_insats.narvaro",
                    json!(NARVARO[rng.index_by_weight(weights)]),
                );
            }
            if rng.chance(0.8) {
                let broken_off = rng.chance(if sanctioned { 0.40 } else { 0.15 });
                put("under_insats.avbrott", json!(broken_off));
                if broken_off {
                    let work = matches!(client.outcome, Some(0 | 1));
                    let weights = [
                        if client.has(G_OHALSA) { 0.4 } else { 0.15 },
                        if work { 0.5 } else { 0.05 },
                        0.08,
                        0.15,
                        if sanctioned { 0.4 } else { 0.02 },
                        0.15,
                    ];
                    put(
                        "under_insats.avbrott_orsak",
                        json!(AVBROTT_ORSAK[rng.index_by_weight(&weights)]),
                    );
                }
            }
        }

        // Efter insats.
        if let (Some(follow_up), Some(outcome)) = (follow_up, client.outcome) {
            put("efter_insats.datum", json!(day(follow_up).to_string()));
            put("efter_insats.utfall", json!(UTFALL[outcome]));
            let good = outcome <= 2;
            if rng.chance(0.8) {
                let weights = if good {
                    [0.50, 0.42, 0.08]
                } else {
                    [0.28, 0.60, 0.12]
                };
                let mut changes = Vec::new();
                for &(area, _) in &needs {
                    if rng.chance(0.6) {
                        let change = FORANDRING[rng.index_by_weight(&weights)];
                        changes.push(json!({ "omrade": OMRADE[area], "forandring": change }));
                    }
                }
                if !changes.is_empty() {
                    put("efter_insats.forandring", Value::Array(changes));
                }
            }
            if goals_answered && goals_set {
                let weights = if good {
                    [0.45, 0.40, 0.15]
                } else {
                    [0.15, 0.45, 0.40]
                };
                put(
                    "efter_insats.maluppfyllelse",
                    json!(MALUPPFYLLELSE[rng.index_by_weight(&weights)]),
                );
            }
        }

        // Registeruppföljning: over all clients of complete records, with or without an
        // intervention.
        if !draft {
            put("registeruppfoljning.arbete", json!(client.register.0));
            put("registeruppfoljning.bistand", json!(client.register.1));
        }

        // Brukaruppföljning.
        if !draft && rng.chance(TARGET_CLIENT_FOLLOW_UP / (1.0 - DRAFT_SHARE)) {
            let work = matches!(client.outcome, Some(0 | 1));
            let satisfaction = if client.has(SANK) {
                [0.10, 0.25, 0.25, 0.22, 0.18]
            } else if work {
                [0.38, 0.37, 0.15, 0.06, 0.04]
            } else {
                [0.22, 0.36, 0.22, 0.12, 0.08]
            };
            if rng.chance(0.92) {
                put(
                    "brukaruppfoljning.nojdhet",
                    json!(NOJDHET[rng.index_by_weight(&satisfaction)]),
                );
            }
            if rng.chance(0.92) {
                put(
                    "brukaruppfoljning.inflytande",
                    json!(GRAD[rng.index_by_weight(&[0.35, 0.45, 0.20])]),
                );
            }
            if rng.chance(0.92) {
                put(
                    "brukaruppfoljning.respekt",
                    json!(GRAD[rng.index_by_weight(&[0.60, 0.32, 0.08])]),
                );
            }
            if rng.chance(0.92) {
                let weights = if work {
                    [0.60, 0.25, 0.10, 0.05]
                } else {
                    [0.28, 0.37, 0.24, 0.11]
                };
                put(
                    "brukaruppfoljning.hjalpt",
                    json!(HJALPT[rng.index_by_weight(&weights)]),
                );
            }
            if rng.chance(0.12) {
                let comment = COMMENTS[rng.below(COMMENTS.len())];
                put("brukaruppfoljning.kommentar", json!(comment));
            }
        }

        // Avslutning and återaktualisering.
        let mut last = follow_up.unwrap_or(start);
        for row in &rows {
            last = last.max(row.end.unwrap_or(row.start));
        }
        if let Some(closed) = closed {
            put("avslutning.datum", json!(day(closed).to_string()));
            let weights: [f64; 8] = match client.outcome {
                Some(0 | 1) => [0.85, 0.0, 0.0, 0.05, 0.0, 0.0, 0.05, 0.05],
                Some(2) => [0.0, 0.80, 0.0, 0.0, 0.10, 0.0, 0.10, 0.0],
                Some(3) => [0.0, 0.0, 0.85, 0.0, 0.0, 0.0, 0.10, 0.05],
                Some(4) => [0.0, 0.0, 0.0, 0.35, 0.35, 0.02, 0.16, 0.12],
                Some(_) => [0.0, 0.0, 0.0, 0.20, 0.35, 0.0, 0.20, 0.25],
                None => [0.30, 0.08, 0.22, 0.10, 0.17, 0.005, 0.07, 0.055],
            };
            put(
                "avslutning.orsak",
                json!(AVSLUTSORSAK[rng.index_by_weight(&weights)]),
            );
            last = last.max(closed);
            if rng.chance(TARGET_REOPENED) {
                let reopened = (closed + rng.between(14, 365)).min(END_DAY);
                put("ateraktualisering.datum", json!(day(reopened).to_string()));
                let weights: [f64; 4] = if client.has(G_OHALSA) {
                    [0.20, 0.60, 0.10, 0.10]
                } else if client.has(G_SOCIALA) {
                    [0.20, 0.15, 0.55, 0.10]
                } else if client.has(G_OVRIGT) {
                    [0.40, 0.15, 0.15, 0.30]
                } else {
                    [0.75, 0.10, 0.05, 0.10]
                };
                put(
                    "ateraktualisering.orsak",
                    json!(ATERAKT_ORSAK[rng.index_by_weight(&weights)]),
                );
                last = last.max(reopened);
            }
        }
        let registered = draft_date.unwrap_or_else(|| (last + rng.between(0, 14)).min(END_DAY));

        let mut document = Map::new();
        document.insert("instrument".into(), json!(self.definition.instrument()));
        document.insert("version".into(), json!(self.definition.version()));
        match completed_sections {
            Some(k) => {
                document.insert("status".into(), json!("draft"));
                let sections = ["bakgrund", "fore_insats", "insatser"];
                document.insert("completed_sections".into(), json!(sections[..k]));
            }
            None => {
                document.insert("status".into(), json!("complete"));
            }
        }
        document.insert("unit".into(), json!(UNITS[client.unit]));
        // The envelope's `interview_date` is the date the record was last registered.
        document.insert("interview_date".into(), json!(day(registered).to_string()));
        document.insert("answers".into(), Value::Object(answers));
        Value::Object(document)
    }
}

impl Iterator for SueGenerator<'_> {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        Some(self.document())
    }
}

/// `count` synthetic SUE documents from `seed`.
///
/// # Errors
/// [`ErrorKind::InvalidDefinition`] as [`SueGenerator::new`]; [`ErrorKind::InvalidArgument`] if
/// `count` exceeds [`MAX_DOCUMENTS`].
pub fn sue_documents(definition: &Definition, seed: u64, count: usize) -> Result<Vec<Value>> {
    if count > MAX_DOCUMENTS {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            Text {
                sv: format!("högst {MAX_DOCUMENTS} syntetiska dokument kan skapas åt gången"),
                en: format!("at most {MAX_DOCUMENTS} synthetic documents can be made at once"),
            },
        ));
    }
    Ok(SueGenerator::new(definition, seed)?.take(count).collect())
}
