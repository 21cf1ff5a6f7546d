//! Peak heap memory of validating one FIA document, against parsing the same bytes into a
//! `serde_json::Value`, measured with a counting global allocator.
//!
//! `cargo bench -p bistand-core --bench memory`; results go to BENCHMARKS.md.

#![allow(unsafe_code)] // a counting allocator is the one place benchmarks need it

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use bistand_core::Engine;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates to the system allocator and only adds bookkeeping.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as System.alloc.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }
    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: same contract as System.dealloc.
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes allocated above the starting level while `f` runs.
fn peak_during(f: impl FnOnce()) -> usize {
    let start = CURRENT.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - start
}

fn main() {
    let engine = Engine::new().expect("embedded definitions compile");
    let definition = engine.definition("fia", None).expect("fia");
    let documents: Vec<Vec<u8>> = bistand_core::fia::fia_documents(definition, 20261124, 100)
        .expect("generates")
        .iter()
        .map(|d| serde_json::to_vec(d).expect("serialises"))
        .collect();
    let mut sizes: Vec<usize> = documents.iter().map(Vec::len).collect();
    sizes.sort_unstable();
    let mut validate_peaks = Vec::new();
    let mut value_peaks = Vec::new();
    for document in &documents {
        validate_peaks.push(peak_during(|| {
            let report = engine.validate(Some("fia"), document).expect("parses");
            std::hint::black_box(report);
        }));
        value_peaks.push(peak_during(|| {
            let value: serde_json::Value = serde_json::from_slice(document).expect("parses");
            std::hint::black_box(value);
        }));
    }
    let engine_size = peak_during(|| {
        std::hint::black_box(Engine::new().expect("compiles"));
    });
    validate_peaks.sort_unstable();
    value_peaks.sort_unstable();
    let median = |v: &[usize]| v[v.len() / 2];
    let max = |v: &[usize]| v[v.len() - 1];
    println!(
        "documents: {} (size median {} B, max {} B)",
        documents.len(),
        median(&sizes),
        max(&sizes)
    );
    println!(
        "bistand validate: peak heap per document median {} B, max {} B",
        median(&validate_peaks),
        max(&validate_peaks)
    );
    println!(
        "serde_json::Value parse: peak heap per document median {} B, max {} B",
        median(&value_peaks),
        max(&value_peaks)
    );
    println!(
        "Engine::new (definitions compiled once, shared): peak {} B",
        engine_size
    );
}
