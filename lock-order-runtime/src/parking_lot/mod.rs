//! Ranked [parking_lot] locks: `Mutex`, `FairMutex`, `RwLock`, `ReentrantMutex` and
//! `Condvar` with parking_lot's API and a place in the lock order.
//!
//! Each lock is the [`crate::lock_api`] lock over parking_lot's raw lock, with the class last:
//! `Mutex<T, C = Unranked>` is `lock_api::Mutex<RawMutex, T, C>`, just as `parking_lot::Mutex<T>`
//! is `lock_api::Mutex<RawMutex, T>`. Switching is a `use` change; `#[lock_rank(N)]` ranks them
//! as it ranks [`crate::Mutex`]. What is checked is told in [`crate::lock_api`]: every blocking
//! acquire and re-acquire (`unlocked`, `bump`, an upgrade, the end of a [`Condvar`] wait), while
//! `try_*` and timed acquires (`try_lock_for`, `try_lock_until`, …) are recorded but never a
//! violation.
//!
//! ```
//! use lock_rank::lock_rank;
//! use lock_rank::parking_lot::{const_mutex, Mutex, RwLock};
//!
//! #[lock_rank(1)]
//! static SESSIONS: RwLock<Vec<u32>> = RwLock::new(Vec::new());
//! #[lock_rank(2)]
//! static METRICS: Mutex<u64> = const_mutex(0);
//!
//! let sessions = SESSIONS.read();
//! *METRICS.lock() += sessions.len() as u64; // rank 2 while holding 1: in order
//! ```

pub use ::parking_lot::{RawFairMutex, RawMutex, RawRwLock, RawThreadId, WaitTimeoutResult};

mod condvar;
mod locks;

pub use condvar::Condvar;
pub use locks::{
    const_fair_mutex, const_mutex, const_reentrant_mutex, const_rwlock, FairMutex, FairMutexGuard,
    MappedFairMutexGuard, MappedMutexGuard, MappedReentrantMutexGuard, MappedRwLockReadGuard,
    MappedRwLockWriteGuard, Mutex, MutexGuard, ReentrantMutex, ReentrantMutexGuard, RwLock, RwLockReadGuard,
    RwLockUpgradableReadGuard, RwLockWriteGuard,
};
