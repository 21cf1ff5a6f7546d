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

/// The Containerfile's `HEALTHCHECK` command, as a list of words.
fn healthcheck() -> Vec<String> {
    let containerfile = example("Containerfile");
    let joined = containerfile.replace("\\\n", " ");
    let command = joined
        .lines()
        .find_map(|l| l.strip_prefix("HEALTHCHECK "))
        .and_then(|l| l.split_once("CMD "))
        .map(|(_, command)| command.trim())
        .expect("a HEALTHCHECK with CMD");
    serde_json::from_str(command).expect("CMD is a JSON array")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_container_healthcheck_asks_ready_with_the_setups_ca() {
    let service = crate::setup::Service::start(|_| {}).await;
    let mut command = healthcheck();
    assert_eq!(command[0], "curl", "{command:?}");
    // In the image the setup is /data/setup and the port 8443; here they are the test's.
    let setup = service.dir().display().to_string();
    for word in &mut command[1..] {
        if let Some(file) = word.strip_prefix("/data/setup/") {
            *word = format!("{setup}/{file}");
        } else if let Some(path) = word.strip_prefix("https://localhost:8443") {
            assert_eq!(path, "/ready", "the check asks readiness, not a port");
            *word = service.url(path);
        }
    }
    let run = |command: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            Command::new(&command[0])
                .args(&command[1..])
                .output()
                .expect("curl runs (scripts/ensure-tools.sh installs it)")
        })
    };
    let output = run(command.clone()).await.expect("joins");
    assert!(
        output.status.success(),
        "healthy service, failed check: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A service whose store cannot be read is unhealthy to the same command.
    let config = bistand_sidecar::config::Config::load(&service.created.config).expect("config");
    rusqlite::Connection::open(&config.store.path)
        .expect("open")
        .execute_batch("DROP TABLE records")
        .expect("drop the records table");
    let output = run(command).await.expect("joins");
    assert!(
        !output.status.success(),
        "an unreadable store passed the health check"
    );
    service.running.stop().await.expect("stops");
}

#[test]
fn the_container_build_context_leaves_out_build_output_and_history() {
    let ignore =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.dockerignore"))
            .expect(".dockerignore at the repository root, beside the build context");
    let entries: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    for needed in ["target/", ".git/", "fuzz/target/", "fuzz/corpus/"] {
        assert!(
            entries.contains(&needed),
            "{needed} is not in .dockerignore"
        );
    }
}
