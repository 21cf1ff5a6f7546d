//! Integration tests of the C ABI, as one binary: the header, the bad-input matrix, the API
//! through the rlib, the C and Python examples and the .NET and Java libraries (`bindings/`)
//! against the built library.
// Calling a C ABI is unsafe by nature: these tests call the exported functions as C would.
#![allow(unsafe_code)]

mod api;
mod bindings;
mod examples;
mod header;
mod matrix;
mod source;
mod store;
mod support;
