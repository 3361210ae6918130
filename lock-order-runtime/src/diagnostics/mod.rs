//! What people debugging a hung program need: who holds which lock since where, who waits for
//! what, a watchdog for long waits and deadlocks, and a signal that prints the dump.
//!
//! `dump` is the public dump; `busy` reads every set for it (checked builds only); `finding`
//! is what the watchdog reports, `watch` finds it, `watchdog` runs it on its thread.
//!
//! Everything here reads the held-lock records that checked builds keep anyway. Reading another
//! thread's record takes no lock that an acquire or release takes; the waits of async acquires
//! are read under the mutex of their list, which an async acquire holds only for a few pointer
//! updates as it begins and ends a wait. So it is safe (and cheap for the running program) to
//! call from any thread, including while the others are stuck.

#[cfg(lock_rank_checked)]
mod busy;
mod dump;
mod finding;
#[cfg(all(unix, feature = "signal"))]
pub mod signal;
#[cfg(lock_rank_checked)]
mod watch;
pub mod watchdog;

pub use dump::{assert_no_locks_held, BlockedOn, Dump, HolderState, LockHolder};

/// A snapshot of every thread's and task's held locks and blocked acquires.
///
/// Safe to call from any thread at any time, while others run or hang. Empty without checks.
/// Each thread's or task's locks are read as they were at one moment. A ranked std lock is
/// recorded just before its try, so one that is being tried can show as held by two threads at
/// once; the threads involved are then read again, after pauses of up to about 11 ms in all,
/// until their records agree.
///
/// ```
/// eprintln!("{}", lock_rank::dump());
/// ```
pub fn dump() -> Dump {
    #[cfg(lock_rank_checked)]
    {
        busy::dump()
    }
    #[cfg(not(lock_rank_checked))]
    {
        Dump::default()
    }
}

/// Who holds the lock at `address` now, found in every thread's and task's record.
pub(crate) fn holders_of(address: usize) -> Vec<LockHolder> {
    #[cfg(lock_rank_checked)]
    {
        busy::holders_of(address)
    }
    #[cfg(not(lock_rank_checked))]
    {
        let _ = address;
        Vec::new()
    }
}
