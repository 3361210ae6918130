//! [`Mutex`] over any [`RawMutex`], its guard and its mapped guard.

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use ::lock_api::{RawMutex, RawMutexFair, RawMutexTimed};

use super::guard_record::GuardRecord;
use super::marker::Marker;
use super::restore_on_unwind::RestoreOnUnwind;
use super::timed::lock_timed;
use crate::check::{self, RecordAt, Request};
use crate::class::{LockClass, Origin, RankedClass, Unranked};
use crate::track::{Access, LockKind};
use crate::trait_impls::{guard_traits, lock_traits, plain_view};

/// A mutex over any [`RawMutex`] with a place in the lock order: `lock_api::Mutex<R, T>` plus a
/// class.
///
/// The API is lock_api's: no poisoning, [`lock`](Self::lock) returns the guard. Blocking
/// acquires are checked against the locks the thread holds; see the [module
/// docs](crate::lock_api) for what else is.
///
/// ```
/// use lock_rank::lock_rank;
/// use lock_rank::lock_api::Mutex;
/// use parking_lot::RawMutex;
///
/// #[lock_rank(3)]
/// struct Shard;
///
/// let shards: Vec<Mutex<RawMutex, u64, Shard>> = (0..4).map(|_| Mutex::new(0)).collect();
/// *shards[1].lock() += 1;
/// let unranked: Mutex<RawMutex, u8> = Mutex::new(0);
/// assert_eq!(*unranked.lock(), 0);
/// ```
#[repr(C)] // the same layout for every `C`: a ranked lock is also its plain view
pub struct Mutex<R, T: ?Sized, C: LockClass = Unranked> {
    class: PhantomData<fn() -> C>,
    origin: Origin,
    inner: ::lock_api::Mutex<R, T>,
}

/// The guard of a locked [`Mutex`]: the lock is released, and its record forgotten, when it drops.
///
/// ```
/// use lock_rank::lock_api::Mutex;
/// let m: Mutex<parking_lot::RawMutex, i32> = Mutex::new(1);
/// *m.lock() += 1;
/// assert_eq!(*m.lock(), 2);
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, R: RawMutex, T: ?Sized + 'a, C: LockClass = Unranked> {
    // Declared first: dropped first, so the record goes before the lock does.
    pub(crate) record: GuardRecord,
    pub(crate) inner: ::lock_api::MutexGuard<'a, R, T>,
    marker: Marker<C>,
}

/// A guard of part of a [`Mutex`]'s data, made by [`MutexGuard::map`]. It still holds the
/// whole mutex.
///
/// ```
/// use lock_rank::lock_api::{Mutex, MutexGuard};
/// let m: Mutex<parking_lot::RawMutex, (u8, String)> = Mutex::new((1, "a".into()));
/// let mut name = MutexGuard::map(m.lock(), |pair| &mut pair.1);
/// name.push('b');
/// drop(name);
/// assert_eq!(m.lock().1, "ab");
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MappedMutexGuard<'a, R: RawMutex, T: ?Sized + 'a, C: LockClass = Unranked> {
    record: GuardRecord,
    inner: ::lock_api::MappedMutexGuard<'a, R, T>,
    marker: Marker<C>,
}

impl<R: RawMutex, T, C: LockClass> Mutex<R, T, C> {
    /// Creates an unlocked mutex; `const`, so it can initialize a `static`.
    ///
    /// ```
    /// use lock_rank::lock_api::Mutex;
    /// static HITS: Mutex<parking_lot::RawMutex, u64> = Mutex::new(0);
    /// *HITS.lock() += 1;
    /// ```
    #[inline]
    #[track_caller]
    pub const fn new(value: T) -> Self {
        Mutex { class: PhantomData, origin: Origin::new::<C>(), inner: ::lock_api::Mutex::new(value) }
    }

    /// Consumes the mutex and returns the value.
    ///
    /// ```
    /// use lock_rank::lock_api::Mutex;
    /// let m: Mutex<parking_lot::RawMutex, i32> = Mutex::new(3);
    /// assert_eq!(m.into_inner(), 3);
    /// ```
    #[inline]
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }

    /// Locks every mutex of one class together, the only way to hold two locks of the same rank.
    ///
    /// As [`crate::Mutex::lock_all`]: they are taken in address order, checked once as one
    /// acquire of their shared rank, and the guards come back in the order given. Naming one
    /// mutex twice is a recursive acquisition.
    ///
    /// ```
    /// use lock_rank::lock_rank;
    /// use lock_rank::lock_api::Mutex;
    ///
    /// #[lock_rank(5)]
    /// struct Account;
    ///
    /// let from: Mutex<parking_lot::RawMutex, i64, Account> = Mutex::new(100);
    /// let to: Mutex<parking_lot::RawMutex, i64, Account> = Mutex::new(0);
    /// let mut both = Mutex::lock_all([&from, &to]);
    /// *both[0] -= 30;
    /// *both[1] += 30;
    /// drop(both);
    /// assert_eq!(*to.lock(), 30);
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn lock_all<'a, I>(locks: I) -> Vec<MutexGuard<'a, R, T, C>>
    where
        I: IntoIterator<Item = &'a Self>,
    {
        let locks: Vec<&'a Self> = locks.into_iter().collect();
        let mut order: Vec<usize> = (0..locks.len()).collect();
        order.sort_by_key(|&i| std::ptr::from_ref(locks[i]) as usize);
        let site = Location::caller();
        let requests: Vec<Request> = order.iter().map(|&i| locks[i].request(site)).collect();
        let Some(group) = check::check_group(&requests) else { return Vec::new() };
        let mut guards: Vec<Option<MutexGuard<'a, R, T, C>>> = locks.iter().map(|_| None).collect();
        for (&i, request) in order.iter().zip(&requests) {
            let lock = locks[i];
            let member = group.member(*request);
            let inner = match lock.inner.try_lock() {
                Some(inner) => inner,
                None => member.wait_for(|| lock.inner.lock()),
            };
            guards[i] = Some(MutexGuard::new(inner, GuardRecord::new(member.acquired())));
        }
        guards.into_iter().map(|g| g.expect("every lock was taken")).collect()
    }
}

impl<R, T, C: LockClass> Mutex<R, T, C> {
    /// Creates an unlocked mutex around a raw mutex built by hand, for raw mutexes whose
    /// `INIT` cannot be used; `const`.
    ///
    /// ```
    /// use lock_rank::lock_api::{Mutex, RawMutex as _};
    /// static M: Mutex<parking_lot::RawMutex, u8> = Mutex::const_new(parking_lot::RawMutex::INIT, 0);
    /// assert_eq!(*M.lock(), 0);
    /// ```
    #[inline]
    #[track_caller]
    pub const fn const_new(raw_mutex: R, value: T) -> Self {
        Mutex {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: ::lock_api::Mutex::const_new(raw_mutex, value),
        }
    }

    /// The same as [`const_new`](Self::const_new).
    ///
    /// ```
    /// use lock_rank::lock_api::{Mutex, RawMutex as _};
    /// let m: Mutex<parking_lot::RawMutex, u8> = Mutex::from_raw(parking_lot::RawMutex::INIT, 7);
    /// assert_eq!(*m.lock(), 7);
    /// ```
    #[inline]
    #[track_caller]
    pub const fn from_raw(raw_mutex: R, value: T) -> Self {
        Mutex {
            class: PhantomData,
            origin: Origin::new::<C>(),
            inner: ::lock_api::Mutex::from_raw(raw_mutex, value),
        }
    }
}

impl<R: RawMutex, T: ?Sized, C: LockClass> Mutex<R, T, C> {
    /// What the lock keeps of its making: its class and, with checks, where it was made.
    #[allow(dead_code)] // read by the checks and reports
    #[inline(always)]
    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }

    #[inline(always)]
    fn request(&self, site: &'static Location<'static>) -> Request {
        Request::new::<C, T, _>(&self.inner, &self.origin, site, LockKind::Mutex, Access::Exclusive)
    }

    /// Acquires the mutex, blocking until it is free; checked first against the locks this
    /// thread holds.
    ///
    /// # Panics
    /// With checks on and the default [`Policy`](crate::Policy): when this thread already holds
    /// a lock of the same or a higher rank, or this very mutex. The report names both locks,
    /// their ranks and both acquisition sites.
    ///
    /// ```
    /// use lock_rank::lock_api::Mutex;
    /// let m: Mutex<parking_lot::RawMutex, Vec<i32>> = Mutex::new(vec![]);
    /// m.lock().push(4);
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn lock(&self) -> MutexGuard<'_, R, T, C> {
        let request = self.request(Location::caller());
        #[cfg(all(feature = "parking_lot", lock_rank_checked))]
        // SAFETY: the raw lock is only tried through this reference, never unlocked.
        if let Some(raw) = parking_lot_raw(unsafe { self.inner.raw() }) {
            // parking_lot's own `try_lock` reads the lock word before its compare-and-swap; its
            // timed try starts with the compare-and-swap alone, which lets the check and record
            // go ahead of it as for std's locks (see `check::lock_with`). With no time to wait it
            // gives up after a short spin when the mutex is held, and the acquire then blocks
            // as any other, shown as waiting.
            let (inner, held) = check::lock_with(
                request,
                RecordAt::BeforeTry,
                || {
                    use ::lock_api::RawMutexTimed;
                    // SAFETY: the mutex was just taken, by this thread.
                    raw.try_lock_for(std::time::Duration::ZERO)
                        .then(|| unsafe { self.inner.make_guard_unchecked() })
                },
                || self.inner.lock(),
            );
            return MutexGuard::new(inner, GuardRecord::new(held));
        }
        let (inner, held) =
            check::lock_with(request, RecordAt::AfterTry, || self.inner.try_lock(), || self.inner.lock());
        MutexGuard::new(inner, GuardRecord::new(held))
    }

    /// Acquires the mutex if it is free right now. Never a violation (it cannot block), but once
    /// taken the lock counts as held for later checks.
    ///
    /// ```
    /// use lock_rank::lock_api::Mutex;
    /// let m: Mutex<parking_lot::RawMutex, i32> = Mutex::new(0);
    /// let held = m.lock();
    /// assert!(m.try_lock().is_none());
    /// drop(held);
    /// assert!(m.try_lock().is_some());
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, R, T, C>> {
        let site = Location::caller();
        let inner = self.inner.try_lock()?;
        Some(MutexGuard::new(inner, GuardRecord::new(check::record_try(self.request(site)))))
    }

    /// A mutable reference to the value; no locking needed.
    ///
    /// ```
    /// use lock_rank::lock_api::Mutex;
    /// let mut m: Mutex<parking_lot::RawMutex, i32> = Mutex::new(0);
    /// *m.get_mut() = 10;
    /// assert_eq!(*m.lock(), 10);
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    /// Whether the mutex is locked by anyone right now.
    ///
    /// ```
    /// use lock_rank::lock_api::Mutex;
    /// let m: Mutex<parking_lot::RawMutex, ()> = Mutex::new(());
    /// let guard = m.lock();
    /// assert!(m.is_locked());
    /// drop(guard);
    /// assert!(!m.is_locked());
    /// ```
    #[inline]
    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// A raw pointer to the value, as lock_api's; using it is up to the caller.
    ///
    /// ```
    /// use lock_rank::lock_api::Mutex;
    /// let m: Mutex<parking_lot::RawMutex, u8> = Mutex::new(1);
    /// assert!(!m.data_ptr().is_null());
    /// ```
    #[inline]
    pub fn data_ptr(&self) -> *mut T {
        self.inner.data_ptr()
    }
}

impl<R: RawMutexTimed, T: ?Sized, C: LockClass> Mutex<R, T, C> {
    /// Acquires the mutex, waiting at most `timeout`. Never a violation: it gives up when the
    /// timeout passes. Recorded once taken; the thread shows as blocked on the mutex while it
    /// waits.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lock_rank::lock_api::Mutex;
    /// let m: Mutex<parking_lot::RawMutex, u8> = Mutex::new(0);
    /// let held = m.lock();
    /// assert!(m.try_lock_for(Duration::from_millis(1)).is_none());
    /// drop(held);
    /// assert!(m.try_lock_for(Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_lock_for(&self, timeout: R::Duration) -> Option<MutexGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller()),
            || self.inner.try_lock(),
            || self.inner.try_lock_for(timeout),
        )?;
        Some(MutexGuard::new(inner, GuardRecord::new(held)))
    }

    /// Acquires the mutex, waiting until `deadline` at the latest; as
    /// [`try_lock_for`](Self::try_lock_for).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use lock_rank::lock_api::Mutex;
    /// let m: Mutex<parking_lot::RawMutex, u8> = Mutex::new(0);
    /// assert!(m.try_lock_until(Instant::now() + Duration::from_millis(1)).is_some());
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_lock_until(&self, deadline: R::Instant) -> Option<MutexGuard<'_, R, T, C>> {
        let (inner, held) = lock_timed(
            self.request(Location::caller()),
            || self.inner.try_lock(),
            || self.inner.try_lock_until(deadline),
        )?;
        Some(MutexGuard::new(inner, GuardRecord::new(held)))
    }
}

lock_traits!(RankedLock [R, T: ?Sized, C: LockClass] Mutex<R, T, C>, class C);

plain_view!(
    /// A ranked lock is also a lock of its plain type, `Mutex<R, T>`: the same lock, checked through
    /// either with its own rank and name (see [`RankedClass`]).
    ///
    /// ```
    /// use lock_rank::lock_rank;
    /// use lock_rank::lock_api::Mutex;
    /// use parking_lot::RawMutex;
    ///
    /// #[lock_rank(3)]
    /// static HITS: Mutex<RawMutex, u64> = Mutex::new(0);
    ///
    /// fn bump(hits: &Mutex<RawMutex, u64>) {
    ///     *hits.lock() += 1; // checked as `HITS`, rank 3
    /// }
    /// bump(&HITS);
    /// assert_eq!(*HITS.lock(), 1);
    /// ```
    [R, T: ?Sized, C: RankedClass] Mutex<R, T, C> => Mutex<R, T>
);

impl<R, T: ?Sized, C: RankedClass> Mutex<R, T, C> {
    /// The same lock behind the same `Arc`, as its plain type: for code that takes an
    /// `Arc<Mutex<R, T>>`. No allocation, no copy; the lock is still checked with its own rank.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lock_rank::{lock_rank, lock_api::Mutex};
    /// use parking_lot::RawMutex;
    ///
    /// #[lock_rank(2)]
    /// struct Stats;
    ///
    /// let stats: Arc<Mutex<RawMutex, u64, Stats>> = Arc::new(Mutex::new(4));
    /// let plain: Arc<Mutex<RawMutex, u64>> = Mutex::into_plain(stats);
    /// assert_eq!(*plain.lock(), 4);
    /// ```
    #[inline]
    pub fn into_plain(lock: Arc<Self>) -> Arc<Mutex<R, T>> {
        Self::plain_arc(lock)
    }
}

lock_traits!(Default, From<T> [R: RawMutex, T, C: LockClass] Mutex<R, T, C>);
lock_traits!(Debug [R: RawMutex, T: ?Sized + fmt::Debug, C: LockClass] Mutex<R, T, C>);

impl<'a, R: RawMutex + 'a, T: ?Sized + 'a, C: LockClass> MutexGuard<'a, R, T, C> {
    #[inline(always)]
    fn new(inner: ::lock_api::MutexGuard<'a, R, T>, record: GuardRecord) -> Self {
        MutexGuard { record, inner, marker: PhantomData }
    }

    #[inline(always)]
    fn request(&self, site: &'static Location<'static>) -> Request {
        let mutex = ::lock_api::MutexGuard::mutex(&self.inner);
        Request::reacquire::<C, _>(mutex, self.record.class(), site, LockKind::Mutex, Access::Exclusive)
    }

    /// A guard of part of the data; the whole mutex stays locked (and recorded) until it drops.
    ///
    /// ```
    /// use lock_rank::lock_api::{Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, [u8; 2]> = Mutex::new([1, 2]);
    /// let mut second = MutexGuard::map(m.lock(), |pair| &mut pair[1]);
    /// *second = 5;
    /// drop(second);
    /// assert_eq!(*m.lock(), [1, 5]);
    /// ```
    #[inline]
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedMutexGuard<'a, R, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let MutexGuard { record, inner, marker } = s;
        MappedMutexGuard { record, inner: ::lock_api::MutexGuard::map(inner, f), marker }
    }

    /// A guard of part of the data if `f` finds it; otherwise the guard back.
    ///
    /// ```
    /// use lock_rank::lock_api::{Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, Vec<u8>> = Mutex::new(vec![]);
    /// let guard = MutexGuard::try_map(m.lock(), |v| v.first_mut());
    /// assert!(guard.is_err());
    /// ```
    #[inline]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedMutexGuard<'a, R, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let MutexGuard { record, inner, marker } = s;
        match ::lock_api::MutexGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedMutexGuard { record, inner, marker }),
            Err(inner) => Err(MutexGuard { record, inner, marker }),
        }
    }

    /// Runs `f` with the mutex unlocked, then locks it again.
    ///
    /// The mutex is not held (nor recorded) while `f` runs. The re-acquire is a blocking acquire
    /// of the mutex, requested at this call: it is checked against the locks held when `f`
    /// returns. If that check panics, the mutex is still locked again while unwinding, as
    /// lock_api does when `f` panics.
    ///
    /// ```
    /// use lock_rank::lock_api::{Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, u32> = Mutex::new(0);
    /// let mut guard = m.lock();
    /// let n = MutexGuard::unlocked(&mut guard, || 1 + 1); // others may lock `m` meanwhile
    /// *guard += n;
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
            ::lock_api::MutexGuard::unlocked(&mut s.inner, || (f(), given_up.check_reacquire()));
        s.record.set(reacquire.reacquired());
        value
    }
}

impl<'a, R: RawMutexFair + 'a, T: ?Sized + 'a, C: LockClass> MutexGuard<'a, R, T, C> {
    /// Unlocks the mutex handing it to a waiting thread if there is one, rather than letting
    /// this thread take it again first.
    ///
    /// ```
    /// use lock_rank::lock_api::{Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, u8> = Mutex::new(0);
    /// MutexGuard::unlock_fair(m.lock());
    /// assert!(!m.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let MutexGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::MutexGuard::unlock_fair(inner);
    }

    /// [`unlocked`](Self::unlocked), unlocking fairly.
    ///
    /// ```
    /// use lock_rank::lock_api::{Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, u8> = Mutex::new(0);
    /// let mut guard = m.lock();
    /// MutexGuard::unlocked_fair(&mut guard, || {});
    /// *guard = 1;
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
            ::lock_api::MutexGuard::unlocked_fair(&mut s.inner, || (f(), given_up.check_reacquire()));
        s.record.set(reacquire.reacquired());
        value
    }

    /// Hands the mutex to a waiting thread if there is one, and locks it again.
    ///
    /// That is a release and a blocking re-acquire, requested at this call: it is checked
    /// against the other locks this thread holds.
    ///
    /// ```
    /// use lock_rank::lock_api::{Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, u8> = Mutex::new(0);
    /// let mut guard = m.lock();
    /// MutexGuard::bump(&mut guard);
    /// *guard = 1;
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn bump(s: &mut Self) {
        let request = s.request(Location::caller());
        let reacquire = RestoreOnUnwind::new(&mut s.record, request).check_reacquire();
        ::lock_api::MutexGuard::bump(&mut s.inner);
        s.record.set(reacquire.reacquired());
    }
}

impl<'a, R: RawMutex + 'a, T: ?Sized + 'a, C: LockClass> MappedMutexGuard<'a, R, T, C> {
    /// A guard of part of this part.
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, ((u8, u8), u8)> = Mutex::new(((1, 2), 3));
    /// let inner = MutexGuard::map(m.lock(), |t| &mut t.0);
    /// assert_eq!(*MappedMutexGuard::map(inner, |pair| &mut pair.1), 2);
    /// ```
    #[inline]
    pub fn map<U: ?Sized, F>(s: Self, f: F) -> MappedMutexGuard<'a, R, U, C>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let MappedMutexGuard { record, inner, marker } = s;
        MappedMutexGuard { record, inner: ::lock_api::MappedMutexGuard::map(inner, f), marker }
    }

    /// A guard of part of this part if `f` finds it; otherwise the guard back.
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, (Vec<u8>, u8)> = Mutex::new((vec![4], 0));
    /// let list = MutexGuard::map(m.lock(), |t| &mut t.0);
    /// assert_eq!(*MappedMutexGuard::try_map(list, |v| v.first_mut()).ok().unwrap(), 4);
    /// ```
    #[inline]
    pub fn try_map<U: ?Sized, F>(s: Self, f: F) -> Result<MappedMutexGuard<'a, R, U, C>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let MappedMutexGuard { record, inner, marker } = s;
        match ::lock_api::MappedMutexGuard::try_map(inner, f) {
            Ok(inner) => Ok(MappedMutexGuard { record, inner, marker }),
            Err(inner) => Err(MappedMutexGuard { record, inner, marker }),
        }
    }
}

impl<'a, R: RawMutexFair + 'a, T: ?Sized + 'a, C: LockClass> MappedMutexGuard<'a, R, T, C> {
    /// Unlocks the mutex fairly, as [`MutexGuard::unlock_fair`].
    ///
    /// ```
    /// use lock_rank::lock_api::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m: Mutex<parking_lot::RawMutex, (u8, u8)> = Mutex::new((0, 0));
    /// MappedMutexGuard::unlock_fair(MutexGuard::map(m.lock(), |t| &mut t.0));
    /// assert!(!m.is_locked());
    /// ```
    #[inline]
    pub fn unlock_fair(s: Self) {
        let MappedMutexGuard { record, inner, .. } = s;
        record.end();
        ::lock_api::MappedMutexGuard::unlock_fair(inner);
    }
}

/// `raw` as parking_lot's `RawMutex`, if that is what it is (a constant per `R`).
#[cfg(all(feature = "parking_lot", lock_rank_checked))]
#[inline(always)]
fn parking_lot_raw<R: RawMutex>(raw: &R) -> Option<&parking_lot::RawMutex> {
    // `typeid::of` rather than `TypeId::of`: `R` need not be `'static`.
    if typeid::of::<R>() == typeid::of::<parking_lot::RawMutex>() {
        // SAFETY: the type ids are equal, so `R` is `parking_lot::RawMutex`, which has no
        // lifetime parameters for the erased ones to differ in.
        Some(unsafe { &*std::ptr::from_ref(raw).cast::<parking_lot::RawMutex>() })
    } else {
        None
    }
}

guard_traits!(['a, R: RawMutex + 'a, T: ?Sized + 'a, C: LockClass] MutexGuard<'a, R, T, C> => mut T);
guard_traits!(['a, R: RawMutex + 'a, T: ?Sized + 'a, C: LockClass] MappedMutexGuard<'a, R, T, C> => mut T);
