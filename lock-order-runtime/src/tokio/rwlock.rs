//! `lock_rank::tokio::RwLock`: tokio's async reader-writer lock with a rank, checked per task.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use super::acquire::Acquiring;
use super::owned_borrow::borrow_for_guard;
use crate::check::{self, Held, Request};
use crate::class::{LockClass, Origin, RankedClass, Unranked};
use crate::sync::timed::LockTimeout;
use crate::track::{Access, LockKind};
use crate::trait_impls::{guard_traits, lock_traits, plain_view};
use ::tokio::sync::TryLockError;

type Inner<T> = ::tokio::sync::RwLock<T>;

/// An async reader-writer lock with a place in the lock order: `tokio::sync::RwLock` plus a
/// class.
///
/// Reads and writes are both acquires of the lock's rank, checked when called against the locks
/// the current task holds. A second `read` of a lock the task already reads is a recursive
/// acquisition: tokio's lock is fair, so it waits forever as soon as a writer queues between
/// the two reads.
///
/// ```
/// use lock_rank::lock_rank;
/// use lock_rank::tokio::RwLock;
///
/// #[lock_rank(2)]
/// static ROUTES: RwLock<Vec<String>> = RwLock::const_new(Vec::new());
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// ROUTES.write().await.push("/health".into());
/// assert_eq!(ROUTES.read().await.len(), 1);
/// # });
/// ```
#[repr(C)] // the same layout for every `C`: a ranked lock is also its plain view
pub struct RwLock<T: ?Sized, C: LockClass = Unranked> {
    class: PhantomData<fn() -> C>,
    origin: Origin,
    inner: Inner<T>,
}

/// Shared access to a read-locked [`RwLock`]; the record goes when it drops.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let lock: lock_rank::tokio::RwLock<i32> = lock_rank::tokio::RwLock::new(5);
/// assert_eq!(*lock.read().await, 5);
/// # });
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized, C: LockClass = Unranked> {
    held: Held,
    inner: ::tokio::sync::RwLockReadGuard<'a, T>,
    class: PhantomData<fn() -> C>,
}

/// Exclusive access to a write-locked [`RwLock`]; the record goes when it drops.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let lock: lock_rank::tokio::RwLock<i32> = lock_rank::tokio::RwLock::new(5);
/// *lock.write().await += 1;
/// assert_eq!(*lock.read().await, 6);
/// # });
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized, C: LockClass = Unranked> {
    held: Held,
    inner: ::tokio::sync::RwLockWriteGuard<'a, T>,
    class: PhantomData<fn() -> C>,
}

/// A [`RwLockWriteGuard`] narrowed to a part of the value; it keeps the record.
///
/// ```
/// use lock_rank::tokio::{RwLock, RwLockWriteGuard};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let lock: RwLock<(u8, u8)> = RwLock::new((1, 2));
/// *RwLockWriteGuard::map(lock.write().await, |pair| &mut pair.1) = 3;
/// assert_eq!(lock.read().await.1, 3);
/// # });
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockMappedWriteGuard<'a, T: ?Sized, C: LockClass = Unranked> {
    held: Held,
    inner: ::tokio::sync::RwLockMappedWriteGuard<'a, T>,
    class: PhantomData<fn() -> C>,
}

/// The guard of [`RwLock::read_owned`]: can move to another task. Checked when taken, not
/// counted as held (see the
/// [module documentation](crate::tokio#owned-guards-and-guards-handed-to-another-task)).
///
/// ```
/// use std::sync::Arc;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let lock: Arc<lock_rank::tokio::RwLock<u8>> = Arc::new(lock_rank::tokio::RwLock::new(1));
/// let guard = Arc::clone(&lock).read_owned().await;
/// tokio::spawn(async move { assert_eq!(*guard, 1) }).await.unwrap();
/// # });
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct OwnedRwLockReadGuard<T: ?Sized + 'static, U: ?Sized + 'static = T, C: LockClass = Unranked> {
    // Declared first: dropped first, while `lock` still keeps the lock alive.
    inner: ::tokio::sync::RwLockReadGuard<'static, U>,
    lock: Arc<RwLock<T, C>>,
    /// Send and Sync exactly when tokio's owned guard is.
    marker: PhantomData<::tokio::sync::OwnedRwLockReadGuard<T, U>>,
}

/// The guard of [`RwLock::write_owned`]: can move to another task. Checked when taken, not
/// counted as held.
///
/// ```
/// use std::sync::Arc;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let lock: Arc<lock_rank::tokio::RwLock<u8>> = Arc::new(lock_rank::tokio::RwLock::new(1));
/// let mut guard = Arc::clone(&lock).write_owned().await;
/// tokio::spawn(async move { *guard += 1 }).await.unwrap();
/// assert_eq!(*lock.read().await, 2);
/// # });
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct OwnedRwLockWriteGuard<T: ?Sized + 'static, C: LockClass = Unranked> {
    // Declared first: dropped first, while `lock` still keeps the lock alive.
    inner: ::tokio::sync::RwLockWriteGuard<'static, T>,
    lock: Arc<RwLock<T, C>>,
    /// Send and Sync exactly when tokio's owned guard is.
    marker: PhantomData<::tokio::sync::OwnedRwLockWriteGuard<T>>,
}

/// An [`OwnedRwLockWriteGuard`] narrowed to a part of the value.
///
/// ```
/// use std::sync::Arc;
/// use lock_rank::tokio::{OwnedRwLockWriteGuard, RwLock};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let lock: Arc<RwLock<(u8, u8)>> = Arc::new(RwLock::new((1, 2)));
/// *OwnedRwLockWriteGuard::map(Arc::clone(&lock).write_owned().await, |p| &mut p.0) = 7;
/// assert_eq!(lock.read().await.0, 7);
/// # });
/// ```
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct OwnedRwLockMappedWriteGuard<T: ?Sized + 'static, U: ?Sized + 'static = T, C: LockClass = Unranked>
{
    // Declared first: dropped first, while `lock` still keeps the lock alive.
    inner: ::tokio::sync::RwLockMappedWriteGuard<'static, U>,
    lock: Arc<RwLock<T, C>>,
    /// Send and Sync exactly when tokio's owned guard is.
    marker: PhantomData<::tokio::sync::OwnedRwLockMappedWriteGuard<T, U>>,
}

impl<T, C: LockClass> RwLock<T, C> {
    /// Creates an unlocked lock, as tokio's `RwLock::new`.
    ///
    /// ```
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// assert_eq!(lock.into_inner(), 1);
    /// ```
    #[track_caller]
    pub fn new(value: T) -> Self {
        RwLock { class: PhantomData, origin: Origin::new::<C>(), inner: Inner::new(value) }
    }

    /// Creates an unlocked lock that admits at most `max_reads` readers at once, as tokio's.
    ///
    /// # Panics
    /// As tokio's, when `max_reads` exceeds `u32::MAX >> 3`.
    ///
    /// ```
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::with_max_readers(1, 16);
    /// assert_eq!(lock.into_inner(), 1);
    /// ```
    #[track_caller]
    pub fn with_max_readers(value: T, max_reads: u32) -> Self {
        RwLock {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: Inner::with_max_readers(value, max_reads),
        }
    }

    /// Creates an unlocked lock in a `const` context, for a `static`, as tokio's `const_new`.
    ///
    /// ```
    /// use lock_rank::{lock_rank, tokio::RwLock};
    ///
    /// #[lock_rank(4)]
    /// static CONFIG: RwLock<u32> = RwLock::const_new(0);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// *CONFIG.write().await = 3;
    /// # });
    /// ```
    #[track_caller]
    pub const fn const_new(value: T) -> Self {
        RwLock { class: PhantomData, origin: Origin::new::<C>(), inner: Inner::const_new(value) }
    }

    /// [`with_max_readers`](Self::with_max_readers) in a `const` context.
    ///
    /// ```
    /// static LIMITED: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::const_with_max_readers(0, 8);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(*LIMITED.read().await, 0);
    /// # });
    /// ```
    #[track_caller]
    pub const fn const_with_max_readers(value: T, max_reads: u32) -> Self {
        RwLock {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: Inner::const_with_max_readers(value, max_reads),
        }
    }

    /// Consumes the lock and returns the value.
    ///
    /// ```
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(2);
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized, C: LockClass> RwLock<T, C> {
    #[inline(always)]
    fn request(&self, site: &'static Location<'static>, access: Access) -> Request {
        Request::new::<C, T, _>(self, &self.origin, site, LockKind::RwLock, access)
    }

    /// Locks for reading, waiting asynchronously; checked when called.
    ///
    /// # Panics
    /// With checks on and the default [`Policy`](crate::Policy): when the task holds a lock of
    /// the same or a higher rank, or this lock (a second read included).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// assert_eq!(*lock.read().await, 1);
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn read(&self) -> impl Future<Output = RwLockReadGuard<'_, T, C>> {
        let request = self.request(Location::caller(), Access::Shared);
        let pending = check::check_blocking(request);
        Acquiring::new(
            pending,
            &self.inner,
            |inner| inner.try_read().ok(),
            |inner| inner.read(),
            |inner, record| RwLockReadGuard { held: record.held(), inner, class: PhantomData },
        )
    }

    /// Locks for reading like [`read`](Self::read), giving up after `timeout` with a [`LockTimeout`](crate::LockTimeout) that names the
    /// lock, its rank, and who holds it (task or thread) with the site where they took it.
    ///
    /// A timed acquire is never an order violation: it gives up instead of hanging. While it waits,
    /// [`dump`](crate::dump) and the watchdog show it. Needs a runtime with tokio's time driver
    /// (`enable_time` or `enable_all`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use std::time::Duration;
    /// let lock: lock_rank::tokio::RwLock<u32> = lock_rank::tokio::RwLock::new(1);
    /// let writer = lock.write().await;
    /// assert!(lock.read_timeout(Duration::from_millis(10)).await.is_err());
    /// drop(writer);
    /// assert_eq!(*lock.read_timeout(Duration::from_millis(10)).await.unwrap(), 1);
    /// # });
    /// ```
    #[track_caller]
    pub fn read_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> impl Future<Output = Result<RwLockReadGuard<'_, T, C>, LockTimeout>> {
        let request = self.request(Location::caller(), Access::Shared);
        let acquiring = Acquiring::new(
            check::unchecked(request),
            &self.inner,
            |inner| inner.try_read().ok(),
            |inner| inner.read(),
            |inner, record| RwLockReadGuard { held: record.held(), inner, class: PhantomData },
        );
        super::acquire::within(request, timeout, acquiring)
    }

    /// Locks for writing, waiting asynchronously; checked when called.
    ///
    /// # Panics
    /// As [`read`](Self::read).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// *lock.write().await = 2;
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn write(&self) -> impl Future<Output = RwLockWriteGuard<'_, T, C>> {
        let request = self.request(Location::caller(), Access::Exclusive);
        let pending = check::check_blocking(request);
        Acquiring::new(
            pending,
            &self.inner,
            |inner| inner.try_write().ok(),
            |inner| inner.write(),
            |inner, record| RwLockWriteGuard { held: record.held(), inner, class: PhantomData },
        )
    }

    /// Locks for writing like [`write`](Self::write), giving up after `timeout` with a [`LockTimeout`](crate::LockTimeout) that names the
    /// lock, its rank, and who holds it (task or thread) with the site where they took it.
    ///
    /// A timed acquire is never an order violation: it gives up instead of hanging. While it waits,
    /// [`dump`](crate::dump) and the watchdog show it. Needs a runtime with tokio's time driver
    /// (`enable_time` or `enable_all`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use std::time::Duration;
    /// let lock: lock_rank::tokio::RwLock<u32> = lock_rank::tokio::RwLock::new(1);
    /// let reader = lock.read().await;
    /// assert!(lock.write_timeout(Duration::from_millis(10)).await.is_err());
    /// drop(reader);
    /// *lock.write_timeout(Duration::from_millis(10)).await.unwrap() += 1;
    /// # });
    /// ```
    #[track_caller]
    pub fn write_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> impl Future<Output = Result<RwLockWriteGuard<'_, T, C>, LockTimeout>> {
        let request = self.request(Location::caller(), Access::Exclusive);
        let acquiring = Acquiring::new(
            check::unchecked(request),
            &self.inner,
            |inner| inner.try_write().ok(),
            |inner| inner.write(),
            |inner, record| RwLockWriteGuard { held: record.held(), inner, class: PhantomData },
        );
        super::acquire::within(request, timeout, acquiring)
    }

    /// Locks for reading if possible right now. Never a violation; the lock then counts as held.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// let _w = lock.write().await;
    /// assert!(lock.try_read().is_err());
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T, C>, TryLockError> {
        let site = Location::caller();
        let inner = self.inner.try_read()?;
        Ok(RwLockReadGuard {
            held: check::record_shared(self.request(site, Access::Shared)),
            inner,
            class: PhantomData,
        })
    }

    /// Locks for writing if possible right now. Never a violation; the lock then counts as held.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// let _r = lock.read().await;
    /// assert!(lock.try_write().is_err());
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T, C>, TryLockError> {
        let site = Location::caller();
        let inner = self.inner.try_write()?;
        Ok(RwLockWriteGuard {
            held: check::record_shared(self.request(site, Access::Exclusive)),
            inner,
            class: PhantomData,
        })
    }

    /// Locks for reading from synchronous code (outside the runtime), blocking the thread.
    ///
    /// # Panics
    /// As tokio's, inside an async context; and as [`read`](Self::read) on a violation.
    ///
    /// ```
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// assert_eq!(*lock.blocking_read(), 1);
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T, C> {
        let pending = check::check_blocking(self.request(Location::caller(), Access::Shared));
        // No `try_read` first: tokio's panics inside a runtime even when the lock is free.
        let inner = {
            let _waiting = pending.waiting();
            self.inner.blocking_read()
        };
        RwLockReadGuard { held: pending.acquired_shared(), inner, class: PhantomData }
    }

    /// Locks for writing from synchronous code (outside the runtime), blocking the thread.
    ///
    /// # Panics
    /// As tokio's, inside an async context; and as [`write`](Self::write) on a violation.
    ///
    /// ```
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// *lock.blocking_write() = 2;
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T, C> {
        let pending = check::check_blocking(self.request(Location::caller(), Access::Exclusive));
        // No `try_write` first: tokio's panics inside a runtime even when the lock is free.
        let inner = {
            let _waiting = pending.waiting();
            self.inner.blocking_write()
        };
        RwLockWriteGuard { held: pending.acquired_shared(), inner, class: PhantomData }
    }

    /// Locks for reading through an `Arc`, for a guard that can move to another task; checked
    /// when called, not counted as held afterwards.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<lock_rank::tokio::RwLock<u8>> = Arc::new(lock_rank::tokio::RwLock::new(1));
    /// assert_eq!(*Arc::clone(&lock).read_owned().await, 1);
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn read_owned(self: Arc<Self>) -> impl Future<Output = OwnedRwLockReadGuard<T, T, C>>
    where
        T: 'static,
    {
        let request = self.request(Location::caller(), Access::Shared);
        let pending = check::check_blocking(request);
        // SAFETY: the future keeps `self` in `wrap`, dropped after the acquire that borrows the
        // lock (see `Acquiring`), and hands it to the guard, which drops it after tokio's guard.
        let lock = unsafe { borrow_for_guard(&self) };
        Acquiring::new(
            pending,
            &lock.inner,
            |inner| inner.try_read().ok(),
            |inner| inner.read(),
            move |inner, _| OwnedRwLockReadGuard { inner, lock: self, marker: PhantomData },
        )
    }

    /// Locks for writing through an `Arc`, for a guard that can move to another task; checked
    /// when called, not counted as held afterwards.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<lock_rank::tokio::RwLock<u8>> = Arc::new(lock_rank::tokio::RwLock::new(1));
    /// *Arc::clone(&lock).write_owned().await = 2;
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn write_owned(self: Arc<Self>) -> impl Future<Output = OwnedRwLockWriteGuard<T, C>>
    where
        T: 'static,
    {
        let request = self.request(Location::caller(), Access::Exclusive);
        let pending = check::check_blocking(request);
        // SAFETY: the future keeps `self` in `wrap`, dropped after the acquire that borrows the
        // lock (see `Acquiring`), and hands it to the guard, which drops it after tokio's guard.
        let lock = unsafe { borrow_for_guard(&self) };
        Acquiring::new(
            pending,
            &lock.inner,
            |inner| inner.try_write().ok(),
            |inner| inner.write(),
            move |inner, _| OwnedRwLockWriteGuard { inner, lock: self, marker: PhantomData },
        )
    }

    /// Locks for reading through an `Arc` if possible right now. Never a violation.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock: Arc<lock_rank::tokio::RwLock<u8>> = Arc::new(lock_rank::tokio::RwLock::new(1));
    /// assert!(Arc::clone(&lock).try_read_owned().is_ok());
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T, T, C>, TryLockError>
    where
        T: 'static,
    {
        // SAFETY: the guard keeps `self` and drops it after tokio's guard.
        let lock = unsafe { borrow_for_guard(&self) };
        Ok(OwnedRwLockReadGuard { inner: lock.inner.try_read()?, lock: self, marker: PhantomData })
    }

    /// Locks for writing through an `Arc` if possible right now. Never a violation.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock: Arc<lock_rank::tokio::RwLock<u8>> = Arc::new(lock_rank::tokio::RwLock::new(1));
    /// assert!(Arc::clone(&lock).try_write_owned().is_ok());
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T, C>, TryLockError>
    where
        T: 'static,
    {
        // SAFETY: the guard keeps `self` and drops it after tokio's guard.
        let lock = unsafe { borrow_for_guard(&self) };
        Ok(OwnedRwLockWriteGuard { inner: lock.inner.try_write()?, lock: self, marker: PhantomData })
    }

    /// A mutable reference to the value; no locking needed.
    ///
    /// ```
    /// let mut lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

lock_traits!(RankedLock [T: ?Sized, C: LockClass] RwLock<T, C>, class C);

plain_view!(
    /// A ranked lock is also a lock of its plain type, `RwLock<T>`: the same lock, checked through
    /// either with its own rank and name (see [`RankedClass`]).
    ///
    /// ```
    /// use lock_rank::{lock_rank, tokio::RwLock};
    ///
    /// #[lock_rank(4)]
    /// static ROUTES: RwLock<Vec<u32>> = RwLock::const_new(Vec::new());
    ///
    /// async fn count(routes: &RwLock<Vec<u32>>) -> usize {
    ///     routes.read().await.len() // checked as `ROUTES`, rank 4
    /// }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// ROUTES.write().await.push(80);
    /// assert_eq!(count(&ROUTES).await, 1);
    /// # });
    /// assert_eq!(lock_rank::class_of(&*ROUTES).map(|c| c.rank()), lock_rank::CHECKS_ENABLED.then_some(4));
    /// ```
    [T: ?Sized, C: RankedClass] RwLock<T, C> => RwLock<T>
);

impl<T: ?Sized, C: RankedClass> RwLock<T, C> {
    /// The same lock behind the same `Arc`, as its plain type: for code that takes an
    /// `Arc<RwLock<T>>`. No allocation, no copy; the lock is still checked with its own rank.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::{lock_rank, tokio::RwLock};
    ///
    /// #[lock_rank(2)]
    /// struct Config;
    ///
    /// async fn port(config: Arc<RwLock<u16>>) -> u16 {
    ///     *config.read_owned().await
    /// }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let config: Arc<RwLock<u16, Config>> = Arc::new(RwLock::new(8080));
    /// assert_eq!(tokio::spawn(port(RwLock::into_plain(config.clone()))).await.unwrap(), 8080);
    /// # });
    /// ```
    #[inline]
    pub fn into_plain(lock: Arc<Self>) -> Arc<RwLock<T>> {
        Self::plain_arc(lock)
    }
}

lock_traits!(Default, From<T> [T, C: LockClass] RwLock<T, C>);
lock_traits!(Debug [T: ?Sized + fmt::Debug, C: LockClass] RwLock<T, C>);

impl<'a, T: ?Sized, C: LockClass> RwLockReadGuard<'a, T, C> {
    /// Narrows the guard to a part of the value, as tokio's; the record stays with the result.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockReadGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<(u8, u8)> = RwLock::new((1, 2));
    /// assert_eq!(*RwLockReadGuard::map(lock.read().await, |p| &p.1), 2);
    /// # });
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> RwLockReadGuard<'a, U, C>
    where
        F: FnOnce(&T) -> &U,
    {
        let RwLockReadGuard { held, inner, class } = this;
        RwLockReadGuard { held, inner: ::tokio::sync::RwLockReadGuard::map(inner, f), class }
    }

    /// Narrows the guard to a part of the value if `f` finds one, else gives the guard back.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockReadGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<Vec<u8>> = RwLock::new(vec![3]);
    /// assert_eq!(RwLockReadGuard::try_map(lock.read().await, |v| v.first()).ok().map(|g| *g), Some(3));
    /// # });
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U, C>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let RwLockReadGuard { held, inner, class } = this;
        match ::tokio::sync::RwLockReadGuard::try_map(inner, f) {
            Ok(inner) => Ok(RwLockReadGuard { held, inner, class }),
            Err(inner) => Err(RwLockReadGuard { held, inner, class }),
        }
    }
}

impl<'a, T: ?Sized, C: LockClass> RwLockWriteGuard<'a, T, C> {
    /// Narrows the guard to a part of the value, as tokio's; the record stays with the result.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockWriteGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<(u8, u8)> = RwLock::new((1, 2));
    /// *RwLockWriteGuard::map(lock.write().await, |p| &mut p.0) = 5;
    /// # });
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> RwLockMappedWriteGuard<'a, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let RwLockWriteGuard { held, inner, class } = this;
        RwLockMappedWriteGuard { held, inner: ::tokio::sync::RwLockWriteGuard::map(inner, f), class }
    }

    /// Narrows the guard to a part of the value if `f` finds one, else gives the guard back.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockWriteGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<Vec<u8>> = RwLock::new(vec![]);
    /// assert!(RwLockWriteGuard::try_map(lock.write().await, |v| v.first_mut()).is_err());
    /// # });
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockMappedWriteGuard<'a, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let RwLockWriteGuard { held, inner, class } = this;
        match ::tokio::sync::RwLockWriteGuard::try_map(inner, f) {
            Ok(inner) => Ok(RwLockMappedWriteGuard { held, inner, class }),
            Err(inner) => Err(RwLockWriteGuard { held, inner, class }),
        }
    }

    /// Turns the write lock into a read lock without letting go, as tokio's; the record now says
    /// "read".
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: lock_rank::tokio::RwLock<u8> = lock_rank::tokio::RwLock::new(1);
    /// let mut write = lock.write().await;
    /// *write = 2;
    /// let read = write.downgrade();
    /// assert_eq!(*read, 2);
    /// # });
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T, C> {
        let RwLockWriteGuard { held, inner, class } = self;
        RwLockReadGuard { held: held.reaccess(Access::Shared), inner: inner.downgrade(), class }
    }

    /// Downgrades to a read lock narrowed to a part of the value, as tokio's.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockWriteGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<(u8, u8)> = RwLock::new((1, 2));
    /// assert_eq!(*RwLockWriteGuard::downgrade_map(lock.write().await, |p| &p.1), 2);
    /// # });
    /// ```
    pub fn downgrade_map<U: ?Sized, F>(this: Self, f: F) -> RwLockReadGuard<'a, U, C>
    where
        F: FnOnce(&T) -> &U,
    {
        let RwLockWriteGuard { held, inner, class } = this;
        let inner = ::tokio::sync::RwLockWriteGuard::downgrade_map(inner, f);
        RwLockReadGuard { held: held.reaccess(Access::Shared), inner, class }
    }

    /// Downgrades to a read lock narrowed to a part of the value if `f` finds one, else gives
    /// the write guard back.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockWriteGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<Vec<u8>> = RwLock::new(vec![]);
    /// assert!(RwLockWriteGuard::try_downgrade_map(lock.write().await, |v| v.first()).is_err());
    /// # });
    /// ```
    pub fn try_downgrade_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U, C>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let RwLockWriteGuard { held, inner, class } = this;
        match ::tokio::sync::RwLockWriteGuard::try_downgrade_map(inner, f) {
            Ok(inner) => Ok(RwLockReadGuard { held: held.reaccess(Access::Shared), inner, class }),
            Err(inner) => Err(RwLockWriteGuard { held, inner, class }),
        }
    }

    /// The same write lock as a mapped guard of the whole value, as tokio's.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockWriteGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<u8> = RwLock::new(1);
    /// *RwLockWriteGuard::into_mapped(lock.write().await) = 4;
    /// # });
    /// ```
    pub fn into_mapped(this: Self) -> RwLockMappedWriteGuard<'a, T, C> {
        let RwLockWriteGuard { held, inner, class } = this;
        RwLockMappedWriteGuard { held, inner: ::tokio::sync::RwLockWriteGuard::into_mapped(inner), class }
    }
}

impl<'a, T: ?Sized, C: LockClass> RwLockMappedWriteGuard<'a, T, C> {
    /// Narrows the guard further, as tokio's; the record stays with the result.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<((u8, u8), u8)> = RwLock::new(((1, 2), 3));
    /// let pair = RwLockWriteGuard::map(lock.write().await, |v| &mut v.0);
    /// *RwLockMappedWriteGuard::map(pair, |p| &mut p.1) = 9;
    /// # });
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> RwLockMappedWriteGuard<'a, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let RwLockMappedWriteGuard { held, inner, class } = this;
        RwLockMappedWriteGuard { held, inner: ::tokio::sync::RwLockMappedWriteGuard::map(inner, f), class }
    }

    /// Narrows the guard further if `f` finds a part, else gives the guard back.
    ///
    /// ```
    /// use lock_rank::tokio::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: RwLock<(Vec<u8>, u8)> = RwLock::new((vec![], 3));
    /// let list = RwLockWriteGuard::map(lock.write().await, |v| &mut v.0);
    /// assert!(RwLockMappedWriteGuard::try_map(list, |l| l.first_mut()).is_err());
    /// # });
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockMappedWriteGuard<'a, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let RwLockMappedWriteGuard { held, inner, class } = this;
        match ::tokio::sync::RwLockMappedWriteGuard::try_map(inner, f) {
            Ok(inner) => Ok(RwLockMappedWriteGuard { held, inner, class }),
            Err(inner) => Err(RwLockMappedWriteGuard { held, inner, class }),
        }
    }
}

impl<T: ?Sized + 'static, U: ?Sized + 'static, C: LockClass> OwnedRwLockReadGuard<T, U, C> {
    /// Narrows the guard to a part of the value, as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockReadGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<(u8, u8)>> = Arc::new(RwLock::new((1, 2)));
    /// assert_eq!(*OwnedRwLockReadGuard::map(lock.read_owned().await, |p| &p.0), 1);
    /// # });
    /// ```
    pub fn map<V: ?Sized + 'static, F>(this: Self, f: F) -> OwnedRwLockReadGuard<T, V, C>
    where
        F: FnOnce(&U) -> &V,
    {
        let OwnedRwLockReadGuard { inner, lock, marker: _ } = this;
        OwnedRwLockReadGuard {
            inner: ::tokio::sync::RwLockReadGuard::map(inner, f),
            lock,
            marker: PhantomData,
        }
    }

    /// Narrows the guard to a part of the value if `f` finds one, else gives the guard back.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockReadGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<Vec<u8>>> = Arc::new(RwLock::new(vec![]));
    /// assert!(OwnedRwLockReadGuard::try_map(lock.read_owned().await, |v| v.first()).is_err());
    /// # });
    /// ```
    pub fn try_map<V: ?Sized + 'static, F>(this: Self, f: F) -> Result<OwnedRwLockReadGuard<T, V, C>, Self>
    where
        F: FnOnce(&U) -> Option<&V>,
    {
        let OwnedRwLockReadGuard { inner, lock, marker } = this;
        match ::tokio::sync::RwLockReadGuard::try_map(inner, f) {
            Ok(inner) => Ok(OwnedRwLockReadGuard { inner, lock, marker: PhantomData }),
            Err(inner) => Err(OwnedRwLockReadGuard { inner, lock, marker }),
        }
    }

    /// The lock this guard reads.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockReadGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<u8>> = Arc::new(RwLock::new(1));
    /// let guard = Arc::clone(&lock).read_owned().await;
    /// assert!(std::ptr::eq(OwnedRwLockReadGuard::rwlock(&guard), &*lock));
    /// # });
    /// ```
    pub fn rwlock(this: &Self) -> &RwLock<T, C> {
        &this.lock
    }
}

impl<T: ?Sized + 'static, C: LockClass> OwnedRwLockWriteGuard<T, C> {
    /// Narrows the guard to a part of the value, as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<(u8, u8)>> = Arc::new(RwLock::new((1, 2)));
    /// *OwnedRwLockWriteGuard::map(lock.write_owned().await, |p| &mut p.0) = 3;
    /// # });
    /// ```
    pub fn map<U: ?Sized + 'static, F>(this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let OwnedRwLockWriteGuard { inner, lock, marker: _ } = this;
        let inner = ::tokio::sync::RwLockWriteGuard::map(inner, f);
        OwnedRwLockMappedWriteGuard { inner, lock, marker: PhantomData }
    }

    /// Narrows the guard to a part of the value if `f` finds one, else gives the guard back.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<Vec<u8>>> = Arc::new(RwLock::new(vec![]));
    /// assert!(OwnedRwLockWriteGuard::try_map(lock.write_owned().await, |v| v.first_mut()).is_err());
    /// # });
    /// ```
    pub fn try_map<U: ?Sized + 'static, F>(
        this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let OwnedRwLockWriteGuard { inner, lock, marker } = this;
        match ::tokio::sync::RwLockWriteGuard::try_map(inner, f) {
            Ok(inner) => Ok(OwnedRwLockMappedWriteGuard { inner, lock, marker: PhantomData }),
            Err(inner) => Err(OwnedRwLockWriteGuard { inner, lock, marker }),
        }
    }

    /// Turns the write lock into a read lock without letting go, as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<lock_rank::tokio::RwLock<u8>> = Arc::new(lock_rank::tokio::RwLock::new(1));
    /// let read = lock.write_owned().await.downgrade();
    /// assert_eq!(*read, 1);
    /// # });
    /// ```
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T, T, C> {
        let OwnedRwLockWriteGuard { inner, lock, marker: _ } = self;
        OwnedRwLockReadGuard { inner: inner.downgrade(), lock, marker: PhantomData }
    }

    /// Downgrades to a read lock narrowed to a part of the value, as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<(u8, u8)>> = Arc::new(RwLock::new((1, 2)));
    /// assert_eq!(*OwnedRwLockWriteGuard::downgrade_map(lock.write_owned().await, |p| &p.1), 2);
    /// # });
    /// ```
    pub fn downgrade_map<U: ?Sized + 'static, F>(this: Self, f: F) -> OwnedRwLockReadGuard<T, U, C>
    where
        F: FnOnce(&T) -> &U,
    {
        let OwnedRwLockWriteGuard { inner, lock, marker: _ } = this;
        let inner = ::tokio::sync::RwLockWriteGuard::downgrade_map(inner, f);
        OwnedRwLockReadGuard { inner, lock, marker: PhantomData }
    }

    /// Downgrades to a read lock narrowed to a part of the value if `f` finds one, else gives
    /// the write guard back.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<Vec<u8>>> = Arc::new(RwLock::new(vec![]));
    /// assert!(OwnedRwLockWriteGuard::try_downgrade_map(lock.write_owned().await, |v| v.first()).is_err());
    /// # });
    /// ```
    pub fn try_downgrade_map<U: ?Sized + 'static, F>(
        this: Self,
        f: F,
    ) -> Result<OwnedRwLockReadGuard<T, U, C>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let OwnedRwLockWriteGuard { inner, lock, marker } = this;
        match ::tokio::sync::RwLockWriteGuard::try_downgrade_map(inner, f) {
            Ok(inner) => Ok(OwnedRwLockReadGuard { inner, lock, marker: PhantomData }),
            Err(inner) => Err(OwnedRwLockWriteGuard { inner, lock, marker }),
        }
    }

    /// The same write lock as a mapped guard of the whole value, as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<u8>> = Arc::new(RwLock::new(1));
    /// *OwnedRwLockWriteGuard::into_mapped(lock.write_owned().await) = 2;
    /// # });
    /// ```
    pub fn into_mapped(this: Self) -> OwnedRwLockMappedWriteGuard<T, T, C> {
        let OwnedRwLockWriteGuard { inner, lock, marker: _ } = this;
        OwnedRwLockMappedWriteGuard {
            inner: ::tokio::sync::RwLockWriteGuard::into_mapped(inner),
            lock,
            marker: PhantomData,
        }
    }

    /// The lock this guard writes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<u8>> = Arc::new(RwLock::new(1));
    /// let guard = Arc::clone(&lock).write_owned().await;
    /// assert!(std::ptr::eq(OwnedRwLockWriteGuard::rwlock(&guard), &*lock));
    /// # });
    /// ```
    pub fn rwlock(this: &Self) -> &RwLock<T, C> {
        &this.lock
    }
}

impl<T: ?Sized + 'static, U: ?Sized + 'static, C: LockClass> OwnedRwLockMappedWriteGuard<T, U, C> {
    /// Narrows the guard further, as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<((u8, u8), u8)>> = Arc::new(RwLock::new(((1, 2), 3)));
    /// let pair = OwnedRwLockWriteGuard::map(lock.write_owned().await, |v| &mut v.0);
    /// *OwnedRwLockMappedWriteGuard::map(pair, |p| &mut p.0) = 7;
    /// # });
    /// ```
    pub fn map<V: ?Sized + 'static, F>(this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, V, C>
    where
        F: FnOnce(&mut U) -> &mut V,
    {
        let OwnedRwLockMappedWriteGuard { inner, lock, marker: _ } = this;
        let inner = ::tokio::sync::RwLockMappedWriteGuard::map(inner, f);
        OwnedRwLockMappedWriteGuard { inner, lock, marker: PhantomData }
    }

    /// Narrows the guard further if `f` finds a part, else gives the guard back.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<(Vec<u8>, u8)>> = Arc::new(RwLock::new((vec![], 3)));
    /// let list = OwnedRwLockWriteGuard::map(lock.write_owned().await, |v| &mut v.0);
    /// assert!(OwnedRwLockMappedWriteGuard::try_map(list, |l| l.first_mut()).is_err());
    /// # });
    /// ```
    pub fn try_map<V: ?Sized + 'static, F>(
        this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, V, C>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut V>,
    {
        let OwnedRwLockMappedWriteGuard { inner, lock, marker } = this;
        match ::tokio::sync::RwLockMappedWriteGuard::try_map(inner, f) {
            Ok(inner) => Ok(OwnedRwLockMappedWriteGuard { inner, lock, marker: PhantomData }),
            Err(inner) => Err(OwnedRwLockMappedWriteGuard { inner, lock, marker }),
        }
    }

    /// The lock this guard writes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lock: Arc<RwLock<u8>> = Arc::new(RwLock::new(1));
    /// let guard = OwnedRwLockWriteGuard::into_mapped(Arc::clone(&lock).write_owned().await);
    /// assert!(std::ptr::eq(OwnedRwLockMappedWriteGuard::rwlock(&guard), &*lock));
    /// # });
    /// ```
    pub fn rwlock(this: &Self) -> &RwLock<T, C> {
        &this.lock
    }
}

guard_traits!(['a, T: ?Sized, C: LockClass] RwLockReadGuard<'a, T, C> => T);
guard_traits!(['a, T: ?Sized, C: LockClass] RwLockWriteGuard<'a, T, C> => mut T);
guard_traits!(['a, T: ?Sized, C: LockClass] RwLockMappedWriteGuard<'a, T, C> => mut T);
guard_traits!([T: ?Sized + 'static, U: ?Sized + 'static, C: LockClass] OwnedRwLockReadGuard<T, U, C> => U);
guard_traits!([T: ?Sized + 'static, C: LockClass] OwnedRwLockWriteGuard<T, C> => mut T);
guard_traits!(
    [T: ?Sized + 'static, U: ?Sized + 'static, C: LockClass]
    OwnedRwLockMappedWriteGuard<T, U, C> => mut U
);
