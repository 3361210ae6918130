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

use std::fmt;
use std::panic::Location;
use std::time::{Duration, Instant};

pub use ::parking_lot::{RawFairMutex, RawMutex, RawRwLock, RawThreadId, WaitTimeoutResult};

use crate::class::{LockClass, Unranked};
use crate::lock_api::{Record, Released};

/// A mutex with a place in the lock order: `parking_lot::Mutex` plus a class.
///
/// ```
/// use lock_rank::parking_lot::Mutex;
/// let m: Mutex<Vec<u8>> = Mutex::new(vec![]);
/// m.lock().push(1);
/// ```
pub type Mutex<T, C = Unranked> = crate::lock_api::Mutex<RawMutex, T, C>;

/// The guard of a locked [`Mutex`].
///
/// ```
/// use lock_rank::parking_lot::{Mutex, MutexGuard};
/// let m: Mutex<u8> = Mutex::new(1);
/// let guard: MutexGuard<'_, u8> = m.lock();
/// assert_eq!(*guard, 1);
/// ```
pub type MutexGuard<'a, T, C = Unranked> = crate::lock_api::MutexGuard<'a, RawMutex, T, C>;

/// A guard of part of a [`Mutex`]'s data.
///
/// ```
/// use lock_rank::parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
/// let m: Mutex<(u8, u8)> = Mutex::new((1, 2));
/// let second: MappedMutexGuard<'_, u8> = MutexGuard::map(m.lock(), |t| &mut t.1);
/// assert_eq!(*second, 2);
/// ```
pub type MappedMutexGuard<'a, T, C = Unranked> = crate::lock_api::MappedMutexGuard<'a, RawMutex, T, C>;

/// A mutex that is always fair, with a place in the lock order: `parking_lot::FairMutex` plus a
/// class.
///
/// ```
/// use lock_rank::parking_lot::FairMutex;
/// let m: FairMutex<u8> = FairMutex::new(0);
/// *m.lock() += 1;
/// ```
pub type FairMutex<T, C = Unranked> = crate::lock_api::Mutex<RawFairMutex, T, C>;

/// The guard of a locked [`FairMutex`].
///
/// ```
/// use lock_rank::parking_lot::{FairMutex, FairMutexGuard};
/// let m: FairMutex<u8> = FairMutex::new(1);
/// let guard: FairMutexGuard<'_, u8> = m.lock();
/// assert_eq!(*guard, 1);
/// ```
pub type FairMutexGuard<'a, T, C = Unranked> = crate::lock_api::MutexGuard<'a, RawFairMutex, T, C>;

/// A guard of part of a [`FairMutex`]'s data.
///
/// ```
/// use lock_rank::parking_lot::{FairMutex, FairMutexGuard, MappedFairMutexGuard};
/// let m: FairMutex<(u8, u8)> = FairMutex::new((1, 2));
/// let first: MappedFairMutexGuard<'_, u8> = FairMutexGuard::map(m.lock(), |t| &mut t.0);
/// assert_eq!(*first, 1);
/// ```
pub type MappedFairMutexGuard<'a, T, C = Unranked> =
    crate::lock_api::MappedMutexGuard<'a, RawFairMutex, T, C>;

/// A reader-writer lock with a place in the lock order: `parking_lot::RwLock` plus a class.
///
/// ```
/// use lock_rank::parking_lot::{RwLock, RwLockUpgradableReadGuard};
/// let lock: RwLock<Vec<u8>> = RwLock::new(vec![]);
/// let list = lock.upgradable_read();
/// if list.is_empty() {
///     RwLockUpgradableReadGuard::upgrade(list).push(1);
/// }
/// assert_eq!(lock.read().len(), 1);
/// ```
pub type RwLock<T, C = Unranked> = crate::lock_api::RwLock<RawRwLock, T, C>;

/// Shared access to a read-locked [`RwLock`].
///
/// ```
/// use lock_rank::parking_lot::{RwLock, RwLockReadGuard};
/// let lock: RwLock<u8> = RwLock::new(1);
/// let guard: RwLockReadGuard<'_, u8> = lock.read();
/// assert_eq!(*guard, 1);
/// ```
pub type RwLockReadGuard<'a, T, C = Unranked> = crate::lock_api::RwLockReadGuard<'a, RawRwLock, T, C>;

/// Exclusive access to a write-locked [`RwLock`].
///
/// ```
/// use lock_rank::parking_lot::{RwLock, RwLockWriteGuard};
/// let lock: RwLock<u8> = RwLock::new(1);
/// let mut guard: RwLockWriteGuard<'_, u8> = lock.write();
/// *guard = 2;
/// ```
pub type RwLockWriteGuard<'a, T, C = Unranked> = crate::lock_api::RwLockWriteGuard<'a, RawRwLock, T, C>;

/// An upgradable read of an [`RwLock`].
///
/// ```
/// use lock_rank::parking_lot::{RwLock, RwLockUpgradableReadGuard};
/// let lock: RwLock<u8> = RwLock::new(1);
/// let guard: RwLockUpgradableReadGuard<'_, u8> = lock.upgradable_read();
/// *RwLockUpgradableReadGuard::upgrade(guard) = 2;
/// ```
pub type RwLockUpgradableReadGuard<'a, T, C = Unranked> =
    crate::lock_api::RwLockUpgradableReadGuard<'a, RawRwLock, T, C>;

/// Shared access to part of a read-locked [`RwLock`].
///
/// ```
/// use lock_rank::parking_lot::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
/// let lock: RwLock<(u8, u8)> = RwLock::new((1, 2));
/// let first: MappedRwLockReadGuard<'_, u8> = RwLockReadGuard::map(lock.read(), |t| &t.0);
/// assert_eq!(*first, 1);
/// ```
pub type MappedRwLockReadGuard<'a, T, C = Unranked> =
    crate::lock_api::MappedRwLockReadGuard<'a, RawRwLock, T, C>;

/// Exclusive access to part of a write-locked [`RwLock`].
///
/// ```
/// use lock_rank::parking_lot::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
/// let lock: RwLock<(u8, u8)> = RwLock::new((1, 2));
/// let mut first: MappedRwLockWriteGuard<'_, u8> = RwLockWriteGuard::map(lock.write(), |t| &mut t.0);
/// *first = 3;
/// ```
pub type MappedRwLockWriteGuard<'a, T, C = Unranked> =
    crate::lock_api::MappedRwLockWriteGuard<'a, RawRwLock, T, C>;

/// A mutex the thread holding it may lock again, with a place in the lock order:
/// `parking_lot::ReentrantMutex` plus a class. See [`crate::lock_api::ReentrantMutex`].
///
/// ```
/// use lock_rank::parking_lot::ReentrantMutex;
/// let m: ReentrantMutex<u8> = ReentrantMutex::new(1);
/// let outer = m.lock();
/// let inner = m.lock(); // the same thread again: fine
/// assert_eq!(*outer, *inner);
/// ```
pub type ReentrantMutex<T, C = Unranked> = crate::lock_api::ReentrantMutex<RawMutex, RawThreadId, T, C>;

/// The guard of a locked [`ReentrantMutex`].
///
/// ```
/// use lock_rank::parking_lot::{ReentrantMutex, ReentrantMutexGuard};
/// let m: ReentrantMutex<u8> = ReentrantMutex::new(1);
/// let guard: ReentrantMutexGuard<'_, u8> = m.lock();
/// assert_eq!(*guard, 1);
/// ```
pub type ReentrantMutexGuard<'a, T, C = Unranked> =
    crate::lock_api::ReentrantMutexGuard<'a, RawMutex, RawThreadId, T, C>;

/// A guard of part of a [`ReentrantMutex`]'s data.
///
/// ```
/// use lock_rank::parking_lot::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
/// let m: ReentrantMutex<(u8, u8)> = ReentrantMutex::new((1, 2));
/// let first: MappedReentrantMutexGuard<'_, u8> = ReentrantMutexGuard::map(m.lock(), |t| &t.0);
/// assert_eq!(*first, 1);
/// ```
pub type MappedReentrantMutexGuard<'a, T, C = Unranked> =
    crate::lock_api::MappedReentrantMutexGuard<'a, RawMutex, RawThreadId, T, C>;

/// Creates a [`Mutex`] in a `const` context, as parking_lot's `const_mutex`.
///
/// ```
/// use lock_rank::lock_rank;
/// use lock_rank::parking_lot::{const_mutex, Mutex};
///
/// #[lock_rank(4)]
/// static QUEUE: Mutex<Vec<u32>> = const_mutex(Vec::new());
/// QUEUE.lock().push(1);
/// ```
#[inline]
#[track_caller]
pub const fn const_mutex<T, C: LockClass>(value: T) -> Mutex<T, C> {
    Mutex::new(value)
}

/// Creates a [`FairMutex`] in a `const` context, as parking_lot's `const_fair_mutex`.
///
/// ```
/// use lock_rank::parking_lot::{const_fair_mutex, FairMutex};
/// static TICKETS: FairMutex<u32> = const_fair_mutex(0);
/// *TICKETS.lock() += 1;
/// ```
#[inline]
#[track_caller]
pub const fn const_fair_mutex<T, C: LockClass>(value: T) -> FairMutex<T, C> {
    FairMutex::new(value)
}

/// Creates an [`RwLock`] in a `const` context, as parking_lot's `const_rwlock`.
///
/// ```
/// use lock_rank::parking_lot::{const_rwlock, RwLock};
/// static NAMES: RwLock<Vec<&str>> = const_rwlock(Vec::new());
/// NAMES.write().push("a");
/// ```
#[inline]
#[track_caller]
pub const fn const_rwlock<T, C: LockClass>(value: T) -> RwLock<T, C> {
    RwLock::new(value)
}

/// Creates a [`ReentrantMutex`] in a `const` context, as parking_lot's `const_reentrant_mutex`.
///
/// ```
/// use lock_rank::parking_lot::{const_reentrant_mutex, ReentrantMutex};
/// static DEPTH: ReentrantMutex<u8> = const_reentrant_mutex(0);
/// assert_eq!(*DEPTH.lock(), 0);
/// ```
#[inline]
#[track_caller]
pub const fn const_reentrant_mutex<T, C: LockClass>(value: T) -> ReentrantMutex<T, C> {
    ReentrantMutex::new(value)
}

/// A condition variable for [`Mutex`]es of this module: parking_lot's, with the guard passed as
/// `&mut`.
///
/// While it waits, the mutex is not held (nor recorded); the re-acquire that ends the wait is a
/// blocking acquire and is checked like one, before the wait starts: waiting on a low-ranked
/// mutex while holding a higher-ranked lock is a lock order violation. With a timeout too: the
/// re-acquire after a timeout still blocks.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use lock_rank::parking_lot::{Condvar, Mutex};
///
/// let pair: Arc<(Mutex<bool>, Condvar)> = Arc::new((Mutex::new(false), Condvar::new()));
/// let pair2 = Arc::clone(&pair);
/// thread::spawn(move || {
///     *pair2.0.lock() = true;
///     pair2.1.notify_one();
/// });
/// let mut ready = pair.0.lock();
/// pair.1.wait_while(&mut ready, |ready| !*ready);
/// assert!(*ready);
/// ```
#[derive(Default)]
pub struct Condvar {
    inner: ::parking_lot::Condvar,
}

impl Condvar {
    /// Creates a condition variable; `const`.
    ///
    /// ```
    /// static READY: lock_rank::parking_lot::Condvar = lock_rank::parking_lot::Condvar::new();
    /// READY.notify_all();
    /// ```
    #[inline]
    pub const fn new() -> Self {
        Condvar { inner: ::parking_lot::Condvar::new() }
    }

    /// Wakes one waiting thread; whether one was woken.
    ///
    /// ```
    /// assert!(!lock_rank::parking_lot::Condvar::new().notify_one());
    /// ```
    #[inline]
    pub fn notify_one(&self) -> bool {
        self.inner.notify_one()
    }

    /// Wakes every waiting thread; how many were woken.
    ///
    /// ```
    /// assert_eq!(lock_rank::parking_lot::Condvar::new().notify_all(), 0);
    /// ```
    #[inline]
    pub fn notify_all(&self) -> usize {
        self.inner.notify_all()
    }

    /// Blocks until notified, releasing the mutex meanwhile (spurious wake-ups included).
    ///
    /// # Panics
    /// With checks on and the default policy: when a lock of the same or a higher rank than the
    /// mutex is held, since re-acquiring the mutex after the wait would break the order. As
    /// parking_lot's, when the condition variable is used with two mutexes at once.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::{sync::Arc, thread};
    /// let state: Arc<(Mutex<u32>, Condvar)> = Arc::new((Mutex::new(0), Condvar::new()));
    /// let s = Arc::clone(&state);
    /// thread::spawn(move || { *s.0.lock() = 1; s.1.notify_all(); });
    /// let mut n = state.0.lock();
    /// while *n == 0 {
    ///     state.1.wait(&mut n);
    /// }
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait<T: ?Sized, C: LockClass>(&self, guard: &mut MutexGuard<'_, T, C>) {
        let released = guard.record.release_for_wait(Location::caller());
        self.inner.wait(&mut guard.inner);
        guard.record.reacquired(released);
    }

    /// Blocks until notified or `deadline` passes.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::time::{Duration, Instant};
    /// let m: Mutex<()> = Mutex::new(());
    /// let cv = Condvar::new();
    /// let mut guard = m.lock();
    /// assert!(cv.wait_until(&mut guard, Instant::now() + Duration::from_millis(1)).timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_until<T: ?Sized, C: LockClass>(
        &self,
        guard: &mut MutexGuard<'_, T, C>,
        deadline: Instant,
    ) -> WaitTimeoutResult {
        let released = guard.record.release_for_wait(Location::caller());
        let result = self.inner.wait_until(&mut guard.inner, deadline);
        guard.record.reacquired(released);
        result
    }

    /// Blocks until notified or `timeout` passes.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::time::Duration;
    /// let m: Mutex<()> = Mutex::new(());
    /// let cv = Condvar::new();
    /// let mut guard = m.lock();
    /// assert!(cv.wait_for(&mut guard, Duration::from_millis(1)).timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_for<T: ?Sized, C: LockClass>(
        &self,
        guard: &mut MutexGuard<'_, T, C>,
        timeout: Duration,
    ) -> WaitTimeoutResult {
        let released = guard.record.release_for_wait(Location::caller());
        let result = self.inner.wait_for(&mut guard.inner, timeout);
        guard.record.reacquired(released);
        result
    }

    /// Blocks while `condition` returns `true`. The condition runs with the mutex held and
    /// recorded, so locks it takes are checked against it.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::{sync::Arc, thread};
    /// let queue: Arc<(Mutex<Vec<u32>>, Condvar)> = Arc::new((Mutex::new(vec![]), Condvar::new()));
    /// let q = Arc::clone(&queue);
    /// thread::spawn(move || { q.0.lock().push(7); q.1.notify_one(); });
    /// let mut items = queue.0.lock();
    /// queue.1.wait_while(&mut items, |items| items.is_empty());
    /// assert_eq!(items[0], 7);
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_while<T: ?Sized, C: LockClass, F>(&self, guard: &mut MutexGuard<'_, T, C>, condition: F)
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let crate::lock_api::MutexGuard { record, inner, .. } = guard;
        let mut released = None;
        self.inner.wait_while(inner, recorded(record, &mut released, site, condition));
        if let Some(released) = released {
            record.reacquired(released);
        }
    }

    /// Blocks while `condition` returns `true`, until `deadline` at the latest.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::time::{Duration, Instant};
    /// let m: Mutex<bool> = Mutex::new(false);
    /// let cv = Condvar::new();
    /// let mut ready = m.lock();
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(cv.wait_while_until(&mut ready, |r| !*r, deadline).timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_while_until<T: ?Sized, C: LockClass, F>(
        &self,
        guard: &mut MutexGuard<'_, T, C>,
        condition: F,
        deadline: Instant,
    ) -> WaitTimeoutResult
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let crate::lock_api::MutexGuard { record, inner, .. } = guard;
        let mut released = None;
        let result =
            self.inner.wait_while_until(inner, recorded(record, &mut released, site, condition), deadline);
        if let Some(released) = released {
            record.reacquired(released);
        }
        result
    }

    /// Blocks while `condition` returns `true`, for at most `timeout`.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::time::Duration;
    /// let m: Mutex<bool> = Mutex::new(false);
    /// let cv = Condvar::new();
    /// let mut ready = m.lock();
    /// assert!(cv.wait_while_for(&mut ready, |r| !*r, Duration::from_millis(1)).timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_while_for<T: ?Sized, C: LockClass, F>(
        &self,
        guard: &mut MutexGuard<'_, T, C>,
        condition: F,
        timeout: Duration,
    ) -> WaitTimeoutResult
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let crate::lock_api::MutexGuard { record, inner, .. } = guard;
        let mut released = None;
        let result =
            self.inner.wait_while_for(inner, recorded(record, &mut released, site, condition), timeout);
        if let Some(released) = released {
            record.reacquired(released);
        }
        result
    }
}

/// Wraps a wait condition so the mutex is recorded while it runs and given up (with the
/// re-acquire checked, requested at `site`) before each wait it asks for.
fn recorded<'r, T: ?Sized>(
    record: &'r mut Record,
    released: &'r mut Option<Released>,
    site: &'static Location<'static>,
    mut condition: impl FnMut(&mut T) -> bool + 'r,
) -> impl FnMut(&mut T) -> bool + 'r {
    move |value| {
        if let Some(previous) = released.take() {
            record.reacquired(previous);
        }
        let wait = condition(value);
        if wait {
            *released = Some(record.release_for_wait(site));
        }
        wait
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}
