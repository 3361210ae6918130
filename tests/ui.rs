//! Compile-time behaviour of the macros: every misuse is a compile error that points at the
//! offending tokens and says what to write instead, and every documented form compiles.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
