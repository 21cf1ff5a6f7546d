//! Crash durability: a writer process is killed with SIGKILL at random moments, and every write
//! it acknowledged must be there afterwards, intact.
//!
//! The writer is this test binary itself, re-executed to run only [`crash_writer_child`] with
//! [`CHILD_ENV`] set. It prints `ack <id> <seq>` after each `put` returns and `upd <id> <seq>`
//! after each `update` returns, never before.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bistand_store::{RecordId, ScanFilter, Store};

use crate::{body, open, random_u64, record, seq_of, temp_store_path};

/// Set in the child: the store file to write to.
const CHILD_ENV: &str = "BISTAND_STORE_CRASH_CHILD_DB";
/// Set in the child: its run number, which makes its seqs unique.
const RUN_ENV: &str = "BISTAND_STORE_CRASH_CHILD_RUN";
/// Kills per test: at least [`MIN_RUNS`], more while within [`TIME_BUDGET`].
const RUNS: u64 = 24;
const MIN_RUNS: u64 = 20;
const TIME_BUDGET: Duration = Duration::from_secs(40);
/// A child that is never killed stops by itself after this long.
const CHILD_LIFETIME: Duration = Duration::from_secs(30);

/// The writer process; does nothing unless started by [`acknowledged_writes_survive_sigkill`].
#[test]
fn crash_writer_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let run: u64 = std::env::var(RUN_ENV)
        .expect("run number")
        .parse()
        .expect("numeric run");
    let store = open(Path::new(&path), &["k1"]);
    let mut out = std::io::stdout().lock();
    // libtest may have printed `test crash::crash_writer_child ... ` without a line break.
    writeln!(out).expect("stdout");
    let started = Instant::now();
    let mut seq = run * 1_000_000;
    let mut mine: Vec<RecordId> = Vec::new();
    while started.elapsed() < CHILD_LIFETIME {
        seq += 1;
        match seq % 5 {
            0 if !mine.is_empty() => {
                let id = &mine[(seq as usize / 5) % mine.len()];
                store.update(id, &body(seq)).expect("update");
                writeln!(out, "upd {id} {seq}").expect("stdout");
            }
            1 => {
                let seqs = [seq, seq + 1, seq + 2];
                seq += 2;
                let metas = store
                    .put_many(
                        seqs.iter()
                            .map(|&s| record(1, "norr", "sue", "1", s))
                            .collect(),
                    )
                    .expect("put_many");
                for (meta, s) in metas.into_iter().zip(seqs) {
                    writeln!(out, "ack {} {s}", meta.id).expect("stdout");
                    mine.push(meta.id);
                }
            }
            _ => {
                let meta = store.put(record(1, "norr", "sue", "1", seq)).expect("put");
                writeln!(out, "ack {} {seq}", meta.id).expect("stdout");
                mine.push(meta.id);
            }
        }
        out.flush().expect("stdout");
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let (_dir, path) = temp_store_path();
    let exe = std::env::current_exe().expect("test binary");
    let started = Instant::now();
    // Last acknowledged seq of every record.
    let mut acknowledged: HashMap<RecordId, u64> = HashMap::new();
    let mut early_kills = 0;
    let mut updates = 0;

    let mut runs = 0;
    for run in 1..=RUNS {
        if run > MIN_RUNS && started.elapsed() > TIME_BUDGET {
            break;
        }
        runs = run;
        let mut child = Command::new(&exe)
            .args([
                "crash::crash_writer_child",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .env(RUN_ENV, run.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("piped stdout");
        let (lines_tx, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            let mut line = String::new();
            // Only complete lines count: a line cut by the kill was never fully acknowledged.
            while stdout.read_line(&mut line).is_ok_and(|n| n > 0) && line.ends_with('\n') {
                if lines_tx.send(std::mem::take(&mut line)).is_err() {
                    break;
                }
            }
        });

        let mut received = Vec::new();
        let random = random_u64();
        if run % 6 == 0 {
            // Sometimes kill early: during start-up, opening or the first writes.
            std::thread::sleep(Duration::from_millis(random % 60));
            early_kills += 1;
        } else {
            // Otherwise after the first acknowledgement, a random while into the writing.
            loop {
                let line = lines
                    .recv_timeout(Duration::from_secs(20))
                    .expect("the writer acknowledges a write");
                let ack = line.starts_with("ack ");
                received.push(line);
                if ack {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(random % 120));
        }
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("reap");
        assert!(!status.success(), "the writer was killed, not finished");
        reader.join().expect("reader thread");
        received.extend(lines.try_iter());

        for line in &received {
            let mut words = line.split_whitespace();
            let (Some(verb @ ("ack" | "upd")), Some(id), Some(seq)) =
                (words.next(), words.next(), words.next())
            else {
                continue;
            };
            let id = RecordId::parse(id).expect("acknowledged id");
            let seq: u64 = seq.parse().expect("acknowledged seq");
            if verb == "ack" {
                assert!(acknowledged.insert(id, seq).is_none(), "ids are unique");
            } else {
                updates += 1;
                *acknowledged
                    .get_mut(&id)
                    .expect("updated record was acknowledged") = seq;
            }
        }

        verify(&path, &acknowledged);
    }
    eprintln!(
        "{runs} kills ({early_kills} early), {} acknowledged records, {updates} acknowledged \
         updates, {:?}",
        acknowledged.len(),
        started.elapsed()
    );
    assert!(runs >= MIN_RUNS);
    assert!(
        acknowledged.len() as u64 >= runs - early_kills,
        "each normally killed writer acknowledged at least one write"
    );
}

/// Reopens the store after a kill: every acknowledged record is there with its last
/// acknowledged body or a later one (an update that was in flight may have committed), and no
/// record in the file fails authentication.
fn verify(path: &Path, acknowledged: &HashMap<RecordId, u64>) {
    let store = open(path, &["k1"]);
    for (id, &seq) in acknowledged {
        let record = store.get(id).expect("an acknowledged record survives");
        let stored = seq_of(&record.body);
        assert!(
            stored >= seq,
            "record {id} went back from {seq} to {stored}"
        );
        assert_eq!(record.body, body(stored));
    }
    let mut total = 0;
    store
        .scan(&ScanFilter::all(), &mut |record| {
            assert_eq!(record.body, body(seq_of(&record.body)));
            total += 1;
            Ok(())
        })
        .expect("no record fails integrity");
    assert!(total >= acknowledged.len());
}
