//! `lock_rank::tokio::Mutex`: tokio's async mutex with a rank, checked per task.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use super::acquire::Acquiring;
use super::outer_lock::as_outer_lock;
use super::owned_borrow::borrow_for_guard;
use crate::check::{self, Held, Request};
use crate::class::{LockClass, Origin, RankedClass, Unranked};
use crate::sync::timed::LockTimeout;
use crate::track::{Access, LockKind};
use crate::trait_impls::{guard_traits, lock_traits, plain_view};
use ::tokio::sync::TryLockError;

/// An async mutual exclusion lock with a place in the lock order: `tokio::sync::Mutex` plus a
/// class.
///
/// The API is tokio's. `lock` is checked when it is called, against the locks the current task
/// holds (see the [module documentation](crate::tokio)); the guard may be held across
/// `.await`s and keeps counting for the task that took it.
///
/// ```
/// use std::sync::Arc;
/// use lock_rank::lock_rank;
/// use lock_rank::tokio::Mutex;
///
/// #[lock_rank::ranked]
/// struct Bank {
///     #[lock_rank(1)]
///     accounts: Mutex<Vec<u64>>,
///     #[lock_rank(2)]
///     log: Mutex<Vec<String>>,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let bank = Arc::new(Bank { accounts: Mutex::new(vec![100]), log: Mutex::new(vec![]) });
/// let worker = Arc::clone(&bank);
/// tokio::spawn(async move {
///     let mut accounts = worker.accounts.lock().await; // rank 1
///     accounts[0] -= 30;
///     worker.log.lock().await.push("withdrew 30".into()); // rank 2 while holding 1: in order
/// })
/// .await
/// .unwrap();
/// assert_eq!(bank.accounts.lock().await[0], 70);
/// # });
/// ```
#[repr(C)] // the same layout for every `C`: a ranked lock is also its plain view
pub struct Mutex<T: ?Sized, C: LockClass = Unranked> {
    class: PhantomData<fn() -> C>,
    origin: Origin,
    inner: ::tokio::sync::Mutex<T>,
}

/// The guard of a locked [`Mutex`]: the lock and its record are released when it drops, on
/// whichever thread or task that happens.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let m: lock_rank::tokio::Mutex<i32> = lock_rank::tokio::Mutex::new(1);
/// let mut guard = m.lock().await;
/// *guard += 1;
/// drop(guard);
/// assert_eq!(*m.lock().await, 2);
/// # });
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized, C: LockClass = Unranked> {
    // Declared first: dropped first, so the record goes before the lock does.
    held: Held,
    inner: ::tokio::sync::MutexGuard<'a, T>,
    class: PhantomData<fn() -> C>,
}

/// A [`MutexGuard`] narrowed to a part of the value by [`MutexGuard::map`]; it keeps the record.
///
/// ```
/// use lock_rank::tokio::{MappedMutexGuard, Mutex, MutexGuard};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let m: Mutex<(u8, String)> = Mutex::new((1, "one".into()));
/// let mut name: MappedMutexGuard<'_, String> = MutexGuard::map(m.lock().await, |pair| &mut pair.1);
/// name.push('!');
/// drop(name);
/// assert_eq!(m.lock().await.1, "one!");
/// # });
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MappedMutexGuard<'a, T: ?Sized, C: LockClass = Unranked> {
    held: Held,
    inner: ::tokio::sync::MappedMutexGuard<'a, T>,
    class: PhantomData<fn() -> C>,
}

/// The guard of [`Mutex::lock_owned`]: keeps the mutex alive through an `Arc`, so it can move to
/// another task. Checked when taken, not counted as held (see the
/// [module documentation](crate::tokio#owned-guards-and-guards-handed-to-another-task)).
///
/// ```
/// use std::sync::Arc;
/// use lock_rank::tokio::Mutex;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let m: Arc<Mutex<u32>> = Arc::new(Mutex::new(0));
/// let mut guard = Arc::clone(&m).lock_owned().await;
/// tokio::spawn(async move { *guard += 1 }).await.unwrap();
/// assert_eq!(*m.lock().await, 1);
/// # });
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct OwnedMutexGuard<T: ?Sized + 'static, C: LockClass = Unranked> {
    // Declared first: dropped first, while `lock` still keeps the mutex alive.
    inner: ::tokio::sync::MutexGuard<'static, T>,
    lock: Arc<Mutex<T, C>>,
    /// Send and Sync exactly when tokio's owned guard is.
    marker: PhantomData<::tokio::sync::OwnedMutexGuard<T>>,
}

/// An [`OwnedMutexGuard`] narrowed to a part of the value by [`OwnedMutexGuard::map`].
///
/// ```
/// use std::sync::Arc;
/// use lock_rank::tokio::{Mutex, OwnedMutexGuard};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let m: Arc<Mutex<(u8, u8)>> = Arc::new(Mutex::new((1, 2)));
/// let second = OwnedMutexGuard::map(m.lock_owned().await, |pair| &mut pair.1);
/// assert_eq!(*second, 2);
/// # });
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct OwnedMappedMutexGuard<T: ?Sized + 'static, U: ?Sized + 'static = T, C: LockClass = Unranked> {
    // Declared first: dropped first, while `lock` still keeps the mutex alive.
    inner: ::tokio::sync::MappedMutexGuard<'static, U>,
    lock: Arc<Mutex<T, C>>,
    /// Send and Sync exactly when tokio's owned guard is.
    marker: PhantomData<::tokio::sync::OwnedMappedMutexGuard<T, U>>,
}

impl<T, C: LockClass> Mutex<T, C> {
    /// Creates an unlocked mutex, as tokio's `Mutex::new`.
    ///
    /// ```
    /// let m: lock_rank::tokio::Mutex<u8> = lock_rank::tokio::Mutex::new(5);
    /// assert_eq!(m.into_inner(), 5);
    /// ```
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex { class: PhantomData, origin: Origin::new::<C>(), inner: ::tokio::sync::Mutex::new(value) }
    }

    /// Creates an unlocked mutex in a `const` context, for a `static`, as tokio's `const_new`.
    ///
    /// ```
    /// use lock_rank::{lock_rank, tokio::Mutex};
    ///
    /// #[lock_rank(3)]
    /// static SESSIONS: Mutex<Vec<u32>> = Mutex::const_new(Vec::new());
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// SESSIONS.lock().await.push(7);
    /// # });
    /// ```
    #[track_caller]
    pub const fn const_new(value: T) -> Self {
        Mutex {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: ::tokio::sync::Mutex::const_new(value),
        }
    }

    /// Consumes the mutex and returns the value.
    ///
    /// ```
    /// let m: lock_rank::tokio::Mutex<&str> = lock_rank::tokio::Mutex::new("x");
    /// assert_eq!(m.into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized, C: LockClass> Mutex<T, C> {
    #[inline(always)]
    fn request(&self, site: &'static Location<'static>) -> Request {
        Request::new::<C, T, _>(self, &self.origin, site, LockKind::Mutex, Access::Exclusive)
    }

    /// Locks the mutex, waiting asynchronously until it is free.
    ///
    /// Checked when called, before the returned future is awaited, against the locks the current
    /// task (or thread, outside a task) holds.
    ///
    /// # Panics
    /// With checks on and the default [`Policy`](crate::Policy): when the task already holds a
    /// lock of the same or a higher rank, or this very mutex. The report names both locks, their
    /// ranks, both acquisition sites and the task.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: lock_rank::tokio::Mutex<Vec<u8>> = lock_rank::tokio::Mutex::new(vec![]);
    /// m.lock().await.push(4);
    /// # });
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn lock(&self) -> impl Future<Output = MutexGuard<'_, T, C>> {
        let request = self.request(Location::caller());
        let pending = check::check_blocking(request);
        Acquiring::new(
            pending,
            &self.inner,
            |inner| inner.try_lock().ok(),
            |inner| inner.lock(),
            |inner, record| MutexGuard { held: record.held(), inner, class: PhantomData },
        )
    }

    /// Locks like [`lock`](Self::lock), giving up after `timeout` with a [`LockTimeout`](crate::LockTimeout) that names the
    /// lock, its rank, and who holds it (task or thread) with the site where they took it.
    ///
    /// A timed acquire is never an order violation: it gives up instead of hanging. While it waits,
    /// [`dump`](crate::dump) and the watchdog show it. Needs a runtime with tokio's time driver
    /// (`enable_time` or `enable_all`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use std::time::Duration;
    /// let m: lock_rank::tokio::Mutex<u32> = lock_rank::tokio::Mutex::new(0);
    /// let held = m.lock().await;
    /// let timeout = m.lock_timeout(Duration::from_millis(10)).await.unwrap_err();
    /// assert!(timeout.to_string().starts_with("lock timeout:"));
    /// drop(held);
    /// assert_eq!(*m.lock_timeout(Duration::from_millis(10)).await.unwrap(), 0);
    /// # });
    /// ```
    #[track_caller]
    pub fn lock_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> impl Future<Output = Result<MutexGuard<'_, T, C>, LockTimeout>> {
        let request = self.request(Location::caller());
        let acquiring = Acquiring::new(
            check::unchecked(request),
            &self.inner,
            |inner| inner.try_lock().ok(),
            |inner| inner.lock(),
            |inner, record| MutexGuard { held: record.held(), inner, class: PhantomData },
        );
        super::acquire::within(request, timeout, acquiring)
    }

    /// Locks the mutex if it is free right now. Never a violation (it cannot wait), but once
    /// taken the lock counts as held for later checks.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: lock_rank::tokio::Mutex<i32> = lock_rank::tokio::Mutex::new(0);
    /// let held = m.lock().await;
    /// assert!(m.try_lock().is_err());
    /// drop(held);
    /// assert!(m.try_lock().is_ok());
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T, C>, TryLockError> {
        let site = Location::caller();
        let inner = self.inner.try_lock()?;
        Ok(MutexGuard { held: check::record_shared(self.request(site)), inner, class: PhantomData })
    }

    /// Locks the mutex from synchronous code (outside the runtime), blocking the thread; checked
    /// against the thread's locks.
    ///
    /// # Panics
    /// As tokio's, when called inside an async context; and as [`lock`](Self::lock) on a violation.
    ///
    /// ```
    /// let m: lock_rank::tokio::Mutex<u8> = lock_rank::tokio::Mutex::new(1);
    /// assert_eq!(*m.blocking_lock(), 1);
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T, C> {
        let pending = check::check_blocking(self.request(Location::caller()));
        // No `try_lock` first: tokio's panics inside a runtime even when the lock is free.
        let inner = {
            let _waiting = pending.waiting();
            self.inner.blocking_lock()
        };
        MutexGuard { held: pending.acquired_shared(), inner, class: PhantomData }
    }

    /// Locks the mutex through an `Arc`, for a guard that can move to another task.
    ///
    /// Checked when called, like [`lock`](Self::lock); the guard does not count as held
    /// afterwards (see the
    /// [module documentation](crate::tokio#owned-guards-and-guards-handed-to-another-task)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Arc<lock_rank::tokio::Mutex<u8>> = Arc::new(lock_rank::tokio::Mutex::new(1));
    /// let guard = Arc::clone(&m).lock_owned().await;
    /// assert_eq!(*guard, 1);
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn lock_owned(self: Arc<Self>) -> impl Future<Output = OwnedMutexGuard<T, C>>
    where
        T: 'static,
    {
        let request = self.request(Location::caller());
        let pending = check::check_blocking(request);
        // SAFETY: the future keeps `self` in `wrap`, dropped after the acquire that borrows the
        // lock (see `Acquiring`), and hands it to the guard, which drops it after tokio's guard.
        let lock = unsafe { borrow_for_guard(&self) };
        Acquiring::new(
            pending,
            &lock.inner,
            |inner| inner.try_lock().ok(),
            |inner| inner.lock(),
            move |inner, _| OwnedMutexGuard { inner, lock: self, marker: PhantomData },
        )
    }

    /// Locks the mutex through an `Arc` if it is free right now. Never a violation.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m: Arc<lock_rank::tokio::Mutex<u8>> = Arc::new(lock_rank::tokio::Mutex::new(1));
    /// assert!(Arc::clone(&m).try_lock_owned().is_ok());
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T, C>, TryLockError>
    where
        T: 'static,
    {
        // SAFETY: the guard keeps `self` and drops it after tokio's guard.
        let lock = unsafe { borrow_for_guard(&self) };
        Ok(OwnedMutexGuard { inner: lock.inner.try_lock()?, lock: self, marker: PhantomData })
    }

    /// A mutable reference to the value; no locking needed.
    ///
    /// ```
    /// let mut m: lock_rank::tokio::Mutex<u8> = lock_rank::tokio::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

lock_traits!(RankedLock [T: ?Sized, C: LockClass] Mutex<T, C>, class C);

plain_view!(
    /// A ranked lock is also a lock of its plain type, `Mutex<T>`: the same lock, checked through
    /// either with its own rank and name (see [`RankedClass`]).
    ///
    /// ```
    /// use lock_rank::{lock_rank, tokio::Mutex};
    ///
    /// #[lock_rank(3)]
    /// static QUEUE: Mutex<Vec<u32>> = Mutex::const_new(Vec::new());
    ///
    /// async fn push(queue: &Mutex<Vec<u32>>, job: u32) {
    ///     queue.lock().await.push(job); // checked as `QUEUE`, rank 3
    /// }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// push(&QUEUE, 7).await;
    /// # });
    /// assert_eq!(lock_rank::class_of(&*QUEUE).map(|c| c.rank()), lock_rank::CHECKS_ENABLED.then_some(3));
    /// ```
    [T: ?Sized, C: RankedClass] Mutex<T, C> => Mutex<T>
);

impl<T: ?Sized, C: RankedClass> Mutex<T, C> {
    /// The same lock behind the same `Arc`, as its plain type: for code that takes an
    /// `Arc<Mutex<T>>`. No allocation, no copy; the lock is still checked with its own rank.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::{lock_rank, tokio::Mutex};
    ///
    /// #[lock_rank(2)]
    /// struct Stats;
    ///
    /// async fn report(stats: Arc<Mutex<u64>>) -> u64 {
    ///     *stats.lock_owned().await
    /// }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let stats: Arc<Mutex<u64, Stats>> = Arc::new(Mutex::new(4));
    /// assert_eq!(tokio::spawn(report(Mutex::into_plain(stats.clone()))).await.unwrap(), 4);
    /// # });
    /// ```
    #[inline]
    pub fn into_plain(lock: Arc<Self>) -> Arc<Mutex<T>> {
        Self::plain_arc(lock)
    }
}

lock_traits!(Default, From<T> [T, C: LockClass] Mutex<T, C>);
lock_traits!(Debug [T: ?Sized + fmt::Debug, C: LockClass] Mutex<T, C>);

impl<'a, T: ?Sized, C: LockClass> MutexGuard<'a, T, C> {
    /// Narrows the guard to a part of the value, as tokio's; the record stays with the result.
    ///
    /// ```
    /// use lock_rank::tokio::{Mutex, MutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Mutex<(u8, u8)> = Mutex::new((1, 2));
    /// let mut first = MutexGuard::map(m.lock().await, |pair| &mut pair.0);
    /// *first = 9;
    /// # });
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> MappedMutexGuard<'a, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let MutexGuard { held, inner, class } = this;
        MappedMutexGuard { held, inner: ::tokio::sync::MutexGuard::map(inner, f), class }
    }

    /// Narrows the guard to a part of the value if `f` finds one, else gives the guard back.
    ///
    /// ```
    /// use lock_rank::tokio::{Mutex, MutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Mutex<Vec<u8>> = Mutex::new(vec![]);
    /// assert!(MutexGuard::try_map(m.lock().await, |v| v.first_mut()).is_err());
    /// # });
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<MappedMutexGuard<'a, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let MutexGuard { held, inner, class } = this;
        match ::tokio::sync::MutexGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedMutexGuard { held, inner, class }),
            Err(inner) => Err(MutexGuard { held, inner, class }),
        }
    }

    /// The mutex this guard locks.
    ///
    /// ```
    /// use lock_rank::tokio::{Mutex, MutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Mutex<u8> = Mutex::new(0);
    /// let guard = m.lock().await;
    /// assert!(std::ptr::eq(MutexGuard::mutex(&guard), &m));
    /// # });
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T, C> {
        as_outer_lock!(::tokio::sync::MutexGuard::mutex(&this.inner), Mutex<T, C>)
    }
}

impl<'a, T: ?Sized, C: LockClass> MappedMutexGuard<'a, T, C> {
    /// Narrows the guard further, as tokio's; the record stays with the result.
    ///
    /// ```
    /// use lock_rank::tokio::{MappedMutexGuard, Mutex, MutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Mutex<((u8, u8), u8)> = Mutex::new(((1, 2), 3));
    /// let inner = MutexGuard::map(m.lock().await, |v| &mut v.0);
    /// assert_eq!(*MappedMutexGuard::map(inner, |pair| &mut pair.1), 2);
    /// # });
    /// ```
    pub fn map<U, F>(this: Self, f: F) -> MappedMutexGuard<'a, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let MappedMutexGuard { held, inner, class } = this;
        MappedMutexGuard { held, inner: ::tokio::sync::MappedMutexGuard::map(inner, f), class }
    }

    /// Narrows the guard further if `f` finds a part, else gives the guard back.
    ///
    /// ```
    /// use lock_rank::tokio::{MappedMutexGuard, Mutex, MutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Mutex<(Vec<u8>, u8)> = Mutex::new((vec![4], 0));
    /// let list = MutexGuard::map(m.lock().await, |v| &mut v.0);
    /// assert_eq!(MappedMutexGuard::try_map(list, |l| l.first_mut()).ok().map(|g| *g), Some(4));
    /// # });
    /// ```
    pub fn try_map<U, F>(this: Self, f: F) -> Result<MappedMutexGuard<'a, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let MappedMutexGuard { held, inner, class } = this;
        match ::tokio::sync::MappedMutexGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedMutexGuard { held, inner, class }),
            Err(inner) => Err(MappedMutexGuard { held, inner, class }),
        }
    }
}

impl<T: ?Sized + 'static, C: LockClass> OwnedMutexGuard<T, C> {
    /// Narrows the guard to a part of the value, as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{Mutex, OwnedMutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Arc<Mutex<(u8, u8)>> = Arc::new(Mutex::new((1, 2)));
    /// let mut first = OwnedMutexGuard::map(m.lock_owned().await, |pair| &mut pair.0);
    /// *first += 1;
    /// # });
    /// ```
    pub fn map<U: ?Sized + 'static, F>(this: Self, f: F) -> OwnedMappedMutexGuard<T, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let OwnedMutexGuard { inner, lock, marker: _ } = this;
        OwnedMappedMutexGuard { inner: ::tokio::sync::MutexGuard::map(inner, f), lock, marker: PhantomData }
    }

    /// Narrows the guard to a part of the value if `f` finds one, else gives the guard back.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{Mutex, OwnedMutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Arc<Mutex<Option<u8>>> = Arc::new(Mutex::new(None));
    /// assert!(OwnedMutexGuard::try_map(m.lock_owned().await, |v| v.as_mut()).is_err());
    /// # });
    /// ```
    pub fn try_map<U: ?Sized + 'static, F>(this: Self, f: F) -> Result<OwnedMappedMutexGuard<T, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let OwnedMutexGuard { inner, lock, marker } = this;
        match ::tokio::sync::MutexGuard::try_map(inner, f) {
            Ok(inner) => Ok(OwnedMappedMutexGuard { inner, lock, marker: PhantomData }),
            Err(inner) => Err(OwnedMutexGuard { inner, lock, marker }),
        }
    }

    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{Mutex, OwnedMutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Arc<Mutex<u8>> = Arc::new(Mutex::new(0));
    /// let guard = Arc::clone(&m).lock_owned().await;
    /// assert!(std::ptr::eq(OwnedMutexGuard::mutex(&guard), &*m));
    /// # });
    /// ```
    pub fn mutex(this: &Self) -> &Mutex<T, C> {
        &this.lock
    }
}

impl<T: ?Sized + 'static, U: ?Sized + 'static, C: LockClass> OwnedMappedMutexGuard<T, U, C> {
    /// Narrows the guard further, as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Arc<Mutex<((u8, u8), u8)>> = Arc::new(Mutex::new(((1, 2), 3)));
    /// let pair = OwnedMutexGuard::map(m.lock_owned().await, |v| &mut v.0);
    /// assert_eq!(*OwnedMappedMutexGuard::map(pair, |p| &mut p.0), 1);
    /// # });
    /// ```
    pub fn map<V: 'static, F>(this: Self, f: F) -> OwnedMappedMutexGuard<T, V, C>
    where
        F: FnOnce(&mut U) -> &mut V,
    {
        let OwnedMappedMutexGuard { inner, lock, marker: _ } = this;
        OwnedMappedMutexGuard {
            inner: ::tokio::sync::MappedMutexGuard::map(inner, f),
            lock,
            marker: PhantomData,
        }
    }

    /// Narrows the guard further if `f` finds a part, else gives the guard back.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::tokio::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let m: Arc<Mutex<(Vec<u8>, u8)>> = Arc::new(Mutex::new((vec![], 0)));
    /// let list = OwnedMutexGuard::map(m.lock_owned().await, |v| &mut v.0);
    /// assert!(OwnedMappedMutexGuard::try_map(list, |l| l.first_mut()).is_err());
    /// # });
    /// ```
    pub fn try_map<V: 'static, F>(this: Self, f: F) -> Result<OwnedMappedMutexGuard<T, V, C>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut V>,
    {
        let OwnedMappedMutexGuard { inner, lock, marker } = this;
        match ::tokio::sync::MappedMutexGuard::try_map(inner, f) {
            Ok(inner) => Ok(OwnedMappedMutexGuard { inner, lock, marker: PhantomData }),
            Err(inner) => Err(OwnedMappedMutexGuard { inner, lock, marker }),
        }
    }
}

guard_traits!(['a, T: ?Sized, C: LockClass] MutexGuard<'a, T, C> => mut T);
guard_traits!(['a, T: ?Sized, C: LockClass] MappedMutexGuard<'a, T, C> => mut T);
guard_traits!([T: ?Sized + 'static, C: LockClass] OwnedMutexGuard<T, C> => mut T);
guard_traits!(
    [T: ?Sized + 'static, U: ?Sized + 'static, C: LockClass]
    OwnedMappedMutexGuard<T, U, C> => mut U
);
