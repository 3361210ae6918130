//! The parking_lot-named locks, each the [`crate::lock_api`] lock over parking_lot's raw lock,
//! and their `const` constructors.

use ::parking_lot::{RawFairMutex, RawMutex, RawRwLock, RawThreadId};

use crate::class::{LockClass, Unranked};

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
