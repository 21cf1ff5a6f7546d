//! The deployment examples (systemd unit, Containerfile) call the binary with arguments it takes:
//! each command line in them is run with `--help` appended, which clap answers only for a valid
//! subcommand and known options.

use std::path::Path;
use std::process::Command;

fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/deploy")
            .join(name),
    )
    .expect("deploy example")
}

fn accepts(arguments: &[String]) {
    let mut with_help = arguments.to_vec();
    with_help.push("--help".into());
    let output = Command::new(env!("CARGO_BIN_EXE_bistand"))
        .args(&with_help)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "bistand {arguments:?} is not a valid command line: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_systemd_unit_and_the_containerfile_use_valid_command_lines() {
    let unit = example("bistand.service");
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart=/usr/local/bin/bistand "))
        .expect("ExecStart");
    accepts(
        &exec
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>(),
    );

    let containerfile = example("Containerfile");
    let cmd = containerfile
        .lines()
        .find_map(|l| l.strip_prefix("CMD "))
        .expect("CMD");
    let cmd: Vec<String> = serde_json::from_str(cmd).expect("CMD is a JSON array");
    accepts(&cmd);
    // The commands the comments tell an operator to run.
    let mut documented = 0;
    for line in containerfile.lines().chain(unit.lines()) {
        for subcommand in ["init", "serve"] {
            if let Some((_, rest)) = line.split_once(&format!(" bistand {subcommand} ")) {
                let mut words = vec![subcommand.to_owned()];
                words.extend(
                    rest.trim_end_matches('`')
                        .split_whitespace()
                        .map(str::to_owned),
                );
                accepts(&words);
                documented += 1;
            }
        }
    }
    assert!(documented >= 3, "the examples' instructions were not found");
}
