//! The committed header is exactly what cbindgen makes of the current source.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("ffi/ has a parent: the workspace root")
        .to_owned()
}

/// The header as cbindgen generates it now.
fn generate() -> String {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("ffi/cbindgen.toml parses");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen understands the crate");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn header_is_up_to_date() {
    let path = root().join("include/bistand.h");
    let generated = generate();
    if std::env::var_os("BISTAND_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("include/bistand.h is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/bistand.h is out of date with ffi/src; regenerate it with\n\n    \
         BISTAND_BLESS=1 cargo test -p bistand-ffi header\n\nand commit the result"
    );
}

/// `NAME = number` pairs of an enum body in C or C# source.
fn enum_values(source: &str, open: &str) -> Vec<(String, u32)> {
    let start = source
        .find(open)
        .unwrap_or_else(|| panic!("`{open}` not found"));
    let body = &source[start..];
    let body = &body[body.find('{').expect("enum body") + 1..body.find('}').expect("enum end")];
    body.lines()
        .filter_map(|line| {
            let (name, value) = line.trim().trim_end_matches(',').split_once(" = ")?;
            Some((name.trim().to_owned(), value.trim().parse().ok()?))
        })
        .collect()
}

#[test]
fn header_status_codes_are_the_rust_ones() {
    let header = std::fs::read_to_string(root().join("include/bistand.h")).expect("header");
    let values = enum_values(&header, "enum bistand_status");
    assert_eq!(values.len(), bistand::bistand_status::ALL.len());
    for (name, number) in &values {
        let status = bistand::bistand_status::from_u32(*number).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(&format!("{status:?}"), name);
    }
}

/// `NAME(number)` constants of a Java enum body.
fn java_enum_values(source: &str) -> Vec<u32> {
    let source = &source[source.find("public enum").expect("a public enum")..];
    let body =
        &source[source.find('{').expect("enum body") + 1..source.find(';').expect("constants end")];
    body.split(',')
        .filter_map(|constant| {
            let (_, number) = constant.trim().split_once('(')?;
            number.trim_end_matches(')').parse().ok()
        })
        .collect()
}

#[test]
fn bindings_use_the_header_numbers() {
    let header = std::fs::read_to_string(root().join("include/bistand.h")).expect("header");
    let numbers =
        |values: Vec<(String, u32)>| values.into_iter().map(|(_, n)| n).collect::<Vec<_>>();
    let status = numbers(enum_values(&header, "enum bistand_status"));
    let language = numbers(enum_values(&header, "enum bistand_language"));

    let csharp = std::fs::read_to_string(root().join("bindings/dotnet/src/Status.cs"))
        .expect("the .NET binding's status");
    assert_eq!(numbers(enum_values(&csharp, "enum Status")), status);
    assert_eq!(numbers(enum_values(&csharp, "enum Language")), language);

    let java = |name: &str| {
        let path = root().join(format!(
            "bindings/java/src/main/java/se/bistand/{name}.java"
        ));
        java_enum_values(&std::fs::read_to_string(&path).expect("the Java binding's enums"))
    };
    assert_eq!(java("Status"), status);
    assert_eq!(java("Language"), language);
}
