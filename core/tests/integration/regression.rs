//! The logistic regression against statsmodels (issue 15, point 4): the same data, fitted by
//! bistand's IRLS and by statsmodels in Python (installed by `scripts/ensure-tools.sh`; the test
//! fails, never skips, without it), agree to 1e-6 in coefficients and standard errors.

use std::io::Write;
use std::process::{Command, Stdio};

use bistand_core::stats::regression::{Factor, fit};
use serde_json::{Value, json};

use crate::engine;

/// Synthetic SUE records (Swedish units such as "Söder") as a regression of the register outcome
/// "work" on gender, origin and unit.
fn data() -> (Vec<bool>, Vec<Factor>) {
    let engine = engine();
    let definition = engine.definition("sue", None).expect("sue");
    let mut outcome = Vec::new();
    let mut factors = vec![
        Factor {
            name: "kon".into(),
            levels: vec!["kvinna".into(), "man".into()],
            values: Vec::new(),
        },
        Factor {
            name: "fodelseland".into(),
            levels: ["sverige", "norden", "europa", "utanfor_europa"]
                .map(String::from)
                .to_vec(),
            values: Vec::new(),
        },
        Factor {
            name: "enhet".into(),
            levels: Vec::new(),
            values: Vec::new(),
        },
    ];
    for document in bistand_core::sue::sue_documents(definition, 15, 4000).expect("generates") {
        let a = &document["answers"];
        let (Some(work), Some(kon), Some(origin), Some(unit)) = (
            a["registeruppfoljning.arbete"].as_bool(),
            a["bakgrund.kon"].as_str(),
            a["bakgrund.fodelseland"].as_str(),
            document["unit"].as_str(),
        ) else {
            continue;
        };
        let (Some(k), Some(o)) = (
            factors[0].levels.iter().position(|l| l == kon),
            factors[1].levels.iter().position(|l| l == origin),
        ) else {
            continue;
        };
        let units = &mut factors[2].levels;
        let u = units.iter().position(|l| l == unit).unwrap_or_else(|| {
            units.push(unit.to_owned());
            units.len() - 1
        });
        outcome.push(work);
        factors[0].values.push(k);
        factors[1].values.push(o);
        factors[2].values.push(u);
    }
    (outcome, factors)
}

#[test]
fn coefficients_and_standard_errors_match_statsmodels() {
    let (outcome, factors) = data();
    assert!(factors[2].levels.iter().any(|u| u == "Söder"));
    let ours = fit(&outcome, &factors, 5).expect("the data pass the output rules");

    let input = json!({
        "outcome": outcome.iter().map(|&y| u8::from(y)).collect::<Vec<u8>>(),
        "factors": factors.iter().map(|f| json!({ "name": f.name, "levels": f.levels, "values": f.values })).collect::<Vec<Value>>(),
    });
    let script = crate::data("regression/statsmodels_logit.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/ensure-tools.sh installs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("writes");
    let output = child.wait_with_output().expect("statsmodels finishes");
    assert!(
        output.status.success(),
        "statsmodels failed (is it installed? scripts/ensure-tools.sh): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: Value = serde_json::from_slice(&output.stdout).expect("JSON from the script");
    let names: Vec<&str> = theirs["names"]
        .as_array()
        .expect("names")
        .iter()
        .map(|n| n.as_str().expect("name"))
        .collect();
    let number = |key: &str, i: usize| theirs[key][i].as_f64().expect("a number");

    let mut ours_by_name = vec![("intercept".to_owned(), ours.intercept.0, ours.intercept.1)];
    for term in &ours.terms {
        ours_by_name.push((
            format!("{}={}", term.factor, term.level),
            term.coefficient,
            term.standard_error,
        ));
    }
    assert_eq!(
        ours_by_name
            .iter()
            .map(|t| t.0.as_str())
            .collect::<Vec<_>>(),
        names,
        "the same parameters in the same order"
    );
    for (i, (name, coefficient, se)) in ours_by_name.iter().enumerate() {
        assert!(
            (coefficient - number("params", i)).abs() < 1e-6,
            "{name}: {coefficient} vs {}",
            number("params", i)
        );
        assert!(
            (se - number("bse", i)).abs() < 1e-6,
            "{name}: se {se} vs {}",
            number("bse", i)
        );
    }
    assert!(
        ours.terms
            .iter()
            .all(|t| t.interval[0] < t.odds_ratio && t.odds_ratio < t.interval[1])
    );
}
