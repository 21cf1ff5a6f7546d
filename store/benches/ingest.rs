//! Store throughput, measured in one run:
//!
//! - `ingest`: inserting [`INGEST_RECORDS`] records of about 3 KB of JSON in one transaction,
//!   sealed through the store path `bistand store import` takes
//!   (`AuditedStore::import_audited`: the idempotency check, the record and its audit entry),
//!   against the same rows in plaintext inserted with
//!   rusqlite into an equivalent table with the same pragmas (WAL, `synchronous=FULL`) and the
//!   same batching. Each iteration starts from an empty file. In `--bench` mode a final
//!   interleaved comparison checks the floor: sealed ≥ 0.6 × plain.
//! - `scan`: `Store::scan` (read, authenticate, decrypt) over a store of [`SCAN_RECORDS`] records,
//!   against reading the same rows without opening them.
//!
//! `cargo bench -p bistand-store --bench ingest`. Under `cargo test --benches` each benchmark runs
//! once on a small store, and the floor is not checked.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use bistand_core::identifier::{Pseudonym, PseudonymKey, pseudonymise_case_number};
use bistand_store::{
    AuditEvent, AuditedStore, DataKey, ImportRecord, Keyring, NewRecord, ScanFilter, SqliteStore,
    Store, documents,
};
use criterion::{Criterion, Throughput};
use rusqlite::{Connection, TransactionBehavior};

/// Records per measured ingest transaction.
const INGEST_RECORDS: usize = 1_000;
/// Records in the scanned store (in `--bench` mode; 1,000 under `cargo test --benches`).
const SCAN_RECORDS: usize = 100_000;
/// The sealed rate must be at least this share of the plain rate.
const FLOOR: f64 = 0.6;
/// Interleaved rounds of the floor check.
const FLOOR_ROUNDS: usize = 7;

/// The plaintext baseline: the store's table without the sealing columns (key id, nonce), the
/// body in the clear, and the same indexes on the lookup columns.
const PLAIN_SCHEMA: &str = "
    CREATE TABLE plain_records (
        id         TEXT    NOT NULL PRIMARY KEY,
        pseudonym  TEXT    NOT NULL,
        unit       TEXT    NOT NULL,
        instrument TEXT    NOT NULL,
        version    TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        body       BLOB    NOT NULL
    ) STRICT;
    CREATE INDEX plain_by_pseudonym ON plain_records (pseudonym, instrument);
    CREATE INDEX plain_by_scope ON plain_records (unit, instrument, version);
";

fn bench_mode() -> bool {
    std::env::args().any(|arg| arg == "--bench")
}

fn keyring() -> Keyring {
    Keyring::new(DataKey::new("bench", &[0x42; 32]).expect("valid key"))
}

fn pseudonym_key() -> PseudonymKey {
    PseudonymKey::new("p1", &[3; 32]).expect("valid key")
}

fn clients() -> Vec<Pseudonym> {
    let key = pseudonym_key();
    (0..500)
        .map(|i| pseudonymise_case_number(&key, &format!("EB-2026-{i:04}")))
        .collect()
}

/// A SUE-like JSON document of about 3 KB.
fn body(seq: usize) -> Vec<u8> {
    let mut text = format!(
        "{{\"instrument\":\"sue\",\"version\":\"1\",\"status\":\"complete\",\
         \"interview_date\":\"2026-11-{:02}\",\"answers\":{{",
        seq % 28 + 1
    );
    let mut i = 0;
    while text.len() < 2_950 {
        text.push_str(&format!(
            "\"insats.{i}.typ\":\"arbetsmarknadsinsats\",\"insats.{i}.omfattning\":{},\
             \"insats.{i}.fritext\":\"Samtal om boende, ekonomi och arbete; uppföljning vecka {}\",",
            (seq + i) % 40,
            (seq * 7 + i) % 52
        ));
        i += 1;
    }
    text.push_str("\"avslut.orsak\":\"egen_forsorjning\"}}");
    text.into_bytes()
}

fn records(clients: &[Pseudonym], count: usize, offset: usize) -> Vec<NewRecord> {
    let units = ["norr", "syd", "öst", "väst"];
    (offset..offset + count)
        .map(|i| {
            NewRecord::new(
                &clients[i % clients.len()],
                units[i % units.len()],
                "sue",
                "1",
                body(i),
            )
        })
        .collect()
}

/// Sets the pragmas `SqliteStore` sets on its writer.
fn plain_connection(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open plain db");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .expect("wal");
    assert_eq!(mode, "wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("synchronous");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    conn.execute_batch(PLAIN_SCHEMA).expect("plain schema");
    conn
}

/// Inserts `records` in one transaction, as `put_many` does but without sealing: random ids from
/// the operating system, timestamps, the body in the clear.
fn plain_insert(conn: &mut Connection, records: Vec<NewRecord>) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .expect("begin");
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO plain_records (id, pseudonym, unit, instrument, version, created_at, \
                 updated_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .expect("prepare");
        for record in records {
            let mut id = [0u8; 16];
            getrandom::fill(&mut id).expect("random");
            let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
            insert
                .execute(rusqlite::params![
                    id,
                    record.pseudonym,
                    record.unit,
                    record.instrument,
                    record.version,
                    now,
                    now,
                    record.body,
                ])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
}

/// One timed sealed ingest of `records` into a fresh store in `dir`, through the store path the
/// command line imports with: the idempotency check, sealing, and one audit entry per record.
/// The identities are computed before the clock starts, as the pseudonyms are: the command line
/// makes both while preparing a line, with its validation, which neither arm measures (about
/// 6 µs of the 3 KB document each, one pass and one HMAC; see BENCHMARKS.md, "Store import with the idempotency check").
fn time_sealed(dir: &Path, records: Vec<NewRecord>) -> Duration {
    let path = dir.join(format!("sealed-{}.db", unique()));
    let store = SqliteStore::open(&path, keyring()).expect("open store");
    let key = pseudonym_key();
    let event = AuditEvent::new(1_767_225_600_000, "cli:bench", "operator", "import", "ok");
    let batch = records
        .into_iter()
        .map(|record| ImportRecord {
            identity: documents::import_identity(&key, &record, None),
            record,
        })
        .collect();
    let start = Instant::now();
    let stored = store.import_audited(batch, event).expect("import");
    assert!(
        stored.iter().all(Option::is_some),
        "a fresh store skips nothing"
    );
    black_box(stored);
    let elapsed = start.elapsed();
    drop(store);
    remove_db(&path);
    elapsed
}

/// One timed plain ingest of `records` into a fresh database in `dir`.
fn time_plain(dir: &Path, records: Vec<NewRecord>) -> Duration {
    let path = dir.join(format!("plain-{}.db", unique()));
    let mut conn = plain_connection(&path);
    let start = Instant::now();
    plain_insert(&mut conn, records);
    let elapsed = start.elapsed();
    drop(conn);
    remove_db(&path);
    elapsed
}

fn unique() -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("random");
    u64::from_le_bytes(bytes)
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

fn ingest(c: &mut Criterion, dir: &Path, clients: &[Pseudonym]) {
    let batch = records(clients, INGEST_RECORDS, 0);
    let bytes: usize = batch.iter().map(|r| r.body.len()).sum();
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(INGEST_RECORDS as u64));
    group.sample_size(20);
    group.bench_function(format!("sealed_import_{INGEST_RECORDS}"), |b| {
        b.iter_custom(|iters| (0..iters).map(|_| time_sealed(dir, batch.clone())).sum());
    });
    group.bench_function(format!("plain_rusqlite_{INGEST_RECORDS}"), |b| {
        b.iter_custom(|iters| (0..iters).map(|_| time_plain(dir, batch.clone())).sum());
    });
    group.finish();
    println!(
        "ingest: {INGEST_RECORDS} records, {:.0} bytes of body on average",
        bytes as f64 / INGEST_RECORDS as f64
    );
}

/// Interleaved rounds of both arms; prints the median rates and fails below the floor.
fn check_floor(dir: &Path, clients: &[Pseudonym]) {
    let batch = records(clients, INGEST_RECORDS, 0);
    let mut sealed = Vec::new();
    let mut plain = Vec::new();
    for _ in 0..FLOOR_ROUNDS {
        sealed.push(time_sealed(dir, batch.clone()));
        plain.push(time_plain(dir, batch.clone()));
    }
    sealed.sort();
    plain.sort();
    let rate = |d: Duration| INGEST_RECORDS as f64 / d.as_secs_f64();
    let (sealed_rate, plain_rate) = (
        rate(sealed[FLOOR_ROUNDS / 2]),
        rate(plain[FLOOR_ROUNDS / 2]),
    );
    let ratio = sealed_rate / plain_rate;
    println!(
        "floor check (median of {FLOOR_ROUNDS} interleaved rounds): sealed {sealed_rate:.0} \
         records/s, plain {plain_rate:.0} records/s, ratio {ratio:.2} (floor {FLOOR})"
    );
    assert!(
        ratio >= FLOOR,
        "sealed ingest is {ratio:.2} of the plain rate, below the floor of {FLOOR}"
    );
}

fn scan(c: &mut Criterion, dir: &Path, clients: &[Pseudonym]) {
    let total = if bench_mode() { SCAN_RECORDS } else { 1_000 };
    let path = dir.join("scan.db");
    let store = SqliteStore::open(&path, keyring()).expect("open store");
    let started = Instant::now();
    for offset in (0..total).step_by(INGEST_RECORDS) {
        let count = INGEST_RECORDS.min(total - offset);
        store
            .put_many(records(clients, count, offset))
            .expect("fill");
    }
    store.checkpoint().expect("checkpoint");
    println!(
        "scan: filled a store of {total} records in {:.1} s ({} MB on disk)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map_or(0, |m| m.len() / 1_000_000)
    );

    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Elements(total as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function(format!("decrypt_scan_{total}"), |b| {
        b.iter(|| {
            let mut n = 0_usize;
            store
                .scan(&ScanFilter::all(), &mut |record| {
                    n += black_box(record.body.len());
                    Ok(())
                })
                .expect("scan");
            n
        });
    });
    let raw = Connection::open(&path).expect("open raw");
    group.bench_function(format!("rows_without_opening_{total}"), |b| {
        b.iter(|| {
            let mut statement = raw
                .prepare_cached(
                    "SELECT id, pseudonym, unit, instrument, version, created_at, updated_at, \
                     key_id, nonce, ciphertext FROM records ORDER BY rowid",
                )
                .expect("prepare");
            let mut rows = statement.query([]).expect("query");
            let mut n = 0_usize;
            while let Some(row) = rows.next().expect("row") {
                let ciphertext: Vec<u8> = row.get(9).expect("ciphertext");
                n += black_box(ciphertext.len());
            }
            n
        });
    });
    group.finish();
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clients = clients();
    let mut criterion = Criterion::default().configure_from_args();
    ingest(&mut criterion, dir.path(), &clients);
    scan(&mut criterion, dir.path(), &clients);
    criterion.final_summary();
    if bench_mode() {
        check_floor(dir.path(), &clients);
    }
}
