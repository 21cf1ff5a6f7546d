//! The HTML pages opened in headless Chromium as a reader would open them (issue 17): the report
//! and the printable FIA. One browser serves every page of this file (tests/tools/browser_check.py):
//! axe-core finds no WCAG 2.1 A/AA violation, the page's tables equal the JSON, a screenshot is
//! kept under the target directory (`target/tmp/browser/`) and printing to PDF works.
//! Chromium and axe-core are installed by scripts/ensure-tools.sh; the test fails without them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bistand, generated_sue, ok, report_to};

/// Where screenshots and PDFs are kept after the test, to look at.
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("artefact dir");
    dir
}

/// One page for the browser: the HTML, the JSON it must agree with, and what kind of page it is.
struct Page {
    html: PathBuf,
    json: PathBuf,
    kind: &'static str,
    lang: &'static str,
}

/// Opens every page in one Chromium; returns per page how many values were compared.
fn check_in_browser(pages: &[Page]) -> Vec<usize> {
    let out = artefacts();
    let jobs: Vec<serde_json::Value> = pages
        .iter()
        .map(|p| {
            let stem = p.html.file_stem().and_then(|s| s.to_str()).expect("name");
            serde_json::json!({
                "html": p.html, "json": p.json, "kind": p.kind, "lang": p.lang,
                "screenshot": out.join(format!("{stem}.png")),
                "pdf": out.join(format!("{stem}.pdf")),
            })
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let jobs_file = dir.path().join("jobs.json");
    std::fs::write(&jobs_file, serde_json::to_vec(&jobs).expect("json")).expect("write");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/browser_check.py");
    let output = Command::new("python3")
        // It imports report_cells.py from beside it: no bytecode cache in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg(&script)
        .arg(&jobs_file)
        .output()
        .expect("python3 runs (scripts/ensure-tools.sh installs it, chromium and axe-core)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let counts: Vec<usize> = stdout
        .lines()
        .map(|l| {
            l.rsplit(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a count")
        })
        .collect();
    assert_eq!(counts.len(), pages.len(), "{stdout}");
    for page in pages {
        let stem = page
            .html
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name");
        let png = std::fs::read(out.join(format!("{stem}.png"))).expect("screenshot kept");
        assert!(png.starts_with(b"\x89PNG"), "{stem}: a PNG screenshot");
        let pdf = std::fs::read(out.join(format!("{stem}.pdf"))).expect("PDF kept");
        assert!(pdf.starts_with(b"%PDF"), "{stem}: a PDF");
    }
    counts
}

/// The HTML report in Swedish and English and the printable FIA in Swedish and English (versions 1
/// and 2), all in one browser.
#[test]
fn html_pages_pass_axe_match_the_json_and_print() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name);
    let keys = path("keys.json");
    ok(&bistand(
        &["keys", "generate", "--out", keys.to_str().expect("path")],
        None,
    ));
    let input = generated_sue(path("sue.ndjson"), "600", "17", false);
    let base = [
        "report",
        "--input",
        input.to_str().expect("path"),
        "--keys",
        keys.to_str().expect("path"),
        "--as-of",
        "2026-11-24",
        "--breakdown",
        "gender",
        "--breakdown",
        "unit",
    ];
    let json = path("report.json");
    std::fs::write(&json, ok(&bistand(&base, None))).expect("write");
    let mut pages = Vec::new();
    for lang in ["sv", "en"] {
        let html = path(&format!("report-{lang}.html"));
        report_to(&base, &["--format", "html", "--lang", lang], &html);
        let page = std::fs::read_to_string(&html).expect("written");
        // Charts: shares with intervals per group, and a heat map of needs against interventions.
        assert!(page.contains("<svg"), "{lang}: no chart");
        assert!(
            page.contains("<td class=\"num\">..</td>"),
            "{lang}: no protected cell"
        );
        pages.push(Page {
            html,
            json: json.clone(),
            kind: "report",
            lang,
        });
    }

    // The printable FIA: the complete example (version 1) and the same migrated to version 2,
    // in Swedish and English.
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/documents/fia-complete.json");
    let one_line = path("fia-1.ndjson");
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&example).expect("example")).expect("json");
    std::fs::write(&one_line, format!("{document}\n")).expect("write");
    let migrated = path("fia-2.json");
    std::fs::write(
        &migrated,
        ok(&bistand(&["migrate", "--to", "2"], Some(&one_line))),
    )
    .expect("write");
    for (version, file) in [("1", &example), ("2", &migrated)] {
        let file = file.to_str().expect("path");
        let json = path(&format!("fia-{version}-summary.json"));
        std::fs::write(&json, ok(&bistand(&["summary", file], None))).expect("write");
        for lang in ["sv", "en"] {
            let page = ok(&bistand(
                &[
                    "summary",
                    file,
                    "--today",
                    "2026-11-24",
                    "--format",
                    "html",
                    "--lang",
                    lang,
                ],
                None,
            ));
            // The plan as the client reads it: goals, who is responsible, follow-up dates.
            let (responsible, ranked_first) = match lang {
                "sv" => ("Klienten", "Skulder"),
                _ => ("The client", "Debts"),
            };
            for needed in [
                "Få ordning på skulderna",
                "Boka tid hos budget- och skuldrådgivare",
                responsible,
                ranked_first,
                "2027-01-11",
                "<svg",
            ] {
                assert!(page.contains(needed), "FIA {version} {lang}: no {needed:?}");
            }
            let html = path(&format!("fia-{version}-{lang}.html"));
            std::fs::write(&html, page).expect("write");
            pages.push(Page {
                html,
                json: json.clone(),
                kind: "fia",
                lang,
            });
        }
    }

    let counts = check_in_browser(&pages);
    for (page, count) in pages.iter().zip(&counts) {
        let least = if page.kind == "report" { 1000 } else { 20 };
        assert!(
            *count > least,
            "{}: only {count} values",
            page.html.display()
        );
    }
}
