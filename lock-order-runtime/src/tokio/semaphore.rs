//! `lock_rank::tokio::Semaphore`: tokio's semaphore as a ranked lock, checked per task.

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
use crate::trait_impls::{lock_traits, plain_view};
use ::tokio::sync::{AcquireError, TryAcquireError};

type Inner = ::tokio::sync::Semaphore;

/// An async counting semaphore with a place in the lock order: `tokio::sync::Semaphore` plus a
/// class.
///
/// A permit is a lock of the semaphore's rank. Asking for a permit is checked when called: while
/// the task holds a lock of the same or a higher rank it is a lock order violation, and while it
/// holds a permit of this very semaphore it is a recursive acquisition, reported at once even
/// while permits remain (the task would wait forever once the others are taken: the
/// "connection pool" deadlock). [`try_acquire`](Self::try_acquire) never reports.
///
/// ```
/// use lock_rank::lock_rank;
/// use lock_rank::tokio::{Mutex, Semaphore};
///
/// #[lock_rank::ranked]
/// struct Db {
///     #[lock_rank(10)]
///     conns: Semaphore,
///     #[lock_rank(20)]
///     stats: Mutex<u64>,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let db = Db { conns: Semaphore::new(4), stats: Mutex::new(0) };
/// let conn = db.conns.acquire().await.unwrap(); // rank 10
/// *db.stats.lock().await += 1; //                   rank 20: in order
/// drop(conn);
/// # });
/// ```
#[repr(C)] // the same layout for every `C`: a ranked semaphore is also its plain view
pub struct Semaphore<C: LockClass = Unranked> {
    class: PhantomData<fn() -> C>,
    origin: Origin,
    inner: Inner,
}

/// Permits from a [`Semaphore`], given back (and the record forgotten) when dropped.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(2);
/// let permit = sem.acquire_many(2).await.unwrap();
/// assert_eq!(permit.num_permits(), 2);
/// assert_eq!(sem.available_permits(), 0);
/// drop(permit);
/// assert_eq!(sem.available_permits(), 2);
/// # });
/// ```
#[must_use]
pub struct SemaphorePermit<'a, C: LockClass = Unranked> {
    held: Held,
    inner: ::tokio::sync::SemaphorePermit<'a>,
    class: PhantomData<fn() -> C>,
}

/// Permits from [`Semaphore::acquire_owned`], which keep the semaphore alive through an `Arc`
/// and can move to another task. Checked when taken, not counted as held (see the
/// [module documentation](crate::tokio#owned-guards-and-guards-handed-to-another-task)).
///
/// ```
/// use std::sync::Arc;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let limit: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(3));
/// let mut workers = Vec::new();
/// for i in 0..5 {
///     let permit = Arc::clone(&limit).acquire_owned().await.unwrap();
///     workers.push(tokio::spawn(async move {
///         let _permit = permit; // at most 3 workers at once
///         i * 2
///     }));
/// }
/// for worker in workers {
///     worker.await.unwrap();
/// }
/// # });
/// ```
#[must_use]
pub struct OwnedSemaphorePermit<C: LockClass = Unranked> {
    // Declared first: dropped first, while `semaphore` still keeps the semaphore alive.
    inner: ::tokio::sync::SemaphorePermit<'static>,
    semaphore: Arc<Semaphore<C>>,
    /// Send and Sync exactly when tokio's owned permit is.
    marker: PhantomData<::tokio::sync::OwnedSemaphorePermit>,
}

impl<C: LockClass> Semaphore<C> {
    /// The most permits a semaphore can hold, as tokio's.
    pub const MAX_PERMITS: usize = Inner::MAX_PERMITS;

    #[inline(always)]
    fn request(&self, site: &'static Location<'static>) -> Request {
        Request::new::<C, Semaphore, _>(self, &self.origin, site, LockKind::Semaphore, Access::Permit)
    }

    /// Creates a semaphore with `permits` permits, as tokio's `Semaphore::new`.
    ///
    /// # Panics
    /// When `permits` exceeds [`MAX_PERMITS`](Self::MAX_PERMITS).
    ///
    /// ```
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        Semaphore { class: PhantomData, origin: Origin::new::<C>(), inner: Inner::new(permits) }
    }

    /// Creates a semaphore in a `const` context, for a `static`, as tokio's `const_new`.
    ///
    /// ```
    /// use lock_rank::{lock_rank, tokio::Semaphore};
    ///
    /// #[lock_rank(5)]
    /// static UPLOADS: Semaphore = Semaphore::const_new(4);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let _slot = UPLOADS.acquire().await.unwrap();
    /// assert_eq!(UPLOADS.available_permits(), 3);
    /// # });
    /// ```
    #[track_caller]
    pub const fn const_new(permits: usize) -> Self {
        Semaphore { class: PhantomData, origin: Origin::new::<C>(), inner: Inner::const_new(permits) }
    }

    /// The number of permits available now.
    ///
    /// ```
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(1);
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.inner.available_permits()
    }

    /// Adds `n` permits, as tokio's.
    ///
    /// ```
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(1);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.inner.add_permits(n);
    }

    /// Removes up to `n` available permits for good; returns how many were removed.
    ///
    /// ```
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(3);
    /// assert_eq!(sem.forget_permits(2), 2);
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        self.inner.forget_permits(n)
    }

    /// Acquires a permit, waiting asynchronously; checked when called.
    ///
    /// # Errors
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Panics
    /// With checks on and the default [`Policy`](crate::Policy): when the task already holds a
    /// permit of this semaphore, or a lock of the same or a higher rank.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(1);
    /// let permit = sem.acquire().await.unwrap();
    /// assert_eq!(sem.available_permits(), 0);
    /// # drop(permit);
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn acquire(&self) -> impl Future<Output = Result<SemaphorePermit<'_, C>, AcquireError>> {
        let request = self.request(Location::caller());
        let pending = check::check_blocking(request);
        Acquiring::new(
            pending,
            &self.inner,
            |inner| inner.try_acquire().ok().map(Ok),
            |inner| inner.acquire(),
            |acquired, record| {
                acquired.map(|inner| SemaphorePermit { held: record.held(), inner, class: PhantomData })
            },
        )
    }

    /// Asks for a permit like [`acquire`](Self::acquire), giving up after `timeout` with a [`LockTimeout`](crate::LockTimeout) that names the
    /// lock, its rank, and who holds it (task or thread) with the site where they took it.
    ///
    /// A timed acquire is never an order violation: it gives up instead of hanging. While it waits,
    /// [`dump`](crate::dump) and the watchdog show it. Needs a runtime with tokio's time driver
    /// (`enable_time` or `enable_all`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use std::time::Duration;
    /// let pool: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(1);
    /// let conn = pool.acquire().await.unwrap();
    /// let timeout = pool.acquire_timeout(Duration::from_millis(10)).await.unwrap_err();
    /// assert!(timeout.to_string().starts_with("lock timeout:"));
    /// drop(conn);
    /// assert!(pool.acquire_timeout(Duration::from_millis(10)).await.unwrap().is_ok());
    /// # });
    /// ```
    #[track_caller]
    pub fn acquire_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> impl Future<Output = Result<Result<SemaphorePermit<'_, C>, AcquireError>, LockTimeout>> {
        let request = self.request(Location::caller());
        let acquiring = Acquiring::new(
            check::unchecked(request),
            &self.inner,
            |inner| inner.try_acquire().ok().map(Ok),
            |inner| inner.acquire(),
            |acquired, record| {
                acquired.map(|inner| SemaphorePermit { held: record.held(), inner, class: PhantomData })
            },
        );
        super::acquire::within(request, timeout, acquiring)
    }

    /// Acquires `n` permits at once, waiting asynchronously; checked when called, like
    /// [`acquire`](Self::acquire).
    ///
    /// # Errors
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(5);
    /// let permits = sem.acquire_many(3).await.unwrap();
    /// assert_eq!(permits.num_permits(), 3);
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn acquire_many(&self, n: u32) -> impl Future<Output = Result<SemaphorePermit<'_, C>, AcquireError>> {
        let request = self.request(Location::caller());
        let pending = check::check_blocking(request);
        Acquiring::new(
            pending,
            &self.inner,
            move |inner| inner.try_acquire_many(n).ok().map(Ok),
            move |inner| inner.acquire_many(n),
            |acquired, record| {
                acquired.map(|inner| SemaphorePermit { held: record.held(), inner, class: PhantomData })
            },
        )
    }

    /// Acquires a permit if one is available now. Never a violation (it cannot wait), but the
    /// permit then counts as held.
    ///
    /// # Errors
    /// [`TryAcquireError`] when no permit is available or the semaphore is closed.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(1);
    /// let first = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// # drop(first);
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_, C>, TryAcquireError> {
        let site = Location::caller();
        let inner = self.inner.try_acquire()?;
        Ok(SemaphorePermit { held: check::record_shared(self.request(site)), inner, class: PhantomData })
    }

    /// Acquires `n` permits if they are available now. Never a violation.
    ///
    /// # Errors
    /// [`TryAcquireError`] when not enough permits are available or the semaphore is closed.
    ///
    /// ```
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err());
    /// assert!(sem.try_acquire_many(2).is_ok());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_, C>, TryAcquireError> {
        let site = Location::caller();
        let inner = self.inner.try_acquire_many(n)?;
        Ok(SemaphorePermit { held: check::record_shared(self.request(site)), inner, class: PhantomData })
    }

    /// Acquires a permit through an `Arc`, for a permit that can move to another task; checked
    /// when called, not counted as held afterwards.
    ///
    /// # Errors
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(1));
    /// let permit = Arc::clone(&sem).acquire_owned().await.unwrap();
    /// tokio::spawn(async move { drop(permit) }).await.unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn acquire_owned(
        self: Arc<Self>,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit<C>, AcquireError>> {
        let request = self.request(Location::caller());
        let pending = check::check_blocking(request);
        // SAFETY: the future keeps `self` in `wrap`, dropped after the acquire that borrows the
        // semaphore (see `Acquiring`), and hands it to the permit, which drops it after tokio's.
        let semaphore = unsafe { borrow_for_guard(&self) };
        Acquiring::new(
            pending,
            &semaphore.inner,
            |inner| inner.try_acquire().ok().map(Ok),
            |inner| inner.acquire(),
            move |acquired, _| {
                acquired.map(move |inner| OwnedSemaphorePermit {
                    inner,
                    semaphore: self,
                    marker: PhantomData,
                })
            },
        )
    }

    /// Acquires `n` permits through an `Arc`; checked when called, not counted as held
    /// afterwards.
    ///
    /// # Errors
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(4));
    /// let permits = Arc::clone(&sem).acquire_many_owned(4).await.unwrap();
    /// assert_eq!(permits.num_permits(), 4);
    /// # });
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit<C>, AcquireError>> {
        let request = self.request(Location::caller());
        let pending = check::check_blocking(request);
        // SAFETY: the future keeps `self` in `wrap`, dropped after the acquire that borrows the
        // semaphore (see `Acquiring`), and hands it to the permit, which drops it after tokio's.
        let semaphore = unsafe { borrow_for_guard(&self) };
        Acquiring::new(
            pending,
            &semaphore.inner,
            move |inner| inner.try_acquire_many(n).ok().map(Ok),
            move |inner| inner.acquire_many(n),
            move |acquired, _| {
                acquired.map(move |inner| OwnedSemaphorePermit {
                    inner,
                    semaphore: self,
                    marker: PhantomData,
                })
            },
        )
    }

    /// Acquires a permit through an `Arc` if one is available now. Never a violation.
    ///
    /// # Errors
    /// [`TryAcquireError`] when no permit is available or the semaphore is closed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(1));
    /// assert!(Arc::clone(&sem).try_acquire_owned().is_ok());
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit<C>, TryAcquireError> {
        // SAFETY: the permit keeps `self` and drops it after tokio's permit.
        let semaphore = unsafe { borrow_for_guard(&self) };
        Ok(OwnedSemaphorePermit {
            inner: semaphore.inner.try_acquire()?,
            semaphore: self,
            marker: PhantomData,
        })
    }

    /// Acquires `n` permits through an `Arc` if they are available now. Never a violation.
    ///
    /// # Errors
    /// [`TryAcquireError`] when not enough permits are available or the semaphore is closed.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(1));
    /// assert!(Arc::clone(&sem).try_acquire_many_owned(2).is_err());
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit<C>, TryAcquireError> {
        // SAFETY: the permit keeps `self` and drops it after tokio's permit.
        let semaphore = unsafe { borrow_for_guard(&self) };
        Ok(OwnedSemaphorePermit {
            inner: semaphore.inner.try_acquire_many(n)?,
            semaphore: self,
            marker: PhantomData,
        })
    }

    /// Closes the semaphore: pending and later acquires fail, as tokio's.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert!(sem.acquire().await.is_err());
    /// # });
    /// ```
    pub fn close(&self) {
        self.inner.close();
    }

    /// Whether the semaphore is closed.
    ///
    /// ```
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(1);
    /// assert!(!sem.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

lock_traits!(RankedLock [C: LockClass] Semaphore<C>, class C);

plain_view!(
    /// A ranked semaphore is also a semaphore of the plain type, `Semaphore`: the same semaphore,
    /// checked through either with its own rank and name (see [`RankedClass`]).
    ///
    /// ```
    /// use lock_rank::{lock_rank, tokio::Semaphore};
    ///
    /// #[lock_rank(5)]
    /// static CONNECTIONS: Semaphore = Semaphore::const_new(4);
    ///
    /// async fn connect(pool: &Semaphore) -> usize {
    ///     let _permit = pool.acquire().await.unwrap(); // checked as `CONNECTIONS`, rank 5
    ///     pool.available_permits()
    /// }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(connect(&CONNECTIONS).await, 3);
    /// # });
    /// assert_eq!(lock_rank::class_of(&*CONNECTIONS).map(|c| c.rank()), lock_rank::CHECKS_ENABLED.then_some(5));
    /// ```
    [C: RankedClass] Semaphore<C> => Semaphore
);

impl<C: RankedClass> Semaphore<C> {
    /// The same semaphore behind the same `Arc`, as its plain type: for code that takes an
    /// `Arc<Semaphore>`. No allocation, no copy; it is still checked with its own rank.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::{lock_rank, tokio::Semaphore};
    ///
    /// #[lock_rank(2)]
    /// struct Workers;
    ///
    /// async fn work(limit: Arc<Semaphore>) -> usize {
    ///     limit.acquire_owned().await.unwrap().num_permits()
    /// }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let limit: Arc<Semaphore<Workers>> = Arc::new(Semaphore::new(2));
    /// assert_eq!(tokio::spawn(work(Semaphore::into_plain(limit))).await.unwrap(), 1);
    /// # });
    /// ```
    #[inline]
    pub fn into_plain(semaphore: Arc<Self>) -> Arc<Semaphore> {
        Self::plain_arc(semaphore)
    }
}

lock_traits!(Debug [C: LockClass] Semaphore<C>);

impl<'a, C: LockClass> SemaphorePermit<'a, C> {
    /// Keeps the permits taken for good (they are not given back), as tokio's; the record goes.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(2);
    /// sem.acquire().await.unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    pub fn forget(self) {
        let SemaphorePermit { held, inner, class: _ } = self;
        drop(held);
        inner.forget();
    }

    /// Moves the permits of `other` (of the same semaphore) into this one, as tokio's; the
    /// record of `other` goes.
    ///
    /// # Panics
    /// As tokio's, when `other` is from another semaphore.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(3);
    /// let mut permit = sem.try_acquire().unwrap();
    /// permit.merge(sem.try_acquire_many(2).unwrap());
    /// assert_eq!(permit.num_permits(), 3);
    /// # });
    /// ```
    pub fn merge(&mut self, other: Self) {
        let SemaphorePermit { held, inner, class: _ } = other;
        drop(held);
        self.inner.merge(inner);
    }

    /// Splits `n` permits off into a new permit of the same semaphore, recorded like a
    /// successful `try_acquire` made here; `None` when this one holds fewer than `n`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(3);
    /// let mut permit = sem.acquire_many(3).await.unwrap();
    /// let part = permit.split(1).unwrap();
    /// assert_eq!((permit.num_permits(), part.num_permits()), (2, 1));
    /// # });
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let site = Location::caller();
        let inner = self.inner.split(n)?;
        let semaphore: &Semaphore<C> = as_outer_lock!(inner.semaphore(), Semaphore<C>);
        Some(SemaphorePermit {
            held: check::record_shared(semaphore.request(site)),
            inner,
            class: PhantomData,
        })
    }

    /// How many permits this holds.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(2);
    /// assert_eq!(sem.acquire().await.unwrap().num_permits(), 1);
    /// # });
    /// ```
    pub fn num_permits(&self) -> usize {
        self.inner.num_permits()
    }

    /// The semaphore the permits are from.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: lock_rank::tokio::Semaphore = lock_rank::tokio::Semaphore::new(2);
    /// let permit = sem.acquire().await.unwrap();
    /// assert!(std::ptr::eq(permit.semaphore(), &sem));
    /// # });
    /// ```
    pub fn semaphore(&self) -> &Semaphore<C> {
        as_outer_lock!(self.inner.semaphore(), Semaphore<C>)
    }

    /// Stops counting the permit as held by the current task, for a permit handed to another
    /// task (a borrowed permit of a `static` semaphore: `acquire_owned`'s permits never count).
    /// The permit itself is kept until it drops.
    ///
    /// ```
    /// use lock_rank::{lock_rank, tokio::Semaphore};
    ///
    /// #[lock_rank(1)]
    /// static WORKERS: Semaphore = Semaphore::const_new(2);
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// tokio::spawn(async {
    ///     for job in 0..4 {
    ///         let permit = WORKERS.acquire().await.unwrap().detach();
    ///         tokio::spawn(async move {
    ///             let _permit = permit; // the worker holds it now
    ///             job
    ///         });
    ///     }
    /// })
    /// .await
    /// .unwrap();
    /// # });
    /// ```
    pub fn detach(mut self) -> Self {
        self.held.forget_record();
        self
    }
}

impl<C: LockClass> OwnedSemaphorePermit<C> {
    /// Keeps the permits taken for good (they are not given back), as tokio's.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(2));
    /// Arc::clone(&sem).acquire_owned().await.unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    pub fn forget(self) {
        self.inner.forget();
    }

    /// Moves the permits of `other` (of the same semaphore) into this one, as tokio's.
    ///
    /// # Panics
    /// As tokio's, when `other` is from another semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(2));
    /// let mut permit = Arc::clone(&sem).try_acquire_owned().unwrap();
    /// permit.merge(Arc::clone(&sem).try_acquire_owned().unwrap());
    /// assert_eq!(permit.num_permits(), 2);
    /// ```
    pub fn merge(&mut self, other: Self) {
        // `other.semaphore` outlives the move of `other.inner` into tokio's `merge`, which
        // panics before using it when the two are of different semaphores.
        self.inner.merge(other.inner);
    }

    /// Splits `n` permits off into a new permit of the same semaphore; `None` when this one
    /// holds fewer than `n`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(2));
    /// let mut permit = Arc::clone(&sem).try_acquire_many_owned(2).unwrap();
    /// assert_eq!(permit.split(1).map(|p| p.num_permits()), Some(1));
    /// ```
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let inner = self.inner.split(n)?;
        Some(OwnedSemaphorePermit { inner, semaphore: Arc::clone(&self.semaphore), marker: PhantomData })
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(2));
    /// assert_eq!(Arc::clone(&sem).try_acquire_owned().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.inner.num_permits()
    }

    /// The semaphore the permits are from.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem: Arc<lock_rank::tokio::Semaphore> = Arc::new(lock_rank::tokio::Semaphore::new(2));
    /// let permit = Arc::clone(&sem).try_acquire_owned().unwrap();
    /// assert!(std::ptr::eq(permit.semaphore(), &*sem));
    /// ```
    pub fn semaphore(&self) -> &Semaphore<C> {
        &self.semaphore
    }
}

lock_traits!(Debug [C: LockClass] SemaphorePermit<'_, C>);
lock_traits!(Debug [C: LockClass] OwnedSemaphorePermit<C>);
