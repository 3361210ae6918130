//! Writing the suggestion at exit, when `LOCK_RANK_SUGGEST` names a file.
//!
//! A process ends through `exit` (returning from `main` calls it, and so does the `cargo test`
//! harness once its tests are done), which runs the functions registered with the C library's
//! `atexit` before the process goes: one is registered when the graph is first used. Statics are
//! never dropped, so no `Drop` could do this. A process that aborts, is killed or `_exit`s
//! writes nothing.

pub(crate) fn register() {
    if std::env::var_os("LOCK_RANK_SUGGEST").is_none() {
        return;
    }
    #[cfg(any(unix, windows))]
    {
        extern "C" {
            fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
        }
        // SAFETY: `atexit` is the C library's, linked into every Rust program on these
        // platforms, and takes a function that takes and returns nothing, as declared;
        // `write_at_exit` cannot unwind (an `extern "C"` function aborts instead).
        let _ = unsafe { atexit(write_at_exit) };
    }
}

extern "C" fn write_at_exit() {
    let Some(path) = std::env::var_os("LOCK_RANK_SUGGEST") else { return };
    let path = path.to_string_lossy().replace("%p", &std::process::id().to_string());
    if let Err(error) = std::fs::write(&path, crate::observed::suggest().to_string()) {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "lock-rank: cannot write the suggested order to {path}: {error}");
    }
}
