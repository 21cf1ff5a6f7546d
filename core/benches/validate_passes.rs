//! Validation of the `validate` bench's documents in a plain loop, for counting instructions
//! under cachegrind, which unlike times do not move with the load of a shared machine:
//!
//! `validate_passes [PASSES] [v1|v2|v2-migrated] [sorted] [serde_json]`
//!
//! validates (or, with `serde_json`, parses into a `serde_json::Value`) the 256 documents PASSES
//! times and prints the time per pass. The instructions per document are the difference between
//! a run of 10 passes and a run of 0 (which makes the documents only), divided by 2,560:
//! `scripts/validate-instructions.sh` runs that for every arm. Without arguments (as CI's quick
//! run of the benches calls it) it makes one pass over each arm.

#[path = "common/documents.rs"]
mod documents;

use std::hint::black_box;
use std::time::Instant;

use bistand_core::Engine;
use documents::{Documents, documents};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(passes) = args.first().and_then(|a| a.parse::<usize>().ok()) else {
        let engine = Engine::new().expect("embedded definitions compile");
        for which in [Documents::V1, Documents::V2, Documents::V2Migrated] {
            for envelope_first in [true, false] {
                run(&engine, which, envelope_first, false, 1);
            }
        }
        return;
    };
    let which = match args.get(1).map(String::as_str) {
        None | Some("v2") => Documents::V2,
        Some("v1") => Documents::V1,
        Some("v2-migrated") => Documents::V2Migrated,
        Some(other) => panic!("unknown arm `{other}`: v1, v2 or v2-migrated"),
    };
    let sorted = args.iter().any(|a| a == "sorted");
    let serde = args.iter().any(|a| a == "serde_json");
    let engine = Engine::new().expect("embedded definitions compile");
    run(&engine, which, !sorted, serde, passes);
}

fn run(engine: &Engine, which: Documents, envelope_first: bool, serde: bool, passes: usize) {
    let documents = documents(engine, which, envelope_first);
    let start = Instant::now();
    for _ in 0..passes {
        for document in &documents {
            if serde {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(document)).expect("valid JSON");
                black_box(value);
            } else {
                let report = engine
                    .validate(Some("fia"), black_box(document))
                    .expect("valid JSON");
                assert!(report.valid, "the bench's documents have no error finding");
                black_box(report.errors);
            }
        }
    }
    if passes > 0 {
        let per_pass = start.elapsed().as_secs_f64() * 1000.0 / passes as f64;
        println!(
            "{per_pass:.3} ms per pass over {} documents",
            documents.len()
        );
    }
}
