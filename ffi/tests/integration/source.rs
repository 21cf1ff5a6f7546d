//! Rules on the crate's source that the compiler does not check by itself.

use crate::support::root;

fn source(name: &str) -> String {
    std::fs::read_to_string(root().join("ffi/src").join(name)).expect("readable source")
}

/// The code of a line, without its `//` comment.
fn code(line: &str) -> &str {
    line.split("//").next().unwrap_or_default()
}

#[test]
fn unsafe_code_and_catch_unwind_live_only_in_the_boundary() {
    let dir = root().join("ffi/src");
    for entry in std::fs::read_dir(&dir).expect("ffi/src is readable") {
        let path = entry.expect("directory entry").path();
        let name = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        if name == "boundary.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("UTF-8 source");
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for word in [
                "catch_unwind",
                "no_mangle",
                "extern \"C\"",
                "unsafe {",
                "unsafe fn",
                "unsafe impl",
            ] {
                assert!(
                    !code(line).contains(word),
                    "{name}: `{word}` outside boundary.rs: {line}"
                );
            }
        }
    }
    let lib = source("lib.rs");
    assert!(lib.contains("#![deny(unsafe_code)]"));
    assert_eq!(
        lib.matches("#[allow(unsafe_code)]").count(),
        1,
        "one module may use unsafe"
    );
    assert!(lib.contains("#[allow(unsafe_code)]\nmod boundary;"));
}

#[test]
fn every_unsafe_block_in_the_boundary_has_a_safety_comment() {
    let text = source("boundary.rs");
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !code(line).contains("unsafe {") {
            continue;
        }
        let safety = lines[i.saturating_sub(4)..i]
            .iter()
            .rev()
            .take_while(|l| !code(l).contains("unsafe {"))
            .any(|l| l.trim_start().starts_with("// SAFETY:"));
        assert!(
            safety,
            "boundary.rs:{}: unsafe block without a `// SAFETY:` comment just above",
            i + 1
        );
    }
}
