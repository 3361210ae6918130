//! `RwLock`: std's reader-writer lock with a rank, checked at every acquire.

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::{Arc, LockResult, TryLockResult};
use std::time::Duration;

use crate::check::{self, Held, RecordAt, Request};
use crate::class::{LockClass, Origin, RankedClass, Unranked};
use crate::sync::poison::{map_result, map_timed_result, map_try_result, taken};
use crate::sync::timed::{lock_timed, TimedLockResult};
use crate::track::{Access, LockKind};
use crate::trait_impls::{guard_traits, lock_traits, plain_view};

/// A reader-writer lock with a place in the lock order: `std::sync::RwLock` plus a class.
///
/// Reads and writes are both acquires of the lock's rank. A second `read` of a lock this thread
/// already reads is reported as a recursive acquisition: it deadlocks as soon as a writer queues
/// between the two reads.
///
/// ```
/// use lock_rank::{lock_rank, RwLock};
///
/// #[lock_rank(2)]
/// static CONFIG: RwLock<Vec<String>> = RwLock::new(Vec::new());
///
/// CONFIG.write().unwrap().push("verbose".into());
/// assert_eq!(CONFIG.read().unwrap().len(), 1);
/// ```
#[repr(C)] // the same layout for every `C`: a ranked lock is also its plain view
pub struct RwLock<T: ?Sized, C: LockClass = Unranked> {
    class: PhantomData<fn() -> C>,
    origin: Origin,
    inner: std::sync::RwLock<T>,
}

/// Shared access to a read-locked [`RwLock`].
///
/// ```
/// let lock: lock_rank::RwLock<i32> = lock_rank::RwLock::new(5);
/// let guard = lock.read().unwrap();
/// assert_eq!(*guard, 5);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized + 'a, C: LockClass = Unranked> {
    _held: Held,
    inner: std::sync::RwLockReadGuard<'a, T>,
    class: PhantomData<fn() -> C>,
}

/// Exclusive access to a write-locked [`RwLock`].
///
/// ```
/// let lock: lock_rank::RwLock<i32> = lock_rank::RwLock::new(5);
/// *lock.write().unwrap() += 1;
/// assert_eq!(*lock.read().unwrap(), 6);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized + 'a, C: LockClass = Unranked> {
    _held: Held,
    inner: std::sync::RwLockWriteGuard<'a, T>,
    class: PhantomData<fn() -> C>,
}

impl<T, C: LockClass> RwLock<T, C> {
    /// Creates an unlocked lock; `const`, so it can initialize a `static`.
    ///
    /// ```
    /// static NAMES: lock_rank::RwLock<Vec<&str>> = lock_rank::RwLock::new(Vec::new());
    /// NAMES.write().unwrap().push("a");
    /// ```
    #[inline]
    #[track_caller]
    pub const fn new(value: T) -> Self {
        RwLock { class: PhantomData, origin: Origin::new::<C>(), inner: std::sync::RwLock::new(value) }
    }

    /// Consumes the lock and returns the value; `Err` if it is poisoned, as std's.
    ///
    /// ```
    /// let lock: lock_rank::RwLock<i32> = lock_rank::RwLock::new(3);
    /// assert_eq!(lock.into_inner().unwrap(), 3);
    /// ```
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized, C: LockClass> RwLock<T, C> {
    /// What the lock keeps of its making: its class and, with checks, where it was made.
    #[allow(dead_code)] // read by the checks and reports
    #[inline(always)]
    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }

    #[inline(always)]
    fn request(&self, site: &'static Location<'static>, access: Access) -> Request {
        Request::new::<C, T, _>(self, &self.origin, site, LockKind::RwLock, access)
    }

    /// Locks for shared reading, blocking while a writer holds it; checked first.
    ///
    /// # Panics
    /// With checks on and the default policy: when this thread holds a lock of the same or a
    /// higher rank, or already holds this lock (read or write).
    ///
    /// ```
    /// let lock: lock_rank::RwLock<Vec<i32>> = lock_rank::RwLock::new(vec![1]);
    /// assert_eq!(lock.read().unwrap()[0], 1);
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn read(&self) -> LockResult<RwLockReadGuard<'_, T, C>> {
        let (inner, held) = check::lock_with(
            self.request(Location::caller(), Access::Shared),
            RecordAt::BeforeTry,
            || taken(self.inner.try_read()),
            || self.inner.read(),
        );
        map_result(inner, |inner| RwLockReadGuard { _held: held, inner, class: PhantomData })
    }

    /// Locks for exclusive writing, blocking while anyone holds it; checked first.
    ///
    /// # Panics
    /// As [`read`](Self::read).
    ///
    /// ```
    /// let lock: lock_rank::RwLock<Vec<i32>> = lock_rank::RwLock::new(vec![]);
    /// lock.write().unwrap().push(1);
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn write(&self) -> LockResult<RwLockWriteGuard<'_, T, C>> {
        let (inner, held) = check::lock_with(
            self.request(Location::caller(), Access::Exclusive),
            RecordAt::BeforeTry,
            || taken(self.inner.try_write()),
            || self.inner.write(),
        );
        map_result(inner, |inner| RwLockWriteGuard { _held: held, inner, class: PhantomData })
    }

    /// Locks for reading if that is possible right now. Never a violation.
    ///
    /// ```
    /// let lock: lock_rank::RwLock<i32> = lock_rank::RwLock::new(1);
    /// let _w = lock.write().unwrap();
    /// assert!(lock.try_read().is_err());
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_read(&self) -> TryLockResult<RwLockReadGuard<'_, T, C>> {
        let site = Location::caller();
        map_try_result(self.inner.try_read(), |inner| RwLockReadGuard {
            _held: check::record_try(self.request(site, Access::Shared)),
            inner,
            class: PhantomData,
        })
    }

    /// Locks for writing if that is possible right now. Never a violation.
    ///
    /// ```
    /// let lock: lock_rank::RwLock<i32> = lock_rank::RwLock::new(1);
    /// let _r = lock.read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_write(&self) -> TryLockResult<RwLockWriteGuard<'_, T, C>> {
        let site = Location::caller();
        map_try_result(self.inner.try_write(), |inner| RwLockWriteGuard {
            _held: check::record_try(self.request(site, Access::Exclusive)),
            inner,
            class: PhantomData,
        })
    }

    /// Locks for reading, waiting at most `timeout`; on timeout the error names the lock, its
    /// rank, and its holders with their acquisition sites. Never an order violation.
    ///
    /// ```
    /// use std::time::Duration;
    /// let lock: lock_rank::RwLock<u8> = lock_rank::RwLock::new(1);
    /// assert_eq!(*lock.try_read_for(Duration::from_millis(10)).unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn try_read_for(&self, timeout: Duration) -> TimedLockResult<RwLockReadGuard<'_, T, C>> {
        let request = self.request(Location::caller(), Access::Shared);
        map_timed_result(lock_timed(request, timeout, || taken(self.inner.try_read())), |inner, held| {
            RwLockReadGuard { _held: held, inner, class: PhantomData }
        })
    }

    /// Locks for writing, waiting at most `timeout`; on timeout the error names the lock, its
    /// rank, and its holders with their acquisition sites. Never an order violation.
    ///
    /// ```
    /// use std::time::Duration;
    /// let lock: lock_rank::RwLock<u8> = lock_rank::RwLock::new(1);
    /// let reader = lock.read().unwrap();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| assert!(lock.try_write_for(Duration::from_millis(10)).is_err()));
    /// });
    /// drop(reader);
    /// ```
    #[track_caller]
    pub fn try_write_for(&self, timeout: Duration) -> TimedLockResult<RwLockWriteGuard<'_, T, C>> {
        let request = self.request(Location::caller(), Access::Exclusive);
        map_timed_result(lock_timed(request, timeout, || taken(self.inner.try_write())), |inner, held| {
            RwLockWriteGuard { _held: held, inner, class: PhantomData }
        })
    }

    /// Whether a writer panicked while holding the lock, as std's.
    ///
    /// ```
    /// let lock: lock_rank::RwLock<i32> = lock_rank::RwLock::new(0);
    /// assert!(!lock.is_poisoned());
    /// ```
    #[inline]
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Clears the poisoned state, as std's.
    ///
    /// ```
    /// let lock: lock_rank::RwLock<i32> = lock_rank::RwLock::new(0);
    /// lock.clear_poison();
    /// ```
    #[inline]
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }

    /// A mutable reference to the value; no locking needed, as std's.
    ///
    /// ```
    /// let mut lock: lock_rank::RwLock<i32> = lock_rank::RwLock::new(0);
    /// *lock.get_mut().unwrap() = 2;
    /// assert_eq!(*lock.read().unwrap(), 2);
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

lock_traits!(RankedLock [T: ?Sized, C: LockClass] RwLock<T, C>, class C);

plain_view!(
    /// A ranked lock is also a lock of its plain type, `RwLock<T>`: the same lock, checked through
    /// either with its own rank and name (see [`RankedClass`]).
    ///
    /// ```
    /// use lock_rank::{lock_rank, RwLock};
    ///
    /// #[lock_rank(1)]
    /// static CONFIG: RwLock<Vec<String>> = RwLock::new(Vec::new());
    ///
    /// fn names(config: &RwLock<Vec<String>>) -> usize {
    ///     config.read().unwrap().len() // checked as `CONFIG`, rank 1
    /// }
    /// assert_eq!(names(&CONFIG), 0);
    /// ```
    [T: ?Sized, C: RankedClass] RwLock<T, C> => RwLock<T>
);

impl<T: ?Sized, C: RankedClass> RwLock<T, C> {
    /// The same lock behind the same `Arc`, as its plain type: for code that takes an
    /// `Arc<RwLock<T>>`. No allocation, no copy; the lock is still checked with its own rank.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::{lock_rank, RwLock};
    ///
    /// #[lock_rank(2)]
    /// struct Routes;
    ///
    /// let routes: Arc<RwLock<Vec<u8>, Routes>> = Arc::new(RwLock::new(vec![1]));
    /// let plain: Arc<RwLock<Vec<u8>>> = RwLock::into_plain(routes);
    /// assert_eq!(plain.read().unwrap().len(), 1);
    /// ```
    #[inline]
    pub fn into_plain(lock: Arc<Self>) -> Arc<RwLock<T>> {
        Self::plain_arc(lock)
    }
}

lock_traits!(Default, From<T> [T, C: LockClass] RwLock<T, C>);
lock_traits!(Debug [T: ?Sized + fmt::Debug, C: LockClass] RwLock<T, C>);

guard_traits!([T: ?Sized, C: LockClass] RwLockReadGuard<'_, T, C> => T);
guard_traits!([T: ?Sized, C: LockClass] RwLockWriteGuard<'_, T, C> => mut T);
