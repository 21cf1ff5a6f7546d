//! `bistand-core`: the FIA and SUE instruments of Swedish social assistance (ekonomiskt bistånd)
//! as data-driven definitions, with validation, summaries, statistics and privacy primitives.
//!
//! The crate is pure: no I/O, no clock, no globals, no async. Time and keys arrive as arguments;
//! results are returned values. The shells (`bistand-store`, the C library, the sidecar) own every
//! side effect.
//!
//! ```
//! use bistand_core::{Engine, Severity};
//!
//! let engine = Engine::new()?;
//! let document = br#"{
//!     "instrument": "fia", "version": "1", "status": "draft",
//!     "interview_date": "2026-11-02",
//!     "answers": { "boende.omfattning": "i_viss_omfattning", "boende.problem_klient": 7 }
//! }"#;
//! let report = engine.validate(Some("fia"), document)?;
//! assert!(!report.valid); // a wrong type is an error, even in a draft
//! let error = report.findings.iter().find(|f| f.severity == Severity::Error).expect("one error");
//! assert_eq!(error.code.as_str(), "wrong_type");
//! assert_eq!(error.path, "boende.problem_klient");
//! assert!(!error.message.en.contains('7')); // findings never repeat the answer
//! # Ok::<(), bistand_core::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod audit_key;
pub mod date;
pub mod document;
mod draw;
mod engine;
mod error;
pub mod fhir;
pub mod fia;
pub mod finding;
pub mod html;
pub mod identifier;
pub mod instrument;
pub mod keys;
pub mod mac;
pub mod migrate;
pub mod module;
pub mod profile;
pub mod registry;
pub mod schema;
pub mod seal;
mod seed_figures;
pub mod stats;
pub mod sue;
mod text;
pub mod unit;
mod validate;

pub use document::{AnswerValue, Document, Limits, Row, Status};
pub use engine::Engine;
pub use error::{DefinitionProblem, Error, ErrorKind, Result};
pub use finding::{Audience, Finding, FindingCode, Report, Severity};
pub use registry::Summary;
pub use text::{Language, Text};
pub use unit::{UnitName, rule_text as unit_rule_text, unit_key};
pub use validate::Validated;
