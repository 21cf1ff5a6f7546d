//! Integration tests of `bistand-store`, as one binary: round trips and lookups, tampering,
//! key rotation under load, what reaches the disk, schema migrations, and crash durability
//! (this binary re-executes itself as the writer process that gets killed).

mod audit;
mod crash;
mod disk;
mod integrity;
mod migration;
mod permissions;
mod rotation;
mod tamper;

use std::path::{Path, PathBuf};

use bistand_core::identifier::{Pseudonym, PseudonymKey, pseudonymise_case_number};
use bistand_store::{DataKey, Keyring, NewRecord, SqliteStore};
use tempfile::TempDir;

/// A data key whose secret is derived from its id, so every process of the test agrees on it.
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

/// The pseudonym of case number `EB-<n>`.
fn client(n: u32) -> Pseudonym {
    let pseudonym_key = PseudonymKey::new("p1", &[3; 32]).expect("pseudonym key");
    pseudonymise_case_number(&pseudonym_key, &format!("EB-2026-{n:04}"))
}

/// A realistic SUE-like JSON body of about 3 KB that starts with `{"seq":<seq>,`.
fn body(seq: u64) -> Vec<u8> {
    let mut text = format!(
        "{{\"seq\":{seq},\"instrument\":\"sue\",\"version\":\"1\",\"status\":\"complete\",\
         \"interview_date\":\"2026-11-02\",\"answers\":{{"
    );
    let mut i = 0;
    while text.len() < 2900 {
        text.push_str(&format!(
            "\"insats.{i}.typ\":\"arbetsmarknadsinsats\",\"insats.{i}.fritext\":\"Klienten har \
             deltagit i samtal om boende och arbete, uppföljning vecka {}\",",
            (seq + i) % 52
        ));
        i += 1;
    }
    text.push_str("\"avslut.orsak\":\"egen_forsorjning\"}}");
    text.into_bytes()
}

/// The `seq` a [`body`] was made from.
fn seq_of(body: &[u8]) -> u64 {
    let text = std::str::from_utf8(body).expect("utf-8 body");
    let digits = text
        .strip_prefix("{\"seq\":")
        .expect("body starts with seq")
        .split(',')
        .next()
        .expect("seq value");
    digits.parse().expect("seq is a number")
}

fn record(client_no: u32, unit: &str, instrument: &str, version: &str, seq: u64) -> NewRecord {
    NewRecord::new(&client(client_no), unit, instrument, version, body(seq))
}

/// A temporary directory and the path of a store file in it.
fn temp_store_path() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("records.db");
    (dir, path)
}

fn open(path: &Path, ids: &[&str]) -> SqliteStore {
    SqliteStore::open(path, keyring(ids)).expect("store opens")
}

/// A plain SQLite connection to the store file, for tampering and inspection.
fn raw(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("raw connection");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    conn
}

fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("random");
    u64::from_le_bytes(bytes)
}
