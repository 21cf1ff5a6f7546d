//! Gives the shared library its soname on Linux, so a program linked against `libbistand.so`
//! records `libbistand.so.0` and keeps working across compatible (0.x) updates.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libbistand.so.0");
    }
}
