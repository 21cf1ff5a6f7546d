//! The .NET and Java libraries (`bindings/`) are tests too: each is compiled here (Mono's `mcs`;
//! Debian's JDK 17 with its JNA and Jackson packages) and its test program runs against the
//! library cargo built for this test run. The programs call every C function through the
//! binding, with good input and bad (NULL-equivalents, invalid UTF-8, a wrong instrument, closed
//! handles), and exit non-zero on the first failed check.
//!
//! Neither runs under valgrind or the sanitizers: Mono's and the JVM's own garbage collectors and
//! JITs make valgrind's reports noise (and a JVM under valgrind takes minutes); the C examples
//! cover the library itself under both (`examples.rs`).
//!
//! A missing tool fails the test, naming the Debian package, as in `examples.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::examples::{expect_exit, lib_dir, require, require_file, work_dir};
use crate::support::root;

/// The Java libraries the binding compiles against, as Debian installs them, with their package.
const JAVA_LIBRARIES: &[(&str, &str)] = &[
    ("/usr/share/java/jna.jar", "libjna-java"),
    (
        "/usr/share/java/jackson-databind.jar",
        "libjackson2-databind-java",
    ),
    ("/usr/share/java/jackson-core.jar", "libjackson2-core-java"),
    (
        "/usr/share/java/jackson-annotations.jar",
        "libjackson2-annotations-java",
    ),
];

/// The Mono assembly the .NET binding reads JSON with (DataContractJsonSerializer).
const MONO_SERIALIZATION: (&str, &str) = (
    "/usr/lib/mono/4.5/System.Runtime.Serialization.dll",
    "libmono-system-runtime-serialization4.0-cil",
);

/// The source files under `dir` with extension `ext`, sorted.
fn sources(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Asserts a test program's output ends in its summary line and has at least `min` checks.
fn assert_passed(stdout: &str, min: usize) {
    let passed = stdout
        .lines()
        .filter(|line| line.starts_with("ok   "))
        .count();
    assert!(
        stdout.contains(&format!("{passed} checks passed")) && passed >= min,
        "{passed} checks (at least {min} expected):\n{stdout}"
    );
}

#[test]
fn dotnet_binding() {
    if !require("mcs", "mono-mcs")
        || !require("mono", "mono-runtime")
        || !require_file(MONO_SERIALIZATION.0, MONO_SERIALIZATION.1)
    {
        return;
    }
    let dir = work_dir("dotnet");
    let binding = root().join("bindings/dotnet");
    let library = dir.join("Bistand.dll");
    expect_exit(
        Command::new("mcs")
            .args([
                "-target:library",
                "-warnaserror",
                "-r:System.Runtime.Serialization",
            ])
            .arg(format!("-out:{}", library.display()))
            .args(sources(&binding.join("src"), "cs")),
        0,
    );
    let tests = dir.join("BistandTests.exe");
    expect_exit(
        Command::new("mcs")
            .args(["-warnaserror", "-r:System.Core"])
            .arg(format!("-r:{}", library.display()))
            .arg(format!("-out:{}", tests.display()))
            .arg(binding.join("tests/Tests.cs")),
        0,
    );
    let (stdout, _) = expect_exit(
        Command::new("mono")
            .arg(&tests)
            .arg(root())
            .arg(dir.join("work"))
            .arg(env!("CARGO_PKG_VERSION"))
            .env("LD_LIBRARY_PATH", lib_dir()),
        0,
    );
    assert_passed(&stdout, 190);
}

#[test]
fn java_binding() {
    if !require("javac", "openjdk-17-jdk-headless") || !require("java", "openjdk-17-jre-headless") {
        return;
    }
    for (jar, package) in JAVA_LIBRARIES {
        if !require_file(jar, package) {
            return;
        }
    }
    let dir = work_dir("java");
    let classes = dir.join("classes");
    let libraries = JAVA_LIBRARIES
        .iter()
        .map(|(jar, _)| *jar)
        .collect::<Vec<_>>()
        .join(":");
    expect_exit(
        Command::new("javac")
            .args([
                "-Xlint:all",
                "-Werror",
                "--release",
                "17",
                "-encoding",
                "UTF-8",
            ])
            .arg("-cp")
            .arg(&libraries)
            .arg("-d")
            .arg(&classes)
            .args(sources(&root().join("bindings/java/src"), "java")),
        0,
    );
    let (stdout, _) = expect_exit(
        Command::new("java")
            .arg(format!("-Djna.library.path={}", lib_dir().display()))
            .arg("-Djna.nosys=true")
            .arg("-cp")
            .arg(format!("{}:{libraries}", classes.display()))
            .arg("se.bistand.BindingTest")
            .arg(root())
            .arg(dir.join("work"))
            .arg(env!("CARGO_PKG_VERSION")),
        0,
    );
    assert_passed(&stdout, 190);
}

/// The C functions `include/bistand.h` declares: every `bistand_<name>(` in it.
fn header_functions() -> Vec<String> {
    let header = std::fs::read_to_string(root().join("include/bistand.h")).expect("header");
    let mut names: Vec<String> = header
        .match_indices("bistand_")
        .filter_map(|(start, _)| {
            let rest = &header[start..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
            rest[end..].starts_with('(').then(|| rest[..end].to_owned())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn bindings_declare_every_header_function() {
    let functions = header_functions();
    assert!(functions.len() >= 18, "{functions:?}");
    for path in [
        "bindings/dotnet/src/Native.cs",
        "bindings/java/src/main/java/se/bistand/NativeLib.java",
    ] {
        let source = std::fs::read_to_string(root().join(path)).expect(path);
        for function in &functions {
            assert!(
                source.contains(&format!(" {function}(")),
                "{path} does not declare {function}; every function of include/bistand.h \
                 belongs in each binding"
            );
        }
    }
}
