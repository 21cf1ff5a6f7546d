//! The examples are tests: the C examples (validate, report, threads) are built with `-Wall -Wextra -Wpedantic -Werror`
//! against the library cargo built for this test run, run plainly, under AddressSanitizer and
//! UndefinedBehaviorSanitizer and under valgrind; the header compiles alone as C99 and C++17; the
//! Python (ctypes) example runs; `ffi/install.sh` installs into a temporary prefix
//! and a program builds from `pkg-config --cflags --libs bistand`, shared and static.
//!
//! A missing tool fails the test, naming the Debian package (`scripts/ensure-tools.sh` installs
//! them all); outside CI, `BISTAND_SKIP_MISSING_TOOLS=1` turns that into a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::support::root;

const C_FLAGS: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror"];
const SANITIZE: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
    "-g",
];
/// What the sanitizers and valgrind print when they find something.
const SANITIZER_REPORTS: &[&str] = &[
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "SUMMARY: UndefinedBehaviorSanitizer",
];
/// Exit status the sanitizers use on a finding, apart from the examples' own 0, 1 and 2.
const SANITIZER_EXIT: i32 = 86;

/// Whether `tool` is on PATH. If not: fails in CI or unless BISTAND_SKIP_MISSING_TOOLS=1, naming
/// the Debian package; otherwise says the test is skipped.
pub(crate) fn require(tool: &str, package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    present(found, &format!("`{tool}`"), package)
}

/// As [`require`], for a file a package installs (a Java library, a Mono assembly).
pub(crate) fn require_file(path: &str, package: &str) -> bool {
    present(Path::new(path).is_file(), path, package)
}

fn present(found: bool, what: &str, package: &str) -> bool {
    if found {
        return true;
    }
    let hint = format!(
        "{what} is missing: install the Debian package `{package}` (scripts/ensure-tools.sh \
         installs every tool these tests need)"
    );
    if std::env::var_os("CI").is_some() {
        panic!("{hint}");
    }
    if std::env::var("BISTAND_SKIP_MISSING_TOOLS").as_deref() == Ok("1") {
        eprintln!("skipped: {hint}");
        return false;
    }
    panic!("{hint}; or set BISTAND_SKIP_MISSING_TOOLS=1 to skip tests that need it");
}

/// The directory holding the `libbistand.so` cargo built for this test run: beside the test
/// binary (`target/<profile>/deps`). Building an integration test builds the library with all
/// its crate types, the cdylib included.
fn built_library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let deps = exe
        .parent()
        .expect("the test binary is in a directory")
        .to_owned();
    for file in ["libbistand.so", "libbistand.a"] {
        assert!(
            deps.join(file).is_file(),
            "{} not found beside the test binary; build the library with `cargo build -p bistand-ffi`",
            deps.join(file).display()
        );
    }
    deps
}

/// A directory of this test run where the library is also reachable as `libbistand.so.0`, its
/// soname, which is what programs linked against it look for at run time.
pub(crate) fn lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let built = built_library_dir();
        let dir = work_dir("lib");
        for name in ["libbistand.so", "libbistand.so.0"] {
            let link = dir.join(name);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(built.join("libbistand.so"), &link)
                .unwrap_or_else(|e| panic!("{}: {e}", link.display()));
        }
        dir
    })
}

/// A fresh directory for one test's files.
pub(crate) fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bistand-examples")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `command`, expecting exit status `code`; returns stdout and stderr.
#[track_caller]
pub(crate) fn expect_exit(command: &mut Command, code: i32) -> (String, String) {
    let output = run(command);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(
        output.status.code(),
        Some(code),
        "{command:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    (stdout, stderr)
}

/// Compiles a C example against the library; `extra` are further flags.
fn build_c(source: &str, out: &Path, extra: &[&str]) {
    let lib = lib_dir();
    let mut cc = Command::new("cc");
    cc.args(C_FLAGS)
        .args(extra)
        .arg("-I")
        .arg(root().join("include"))
        .arg(root().join("examples/c").join(source))
        .arg("-L")
        .arg(lib)
        .arg("-lbistand")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-o")
        .arg(out);
    expect_exit(&mut cc, 0);
}

fn fia(path: &str) -> PathBuf {
    root().join("tests/data/fia").join(path)
}

/// Documents in the three folders, for the examples' command lines.
fn fixture_files(folder: &str) -> Vec<PathBuf> {
    crate::support::documents(folder)
        .into_iter()
        .map(|(name, _)| fia(&format!("{folder}/{name}")))
        .collect()
}

/// `exe`, or `exe` run by the tool in `wrap` (e.g. valgrind and its options).
fn wrapped(exe: &Path, wrap: &[&str]) -> Command {
    match wrap.split_first() {
        Some((tool, options)) => {
            let mut command = Command::new(tool);
            command.args(options).arg(exe);
            command
        }
        None => Command::new(exe),
    }
}

/// The validate example on valid, invalid and malformed documents, with the exit statuses and
/// output the example promises. `wrap` runs it under a tool (empty: directly).
fn exercise_validate(exe: &Path, wrap: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let command = |files: &[PathBuf]| {
        let mut command = wrapped(exe, wrap);
        command
            .args(["--lang", "en"])
            .args(files)
            .envs(env.iter().copied());
        command
    };
    let mut stderrs = Vec::new();

    let (stdout, stderr) = expect_exit(&mut command(&fixture_files("valid")), 0);
    assert!(
        stdout.contains("complete.json: valid (0 errors, 0 warnings)"),
        "{stdout}"
    );
    stderrs.push(stderr);

    let (stdout, stderr) = expect_exit(&mut command(&fixture_files("invalid")), 1);
    assert!(
        stdout.contains("wrong_type.json: not valid (1 errors"),
        "{stdout}"
    );
    assert!(stdout.contains(r#""code":"wrong_type""#), "{stdout}");
    stderrs.push(stderr);

    // Options before the files: `--lang en --profile P FILE`.
    let mut with_profile = command(&[]);
    with_profile
        .arg("--profile")
        .arg(fia("invalid/profile.json"))
        .arg(fia("invalid/hidden_item_present.json"));
    let (stdout, stderr) = expect_exit(&mut with_profile, 1);
    assert!(
        stdout.contains(r#""code":"hidden_item_present""#),
        "{stdout}"
    );
    stderrs.push(stderr);

    let (_, stderr) = expect_exit(&mut command(&fixture_files("malformed")), 2);
    assert!(
        stderr.contains(
            "not_json.json: the input is not well-formed JSON (201): malformed JSON at line 1"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown_instrument.json: unknown instrument (205)"),
        "{stderr}"
    );
    stderrs.push(stderr);
    stderrs
}

/// The threads example: `threads` threads, `rounds` rounds over four documents.
fn exercise_threads(
    exe: &Path,
    wrap: &[&str],
    env: &[(&str, &str)],
    threads: u32,
    rounds: u32,
) -> String {
    let mut command = wrapped(exe, wrap);
    command
        .arg(threads.to_string())
        .arg(rounds.to_string())
        .args([
            fia("valid/complete.json"),
            fia("valid/draft.json"),
            fia("invalid/wrong_type.json"),
            fia("invalid/date_order.json"),
        ])
        .envs(env.iter().copied());
    let (stdout, stderr) = expect_exit(&mut command, 0);
    assert!(stdout.contains(": 0 failures"), "{stdout}");
    stderr
}

/// Keys for the report example, as `bistand keys generate` writes them.
const REPORT_KEYS: &str = r#"{"pseudonym_key": {"id": "p1", "secret_hex": "0101010101010101010101010101010101010101010101010101010101010101"},
  "data_keys": [{"id": "k1", "secret_hex": "0202020202020202020202020202020202020202020202020202020202020202"}],
  "active_data_key": "k1",
  "statistics_key": {"id": "s1", "secret_hex": "5151515151515151515151515151515151515151515151515151515151515151"}}"#;

/// The report example on the SUE report fixture: exact counts when asked (`--exact`), with the
/// title, record and person counts and the equality table by gender with suppressed cells as
/// "–"; perturbed counts with `--keys`; refused with neither; then a bad date, which the library
/// refuses.
fn exercise_report(exe: &Path, wrap: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let records = root().join("tests/data/sue/report/records.ndjson");
    let keys = exe.with_file_name("keys.json");
    std::fs::write(&keys, REPORT_KEYS).expect("keys written");
    let command = |lang: &str, how: &[&std::ffi::OsStr], date: &str| {
        let mut command = wrapped(exe, wrap);
        command
            .args(["--lang", lang])
            .args(how)
            .arg(&records)
            .arg(date)
            .envs(env.iter().copied());
        command
    };
    let exact = [std::ffi::OsStr::new("--exact")];
    let keyed = [std::ffi::OsStr::new("--keys"), keys.as_os_str()];
    let mut stderrs = Vec::new();

    let (stdout, stderr) = expect_exit(&mut command("sv", &exact, "2026-11-24"), 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.get(..4),
        Some(
            &[
                "Systematisk uppföljning inom ekonomiskt bistånd (SUE): gruppresultat",
                "records: 400, persons: 400 (skipped: 0 unreadable lines, 0 documents with errors)",
                "counts: exact (for the data owner only, not for publication)",
                "equality.gender:",
            ][..]
        ),
        "{stdout}"
    );
    let table = &lines[4..];
    assert_eq!(table.len(), 18, "two genders × nine measures:\n{stdout}");
    assert!(
        table.iter().any(|l| l.starts_with("  Kvinnor")
            && l.contains("Aktiverade")
            && l.ends_with("(0.5900)")),
        "{stdout}"
    );
    assert!(
        table
            .iter()
            .any(|l| l.starts_with("  Män") && l.ends_with(" –")),
        "a suppressed cell is a dash:\n{stdout}"
    );
    stderrs.push(stderr);

    let (stdout, stderr) = expect_exit(&mut command("en", &keyed, "2026-11-24"), 0);
    assert!(
        stdout.starts_with("Systematic follow-up in social assistance (SUE): group results\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\ncounts: perturbed by at most 2\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  Women "), "{stdout}");
    stderrs.push(stderr);

    // Neither keys nor --exact: the library refuses to make the report.
    let (_, stderr) = expect_exit(&mut command("en", &[], "2026-11-24"), 2);
    assert!(
        stderr.contains("(103): a report over NDJSON is perturbed and needs `keys_json`"),
        "{stderr}"
    );
    stderrs.push(stderr);

    let (_, stderr) = expect_exit(&mut command("en", &exact, "2026-02-30"), 2);
    assert!(
        stderr.contains("(103): `options.as_of` is not a date"),
        "{stderr}"
    );
    stderrs.push(stderr);
    stderrs
}

#[track_caller]
fn assert_clean(stderr: &str) {
    for report in SANITIZER_REPORTS {
        assert!(!stderr.contains(report), "{report}:\n{stderr}");
    }
}

#[test]
fn c_header_compiles_alone_as_c99_and_cxx17() {
    if !require("cc", "gcc") || !require("g++", "g++") {
        return;
    }
    let header = root().join("include/bistand.h");
    expect_exit(
        Command::new("cc")
            .args(C_FLAGS)
            .args(["-fsyntax-only", "-x", "c"])
            .arg(&header),
        0,
    );
    expect_exit(
        Command::new("g++")
            .args([
                "-std=c++17",
                "-fsyntax-only",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-x",
                "c++",
            ])
            .arg(&header),
        0,
    );
}

#[test]
fn c_validate_example() {
    if !require("cc", "gcc") {
        return;
    }
    let exe = work_dir("validate").join("validate");
    build_c("validate.c", &exe, &[]);
    exercise_validate(&exe, &[], &[]);
}

#[test]
fn c_report_example() {
    if !require("cc", "gcc") {
        return;
    }
    let exe = work_dir("report").join("report");
    build_c("report.c", &exe, &[]);
    exercise_report(&exe, &[], &[]);
}

#[test]
fn c_threads_example() {
    if !require("cc", "gcc") {
        return;
    }
    let exe = work_dir("threads").join("threads");
    build_c("threads.c", &exe, &["-pthread"]);
    exercise_threads(&exe, &[], &[], 8, 25);
}

#[test]
fn c_examples_under_address_and_undefined_behavior_sanitizers() {
    if !require("cc", "gcc") {
        return;
    }
    let dir = work_dir("sanitizers");
    let (validate, threads, report) = (
        dir.join("validate"),
        dir.join("threads"),
        dir.join("report"),
    );
    build_c("validate.c", &validate, SANITIZE);
    build_c("report.c", &report, SANITIZE);
    build_c("threads.c", &threads, &[SANITIZE, &["-pthread"]].concat());
    let asan = format!("detect_leaks=1:exitcode={SANITIZER_EXIT}");
    let ubsan = format!("print_stacktrace=1:halt_on_error=1:exitcode={SANITIZER_EXIT}");
    let env = [
        ("ASAN_OPTIONS", asan.as_str()),
        ("UBSAN_OPTIONS", ubsan.as_str()),
    ];
    for stderr in exercise_validate(&validate, &[], &env) {
        assert_clean(&stderr);
    }
    for stderr in exercise_report(&report, &[], &env) {
        assert_clean(&stderr);
    }
    assert_clean(&exercise_threads(&threads, &[], &env, 4, 10));
}

#[test]
fn c_examples_under_valgrind() {
    if !require("cc", "gcc") || !require("valgrind", "valgrind") {
        return;
    }
    let dir = work_dir("valgrind");
    let (validate, threads, report) = (
        dir.join("validate"),
        dir.join("threads"),
        dir.join("report"),
    );
    build_c("validate.c", &validate, &["-g"]);
    build_c("report.c", &report, &["-g"]);
    build_c("threads.c", &threads, &["-g", "-pthread"]);
    // Exit status 1 is also the example's "has error findings"; valgrind's reports (lines
    // starting with ==PID==, printed only on a finding with -q) settle it.
    let valgrind = [
        "valgrind",
        "-q",
        "--error-exitcode=1",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite",
    ];
    let is_report = |line: &str| line.starts_with("==") && line[2..].contains("==");
    for stderr in exercise_validate(&validate, &valgrind, &[]) {
        assert!(!stderr.lines().any(is_report), "valgrind:\n{stderr}");
    }
    for stderr in exercise_report(&report, &valgrind, &[]) {
        assert!(!stderr.lines().any(is_report), "valgrind:\n{stderr}");
    }
    let stderr = exercise_threads(&threads, &valgrind, &[], 4, 3);
    assert!(!stderr.lines().any(is_report), "valgrind:\n{stderr}");
}

#[test]
fn python_example() {
    if !require("python3", "python3") {
        return;
    }
    let lib = lib_dir().join("libbistand.so");
    let script = root().join("examples/python/validate.py");
    let (stdout, _) = expect_exit(
        Command::new("python3")
            .arg(&script)
            .args(["--lang", "en"])
            .args(fixture_files("valid"))
            .arg(fia("invalid/wrong_type.json"))
            .env("BISTAND_LIB", &lib),
        1,
    );
    assert!(
        stdout.contains("complete.json: valid (0 errors, 0 warnings)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("wrong_type.json: not valid (1 errors"),
        "{stdout}"
    );
    assert!(
        stdout.contains("error   wrong_type           arbete.har_arbetat: Wrong type of answer"),
        "{stdout}"
    );
    let (_, stderr) = expect_exit(
        Command::new("python3")
            .arg(&script)
            .args([
                "--lang",
                "sv",
                fia("malformed/not_json.json").to_str().expect("UTF-8 path"),
            ])
            .env("BISTAND_LIB", &lib),
        2,
    );
    assert!(
        stderr.contains("felaktig JSON på rad 1") && stderr.contains("(status 201)"),
        "{stderr}"
    );
}

#[test]
fn install_script_and_pkg_config() {
    if !require("cc", "gcc")
        || !require("pkg-config", "pkg-config")
        || !require("readelf", "binutils")
    {
        return;
    }
    let dir = work_dir("install");
    let prefix = dir.join("prefix");
    expect_exit(
        Command::new("bash")
            .arg(root().join("ffi/install.sh"))
            .arg(&prefix)
            .env("BISTAND_LIB_DIR", built_library_dir()),
        0,
    );
    let lib = prefix.join("lib");
    let version = env!("CARGO_PKG_VERSION");
    assert!(lib.join(format!("libbistand.so.{version}")).is_file());
    assert_eq!(
        std::fs::read_link(lib.join("libbistand.so.0")).ok(),
        Some(PathBuf::from(format!("libbistand.so.{version}")))
    );
    assert_eq!(
        std::fs::read_link(lib.join("libbistand.so")).ok(),
        Some(PathBuf::from("libbistand.so.0"))
    );
    assert!(lib.join("libbistand.a").is_file());
    assert!(prefix.join("include/bistand.h").is_file());

    let pkg_config = |args: &[&str]| {
        let (stdout, _) = expect_exit(
            Command::new("pkg-config")
                .args(args)
                .arg("bistand")
                .env("PKG_CONFIG_PATH", lib.join("pkgconfig")),
            0,
        );
        stdout
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(pkg_config(&["--modversion"]), [version]);
    let flags = pkg_config(&["--cflags", "--libs"]);
    assert!(flags.contains(&"-lbistand".to_owned()), "{flags:?}");

    // Shared: the program records the soname and loads it from the prefix.
    let shared = dir.join("validate-shared");
    expect_exit(
        Command::new("cc")
            .args(C_FLAGS)
            .arg(root().join("examples/c/validate.c"))
            .args(&flags)
            .arg(format!("-Wl,-rpath,{}", lib.display()))
            .arg("-o")
            .arg(&shared),
        0,
    );
    let (dynamic, _) = expect_exit(Command::new("readelf").arg("-d").arg(&shared), 0);
    assert!(
        dynamic.contains("Shared library: [libbistand.so.0]"),
        "{dynamic}"
    );
    let (stdout, _) = expect_exit(Command::new(&shared).arg(fia("valid/complete.json")), 0);
    assert!(stdout.contains("valid (0 errors"), "{stdout}");

    // Static: libbistand.a plus the system libraries pkg-config lists as private.
    let statik = dir.join("validate-static");
    let private: Vec<String> = pkg_config(&["--static", "--libs"])
        .into_iter()
        .filter(|flag| flag != "-lbistand" && !flag.starts_with("-L"))
        .collect();
    expect_exit(
        Command::new("cc")
            .args(C_FLAGS)
            .args(pkg_config(&["--cflags"]))
            .arg(root().join("examples/c/validate.c"))
            .arg(lib.join("libbistand.a"))
            .args(&private)
            .arg("-o")
            .arg(&statik),
        0,
    );
    let (dynamic, _) = expect_exit(Command::new("readelf").arg("-d").arg(&statik), 0);
    assert!(!dynamic.contains("libbistand"), "{dynamic}");
    let (stdout, _) = expect_exit(Command::new(&statik).arg(fia("valid/draft.json")), 0);
    assert!(stdout.contains("draft.json: valid"), "{stdout}");
}
