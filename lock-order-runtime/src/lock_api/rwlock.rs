//! [`RwLock`] over any [`RawRwLock`], its read, write and upgradable guards and their mapped
//! guards.

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use ::lock_api::{
    RawRwLock, RawRwLockDowngrade, RawRwLockFair, RawRwLockRecursive, RawRwLockRecursiveTimed,
    RawRwLockTimed, RawRwLockUpgrade, RawRwLockUpgradeDowngrade, RawRwLockUpgradeFair, RawRwLockUpgradeTimed,
};

use super::guard_record::GuardRecord;
use super::marker::Marker;
use super::restore_on_unwind::RestoreOnUnwind;
use super::timed::lock_timed;
use crate::check::{self, Held, RecordAt, Request};
use crate::class::{LockClass, Origin, RankedClass, Unranked};
use crate::track::{Access, LockKind};
use crate::trait_impls::{guard_traits, lock_traits, plain_view};

/// A reader-writer lock over any [`RawRwLock`] with a place in the lock order:
/// `lock_api::RwLock<R, T>` plus a class.
///
/// Reads, writes and upgradable reads are all acquires of the lock's rank. A second `read` of a
/// lock this thread already reads is reported as a recursive acquisition (it deadlocks as soon
/// as a writer queues between the two); [`read_recursive`](Self::read_recursive) is the
/// read that is allowed then.
///
/// ```
/// use lock_rank::lock_rank;
/// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
///
/// #[lock_rank(2)]
/// static CONFIG: RwLock<parking_lot::RawRwLock, Vec<String>> = RwLock::new(Vec::new());
///
/// let config = CONFIG.upgradable_read();
/// if config.is_empty() {
///     RwLockUpgradableReadGuard::upgrade(config).push("verbose".into());
/// }
/// assert_eq!(CONFIG.read().len(), 1);
/// ```
#[repr(C)] // the same layout for every `C`: a ranked lock is also its plain view
pub struct RwLock<R, T: ?Sized, C: LockClass = Unranked> {
    class: PhantomData<fn() -> C>,
    origin: Origin,
    inner: ::lock_api::RwLock<R, T>,
}

/// Shared access to a read-locked [`RwLock`].
///
/// ```
/// use lock_rank::lock_api::RwLock;
/// let lock: RwLock<parking_lot::RawRwLock, i32> = RwLock::new(5);
/// assert_eq!(*lock.read(), 5);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, R: RawRwLock, T: ?Sized + 'a, C: LockClass = Unranked> {
    record: GuardRecord,
    inner: ::lock_api::RwLockReadGuard<'a, R, T>,
    marker: Marker<C>,
}

/// Exclusive access to a write-locked [`RwLock`].
///
/// ```
/// use lock_rank::lock_api::RwLock;
/// let lock: RwLock<parking_lot::RawRwLock, i32> = RwLock::new(5);
/// *lock.write() += 1;
/// assert_eq!(*lock.read(), 6);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, R: RawRwLock, T: ?Sized + 'a, C: LockClass = Unranked> {
    record: GuardRecord,
    inner: ::lock_api::RwLockWriteGuard<'a, R, T>,
    marker: Marker<C>,
}

/// An upgradable read of an [`RwLock`]: shared with readers, exclusive against writers and other
/// upgradable reads, and upgradable to a write without letting go.
///
/// ```
/// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
/// let lock: RwLock<parking_lot::RawRwLock, i32> = RwLock::new(1);
/// let read = lock.upgradable_read();
/// let mut write = RwLockUpgradableReadGuard::upgrade(read);
/// *write = 2;
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockUpgradableReadGuard<'a, R: RawRwLockUpgrade, T: ?Sized + 'a, C: LockClass = Unranked> {
    record: GuardRecord,
    inner: ::lock_api::RwLockUpgradableReadGuard<'a, R, T>,
    marker: Marker<C>,
}

/// Shared access to part of a read-locked [`RwLock`], made by [`RwLockReadGuard::map`].
///
/// ```
/// use lock_rank::lock_api::{RwLock, RwLockReadGuard};
/// let lock: RwLock<parking_lot::RawRwLock, (u8, u8)> = RwLock::new((1, 2));
/// assert_eq!(*RwLockReadGuard::map(lock.read(), |t| &t.1), 2);
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct MappedRwLockReadGuard<'a, R: RawRwLock, T: ?Sized + 'a, C: LockClass = Unranked> {
    record: GuardRecord,
    inner: ::lock_api::MappedRwLockReadGuard<'a, R, T>,
    marker: Marker<C>,
}

/// Exclusive access to part of a write-locked [`RwLock`], made by [`RwLockWriteGuard::map`].
///
/// ```
/// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
/// let lock: RwLock<parking_lot::RawRwLock, (u8, u8)> = RwLock::new((1, 2));
/// *RwLockWriteGuard::map(lock.write(), |t| &mut t.0) = 9;
/// assert_eq!(*lock.read(), (9, 2));
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct MappedRwLockWriteGuard<'a, R: RawRwLock, T: ?Sized + 'a, C: LockClass = Unranked> {
    record: GuardRecord,
    inner: ::lock_api::MappedRwLockWriteGuard<'a, R, T>,
    marker: Marker<C>,
}

impl<R: RawRwLock, T, C: LockClass> RwLock<R, T, C> {
    /// Creates an unlocked lock; `const`, so it can initialize a `static`.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// static NAMES: RwLock<parking_lot::RawRwLock, Vec<&str>> = RwLock::new(Vec::new());
    /// NAMES.write().push("a");
    /// ```
    #[inline]
    #[track_caller]
    pub const fn new(value: T) -> Self {
        RwLock { class: PhantomData, origin: Origin::new::<C>(), inner: ::lock_api::RwLock::new(value) }
    }

    /// Consumes the lock and returns the value.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, i32> = RwLock::new(3);
    /// assert_eq!(lock.into_inner(), 3);
    /// ```
    #[inline]
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<R, T, C: LockClass> RwLock<R, T, C> {
    /// Creates an unlocked lock around a raw lock built by hand; `const`.
    ///
    /// ```
    /// use lock_rank::lock_api::{RawRwLock as _, RwLock};
    /// static L: RwLock<parking_lot::RawRwLock, u8> = RwLock::const_new(parking_lot::RawRwLock::INIT, 0);
    /// assert_eq!(*L.read(), 0);
    /// ```
    #[inline]
    #[track_caller]
    pub const fn const_new(raw_rwlock: R, value: T) -> Self {
        RwLock {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: ::lock_api::RwLock::const_new(raw_rwlock, value),
        }
    }

    /// The same as [`const_new`](Self::const_new).
    ///
    /// ```
    /// use lock_rank::lock_api::{RawRwLock as _, RwLock};
    /// let l: RwLock<parking_lot::RawRwLock, u8> = RwLock::from_raw(parking_lot::RawRwLock::INIT, 1);
    /// assert_eq!(*l.read(), 1);
    /// ```
    #[inline]
    #[track_caller]
    pub const fn from_raw(raw_rwlock: R, value: T) -> Self {
        RwLock {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: ::lock_api::RwLock::from_raw(raw_rwlock, value),
        }
    }
}

impl<R: RawRwLock, T: ?Sized, C: LockClass> RwLock<R, T, C> {
    /// What the lock keeps of its making: its class and, with checks, where it was made.
    #[allow(dead_code)] // read by the checks and reports
    #[inline(always)]
    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }

    #[inline(always)]
    fn request(&self, site: &'static Location<'static>, access: Access) -> Request {
        Request::new::<C, T, _>(&self.inner, &self.origin, site, LockKind::RwLock, access)
    }

    /// Locks for shared reading, blocking while a writer holds it; checked first.
    ///
    /// # Panics
    /// With checks on and the default policy: when this thread holds a lock of the same or a
    /// higher rank, or already holds this lock (in any way).
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, Vec<i32>> = RwLock::new(vec![1]);
    /// assert_eq!(lock.read()[0], 1);
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn read(&self) -> RwLockReadGuard<'_, R, T, C> {
        let (inner, held) = check::lock_with(
            self.request(Location::caller(), Access::Shared),
            // Recorded before its try, as std's locks are (see `RecordAt::BeforeTry`): the record's
            // stores then go out ahead of the try's atomic instruction, not between it and the
            // release's.
            RecordAt::BeforeTry,
            || self.inner.try_read(),
            || self.inner.read(),
        );
        RwLockReadGuard::new(inner, GuardRecord::new(held))
    }

    /// Locks for exclusive writing, blocking while anyone holds it; checked first.
    ///
    /// # Panics
    /// As [`read`](Self::read).
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, Vec<i32>> = RwLock::new(vec![]);
    /// lock.write().push(1);
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn write(&self) -> RwLockWriteGuard<'_, R, T, C> {
        let (inner, held) = check::lock_with(
            self.request(Location::caller(), Access::Exclusive),
            RecordAt::AfterTry,
            || self.inner.try_write(),
            || self.inner.write(),
        );
        RwLockWriteGuard::new(inner, GuardRecord::new(held))
    }

    /// Locks for reading if that is possible right now. Never a violation.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, i32> = RwLock::new(1);
    /// let w = lock.write();
    /// assert!(lock.try_read().is_none());
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, R, T, C>> {
        let site = Location::caller();
        let inner = self.inner.try_read()?;
        Some(RwLockReadGuard::new(
            inner,
            GuardRecord::new(check::record_try(self.request(site, Access::Shared))),
        ))
    }

    /// Locks for writing if that is possible right now. Never a violation.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, i32> = RwLock::new(1);
    /// let r = lock.read();
    /// assert!(lock.try_write().is_none());
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, R, T, C>> {
        let site = Location::caller();
        let inner = self.inner.try_write()?;
        Some(RwLockWriteGuard::new(
            inner,
            GuardRecord::new(check::record_try(self.request(site, Access::Exclusive))),
        ))
    }

    /// A mutable reference to the value; no locking needed.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let mut lock: RwLock<parking_lot::RawRwLock, i32> = RwLock::new(0);
    /// *lock.get_mut() = 2;
    /// assert_eq!(*lock.read(), 2);
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    /// Whether anyone holds the lock in any way right now.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, ()> = RwLock::new(());
    /// let r = lock.read();
    /// assert!(lock.is_locked());
    /// ```
    #[inline]
    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// Whether a writer holds the lock right now.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, ()> = RwLock::new(());
    /// let r = lock.read();
    /// assert!(!lock.is_locked_exclusive());
    /// ```
    #[inline]
    pub fn is_locked_exclusive(&self) -> bool {
        self.inner.is_locked_exclusive()
    }

    /// A raw pointer to the value, as lock_api's; using it is up to the caller.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// assert!(!lock.data_ptr().is_null());
    /// ```
    #[inline]
    pub fn data_ptr(&self) -> *mut T {
        self.inner.data_ptr()
    }
}

impl<R: RawRwLockTimed, T: ?Sized, C: LockClass> RwLock<R, T, C> {
    /// Locks for reading, waiting at most `timeout`. Never a violation; recorded once taken.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(0);
    /// let w = lock.write();
    /// assert!(lock.try_read_for(Duration::from_millis(1)).is_none());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_read_for(&self, timeout: R::Duration) -> Option<RwLockReadGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller(), Access::Shared),
            || self.inner.try_read(),
            || self.inner.try_read_for(timeout),
        )?;
        Some(RwLockReadGuard::new(inner, GuardRecord::new(held)))
    }

    /// Locks for reading, waiting until `deadline` at the latest. Never a violation.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(0);
    /// assert!(lock.try_read_until(Instant::now() + Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_read_until(&self, deadline: R::Instant) -> Option<RwLockReadGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller(), Access::Shared),
            || self.inner.try_read(),
            || self.inner.try_read_until(deadline),
        )?;
        Some(RwLockReadGuard::new(inner, GuardRecord::new(held)))
    }

    /// Locks for writing, waiting at most `timeout`. Never a violation; recorded once taken.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(0);
    /// let r = lock.read();
    /// assert!(lock.try_write_for(Duration::from_millis(1)).is_none());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_write_for(&self, timeout: R::Duration) -> Option<RwLockWriteGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller(), Access::Exclusive),
            || self.inner.try_write(),
            || self.inner.try_write_for(timeout),
        )?;
        Some(RwLockWriteGuard::new(inner, GuardRecord::new(held)))
    }

    /// Locks for writing, waiting until `deadline` at the latest. Never a violation.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(0);
    /// assert!(lock.try_write_until(Instant::now() + Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_write_until(&self, deadline: R::Instant) -> Option<RwLockWriteGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller(), Access::Exclusive),
            || self.inner.try_write(),
            || self.inner.try_write_until(deadline),
        )?;
        Some(RwLockWriteGuard::new(inner, GuardRecord::new(held)))
    }
}

impl<R: RawRwLockRecursive, T: ?Sized, C: LockClass> RwLock<R, T, C> {
    /// Locks for reading even if a writer is queued, when this thread already reads the lock.
    ///
    /// A read of a lock this thread already reads (or upgradably reads) is then neither a
    /// violation nor blocking, whatever else is held: it is recorded once more. Otherwise it is
    /// a blocking read, checked like [`read`](Self::read).
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let first = lock.read();
    /// let second = lock.read_recursive(); // `read` here would be reported
    /// assert_eq!(*first + *second, 2);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn read_recursive(&self) -> RwLockReadGuard<'_, R, T, C> {
        let request = self.request(Location::caller(), Access::Shared);
        #[cfg(lock_rank_checked)]
        if reads_already(request.addr) {
            let inner = self.inner.read_recursive();
            return RwLockReadGuard::new(inner, GuardRecord::new(check::record_try(request)));
        }
        let (inner, held) = check::lock_with(
            request,
            RecordAt::AfterTry,
            || self.inner.try_read_recursive(),
            || self.inner.read_recursive(),
        );
        RwLockReadGuard::new(inner, GuardRecord::new(held))
    }

    /// [`read_recursive`](Self::read_recursive) if that is possible right now. Never a violation.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let r = lock.read();
    /// assert!(lock.try_read_recursive().is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_read_recursive(&self) -> Option<RwLockReadGuard<'_, R, T, C>> {
        let site = Location::caller();
        let inner = self.inner.try_read_recursive()?;
        Some(RwLockReadGuard::new(
            inner,
            GuardRecord::new(check::record_try(self.request(site, Access::Shared))),
        ))
    }
}

impl<R: RawRwLockRecursiveTimed, T: ?Sized, C: LockClass> RwLock<R, T, C> {
    /// [`read_recursive`](Self::read_recursive), waiting at most `timeout`. Never a violation.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// assert!(lock.try_read_recursive_for(Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_read_recursive_for(&self, timeout: R::Duration) -> Option<RwLockReadGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller(), Access::Shared),
            || self.inner.try_read_recursive(),
            || self.inner.try_read_recursive_for(timeout),
        )?;
        Some(RwLockReadGuard::new(inner, GuardRecord::new(held)))
    }

    /// [`read_recursive`](Self::read_recursive), waiting until `deadline` at the latest. Never a
    /// violation.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// assert!(lock.try_read_recursive_until(Instant::now() + Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_read_recursive_until(&self, deadline: R::Instant) -> Option<RwLockReadGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller(), Access::Shared),
            || self.inner.try_read_recursive(),
            || self.inner.try_read_recursive_until(deadline),
        )?;
        Some(RwLockReadGuard::new(inner, GuardRecord::new(held)))
    }
}

impl<R: RawRwLockUpgrade, T: ?Sized, C: LockClass> RwLock<R, T, C> {
    /// Locks for an upgradable read, blocking while a writer or another upgradable reader holds
    /// it; checked first, as [`read`](Self::read).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, Vec<u8>> = RwLock::new(vec![]);
    /// let list = lock.upgradable_read();
    /// if list.is_empty() {
    ///     RwLockUpgradableReadGuard::upgrade(list).push(1);
    /// }
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn upgradable_read(&self) -> RwLockUpgradableReadGuard<'_, R, T, C> {
        let (inner, held) = check::lock_with(
            self.request(Location::caller(), Access::Upgradable),
            RecordAt::AfterTry,
            || self.inner.try_upgradable_read(),
            || self.inner.upgradable_read(),
        );
        RwLockUpgradableReadGuard::new(inner, GuardRecord::new(held))
    }

    /// An upgradable read if that is possible right now. Never a violation.
    ///
    /// ```
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(0);
    /// let first = lock.upgradable_read();
    /// assert!(lock.try_upgradable_read().is_none());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_upgradable_read(&self) -> Option<RwLockUpgradableReadGuard<'_, R, T, C>> {
        let site = Location::caller();
        let inner = self.inner.try_upgradable_read()?;
        let held = check::record_try(self.request(site, Access::Upgradable));
        Some(RwLockUpgradableReadGuard::new(inner, GuardRecord::new(held)))
    }
}

impl<R: RawRwLockUpgradeTimed, T: ?Sized, C: LockClass> RwLock<R, T, C> {
    /// An upgradable read, waiting at most `timeout`. Never a violation; recorded once taken.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(0);
    /// assert!(lock.try_upgradable_read_for(Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_upgradable_read_for(
        &self,
        timeout: R::Duration,
    ) -> Option<RwLockUpgradableReadGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller(), Access::Upgradable),
            || self.inner.try_upgradable_read(),
            || self.inner.try_upgradable_read_for(timeout),
        )?;
        Some(RwLockUpgradableReadGuard::new(inner, GuardRecord::new(held)))
    }

    /// An upgradable read, waiting until `deadline` at the latest. Never a violation.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use lock_rank::lock_api::RwLock;
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(0);
    /// assert!(lock.try_upgradable_read_until(Instant::now() + Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_upgradable_read_until(
        &self,
        deadline: R::Instant,
    ) -> Option<RwLockUpgradableReadGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller(), Access::Upgradable),
            || self.inner.try_upgradable_read(),
            || self.inner.try_upgradable_read_until(deadline),
        )?;
        Some(RwLockUpgradableReadGuard::new(inner, GuardRecord::new(held)))
    }
}

lock_traits!(RankedLock [R, T: ?Sized, C: LockClass] RwLock<R, T, C>, class C);

plain_view!(
    /// A ranked lock is also a lock of its plain type, `RwLock<R, T>`: the same lock, checked through
    /// either with its own rank and name (see [`RankedClass`]).
    ///
    /// ```
    /// use lock_rank::lock_rank;
    /// use lock_rank::parking_lot::RwLock;
    ///
    /// #[lock_rank(1)]
    /// static ROUTES: RwLock<Vec<u8>> = RwLock::new(Vec::new());
    ///
    /// fn routes(lock: &RwLock<Vec<u8>>) -> usize {
    ///     lock.read().len() // checked as `ROUTES`, rank 1
    /// }
    /// assert_eq!(routes(&ROUTES), 0);
    /// ```
    [R, T: ?Sized, C: RankedClass] RwLock<R, T, C> => RwLock<R, T>
);

impl<R, T: ?Sized, C: RankedClass> RwLock<R, T, C> {
    /// The same lock behind the same `Arc`, as its plain type: for code that takes an
    /// `Arc<RwLock<R, T>>`. No allocation, no copy; the lock is still checked with its own rank.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::{lock_rank, parking_lot::RwLock};
    ///
    /// #[lock_rank(2)]
    /// struct Routes;
    ///
    /// let routes: Arc<RwLock<Vec<u8>, Routes>> = Arc::new(RwLock::new(vec![1]));
    /// let plain: Arc<RwLock<Vec<u8>>> = RwLock::into_plain(routes);
    /// assert_eq!(plain.read().len(), 1);
    /// ```
    #[inline]
    pub fn into_plain(lock: Arc<Self>) -> Arc<RwLock<R, T>> {
        Self::plain_arc(lock)
    }
}

lock_traits!(Default, From<T> [R: RawRwLock, T, C: LockClass] RwLock<R, T, C>);
lock_traits!(Debug [R: RawRwLock, T: ?Sized + fmt::Debug, C: LockClass] RwLock<R, T, C>);

/// The parts shared by the guards of an `RwLock`: building one, and the request for re-acquiring
/// the lock it holds.
macro_rules! rwlock_guard_common {
    ($guard:ident, $raw:ident, $access:expr) => {
        impl<'a, R: $raw + 'a, T: ?Sized + 'a, C: LockClass> $guard<'a, R, T, C> {
            #[inline(always)]
            fn new(inner: ::lock_api::$guard<'a, R, T>, record: GuardRecord) -> Self {
                $guard { record, inner, marker: PhantomData }
            }

            #[inline(always)]
            fn request(&self, site: &'static Location<'static>) -> Request {
                let rwlock = ::lock_api::$guard::rwlock(&self.inner);
                Request::reacquire::<C, _>(rwlock, self.record.class(), site, LockKind::RwLock, $access)
            }

            /// The same lock, now held with `access` from `site`: the record changes, no
            /// acquire happens.
            #[inline]
            #[allow(dead_code)] // not every guard changes into every other
            fn request_as(&self, site: &'static Location<'static>, access: Access) -> Request {
                let rwlock = ::lock_api::$guard::rwlock(&self.inner);
                Request::reacquire::<C, _>(rwlock, self.record.class(), site, LockKind::RwLock, access)
            }
        }
    };
}

rwlock_guard_common!(RwLockReadGuard, RawRwLock, Access::Shared);
rwlock_guard_common!(RwLockWriteGuard, RawRwLock, Access::Exclusive);
rwlock_guard_common!(RwLockUpgradableReadGuard, RawRwLockUpgrade, Access::Upgradable);

impl<'a, R: RawRwLock + 'a, T: ?Sized + 'a, C: LockClass> RwLockReadGuard<'a, R, T, C> {
    /// Shared access to part of the data; the lock stays read-locked until it drops.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, (u8, u8)> = RwLock::new((1, 2));
    /// assert_eq!(*RwLockReadGuard::map(lock.read(), |t| &t.0), 1);
    /// ```
    #[inline]
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedRwLockReadGuard<'a, R, U, C>
    where
        F: FnOnce(&T) -> &U,
    {
        let RwLockReadGuard { record, inner, marker } = s;
        MappedRwLockReadGuard { record, inner: ::lock_api::RwLockReadGuard::map(inner, f), marker }
    }

    /// Shared access to part of the data if `f` finds it; otherwise the guard back.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, Vec<u8>> = RwLock::new(vec![3]);
    /// assert_eq!(*RwLockReadGuard::try_map(lock.read(), |v| v.first()).ok().unwrap(), 3);
    /// ```
    #[inline]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedRwLockReadGuard<'a, R, U, C>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let RwLockReadGuard { record, inner, marker } = s;
        match ::lock_api::RwLockReadGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedRwLockReadGuard { record, inner, marker }),
            Err(inner) => Err(RwLockReadGuard { record, inner, marker }),
        }
    }

    /// Runs `f` with the read lock released, then reads again; the re-acquire is checked
    /// against the locks held when `f` returns, as [`MutexGuard::unlocked`](super::MutexGuard::unlocked).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut read = lock.read();
    /// RwLockReadGuard::unlocked(&mut read, || *lock.write() = 2);
    /// assert_eq!(*read, 2);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let request = s.request(Location::caller());
        let given_up = RestoreOnUnwind::new(&mut s.record, request);
        let (value, reacquire) =
            ::lock_api::RwLockReadGuard::unlocked(&mut s.inner, || (f(), given_up.check_reacquire()));
        s.record.set(reacquire.reacquired());
        value
    }
}

impl<'a, R: RawRwLockFair + 'a, T: ?Sized + 'a, C: LockClass> RwLockReadGuard<'a, R, T, C> {
    /// Releases the read lock fairly: a waiting thread gets the lock before this one can take it
    /// again.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// RwLockReadGuard::unlock_fair(lock.read());
    /// assert!(!lock.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let RwLockReadGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::RwLockReadGuard::unlock_fair(inner);
    }

    /// [`unlocked`](Self::unlocked), releasing fairly.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut read = lock.read();
    /// RwLockReadGuard::unlocked_fair(&mut read, || {});
    /// assert_eq!(*read, 1);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let request = s.request(Location::caller());
        let given_up = RestoreOnUnwind::new(&mut s.record, request);
        let (value, reacquire) =
            ::lock_api::RwLockReadGuard::unlocked_fair(&mut s.inner, || (f(), given_up.check_reacquire()));
        s.record.set(reacquire.reacquired());
        value
    }

    /// Lets a waiting thread have the lock, then reads again; the re-acquire is checked against
    /// the other locks held, as [`MutexGuard::bump`](super::MutexGuard::bump).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut read = lock.read();
    /// RwLockReadGuard::bump(&mut read);
    /// assert_eq!(*read, 1);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn bump(s: &mut Self) {
        let request = s.request(Location::caller());
        let reacquire = RestoreOnUnwind::new(&mut s.record, request).check_reacquire();
        ::lock_api::RwLockReadGuard::bump(&mut s.inner);
        s.record.set(reacquire.reacquired());
    }
}

impl<'a, R: RawRwLock + 'a, T: ?Sized + 'a, C: LockClass> RwLockWriteGuard<'a, R, T, C> {
    /// Exclusive access to part of the data; the lock stays write-locked until it drops.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, (u8, u8)> = RwLock::new((1, 2));
    /// *RwLockWriteGuard::map(lock.write(), |t| &mut t.1) = 4;
    /// assert_eq!(lock.read().1, 4);
    /// ```
    #[inline]
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedRwLockWriteGuard<'a, R, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let RwLockWriteGuard { record, inner, marker } = s;
        MappedRwLockWriteGuard { record, inner: ::lock_api::RwLockWriteGuard::map(inner, f), marker }
    }

    /// Exclusive access to part of the data if `f` finds it; otherwise the guard back.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, Vec<u8>> = RwLock::new(vec![]);
    /// assert!(RwLockWriteGuard::try_map(lock.write(), |v| v.first_mut()).is_err());
    /// ```
    #[inline]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedRwLockWriteGuard<'a, R, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let RwLockWriteGuard { record, inner, marker } = s;
        match ::lock_api::RwLockWriteGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedRwLockWriteGuard { record, inner, marker }),
            Err(inner) => Err(RwLockWriteGuard { record, inner, marker }),
        }
    }

    /// Runs `f` with the write lock released, then writes again; the re-acquire is checked
    /// against the locks held when `f` returns, as [`MutexGuard::unlocked`](super::MutexGuard::unlocked).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut write = lock.write();
    /// let seen = RwLockWriteGuard::unlocked(&mut write, || *lock.read());
    /// *write += seen;
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let request = s.request(Location::caller());
        let given_up = RestoreOnUnwind::new(&mut s.record, request);
        let (value, reacquire) =
            ::lock_api::RwLockWriteGuard::unlocked(&mut s.inner, || (f(), given_up.check_reacquire()));
        s.record.set(reacquire.reacquired());
        value
    }
}

impl<'a, R: RawRwLockDowngrade + 'a, T: ?Sized + 'a, C: LockClass> RwLockWriteGuard<'a, R, T, C> {
    /// Turns the write lock into a read lock without letting go. Not an acquire: the lock's
    /// record changes to a read and keeps the site where the lock was acquired.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut write = lock.write();
    /// *write = 2;
    /// let read = RwLockWriteGuard::downgrade(write);
    /// assert_eq!(*read, 2);
    /// ```
    #[inline]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, R, T, C> {
        let RwLockWriteGuard { record, inner, .. } = s;
        let record = record.reaccess(Access::Shared);
        RwLockReadGuard::new(::lock_api::RwLockWriteGuard::downgrade(inner), record)
    }
}

impl<'a, R: RawRwLockUpgradeDowngrade + 'a, T: ?Sized + 'a, C: LockClass> RwLockWriteGuard<'a, R, T, C> {
    /// Turns the write lock into an upgradable read without letting go. Not an acquire: the
    /// record changes to an upgradable read and keeps its site, as [`downgrade`](Self::downgrade).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let upgradable = RwLockWriteGuard::downgrade_to_upgradable(lock.write());
    /// assert_eq!(*upgradable, 1);
    /// ```
    #[inline]
    pub fn downgrade_to_upgradable(s: Self) -> RwLockUpgradableReadGuard<'a, R, T, C> {
        let RwLockWriteGuard { record, inner, .. } = s;
        let record = record.reaccess(Access::Upgradable);
        RwLockUpgradableReadGuard::new(::lock_api::RwLockWriteGuard::downgrade_to_upgradable(inner), record)
    }
}

impl<'a, R: RawRwLockFair + 'a, T: ?Sized + 'a, C: LockClass> RwLockWriteGuard<'a, R, T, C> {
    /// Releases the write lock fairly: a waiting thread gets the lock before this one can take
    /// it again.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// RwLockWriteGuard::unlock_fair(lock.write());
    /// assert!(!lock.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let RwLockWriteGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::RwLockWriteGuard::unlock_fair(inner);
    }

    /// [`unlocked`](Self::unlocked), releasing fairly.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut write = lock.write();
    /// RwLockWriteGuard::unlocked_fair(&mut write, || {});
    /// *write = 3;
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let request = s.request(Location::caller());
        let given_up = RestoreOnUnwind::new(&mut s.record, request);
        let (value, reacquire) =
            ::lock_api::RwLockWriteGuard::unlocked_fair(&mut s.inner, || (f(), given_up.check_reacquire()));
        s.record.set(reacquire.reacquired());
        value
    }

    /// Lets a waiting thread have the lock, then writes again; the re-acquire is checked against
    /// the other locks held, as [`MutexGuard::bump`](super::MutexGuard::bump).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut write = lock.write();
    /// RwLockWriteGuard::bump(&mut write);
    /// *write = 3;
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn bump(s: &mut Self) {
        let request = s.request(Location::caller());
        let reacquire = RestoreOnUnwind::new(&mut s.record, request).check_reacquire();
        ::lock_api::RwLockWriteGuard::bump(&mut s.inner);
        s.record.set(reacquire.reacquired());
    }
}

impl<'a, R: RawRwLockUpgrade + 'a, T: ?Sized + 'a, C: LockClass> RwLockUpgradableReadGuard<'a, R, T, C> {
    /// Turns the upgradable read into a write, waiting for the other readers to leave.
    ///
    /// Not a new acquisition: the lock keeps one record, whose access becomes exclusive (and
    /// site this call). But the upgrade waits for readers, who may be waiting for a lock this
    /// thread holds, so it is checked like an acquire of the lock's rank against the *other*
    /// locks held.
    ///
    /// # Panics
    /// With checks on and the default policy: when this thread holds another lock of the same
    /// or a higher rank.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut write = RwLockUpgradableReadGuard::upgrade(lock.upgradable_read());
    /// *write = 2;
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn upgrade(s: Self) -> RwLockWriteGuard<'a, R, T, C> {
        let request = s.request_as(Location::caller(), Access::Exclusive);
        let RwLockUpgradableReadGuard { record, inner, .. } = s;
        record.end();
        let (inner, held) = lock_from(
            request,
            inner,
            ::lock_api::RwLockUpgradableReadGuard::try_upgrade,
            ::lock_api::RwLockUpgradableReadGuard::upgrade,
        );
        RwLockWriteGuard::new(inner, GuardRecord::new(held))
    }

    /// Upgrades to a write if that is possible right now; otherwise the guard back. Never a
    /// violation.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let upgradable = lock.upgradable_read();
    /// let reader = lock.try_read().unwrap(); // another reader: the upgrade would have to wait
    /// let upgradable = RwLockUpgradableReadGuard::try_upgrade(upgradable).unwrap_err();
    /// drop(reader);
    /// assert!(RwLockUpgradableReadGuard::try_upgrade(upgradable).is_ok());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_upgrade(s: Self) -> Result<RwLockWriteGuard<'a, R, T, C>, Self> {
        let request = s.request_as(Location::caller(), Access::Exclusive);
        let RwLockUpgradableReadGuard { record, inner, marker } = s;
        match ::lock_api::RwLockUpgradableReadGuard::try_upgrade(inner) {
            Ok(inner) => {
                record.end();
                Ok(RwLockWriteGuard::new(inner, GuardRecord::new(check::record_try(request))))
            }
            Err(inner) => Err(RwLockUpgradableReadGuard { record, inner, marker }),
        }
    }

    /// Runs `f` with the upgradable read released, then takes it again; the re-acquire is
    /// checked against the locks held when `f` returns, as [`MutexGuard::unlocked`](super::MutexGuard::unlocked).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut upgradable = lock.upgradable_read();
    /// RwLockUpgradableReadGuard::unlocked(&mut upgradable, || *lock.write() = 5);
    /// assert_eq!(*upgradable, 5);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let request = s.request(Location::caller());
        let given_up = RestoreOnUnwind::new(&mut s.record, request);
        let (value, reacquire) = ::lock_api::RwLockUpgradableReadGuard::unlocked(&mut s.inner, || {
            (f(), given_up.check_reacquire())
        });
        s.record.set(reacquire.reacquired());
        value
    }
}

impl<'a, R: RawRwLockUpgradeDowngrade + 'a, T: ?Sized + 'a, C: LockClass>
    RwLockUpgradableReadGuard<'a, R, T, C>
{
    /// Turns the upgradable read into a plain read without letting go. Not an acquire: the
    /// record changes to a read and keeps the site where the lock was acquired.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let read = RwLockUpgradableReadGuard::downgrade(lock.upgradable_read());
    /// assert!(lock.try_upgradable_read().is_some()); // a plain read leaves room for one
    /// # drop(read);
    /// ```
    #[inline]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, R, T, C> {
        let RwLockUpgradableReadGuard { record, inner, .. } = s;
        let record = record.reaccess(Access::Shared);
        RwLockReadGuard::new(::lock_api::RwLockUpgradableReadGuard::downgrade(inner), record)
    }

    /// Upgrades, runs `f` with write access, and downgrades back to the upgradable read.
    ///
    /// The upgrade is checked as [`upgrade`](Self::upgrade)'s is; while `f` runs the record says
    /// exclusive, and after it upgradable again.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut upgradable = lock.upgradable_read();
    /// upgradable.with_upgraded(|value| *value = 2);
    /// assert_eq!(*upgradable, 2);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn with_upgraded<Ret, F: FnOnce(&mut T) -> Ret>(&mut self, f: F) -> Ret {
        let site = Location::caller();
        let exclusive = self.request_as(site, Access::Exclusive);
        let upgradable = self.request_as(site, Access::Upgradable);
        let reacquire = RestoreOnUnwind::new(&mut self.record, exclusive).check_reacquire();
        let record = &mut self.record;
        let value = self.inner.with_upgraded(|value| {
            record.set(reacquire.reacquired());
            f(value)
        });
        self.record.release();
        self.record.set(check::record_try(upgradable));
        value
    }

    /// [`with_upgraded`](Self::with_upgraded) if the upgrade is possible right now; `None`
    /// otherwise. Never a violation.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut upgradable = lock.upgradable_read();
    /// assert_eq!(upgradable.try_with_upgraded(|value| *value + 1), Some(2));
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_with_upgraded<Ret, F: FnOnce(&mut T) -> Ret>(&mut self, f: F) -> Option<Ret> {
        let site = Location::caller();
        let exclusive = self.request_as(site, Access::Exclusive);
        let upgradable = self.request_as(site, Access::Upgradable);
        let record = &mut self.record;
        let value = self.inner.try_with_upgraded(|value| {
            record.release();
            record.set(check::record_try(exclusive));
            f(value)
        })?;
        self.record.release();
        self.record.set(check::record_try(upgradable));
        Some(value)
    }
}

impl<'a, R: RawRwLockUpgradeTimed + 'a, T: ?Sized + 'a, C: LockClass> RwLockUpgradableReadGuard<'a, R, T, C> {
    /// Upgrades to a write, waiting at most `timeout` for the other readers to leave; otherwise
    /// the guard back. Never a violation (it gives up in time).
    ///
    /// ```
    /// use std::time::Duration;
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let upgradable = lock.upgradable_read();
    /// assert!(RwLockUpgradableReadGuard::try_upgrade_for(upgradable, Duration::from_millis(1)).is_ok());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_upgrade_for(s: Self, timeout: R::Duration) -> Result<RwLockWriteGuard<'a, R, T, C>, Self> {
        s.upgrade_timed(Location::caller(), |inner| {
            ::lock_api::RwLockUpgradableReadGuard::try_upgrade_for(inner, timeout)
        })
    }

    /// Upgrades to a write, waiting until `deadline` at the latest; otherwise the guard back.
    /// Never a violation.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let upgradable = lock.upgradable_read();
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(RwLockUpgradableReadGuard::try_upgrade_until(upgradable, deadline).is_ok());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_upgrade_until(s: Self, deadline: R::Instant) -> Result<RwLockWriteGuard<'a, R, T, C>, Self> {
        s.upgrade_timed(Location::caller(), |inner| {
            ::lock_api::RwLockUpgradableReadGuard::try_upgrade_until(inner, deadline)
        })
    }

    #[inline(always)]
    fn upgrade_timed(
        self,
        site: &'static Location<'static>,
        upgrade: impl FnOnce(
            ::lock_api::RwLockUpgradableReadGuard<'a, R, T>,
        ) -> Result<
            ::lock_api::RwLockWriteGuard<'a, R, T>,
            ::lock_api::RwLockUpgradableReadGuard<'a, R, T>,
        >,
    ) -> Result<RwLockWriteGuard<'a, R, T, C>, Self> {
        let request = self.request_as(site, Access::Exclusive);
        let RwLockUpgradableReadGuard { record, inner, marker } = self;
        let pending = check::unchecked(request);
        #[cfg(lock_rank_checked)]
        let upgraded = match ::lock_api::RwLockUpgradableReadGuard::try_upgrade(inner) {
            Ok(inner) => Ok(inner),
            Err(inner) => {
                let _waiting = pending.waiting();
                upgrade(inner)
            }
        };
        #[cfg(not(lock_rank_checked))]
        let upgraded = upgrade(inner);
        match upgraded {
            Ok(inner) => {
                record.end();
                Ok(RwLockWriteGuard::new(inner, GuardRecord::new(pending.acquired())))
            }
            Err(inner) => Err(RwLockUpgradableReadGuard { record, inner, marker }),
        }
    }
}

impl<'a, R: RawRwLockUpgradeFair + 'a, T: ?Sized + 'a, C: LockClass> RwLockUpgradableReadGuard<'a, R, T, C> {
    /// Releases the upgradable read fairly.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// RwLockUpgradableReadGuard::unlock_fair(lock.upgradable_read());
    /// assert!(!lock.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let RwLockUpgradableReadGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::RwLockUpgradableReadGuard::unlock_fair(inner);
    }

    /// [`unlocked`](Self::unlocked), releasing fairly.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut upgradable = lock.upgradable_read();
    /// RwLockUpgradableReadGuard::unlocked_fair(&mut upgradable, || {});
    /// assert_eq!(*upgradable, 1);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let request = s.request(Location::caller());
        let given_up = RestoreOnUnwind::new(&mut s.record, request);
        let (value, reacquire) = ::lock_api::RwLockUpgradableReadGuard::unlocked_fair(&mut s.inner, || {
            (f(), given_up.check_reacquire())
        });
        s.record.set(reacquire.reacquired());
        value
    }

    /// Lets a waiting thread have the lock, then takes the upgradable read again; checked as
    /// [`MutexGuard::bump`](super::MutexGuard::bump).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let mut upgradable = lock.upgradable_read();
    /// RwLockUpgradableReadGuard::bump(&mut upgradable);
    /// assert_eq!(*upgradable, 1);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn bump(s: &mut Self) {
        let request = s.request(Location::caller());
        let reacquire = RestoreOnUnwind::new(&mut s.record, request).check_reacquire();
        ::lock_api::RwLockUpgradableReadGuard::bump(&mut s.inner);
        s.record.set(reacquire.reacquired());
    }
}

impl<'a, R: RawRwLock + 'a, T: ?Sized + 'a, C: LockClass> MappedRwLockReadGuard<'a, R, T, C> {
    /// Shared access to part of this part.
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, ((u8, u8), u8)> = RwLock::new(((1, 2), 3));
    /// let pair = RwLockReadGuard::map(lock.read(), |t| &t.0);
    /// assert_eq!(*MappedRwLockReadGuard::map(pair, |p| &p.1), 2);
    /// ```
    #[inline]
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedRwLockReadGuard<'a, R, U, C>
    where
        F: FnOnce(&T) -> &U,
    {
        let MappedRwLockReadGuard { record, inner, marker } = s;
        MappedRwLockReadGuard { record, inner: ::lock_api::MappedRwLockReadGuard::map(inner, f), marker }
    }

    /// Shared access to part of this part if `f` finds it; otherwise the guard back.
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, (Vec<u8>, u8)> = RwLock::new((vec![], 0));
    /// let list = RwLockReadGuard::map(lock.read(), |t| &t.0);
    /// assert!(MappedRwLockReadGuard::try_map(list, |v| v.first()).is_err());
    /// ```
    #[inline]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedRwLockReadGuard<'a, R, U, C>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let MappedRwLockReadGuard { record, inner, marker } = s;
        match ::lock_api::MappedRwLockReadGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedRwLockReadGuard { record, inner, marker }),
            Err(inner) => Err(MappedRwLockReadGuard { record, inner, marker }),
        }
    }
}

impl<'a, R: RawRwLockFair + 'a, T: ?Sized + 'a, C: LockClass> MappedRwLockReadGuard<'a, R, T, C> {
    /// Releases the read lock fairly, as [`RwLockReadGuard::unlock_fair`].
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedRwLockReadGuard, RwLock, RwLockReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, (u8, u8)> = RwLock::new((1, 2));
    /// MappedRwLockReadGuard::unlock_fair(RwLockReadGuard::map(lock.read(), |t| &t.0));
    /// assert!(!lock.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let MappedRwLockReadGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::MappedRwLockReadGuard::unlock_fair(inner);
    }
}

impl<'a, R: RawRwLock + 'a, T: ?Sized + 'a, C: LockClass> MappedRwLockWriteGuard<'a, R, T, C> {
    /// Exclusive access to part of this part.
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, ((u8, u8), u8)> = RwLock::new(((1, 2), 3));
    /// let pair = RwLockWriteGuard::map(lock.write(), |t| &mut t.0);
    /// *MappedRwLockWriteGuard::map(pair, |p| &mut p.0) = 7;
    /// assert_eq!(lock.read().0 .0, 7);
    /// ```
    #[inline]
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedRwLockWriteGuard<'a, R, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let MappedRwLockWriteGuard { record, inner, marker } = s;
        MappedRwLockWriteGuard { record, inner: ::lock_api::MappedRwLockWriteGuard::map(inner, f), marker }
    }

    /// Exclusive access to part of this part if `f` finds it; otherwise the guard back.
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, (Vec<u8>, u8)> = RwLock::new((vec![1], 0));
    /// let list = RwLockWriteGuard::map(lock.write(), |t| &mut t.0);
    /// *MappedRwLockWriteGuard::try_map(list, |v| v.first_mut()).ok().unwrap() = 2;
    /// ```
    #[inline]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedRwLockWriteGuard<'a, R, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let MappedRwLockWriteGuard { record, inner, marker } = s;
        match ::lock_api::MappedRwLockWriteGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedRwLockWriteGuard { record, inner, marker }),
            Err(inner) => Err(MappedRwLockWriteGuard { record, inner, marker }),
        }
    }
}

impl<'a, R: RawRwLockFair + 'a, T: ?Sized + 'a, C: LockClass> MappedRwLockWriteGuard<'a, R, T, C> {
    /// Releases the write lock fairly, as [`RwLockWriteGuard::unlock_fair`].
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedRwLockWriteGuard, RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, (u8, u8)> = RwLock::new((1, 2));
    /// MappedRwLockWriteGuard::unlock_fair(RwLockWriteGuard::map(lock.write(), |t| &mut t.0));
    /// assert!(!lock.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let MappedRwLockWriteGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::MappedRwLockWriteGuard::unlock_fair(inner);
    }
}

/// A blocking acquire that consumes `state` (a guard being upgraded): checked, tried, then
/// blocked with the thread marked as waiting.
#[inline(always)]
#[cfg_attr(lock_rank_checked, track_caller)]
fn lock_from<S, G>(
    request: Request,
    state: S,
    try_now: impl FnOnce(S) -> Result<G, S>,
    block: impl FnOnce(S) -> G,
) -> (G, Held) {
    let pending = check::check_blocking(request);
    #[cfg(lock_rank_checked)]
    let guard = match try_now(state) {
        Ok(guard) => guard,
        Err(state) => {
            let _waiting = pending.waiting();
            block(state)
        }
    };
    #[cfg(not(lock_rank_checked))]
    let guard = {
        let _ = try_now;
        block(state)
    };
    (guard, pending.acquired())
}

/// Whether this thread reads (or upgradably reads) the lock at `addr` already.
#[cfg(lock_rank_checked)]
fn reads_already(addr: usize) -> bool {
    let set = crate::track::current::current_set();
    set.holds(addr)
        && set
            .snapshot()
            .iter()
            .any(|held| held.addr == addr && matches!(held.access, Access::Shared | Access::Upgradable))
}

guard_traits!(['a, R: RawRwLock + 'a, T: ?Sized + 'a, C: LockClass] RwLockReadGuard<'a, R, T, C> => T);
guard_traits!(['a, R: RawRwLock + 'a, T: ?Sized + 'a, C: LockClass] RwLockWriteGuard<'a, R, T, C> => mut T);
guard_traits!(
    ['a, R: RawRwLockUpgrade + 'a, T: ?Sized + 'a, C: LockClass]
    RwLockUpgradableReadGuard<'a, R, T, C> => T
);
guard_traits!(['a, R: RawRwLock + 'a, T: ?Sized + 'a, C: LockClass] MappedRwLockReadGuard<'a, R, T, C> => T);
guard_traits!(
    ['a, R: RawRwLock + 'a, T: ?Sized + 'a, C: LockClass]
    MappedRwLockWriteGuard<'a, R, T, C> => mut T
);
