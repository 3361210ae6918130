//! Ranked locks over any [`lock_api`] raw lock: spin locks, custom raw locks, and
//! parking_lot's (which `lock_rank::parking_lot`, with the `parking_lot` feature, names for you).
//!
//! [`Mutex<R, T>`](Mutex), [`RwLock<R, T>`](RwLock) and [`ReentrantMutex<R, G, T>`](ReentrantMutex)
//! have lock_api's API (no poisoning, `lock()` returns the guard, timed and upgradable acquires,
//! `MutexGuard::map`, `unlocked`, fair unlocking) plus a class parameter `C` that carries the
//! rank, exactly as [`crate::Mutex`] does: `#[lock_rank(N)]` appends it as the last generic
//! argument, so `Mutex<R, T>` becomes `Mutex<R, T, Class>`.
//!
//! ```
//! use lock_rank::lock_rank;
//! use lock_rank::lock_api::Mutex;
//! use parking_lot::RawMutex; // any `lock_api::RawMutex` will do
//!
//! #[lock_rank(1)]
//! static ACCOUNTS: Mutex<RawMutex, Vec<u64>> = Mutex::new(Vec::new());
//! #[lock_rank(2)]
//! static LOG: Mutex<RawMutex, Vec<String>> = Mutex::new(Vec::new());
//!
//! let mut accounts = ACCOUNTS.lock(); // rank 1
//! accounts.push(100);
//! LOG.lock().push("opened".into()); // rank 2 while holding 1: in order
//! ```
//!
//! # What is checked
//! Every blocking acquire (`lock`, `read`, `write`, `upgradable_read`, `read_recursive` when this
//! thread reads the lock already excepted) is checked like [`crate::Mutex::lock`]. So is every
//! re-acquire after the lock was given up: the end of `unlocked` and `unlocked_fair` (checked
//! against what is held when the closure returns, with the `unlocked` call as its site), `bump`,
//! and an upgrade from an upgradable read to a write, which waits for the other readers to leave
//! and can deadlock with them like any acquire of the lock's rank.
//!
//! Never a violation, but recorded once taken: `try_*` acquires, and timed acquires
//! (`try_lock_for`, `try_lock_until`, `try_read_for`, `try_upgrade_for`, …). A timed acquire can
//! wait, but it gives up when its timeout passes, so it cannot keep a deadlock going for longer
//! than that; code that takes a lock out of order with a timeout usually does so on purpose, to
//! back off. While it waits, the thread shows as blocked on the lock.
//!
//! Changing how a held lock is held is not a new acquisition: an upgrade, `downgrade` and
//! `downgrade_to_upgradable` change the access of the one record the lock has. A downgrade keeps
//! the site where the lock was acquired; an upgrade, which waits and is checked, takes its own
//! call as the site. A [`ReentrantMutex`] taken again by the thread that holds it is not
//! a violation, whatever else is held, and it is not recorded a second time.
//!
//! # Guards
//! Guards are never `Send`, even over a raw lock whose guards are (`GuardSend`): the record of a
//! held lock belongs to the thread that took it. Without checks, every lock and guard is exactly
//! as big as lock_api's and compiles to it.

pub use ::lock_api::{
    GetThreadId, GuardNoSend, GuardSend, RawMutex, RawMutexFair, RawMutexTimed, RawRwLock,
    RawRwLockDowngrade, RawRwLockFair, RawRwLockRecursive, RawRwLockRecursiveTimed, RawRwLockTimed,
    RawRwLockUpgrade, RawRwLockUpgradeDowngrade, RawRwLockUpgradeFair, RawRwLockUpgradeTimed,
};

pub(crate) mod guard_record;
mod marker;
mod mutex;
mod remutex;
mod restore_on_unwind;
mod rwlock;
mod timed;

pub use mutex::{MappedMutexGuard, Mutex, MutexGuard};
pub use remutex::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
pub use rwlock::{
    MappedRwLockReadGuard, MappedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockUpgradableReadGuard,
    RwLockWriteGuard,
};
