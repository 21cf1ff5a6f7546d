//! The cost of the C ABI: validating through `bistand_validate` (then `bistand_buf_data`/`_len`
//! and `bistand_buf_free`, as a C caller does) against `Engine::validate` plus
//! `serde_json::to_vec` of the report in Rust, on the same documents in the same run.
//! Floor: the C ABI may cost at most 10% more.
//!
//! The two arms alternate in rounds (which goes first alternates too), and the result is the
//! median of the rounds' ratios, as in the sidecar benchmark: on a shared machine the load drifts
//! between one arm's run and the other's, and measuring them back to back put that drift into the
//! ratio (-1 % and +16 % in two runs a minute apart). Within a round both arms see about the same
//! machine.
//!
//! `cargo bench -p bistand-ffi --bench abi` runs 15 rounds of 400 ms per arm and workload; under
//! `cargo test --benches` (no `--bench` argument) it runs one short round, as a smoke test, and
//! checks both arms give the same bytes.
// The benchmark calls the exported functions as C would.
#![allow(unsafe_code)]

use std::hint::black_box;
use std::path::Path;
use std::ptr;
use std::time::{Duration, Instant};

use bistand::{
    bistand_buf_data, bistand_buf_free, bistand_buf_len, bistand_engine, bistand_engine_free,
    bistand_engine_new, bistand_status, bistand_validate,
};
use bistand_core::Engine;

/// The valid fixtures and a few invalid ones (reports with findings cost more to serialise).
const DOCUMENTS: &[&str] = &[
    "valid/complete.json",
    "valid/draft.json",
    "invalid/wrong_type.json",
    "invalid/date_order.json",
    "invalid/required_missing.json",
    "invalid/possible_identifier.json",
];

fn documents() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fia");
    DOCUMENTS
        .iter()
        .map(|name| std::fs::read(dir.join(name)).expect("fixture is readable"))
        .collect()
}

/// A validation through the C ABI; returns the report's bytes (copied only when `keep`).
fn c_abi(engine: *const bistand_engine, document: &[u8], keep: bool) -> Vec<u8> {
    let mut report = ptr::null_mut();
    // SAFETY: live engine, `document` readable for its length, `report` writable; the buffer is
    // read and freed once.
    unsafe {
        let status = bistand_validate(
            engine,
            c"fia".as_ptr(),
            document.as_ptr(),
            document.len(),
            &mut report,
        );
        assert_eq!(status, bistand_status::BISTAND_OK);
        let data = black_box(bistand_buf_data(report));
        let len = black_box(bistand_buf_len(report));
        let bytes = if keep {
            std::slice::from_raw_parts(data, len).to_vec()
        } else {
            Vec::new()
        };
        bistand_buf_free(report);
        bytes
    }
}

/// The same validation in Rust.
fn rust(engine: &Engine, document: &[u8]) -> Vec<u8> {
    let report = engine.validate(Some("fia"), document).expect("a document");
    serde_json::to_vec(&report).expect("reports serialise")
}

/// Runs `work` repeatedly for about `time`; the mean time of one run.
fn measure(time: Duration, mut work: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut runs = 0u32;
    while started.elapsed() < time {
        work();
        runs += 1;
    }
    started.elapsed() / runs.max(1)
}

fn median<T: Copy>(mut values: Vec<T>, key: impl Fn(&T) -> f64) -> T {
    values.sort_by(|a, b| key(a).total_cmp(&key(b)));
    values[values.len() / 2]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (warm_up, time, rounds) = if full {
        (Duration::from_secs(1), Duration::from_millis(400), 15)
    } else {
        (Duration::from_millis(20), Duration::from_millis(50), 1)
    };
    let documents = documents();
    let engine = Engine::new().expect("embedded definitions compile");
    let mut c_engine = ptr::null_mut();
    // SAFETY: no profile; `c_engine` is writable.
    let status = unsafe { bistand_engine_new(ptr::null(), 0, &mut c_engine) };
    assert_eq!(status, bistand_status::BISTAND_OK);
    let c_engine = c_engine.cast_const();

    for document in &documents {
        assert_eq!(
            c_abi(c_engine, document, true),
            rust(&engine, document),
            "both arms give the same report"
        );
    }

    let workloads: [(&str, &[Vec<u8>]); 2] = [
        ("6 fixtures", &documents),
        ("complete.json", &documents[..1]),
    ];
    println!(
        "C ABI against Rust, {rounds} round(s) of {} ms per arm (arms alternate; median of the \
         rounds' ratios)",
        time.as_millis()
    );
    for (name, set) in workloads {
        let run_c = || {
            set.iter()
                .for_each(|d| drop(c_abi(c_engine, black_box(d), false)))
        };
        let run_rust = || {
            set.iter()
                .for_each(|d| drop(black_box(rust(&engine, black_box(d)))))
        };
        measure(warm_up, run_c);
        measure(warm_up, run_rust);
        let mut results = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let (c, r) = if round % 2 == 0 {
                let c = measure(time, run_c);
                (c, measure(time, run_rust))
            } else {
                let r = measure(time, run_rust);
                (measure(time, run_c), r)
            };
            let ratio = c.as_secs_f64() / r.as_secs_f64();
            if full {
                println!(
                    "  {name}, round {}: C {:.2} µs, Rust {:.2} µs, ratio {ratio:.3}",
                    round + 1,
                    c.as_secs_f64() * 1e6,
                    r.as_secs_f64() * 1e6
                );
            }
            results.push((c, r, ratio));
        }
        let ratio = median(results.iter().map(|x| x.2).collect(), |x| *x);
        let c = median(results.iter().map(|x| x.0).collect(), Duration::as_secs_f64);
        let r = median(results.iter().map(|x| x.1).collect(), Duration::as_secs_f64);
        println!(
            "abi_validate {name}: C {:.2} µs, Rust {:.2} µs (medians); median ratio {ratio:.3} \
             (floor 1.10)",
            c.as_secs_f64() * 1e6,
            r.as_secs_f64() * 1e6
        );
    }

    // SAFETY: made above, freed once, not used afterwards.
    unsafe { bistand_engine_free(c_engine.cast_mut()) };
}
