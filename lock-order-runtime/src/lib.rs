//! Runtime of [lock-rank](https://docs.rs/lock-rank): ranked lock types, the per-thread record
//! of held locks, the check at every acquire, violation reports and the registry of the declared
//! order.
//!
//! Depend on `lock-rank`, which re-exports all of this together with the `#[lock_rank]` macros.
//!
//! Checks are compiled in when this crate is built with `debug_assertions` or the `enforce`
//! feature ([`CHECKS_ENABLED`] says which); otherwise every lock is std's, unchanged.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The checker core, then what builds on it: the check, the reports, the learned order.
mod track;

mod check;
mod report;

pub mod observed;

// The declared order.
mod class;
pub mod registry;

// The lock families.
#[cfg(feature = "lock_api")]
pub mod lock_api;
#[cfg(feature = "parking_lot")]
pub mod parking_lot;
mod sync;
#[cfg(feature = "tokio")]
pub mod tokio;
mod trait_impls;

// Diagnostics: dumps, the watchdog, the signal handler.
mod diagnostics;
#[cfg(all(unix, feature = "signal"))]
pub use diagnostics::signal;
pub use diagnostics::watchdog;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use class::{class_of, ClassInfo, LockClass, RankedClass, RankedLock, Unranked};
pub use diagnostics::{assert_no_locks_held, dump, BlockedOn, Dump, HolderState, LockHolder};
pub use report::{set_policy, with_policy, Policy, Violation, ViolationKind};
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult, WaitTimeoutResult};
pub use sync::condvar::Condvar;
pub use sync::mutex::{Mutex, MutexGuard};
pub use sync::rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use sync::timed::{LockTimeout, TimedLockError, TimedLockResult};
pub use track::{Access, Acquisition, Holder, LockKind};

/// Whether acquires are checked in this build: `debug_assertions` or the `enforce` feature.
///
/// ```
/// assert_eq!(lock_rank::CHECKS_ENABLED, cfg!(debug_assertions) || cfg!(feature = "enforce"));
/// ```
pub const CHECKS_ENABLED: bool = cfg!(lock_rank_checked);

/// The locks the current thread (or async task) holds, oldest first. Empty without checks.
///
/// ```
/// use lock_rank::Mutex;
///
/// let m: Mutex<u8> = Mutex::new(0);
/// let _g = m.lock().unwrap();
/// if lock_rank::CHECKS_ENABLED {
///     assert_eq!(lock_rank::held_locks().len(), 1);
/// }
/// ```
pub fn held_locks() -> Vec<Acquisition> {
    #[cfg(lock_rank_checked)]
    {
        track::current::current_set()
            .snapshot_with_backtraces()
            .into_iter()
            .map(|(slot, backtrace)| track::slot::to_acquisition(&slot, backtrace))
            .collect()
    }
    #[cfg(not(lock_rank_checked))]
    {
        Vec::new()
    }
}
