//! Turns "debug assertions or the `enforce` feature" into one cfg, `lock_rank_checked`.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(lock_rank_checked)");
    println!("cargo::rerun-if-changed=build.rs");
    let debug = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    let enforce = std::env::var_os("CARGO_FEATURE_ENFORCE").is_some();
    if debug || enforce {
        println!("cargo::rustc-cfg=lock_rank_checked");
    }
}
