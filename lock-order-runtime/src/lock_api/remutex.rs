//! [`ReentrantMutex`] over any [`RawMutex`] and [`GetThreadId`], its guard and its mapped guard.

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use ::lock_api::{GetThreadId, RawMutex, RawMutexFair, RawMutexTimed};

use super::guard_record::{reentry, GuardRecord};
use super::marker::Marker;
use super::restore_on_unwind::RestoreOnUnwind;
use super::timed::lock_timed;
use crate::check::{self, RecordAt, Request};
use crate::class::{LockClass, Origin, RankedClass, Unranked};
use crate::track::{Access, LockKind};
use crate::trait_impls::{guard_traits, lock_traits, plain_view};

/// A mutex that the thread holding it may lock again, over any [`RawMutex`] and
/// [`GetThreadId`], with a place in the lock order: `lock_api::ReentrantMutex<R, G, T>` plus a
/// class.
///
/// Taking it again on the thread that holds it never blocks, so it is never a violation, whatever
/// else the thread holds, and it is not recorded a second time: deep recursion does not fill the
/// held set. The first acquire is checked as any mutex's, and while the thread holds it, locks of
/// a lower rank are reported.
///
/// Guards dropped out of order: when the outermost guard goes first, the mutex stays locked by
/// the inner ones but is no longer recorded until the thread takes it again.
///
/// ```
/// use std::cell::RefCell;
/// use lock_rank::lock_rank;
/// use lock_rank::lock_api::ReentrantMutex;
/// use parking_lot::{RawMutex, RawThreadId};
///
/// #[lock_rank(1)]
/// static TREE: ReentrantMutex<RawMutex, RawThreadId, RefCell<Vec<u32>>> = ReentrantMutex::new(RefCell::new(Vec::new()));
///
/// fn visit(depth: u32) {
///     let tree = TREE.lock(); // again and again on this thread: fine
///     tree.borrow_mut().push(depth);
///     if depth < 3 {
///         visit(depth + 1);
///     }
/// }
/// visit(0);
/// assert_eq!(*TREE.lock().borrow(), [0, 1, 2, 3]);
/// ```
#[repr(C)] // the same layout for every `C`: a ranked lock is also its plain view
pub struct ReentrantMutex<R, G, T: ?Sized, C: LockClass = Unranked> {
    class: PhantomData<fn() -> C>,
    origin: Origin,
    inner: ::lock_api::ReentrantMutex<R, G, T>,
}

/// The guard of a locked [`ReentrantMutex`]; gives shared access only, as lock_api's.
///
/// ```
/// use lock_rank::lock_api::ReentrantMutex;
/// use parking_lot::{RawMutex, RawThreadId};
/// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
/// let outer = m.lock();
/// let inner = m.lock();
/// assert_eq!(*outer + *inner, 2);
/// ```
#[must_use = "if unused the ReentrantMutex will immediately unlock"]
pub struct ReentrantMutexGuard<'a, R: RawMutex, G: GetThreadId, T: ?Sized + 'a, C: LockClass = Unranked> {
    record: GuardRecord,
    inner: ::lock_api::ReentrantMutexGuard<'a, R, G, T>,
    marker: Marker<C>,
}

/// A guard of part of a [`ReentrantMutex`]'s data, made by [`ReentrantMutexGuard::map`].
///
/// ```
/// use lock_rank::lock_api::{ReentrantMutex, ReentrantMutexGuard};
/// use parking_lot::{RawMutex, RawThreadId};
/// let m: ReentrantMutex<RawMutex, RawThreadId, (u8, u8)> = ReentrantMutex::new((1, 2));
/// assert_eq!(*ReentrantMutexGuard::map(m.lock(), |t| &t.1), 2);
/// ```
#[must_use = "if unused the ReentrantMutex will immediately unlock"]
pub struct MappedReentrantMutexGuard<'a, R: RawMutex, G: GetThreadId, T: ?Sized + 'a, C: LockClass = Unranked>
{
    record: GuardRecord,
    inner: ::lock_api::MappedReentrantMutexGuard<'a, R, G, T>,
    marker: Marker<C>,
}

impl<R: RawMutex, G: GetThreadId, T, C: LockClass> ReentrantMutex<R, G, T, C> {
    /// Creates an unlocked mutex; `const`, so it can initialize a `static`.
    ///
    /// ```
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// static M: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(0);
    /// assert_eq!(*M.lock(), 0);
    /// ```
    #[inline]
    #[track_caller]
    pub const fn new(value: T) -> Self {
        ReentrantMutex {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: ::lock_api::ReentrantMutex::new(value),
        }
    }

    /// Consumes the mutex and returns the value.
    ///
    /// ```
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(4);
    /// assert_eq!(m.into_inner(), 4);
    /// ```
    #[inline]
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<R, G, T, C: LockClass> ReentrantMutex<R, G, T, C> {
    /// Creates an unlocked mutex around a raw mutex and thread-id source built by hand; `const`.
    ///
    /// ```
    /// use lock_rank::lock_api::{GetThreadId as _, RawMutex as _, ReentrantMutex};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// static M: ReentrantMutex<RawMutex, RawThreadId, u8> =
    ///     ReentrantMutex::const_new(RawMutex::INIT, RawThreadId::INIT, 0);
    /// assert_eq!(*M.lock(), 0);
    /// ```
    #[inline]
    #[track_caller]
    pub const fn const_new(raw_mutex: R, get_thread_id: G, value: T) -> Self {
        ReentrantMutex {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: ::lock_api::ReentrantMutex::const_new(raw_mutex, get_thread_id, value),
        }
    }

    /// The same as [`const_new`](Self::const_new).
    ///
    /// ```
    /// use lock_rank::lock_api::{GetThreadId as _, RawMutex as _, ReentrantMutex};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> =
    ///     ReentrantMutex::from_raw(RawMutex::INIT, RawThreadId::INIT, 2);
    /// assert_eq!(*m.lock(), 2);
    /// ```
    #[inline]
    #[track_caller]
    pub const fn from_raw(raw_mutex: R, get_thread_id: G, value: T) -> Self {
        ReentrantMutex {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: ::lock_api::ReentrantMutex::from_raw(raw_mutex, get_thread_id, value),
        }
    }
}

impl<R: RawMutex, G: GetThreadId, T: ?Sized, C: LockClass> ReentrantMutex<R, G, T, C> {
    /// What the lock keeps of its making: its class and, with checks, where it was made.
    #[allow(dead_code)] // read by the checks and reports
    #[inline(always)]
    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }

    #[inline(always)]
    fn request(&self, site: &'static Location<'static>) -> Request {
        Request::new::<C, T, _>(&self.inner, &self.origin, site, LockKind::ReentrantMutex, Access::Exclusive)
    }

    /// Acquires the mutex, blocking until it is free unless this thread holds it already.
    ///
    /// The first acquire is checked against the locks this thread holds; taking it again on the
    /// thread that holds it is never a violation.
    ///
    /// # Panics
    /// With checks on and the default policy: when this thread does not hold the mutex yet and
    /// holds a lock of the same or a higher rank.
    ///
    /// ```
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// let a = m.lock();
    /// let b = m.lock();
    /// assert_eq!(*a, *b);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn lock(&self) -> ReentrantMutexGuard<'_, R, G, T, C> {
        let request = self.request(Location::caller());
        #[cfg(lock_rank_checked)]
        if self.inner.is_owned_by_current_thread() {
            // A re-entry never blocks: not a violation, whatever else is held.
            let inner = self.inner.lock();
            return ReentrantMutexGuard::new(inner, reentry(request));
        }
        let (inner, held) =
            check::lock_with(request, RecordAt::AfterTry, || self.inner.try_lock(), || self.inner.lock());
        ReentrantMutexGuard::new(inner, GuardRecord::new(held))
    }

    /// Acquires the mutex if it is free right now or this thread holds it. Never a violation.
    ///
    /// ```
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// let held = m.lock();
    /// assert!(m.try_lock().is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_lock(&self) -> Option<ReentrantMutexGuard<'_, R, G, T, C>> {
        let site = Location::caller();
        let inner = self.inner.try_lock()?;
        Some(ReentrantMutexGuard::new(inner, reentry(self.request(site))))
    }

    /// A mutable reference to the value; no locking needed.
    ///
    /// ```
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let mut m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(*m.lock(), 2);
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    /// Whether anyone holds the mutex right now.
    ///
    /// ```
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// assert!(!m.is_locked());
    /// ```
    #[inline]
    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// Whether this thread holds the mutex.
    ///
    /// ```
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// let held = m.lock();
    /// assert!(m.is_owned_by_current_thread());
    /// ```
    #[inline]
    pub fn is_owned_by_current_thread(&self) -> bool {
        self.inner.is_owned_by_current_thread()
    }

    /// A raw pointer to the value, as lock_api's; using it is up to the caller.
    ///
    /// ```
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// assert!(!m.data_ptr().is_null());
    /// ```
    #[inline]
    pub fn data_ptr(&self) -> *mut T {
        self.inner.data_ptr()
    }
}

impl<R: RawMutexTimed, G: GetThreadId, T: ?Sized, C: LockClass> ReentrantMutex<R, G, T, C> {
    /// Acquires the mutex, waiting at most `timeout` unless this thread holds it already.
    /// Never a violation; recorded once taken.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// assert!(m.try_lock_for(Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_lock_for(&self, timeout: R::Duration) -> Option<ReentrantMutexGuard<'_, R, G, T, C>> {
        let request = self.request(Location::caller());
        #[cfg(lock_rank_checked)]
        if self.inner.is_owned_by_current_thread() {
            let inner = self.inner.try_lock_for(timeout)?;
            return Some(ReentrantMutexGuard::new(inner, reentry(request)));
        }
        let (inner, held) =
            lock_timed(request, || self.inner.try_lock(), || self.inner.try_lock_for(timeout))?;
        Some(ReentrantMutexGuard::new(inner, GuardRecord::new(held)))
    }

    /// Acquires the mutex, waiting until `deadline` at the latest unless this thread holds it
    /// already. Never a violation.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use lock_rank::lock_api::ReentrantMutex;
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// assert!(m.try_lock_until(Instant::now() + Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_lock_until(&self, deadline: R::Instant) -> Option<ReentrantMutexGuard<'_, R, G, T, C>> {
        let request = self.request(Location::caller());
        #[cfg(lock_rank_checked)]
        if self.inner.is_owned_by_current_thread() {
            let inner = self.inner.try_lock_until(deadline)?;
            return Some(ReentrantMutexGuard::new(inner, reentry(request)));
        }
        let (inner, held) =
            lock_timed(request, || self.inner.try_lock(), || self.inner.try_lock_until(deadline))?;
        Some(ReentrantMutexGuard::new(inner, GuardRecord::new(held)))
    }
}

lock_traits!(RankedLock [R, G, T: ?Sized, C: LockClass] ReentrantMutex<R, G, T, C>, class C);

plain_view!(
    /// A ranked lock is also a lock of its plain type, `ReentrantMutex<R, G, T>`: the same lock, checked through
    /// either with its own rank and name (see [`RankedClass`]).
    ///
    /// ```
    /// use lock_rank::lock_rank;
    /// use lock_rank::parking_lot::ReentrantMutex;
    ///
    /// #[lock_rank(4)]
    /// static TREE: ReentrantMutex<u8> = ReentrantMutex::new(0);
    ///
    /// fn depth(tree: &ReentrantMutex<u8>) -> u8 {
    ///     *tree.lock() // checked as `TREE`, rank 4
    /// }
    /// assert_eq!(depth(&TREE), 0);
    /// ```
    [R, G, T: ?Sized, C: RankedClass] ReentrantMutex<R, G, T, C> => ReentrantMutex<R, G, T>
);

impl<R, G, T: ?Sized, C: RankedClass> ReentrantMutex<R, G, T, C> {
    /// The same lock behind the same `Arc`, as its plain type: for code that takes an
    /// `Arc<ReentrantMutex<R, G, T>>`. No allocation, no copy; the lock is still checked with its own rank.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::{lock_rank, parking_lot::ReentrantMutex};
    ///
    /// #[lock_rank(2)]
    /// struct Tree;
    ///
    /// let tree: Arc<ReentrantMutex<u8, Tree>> = Arc::new(ReentrantMutex::new(1));
    /// let plain: Arc<ReentrantMutex<u8>> = ReentrantMutex::into_plain(tree);
    /// assert_eq!(*plain.lock(), 1);
    /// ```
    #[inline]
    pub fn into_plain(lock: Arc<Self>) -> Arc<ReentrantMutex<R, G, T>> {
        Self::plain_arc(lock)
    }
}

lock_traits!(Default, From<T> [R: RawMutex, G: GetThreadId, T, C: LockClass] ReentrantMutex<R, G, T, C>);
lock_traits!(
    Debug [R: RawMutex, G: GetThreadId, T: ?Sized + fmt::Debug, C: LockClass]
    ReentrantMutex<R, G, T, C>
);

impl<'a, R: RawMutex + 'a, G: GetThreadId + 'a, T: ?Sized + 'a, C: LockClass>
    ReentrantMutexGuard<'a, R, G, T, C>
{
    #[inline(always)]
    fn new(inner: ::lock_api::ReentrantMutexGuard<'a, R, G, T>, record: GuardRecord) -> Self {
        ReentrantMutexGuard { record, inner, marker: PhantomData }
    }

    /// A guard of part of the data; the mutex stays locked until it drops.
    ///
    /// ```
    /// use lock_rank::lock_api::{ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, (u8, u8)> = ReentrantMutex::new((1, 2));
    /// assert_eq!(*ReentrantMutexGuard::map(m.lock(), |t| &t.0), 1);
    /// ```
    #[inline]
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedReentrantMutexGuard<'a, R, G, U, C>
    where
        F: FnOnce(&T) -> &U,
    {
        let ReentrantMutexGuard { record, inner, marker } = s;
        MappedReentrantMutexGuard { record, inner: ::lock_api::ReentrantMutexGuard::map(inner, f), marker }
    }

    /// A guard of part of the data if `f` finds it; otherwise the guard back.
    ///
    /// ```
    /// use lock_rank::lock_api::{ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, Vec<u8>> = ReentrantMutex::new(vec![]);
    /// assert!(ReentrantMutexGuard::try_map(m.lock(), |v| v.first()).is_err());
    /// ```
    #[inline]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedReentrantMutexGuard<'a, R, G, U, C>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let ReentrantMutexGuard { record, inner, marker } = s;
        match ::lock_api::ReentrantMutexGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedReentrantMutexGuard { record, inner, marker }),
            Err(inner) => Err(ReentrantMutexGuard { record, inner, marker }),
        }
    }

    /// Runs `f` with this guard's hold on the mutex given up, then takes it again.
    ///
    /// When this is the thread's only hold, the mutex is free while `f` runs and the re-acquire
    /// blocks: it is checked against the locks held when `f` returns, with this call as its
    /// site. When outer guards still hold it, the re-acquire is a re-entry and never a violation.
    ///
    /// ```
    /// use lock_rank::lock_api::{ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// let mut guard = m.lock();
    /// ReentrantMutexGuard::unlocked(&mut guard, || assert!(!m.is_locked()));
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn unlocked<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let remutex = ::lock_api::ReentrantMutexGuard::remutex(&s.inner);
        let request = Request::reacquire::<C, _>(
            remutex,
            s.record.class(),
            Location::caller(),
            LockKind::ReentrantMutex,
            Access::Exclusive,
        );
        let given_up = RestoreOnUnwind::new(&mut s.record, request);
        let (value, reacquire) = ::lock_api::ReentrantMutexGuard::unlocked(&mut s.inner, || {
            (f(), given_up.check_reacquire_if(!remutex.is_owned_by_current_thread()))
        });
        s.record = match reacquire {
            Some(reacquire) => GuardRecord::new(reacquire.reacquired()),
            None => reentry(request),
        };
        value
    }
}

impl<'a, R: RawMutexFair + 'a, G: GetThreadId + 'a, T: ?Sized + 'a, C: LockClass>
    ReentrantMutexGuard<'a, R, G, T, C>
{
    /// Gives up this guard's hold fairly: when it was the last, a waiting thread gets the mutex
    /// before this one can take it again.
    ///
    /// ```
    /// use lock_rank::lock_api::{ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// ReentrantMutexGuard::unlock_fair(m.lock());
    /// assert!(!m.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let ReentrantMutexGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::ReentrantMutexGuard::unlock_fair(inner);
    }

    /// [`unlocked`](Self::unlocked), giving up the hold fairly.
    ///
    /// ```
    /// use lock_rank::lock_api::{ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// let mut guard = m.lock();
    /// ReentrantMutexGuard::unlocked_fair(&mut guard, || {});
    /// assert_eq!(*guard, 1);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn unlocked_fair<F, U>(s: &mut Self, f: F) -> U
    where
        F: FnOnce() -> U,
    {
        let remutex = ::lock_api::ReentrantMutexGuard::remutex(&s.inner);
        let request = Request::reacquire::<C, _>(
            remutex,
            s.record.class(),
            Location::caller(),
            LockKind::ReentrantMutex,
            Access::Exclusive,
        );
        let given_up = RestoreOnUnwind::new(&mut s.record, request);
        let (value, reacquire) = ::lock_api::ReentrantMutexGuard::unlocked_fair(&mut s.inner, || {
            (f(), given_up.check_reacquire_if(!remutex.is_owned_by_current_thread()))
        });
        s.record = match reacquire {
            Some(reacquire) => GuardRecord::new(reacquire.reacquired()),
            None => reentry(request),
        };
        value
    }

    /// Lets a waiting thread have the mutex if this is the thread's only hold on it, and takes it
    /// again. Not checked: a guard cannot tell whether outer guards hold the mutex too (then
    /// nothing happens), and the record stays as it is.
    ///
    /// ```
    /// use lock_rank::lock_api::{ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::new(1);
    /// let mut guard = m.lock();
    /// ReentrantMutexGuard::bump(&mut guard);
    /// assert_eq!(*guard, 1);
    /// ```
    #[inline]
    pub fn bump(s: &mut Self) {
        ::lock_api::ReentrantMutexGuard::bump(&mut s.inner);
    }
}

impl<'a, R: RawMutex + 'a, G: GetThreadId + 'a, T: ?Sized + 'a, C: LockClass>
    MappedReentrantMutexGuard<'a, R, G, T, C>
{
    /// A guard of part of this part.
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, ((u8, u8), u8)> = ReentrantMutex::new(((1, 2), 3));
    /// let pair = ReentrantMutexGuard::map(m.lock(), |t| &t.0);
    /// assert_eq!(*MappedReentrantMutexGuard::map(pair, |p| &p.0), 1);
    /// ```
    #[inline]
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedReentrantMutexGuard<'a, R, G, U, C>
    where
        F: FnOnce(&T) -> &U,
    {
        let MappedReentrantMutexGuard { record, inner, marker } = s;
        MappedReentrantMutexGuard {
            record,
            inner: ::lock_api::MappedReentrantMutexGuard::map(inner, f),
            marker,
        }
    }

    /// A guard of part of this part if `f` finds it; otherwise the guard back.
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, (Vec<u8>, u8)> = ReentrantMutex::new((vec![5], 0));
    /// let list = ReentrantMutexGuard::map(m.lock(), |t| &t.0);
    /// assert_eq!(*MappedReentrantMutexGuard::try_map(list, |v| v.first()).ok().unwrap(), 5);
    /// ```
    #[inline]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedReentrantMutexGuard<'a, R, G, U, C>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let MappedReentrantMutexGuard { record, inner, marker } = s;
        match ::lock_api::MappedReentrantMutexGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedReentrantMutexGuard { record, inner, marker }),
            Err(inner) => Err(MappedReentrantMutexGuard { record, inner, marker }),
        }
    }
}

impl<'a, R: RawMutexFair + 'a, G: GetThreadId + 'a, T: ?Sized + 'a, C: LockClass>
    MappedReentrantMutexGuard<'a, R, G, T, C>
{
    /// Gives up the hold fairly, as [`ReentrantMutexGuard::unlock_fair`].
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
    /// use parking_lot::{RawMutex, RawThreadId};
    /// let m: ReentrantMutex<RawMutex, RawThreadId, (u8, u8)> = ReentrantMutex::new((1, 2));
    /// MappedReentrantMutexGuard::unlock_fair(ReentrantMutexGuard::map(m.lock(), |t| &t.0));
    /// assert!(!m.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let MappedReentrantMutexGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::MappedReentrantMutexGuard::unlock_fair(inner);
    }
}

guard_traits!(
    ['a, R: RawMutex + 'a, G: GetThreadId + 'a, T: ?Sized + 'a, C: LockClass]
    ReentrantMutexGuard<'a, R, G, T, C> => T
);
guard_traits!(
    ['a, R: RawMutex + 'a, G: GetThreadId + 'a, T: ?Sized + 'a, C: LockClass]
    MappedReentrantMutexGuard<'a, R, G, T, C> => T
);
