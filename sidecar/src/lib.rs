//! `bistand`: the command line and the HTTPS sidecar of bistand.
//!
//! The command line is a thin shell over `bistand-core` and `bistand-store`; `bistand serve`
//! serves the same operations over HTTPS (hyper, axum, rustls) for systems that cannot link the
//! C library. The pieces: [`config`] (the checked configuration file), [`auth`] (principals and
//! the role table), [`api`] (routes and handlers), [`server`] (TLS, the accept loop, shutdown),
//! [`problem`] (errors as problem+json), [`metrics`], [`pki`] and [`init`] (a ready setup);
//! [`conformance`] runs the golden answer cases (`tests/conformance/`) through an implementation.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod conformance;
mod connections;
pub mod demo;
pub mod init;
pub mod keys;
pub mod logging;
pub mod metrics;
pub mod pki;
pub mod problem;
mod process_metrics;
mod progress;
pub mod server;

/// Today's date in UTC: the reference date for personnummer centuries, follow-ups and reports
/// when the caller gives none. One definition, so the command line, the demo and the API agree.
pub(crate) fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}
