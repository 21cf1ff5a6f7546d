//! The conformance suite of a store backend: what every [`AuditedStore`] must do, written against
//! the traits alone, so the SQLite store and any later backend (PostgreSQL, say) are held to the
//! same contract by the same code.
//!
//! A backend's tests call [`run_all`] with a function that makes a new, empty store sealing with
//! the keyring it is given; the suite supplies the keys so it can rotate them and take them away.
//! Each case panics (as a test does) when the store breaks the contract; the case's name is
//! printed to standard error first, so a failure says which one.
//!
//! Built with this crate's own tests and, for a backend in another test binary, with the
//! `conformance` feature.
//!
//! ```ignore
//! #[test]
//! fn a_postgres_store_conforms() {
//!     bistand_store::conformance::run_all(|keyring| Box::new(PgStore::fresh(keyring)));
//! }
//! ```

mod audit;
mod integrity;
mod operations;
mod records;

use bistand_core::identifier::{Pseudonym, PseudonymKey, pseudonymise_case_number};
use bistand_core::seal::{DataKey, Keyring};

use crate::{AuditedStore, NewRecord, RecordId, ScanFilter};

/// One case of the suite: its name and the function that runs it.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// What the case checks, in snake_case.
    pub name: &'static str,
    /// Runs the case against stores from its argument, which makes a new, empty store sealing
    /// with the keyring it is given; panics when the store breaks the contract.
    pub run: fn(&dyn Fn(Keyring) -> Box<dyn AuditedStore>),
}

/// Every case, for a backend that wants one test per case; [`run_all`] runs them in this order.
pub const CASES: &[Case] = &[
    Case {
        name: "records_round_trip",
        run: records::records_round_trip,
    },
    Case {
        name: "update_replaces_the_body",
        run: records::update_replaces_the_body,
    },
    Case {
        name: "unknown_ids_are_not_found",
        run: records::unknown_ids_are_not_found,
    },
    Case {
        name: "the_unit_is_read_without_opening_the_body",
        run: records::the_unit_is_read_without_opening_the_body,
    },
    Case {
        name: "find_by_pseudonym_in_insertion_order",
        run: records::find_by_pseudonym_in_insertion_order,
    },
    Case {
        name: "a_personnummer_is_never_a_pseudonym",
        run: records::a_personnummer_is_never_a_pseudonym,
    },
    Case {
        name: "malformed_fields_are_refused",
        run: records::malformed_fields_are_refused,
    },
    Case {
        name: "scan_and_count_with_filters",
        run: records::scan_and_count_with_filters,
    },
    Case {
        name: "scan_visits_many_records_in_insertion_order",
        run: records::scan_visits_many_records_in_insertion_order,
    },
    Case {
        name: "a_callback_can_stop_a_scan",
        run: records::a_callback_can_stop_a_scan,
    },
    Case {
        name: "a_scan_callback_may_use_the_store",
        run: records::a_scan_callback_may_use_the_store,
    },
    Case {
        name: "threads_share_one_store",
        run: records::threads_share_one_store,
    },
    Case {
        name: "ping_answers",
        run: records::ping_answers,
    },
    Case {
        name: "keys_rotate_by_resealing",
        run: records::keys_rotate_by_resealing,
    },
    Case {
        name: "a_missing_key_is_unknown_everywhere",
        run: records::a_missing_key_is_unknown_everywhere,
    },
    Case {
        name: "audit_a_long_chain_verifies_and_pages",
        run: audit::audit_a_long_chain_verifies_and_pages,
    },
    Case {
        name: "audit_an_empty_log_is_intact_at_the_genesis_head",
        run: audit::audit_an_empty_log_is_intact_at_the_genesis_head,
    },
    Case {
        name: "audit_a_recorded_head_must_be_in_the_chain",
        run: audit::audit_a_recorded_head_must_be_in_the_chain,
    },
    Case {
        name: "audit_no_personnummer_or_content_reaches_the_log",
        run: audit::audit_no_personnummer_or_content_reaches_the_log,
    },
    Case {
        name: "audited_writes_name_their_record_and_commit_together",
        run: audit::audited_writes_name_their_record_and_commit_together,
    },
    Case {
        name: "conditional_updates_write_only_the_revision_read",
        run: audit::conditional_updates_write_only_the_revision_read,
    },
    Case {
        name: "audit_concurrent_appends_keep_one_chain",
        run: audit::audit_concurrent_appends_keep_one_chain,
    },
    Case {
        name: "keys_are_bound_to_the_store",
        run: operations::keys_are_bound_to_the_store,
    },
    Case {
        name: "imports_are_idempotent_and_audited",
        run: operations::imports_are_idempotent_and_audited,
    },
    Case {
        name: "idempotent_creates_store_once_and_refuse_another_request",
        run: operations::idempotent_creates_store_once_and_refuse_another_request,
    },
    Case {
        name: "revisions_count_writes_and_audited_writes_commit_to_them",
        run: integrity::revisions_count_writes_and_audited_writes_commit_to_them,
    },
    Case {
        name: "verify_records_finds_nothing_in_an_untouched_store",
        run: integrity::verify_records_finds_nothing_in_an_untouched_store,
    },
    Case {
        name: "quarantined_records_leave_every_scan_and_are_not_deleted",
        run: integrity::quarantined_records_leave_every_scan_and_are_not_deleted,
    },
    Case {
        name: "scan_readable_visits_what_scan_visits",
        run: integrity::scan_readable_visits_what_scan_visits,
    },
];

/// Runs every case of [`CASES`] against stores from `make`, which must return a new, empty store
/// sealing with the keyring it is given each time it is called.
///
/// # Panics
///
/// When the store breaks the contract, with the failed assertion; the case's name is printed to
/// standard error before the case runs.
pub fn run_all(make: impl Fn(Keyring) -> Box<dyn AuditedStore>) {
    for case in CASES {
        eprintln!("conformance: {}", case.name);
        (case.run)(&make);
    }
}

/// A data key whose secret is derived from its id.
fn key(id: &str) -> DataKey {
    let mut secret = [0x5a_u8; 32];
    for (i, b) in id.bytes().enumerate() {
        secret[i % 32] ^= b.wrapping_mul(31).wrapping_add(i as u8);
    }
    DataKey::new(id, &secret).expect("test key")
}

/// A keyring with `ids`, the first one active.
fn keyring(ids: &[&str]) -> Keyring {
    let mut ring = Keyring::new(key(ids[0]));
    for id in &ids[1..] {
        ring.add(key(id)).expect("distinct test keys");
    }
    ring
}

/// A new store sealing with `k1`.
fn fresh(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) -> Box<dyn AuditedStore> {
    make(keyring(&["k1"]))
}

/// The pseudonym of case number `EB-<n>`.
fn client(n: u32) -> Pseudonym {
    let pseudonym_key = PseudonymKey::new("p1", &[3; 32]).expect("pseudonym key");
    pseudonymise_case_number(&pseudonym_key, &format!("EB-2026-{n:04}"))
}

/// A JSON body that starts with `{"seq":<seq>,` and carries a free-text answer.
fn body(seq: u64) -> Vec<u8> {
    format!(
        "{{\"seq\":{seq},\"answers\":{{\"fritext\":\"arbetsmarknadsinsats vecka {}\"}}}}",
        seq % 52
    )
    .into_bytes()
}

/// The `seq` a [`body`] was made from.
fn seq_of(body: &[u8]) -> u64 {
    let text = std::str::from_utf8(body).expect("utf-8 body");
    text.strip_prefix("{\"seq\":")
        .and_then(|rest| rest.split(',').next())
        .and_then(|digits| digits.parse().ok())
        .expect("body starts with its seq")
}

fn record(client_no: u32, unit: &str, instrument: &str, version: &str, seq: u64) -> NewRecord {
    NewRecord::new(&client(client_no), unit, instrument, version, body(seq))
}

/// A record of client 1 in unit `norr`, SUE version 1.
fn record_of(seq: u64) -> NewRecord {
    record(1, "norr", "sue", "1", seq)
}

fn missing_id() -> RecordId {
    RecordId::parse(&"0".repeat(32)).expect("id")
}

fn all_bodies(store: &dyn AuditedStore, filter: &ScanFilter) -> Vec<u64> {
    let mut seen = Vec::new();
    store
        .scan(filter, &mut |record| {
            seen.push(seq_of(&record.body));
            Ok(())
        })
        .expect("scan");
    seen
}
