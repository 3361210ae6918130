//! `SIGUSR1` prints [`dump`](crate::dump) to stderr: `kill -USR1 <pid>` on a hung process shows
//! every thread's and task's held locks and what each is blocked on.

use std::io;

/// Installs a `SIGUSR1` handler that prints [`dump`](crate::dump) to stderr, from a small
/// background thread (nothing runs inside the signal handler itself but a wake-up).
///
/// Call it once, early in `main`. Replaces the default action of `SIGUSR1` (terminate).
///
/// ```
/// # #[cfg(unix)]
/// lock_rank::signal::dump_on_sigusr1().expect("install the SIGUSR1 handler");
/// ```
pub fn dump_on_sigusr1() -> io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGUSR1])?;
    std::thread::Builder::new().name("lock-rank-sigusr1".into()).spawn(move || {
        for _ in signals.forever() {
            eprint!("{}", crate::dump());
        }
    })?;
    Ok(())
}
