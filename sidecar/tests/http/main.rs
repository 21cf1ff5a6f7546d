//! End-to-end tests of the HTTPS sidecar: real TLS on port 0 with a rustls client.

mod attack;
#[path = "../common/mod.rs"]
mod common;
mod conformance;
mod contract;
mod deploy;
mod input;
mod integrity;
mod interfaces;
mod lookups;
mod openapi;
mod operations;
mod reports;
mod roles;
mod semantics;
mod setup;
mod starvation;
mod store_ops;
mod supplied;
mod tls;
mod units;
