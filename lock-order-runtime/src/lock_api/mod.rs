//! Ranked locks over any [`lock_api`] raw lock: spin locks, custom raw locks, and
//! parking_lot's (which `lock_rank::parking_lot`, with the `parking_lot` feature, names for you).
//!
//! [`Mutex<R, T>`](Mutex), [`RwLock<R, T>`](RwLock) and [`ReentrantMutex<R, G, T>`](ReentrantMutex)
//! have lock_api's API (no poisoning, `lock()` returns the guard, timed and upgradable acquires,
//! `MutexGuard::map`, `unlocked`, fair unlocking) plus a class parameter `C` that carries the
//! rank, exactly as [`crate::Mutex`] does: `#[lock_rank(N)]` appends it as the last generic
//! argument, so `Mutex<R, T>` becomes `Mutex<R, T, Class>`.
//!
//! ```
//! use lock_rank::lock_rank;
//! use lock_rank::lock_api::Mutex;
//! use parking_lot::RawMutex; // any `lock_api::RawMutex` will do
//!
//! #[lock_rank(1)]
//! static ACCOUNTS: Mutex<RawMutex, Vec<u64>> = Mutex::new(Vec::new());
//! #[lock_rank(2)]
//! static LOG: Mutex<RawMutex, Vec<String>> = Mutex::new(Vec::new());
//!
//! let mut accounts = ACCOUNTS.lock(); // rank 1
//! accounts.push(100);
//! LOG.lock().push("opened".into()); // rank 2 while holding 1: in order
//! ```
//!
//! # What is checked
//! Every blocking acquire (`lock`, `read`, `write`, `upgradable_read`, `read_recursive` when this
//! thread reads the lock already excepted) is checked like [`crate::Mutex::lock`]. So is every
//! re-acquire after the lock was given up: the end of `unlocked` and `unlocked_fair` (checked
//! against what is held when the closure returns, with the `unlocked` call as its site), `bump`,
//! and an upgrade from an upgradable read to a write, which waits for the other readers to leave
//! and can deadlock with them like any acquire of the lock's rank.
//!
//! Never a violation, but recorded once taken: `try_*` acquires, and timed acquires
//! (`try_lock_for`, `try_lock_until`, `try_read_for`, `try_upgrade_for`, …). A timed acquire can
//! wait, but it gives up when its timeout passes, so it cannot keep a deadlock going for longer
//! than that; code that takes a lock out of order with a timeout usually does so on purpose, to
//! back off. While it waits, the thread shows as blocked on the lock.
//!
//! Changing how a held lock is held is not a new acquisition: an upgrade, `downgrade` and
//! `downgrade_to_upgradable` change the access of the one record the lock has (its site becomes
//! the call that changed it). A [`ReentrantMutex`] taken again by the thread that holds it is not
//! a violation, whatever else is held, and it is not recorded a second time.
//!
//! # Guards
//! Guards are never `Send`, even over a raw lock whose guards are (`GuardSend`): the record of a
//! held lock belongs to the thread that took it. Without checks, every lock and guard is exactly
//! as big as lock_api's and compiles to it.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::Arc;

pub use ::lock_api::{
    GetThreadId, GuardNoSend, GuardSend, RawMutex, RawMutexFair, RawMutexTimed, RawRwLock,
    RawRwLockDowngrade, RawRwLockFair, RawRwLockRecursive, RawRwLockRecursiveTimed, RawRwLockTimed,
    RawRwLockUpgrade, RawRwLockUpgradeDowngrade, RawRwLockUpgradeFair, RawRwLockUpgradeTimed,
};

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

use crate::check::{self, Held, Pending, Request, Waiting};
use crate::class::{ClassInfo, LockClass, Origin, RankedClass, RankedLock, Unranked};
use crate::report::{Access, LockKind};

/// Makes a guard `!Send` (and keeps it `Sync`), whatever the raw lock allows.
type Marker<C> = PhantomData<(fn() -> C, GuardNoSend)>;

pub(crate) use record::Record;
#[cfg(feature = "parking_lot")]
pub(crate) use record::Released;

/// The record a guard keeps of its lock.
#[cfg(lock_rank_checked)]
mod record {
    use std::panic::Location;

    use crate::check::{Held, Request, Rewait};

    /// The record of the lock a guard holds; detached (see [`Held::detached`]) while the lock
    /// is given up (inside `unlocked`, during a condition variable wait) or when another guard
    /// has it (a re-entry). Dropping it releases the record, as `Held` does.
    pub(crate) struct Record(Held);

    /// A record given up for a condition variable wait, with the re-acquire already checked.
    #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
    pub(crate) type Released = Option<Rewait>;

    impl Record {
        #[inline(always)]
        pub(crate) fn new(held: Held) -> Self {
            Record(held)
        }

        #[inline(always)]
        pub(crate) fn none() -> Self {
            Record(Held::detached())
        }

        /// The class the lock was recorded with: for a re-acquire through a guard, which cannot
        /// reach the lock's [`Origin`](crate::class::Origin).
        #[inline]
        pub(crate) fn class(&self) -> Option<&'static crate::class::ClassInfo> {
            self.0.class()
        }

        /// Forgets the record: the lock is released or given up.
        #[inline]
        pub(crate) fn release(&mut self) {
            drop(std::mem::replace(&mut self.0, Held::detached()));
        }

        /// Forgets the record of a guard being taken apart.
        #[inline]
        pub(crate) fn end(self) {
            drop(self);
        }

        /// Records the lock again.
        #[inline]
        pub(crate) fn set(&mut self, held: Held) {
            self.0 = held;
        }

        /// Records the lock again after a panic while it was given up, unless an outer guard
        /// (of a re-entered mutex) records it.
        #[cold]
        pub(crate) fn restore(&mut self, request: Request) {
            if self.0.is_detached() {
                *self = super::reentry(request);
            }
        }

        /// Gives the record up for a condition variable wait and checks the re-acquire that
        /// ends it (requested at `site`) against what stays held.
        #[track_caller]
        #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
        pub(crate) fn release_for_wait(&mut self, site: &'static Location<'static>) -> Released {
            let held = std::mem::replace(&mut self.0, Held::detached());
            (!held.is_detached()).then(|| held.release_for_wait(site))
        }

        /// The wait ended: the lock is held again.
        #[inline]
        #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
        pub(crate) fn reacquired(&mut self, released: Released) {
            if let Some(rewait) = released {
                self.0 = rewait.reacquired();
            }
        }
    }
}

/// Without checks a guard records nothing.
#[cfg(not(lock_rank_checked))]
mod record {
    use std::panic::Location;

    use crate::check::{Held, Request};

    /// Without checks, nothing: zero-sized.
    pub(crate) struct Record;

    /// Without checks, nothing.
    #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
    pub(crate) struct Released;

    impl Record {
        #[inline(always)]
        pub(crate) fn new(_held: Held) -> Self {
            Record
        }
        #[inline(always)]
        pub(crate) fn class(&self) -> Option<&'static crate::class::ClassInfo> {
            None
        }
        #[inline(always)]
        pub(crate) fn release(&mut self) {}
        #[inline(always)]
        pub(crate) fn end(self) {}
        #[inline(always)]
        pub(crate) fn set(&mut self, _held: Held) {}
        #[inline(always)]
        pub(crate) fn restore(&mut self, _request: Request) {}
        #[inline(always)]
        #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
        pub(crate) fn release_for_wait(&mut self, _site: &'static Location<'static>) -> Released {
            Released
        }
        #[inline(always)]
        #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
        pub(crate) fn reacquired(&mut self, _released: Released) {}
    }
}

/// A re-acquire that passed its check after the lock was given up, waiting to be recorded once
/// the lock is taken again. The thread shows as blocked on the lock meanwhile.
struct Relock {
    waiting: Waiting,
    pending: Pending,
}

impl Relock {
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    fn check(request: Request) -> Self {
        let pending = check::check_blocking(request);
        Relock { waiting: pending.waiting(), pending }
    }

    #[inline]
    #[allow(clippy::drop_non_drop)] // `Waiting` does something on drop only with checks
    fn acquired(self) -> Held {
        let Relock { waiting, pending } = self;
        drop(waiting);
        pending.acquired()
    }
}

/// A lock its guard gave up (`unlocked`, `bump`): the record is forgotten until the re-acquire
/// is checked. Should a panic come first (from the closure, or from the check itself), the
/// record is put back: the guard keeps the lock, which lock_api takes again while unwinding.
struct GivenUp<'r> {
    record: &'r mut Record,
    request: Request,
}

impl<'r> GivenUp<'r> {
    #[inline]
    fn new(record: &'r mut Record, request: Request) -> Self {
        record.release();
        GivenUp { record, request }
    }

    /// Checks the re-acquire, which blocks.
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    fn relock(self) -> Relock {
        let relock = Relock::check(self.request);
        std::mem::forget(self);
        relock
    }

    /// Checks the re-acquire if it `blocks`; otherwise (a re-entry) there is nothing to check.
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    fn relock_if(self, blocks: bool) -> Option<Relock> {
        if blocks {
            Some(self.relock())
        } else {
            std::mem::forget(self);
            None
        }
    }
}

impl Drop for GivenUp<'_> {
    fn drop(&mut self) {
        self.record.restore(self.request);
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

/// A timed acquire: never a violation, shown as waiting while it waits, recorded once taken.
#[inline(always)]
fn lock_timed<G>(
    request: Request,
    try_now: impl FnOnce() -> Option<G>,
    wait: impl FnOnce() -> Option<G>,
) -> Option<(G, Held)> {
    #[cfg(lock_rank_checked)]
    {
        let pending = check::unchecked(request);
        let guard = match try_now() {
            Some(guard) => guard,
            None => {
                let _waiting = pending.waiting();
                wait()?
            }
        };
        Some((guard, pending.acquired()))
    }
    #[cfg(not(lock_rank_checked))]
    {
        let _ = try_now;
        wait().map(|guard| (guard, check::record_try(request)))
    }
}

/// The record of a re-entry into a [`ReentrantMutex`]: none when an outer guard records the lock
/// already (so recursion does not fill the held set), a new one when it does not (the outer guard
/// was dropped first).
#[inline]
fn reentry(request: Request) -> Record {
    #[cfg(lock_rank_checked)]
    if crate::context::current_set().holds(request.addr) {
        return Record::none();
    }
    Record::new(check::record_try(request))
}

/// Whether this thread reads (or upgradably reads) the lock at `addr` already.
#[cfg(lock_rank_checked)]
fn reads_already(addr: usize) -> bool {
    let set = crate::context::current_set();
    set.holds(addr)
        && set
            .snapshot()
            .iter()
            .any(|held| held.addr == addr && matches!(held.access, Access::Shared | Access::Upgradable))
}

// ---------------------------------------------------------------------------------------------
// Mutex
// ---------------------------------------------------------------------------------------------

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
    pub(crate) record: Record,
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
    record: Record,
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
        Mutex { class: PhantomData, origin: Origin::new::<C, T>(), inner: ::lock_api::Mutex::new(value) }
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
            guards[i] = Some(MutexGuard::new(inner, Record::new(member.acquired())));
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
            origin: Origin::new::<C, T>(),
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
            origin: Origin::new::<C, T>(),
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
        Request::new::<C, _>(&self.inner, &self.origin, site, LockKind::Mutex, Access::Exclusive)
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
                || {
                    use ::lock_api::RawMutexTimed;
                    // SAFETY: the mutex was just taken, by this thread.
                    raw.try_lock_for(std::time::Duration::ZERO)
                        .then(|| unsafe { self.inner.make_guard_unchecked() })
                },
                || self.inner.lock(),
            );
            return MutexGuard::new(inner, Record::new(held));
        }
        let (inner, held) = check::lock_with_after(request, || self.inner.try_lock(), || self.inner.lock());
        MutexGuard::new(inner, Record::new(held))
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
        Some(MutexGuard::new(inner, Record::new(check::record_try(self.request(site)))))
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
        Some(MutexGuard::new(inner, Record::new(held)))
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
        Some(MutexGuard::new(inner, Record::new(held)))
    }
}

impl<R, T: ?Sized, C: LockClass> RankedLock for Mutex<R, T, C> {
    type Class = C;

    #[inline]
    fn __class(&self) -> Option<&'static ClassInfo> {
        self.origin.class_as::<C>()
    }
}

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
impl<R, T: ?Sized, C: RankedClass> Deref for Mutex<R, T, C> {
    type Target = Mutex<R, T>;

    #[inline(always)]
    fn deref(&self) -> &Mutex<R, T> {
        // SAFETY: the lock is `repr(C)` and its class only a zero-sized `PhantomData`, so
        // `Mutex<R, T, C>` and `Mutex<R, T>` have one layout, and one pointer metadata for an
        // unsized `T`; the reference keeps the borrow's lifetime.
        unsafe { &*(std::ptr::from_ref(self) as *const Mutex<R, T>) }
    }
}

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
        let raw = Arc::into_raw(lock);
        // SAFETY: `raw` comes from `Arc::into_raw` of a `Mutex<R, T, C>`, which has the size, alignment
        // and metadata of `Mutex<R, T>` (see `Deref`), as `Arc::from_raw` requires of a pointer
        // of another type; neither type has a `Drop` of its own beyond its fields'.
        unsafe { Arc::from_raw(raw as *const Mutex<R, T>) }
    }
}

impl<R: RawMutex, T: Default, C: LockClass> Default for Mutex<R, T, C> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<R: RawMutex, T, C: LockClass> From<T> for Mutex<R, T, C> {
    #[track_caller]
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<R: RawMutex, T: ?Sized + fmt::Debug, C: LockClass> fmt::Debug for Mutex<R, T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<'a, R: RawMutex + 'a, T: ?Sized + 'a, C: LockClass> MutexGuard<'a, R, T, C> {
    #[inline(always)]
    fn new(inner: ::lock_api::MutexGuard<'a, R, T>, record: Record) -> Self {
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) = ::lock_api::MutexGuard::unlocked(&mut s.inner, || (f(), given_up.relock()));
        s.record.set(relock.acquired());
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) =
            ::lock_api::MutexGuard::unlocked_fair(&mut s.inner, || (f(), given_up.relock()));
        s.record.set(relock.acquired());
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
        let relock = GivenUp::new(&mut s.record, request).relock();
        ::lock_api::MutexGuard::bump(&mut s.inner);
        s.record.set(relock.acquired());
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

// ---------------------------------------------------------------------------------------------
// RwLock
// ---------------------------------------------------------------------------------------------

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
    record: Record,
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
    record: Record,
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
    record: Record,
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
    record: Record,
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
    record: Record,
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
        RwLock { class: PhantomData, origin: Origin::new::<C, T>(), inner: ::lock_api::RwLock::new(value) }
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
            origin: Origin::new::<C, T>(),
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
            origin: Origin::new::<C, T>(),
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
        Request::new::<C, _>(&self.inner, &self.origin, site, LockKind::RwLock, access)
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
        let (inner, held) = check::lock_with_after(
            self.request(Location::caller(), Access::Shared),
            || self.inner.try_read(),
            || self.inner.read(),
        );
        RwLockReadGuard::new(inner, Record::new(held))
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
        let (inner, held) = check::lock_with_after(
            self.request(Location::caller(), Access::Exclusive),
            || self.inner.try_write(),
            || self.inner.write(),
        );
        RwLockWriteGuard::new(inner, Record::new(held))
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
        Some(RwLockReadGuard::new(inner, Record::new(check::record_try(self.request(site, Access::Shared)))))
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
            Record::new(check::record_try(self.request(site, Access::Exclusive))),
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
        Some(RwLockReadGuard::new(inner, Record::new(held)))
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
        Some(RwLockReadGuard::new(inner, Record::new(held)))
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
        Some(RwLockWriteGuard::new(inner, Record::new(held)))
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
        Some(RwLockWriteGuard::new(inner, Record::new(held)))
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
            return RwLockReadGuard::new(inner, Record::new(check::record_try(request)));
        }
        let (inner, held) = check::lock_with_after(
            request,
            || self.inner.try_read_recursive(),
            || self.inner.read_recursive(),
        );
        RwLockReadGuard::new(inner, Record::new(held))
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
        Some(RwLockReadGuard::new(inner, Record::new(check::record_try(self.request(site, Access::Shared)))))
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
        Some(RwLockReadGuard::new(inner, Record::new(held)))
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
        Some(RwLockReadGuard::new(inner, Record::new(held)))
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
        let (inner, held) = check::lock_with_after(
            self.request(Location::caller(), Access::Upgradable),
            || self.inner.try_upgradable_read(),
            || self.inner.upgradable_read(),
        );
        RwLockUpgradableReadGuard::new(inner, Record::new(held))
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
        Some(RwLockUpgradableReadGuard::new(inner, Record::new(held)))
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
        Some(RwLockUpgradableReadGuard::new(inner, Record::new(held)))
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
        Some(RwLockUpgradableReadGuard::new(inner, Record::new(held)))
    }
}

impl<R, T: ?Sized, C: LockClass> RankedLock for RwLock<R, T, C> {
    type Class = C;

    #[inline]
    fn __class(&self) -> Option<&'static ClassInfo> {
        self.origin.class_as::<C>()
    }
}

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
impl<R, T: ?Sized, C: RankedClass> Deref for RwLock<R, T, C> {
    type Target = RwLock<R, T>;

    #[inline(always)]
    fn deref(&self) -> &RwLock<R, T> {
        // SAFETY: the lock is `repr(C)` and its class only a zero-sized `PhantomData`, so
        // `RwLock<R, T, C>` and `RwLock<R, T>` have one layout, and one pointer metadata for an
        // unsized `T`; the reference keeps the borrow's lifetime.
        unsafe { &*(std::ptr::from_ref(self) as *const RwLock<R, T>) }
    }
}

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
        let raw = Arc::into_raw(lock);
        // SAFETY: `raw` comes from `Arc::into_raw` of a `RwLock<R, T, C>`, which has the size, alignment
        // and metadata of `RwLock<R, T>` (see `Deref`), as `Arc::from_raw` requires of a pointer
        // of another type; neither type has a `Drop` of its own beyond its fields'.
        unsafe { Arc::from_raw(raw as *const RwLock<R, T>) }
    }
}

impl<R: RawRwLock, T: Default, C: LockClass> Default for RwLock<R, T, C> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<R: RawRwLock, T, C: LockClass> From<T> for RwLock<R, T, C> {
    #[track_caller]
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<R: RawRwLock, T: ?Sized + fmt::Debug, C: LockClass> fmt::Debug for RwLock<R, T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// The parts shared by the guards of an `RwLock`: building one, and the request for re-acquiring
/// the lock it holds.
macro_rules! rwlock_guard_common {
    ($guard:ident, $raw:ident, $access:expr) => {
        impl<'a, R: $raw + 'a, T: ?Sized + 'a, C: LockClass> $guard<'a, R, T, C> {
            #[inline(always)]
            fn new(inner: ::lock_api::$guard<'a, R, T>, record: Record) -> Self {
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
    /// against the locks held when `f` returns, as [`MutexGuard::unlocked`].
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) =
            ::lock_api::RwLockReadGuard::unlocked(&mut s.inner, || (f(), given_up.relock()));
        s.record.set(relock.acquired());
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) =
            ::lock_api::RwLockReadGuard::unlocked_fair(&mut s.inner, || (f(), given_up.relock()));
        s.record.set(relock.acquired());
        value
    }

    /// Lets a waiting thread have the lock, then reads again; the re-acquire is checked against
    /// the other locks held, as [`MutexGuard::bump`].
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
        let relock = GivenUp::new(&mut s.record, request).relock();
        ::lock_api::RwLockReadGuard::bump(&mut s.inner);
        s.record.set(relock.acquired());
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
    /// against the locks held when `f` returns, as [`MutexGuard::unlocked`].
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) =
            ::lock_api::RwLockWriteGuard::unlocked(&mut s.inner, || (f(), given_up.relock()));
        s.record.set(relock.acquired());
        value
    }
}

impl<'a, R: RawRwLockDowngrade + 'a, T: ?Sized + 'a, C: LockClass> RwLockWriteGuard<'a, R, T, C> {
    /// Turns the write lock into a read lock without letting go. Not an acquire: the lock's
    /// record changes to a read, its site to this call.
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
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, R, T, C> {
        let request = s.request_as(Location::caller(), Access::Shared);
        let RwLockWriteGuard { record, inner, .. } = s;
        record.end();
        let inner = ::lock_api::RwLockWriteGuard::downgrade(inner);
        RwLockReadGuard::new(inner, Record::new(check::record_try(request)))
    }
}

impl<'a, R: RawRwLockUpgradeDowngrade + 'a, T: ?Sized + 'a, C: LockClass> RwLockWriteGuard<'a, R, T, C> {
    /// Turns the write lock into an upgradable read without letting go. Not an acquire: the
    /// record changes, as [`downgrade`](Self::downgrade).
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockWriteGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let upgradable = RwLockWriteGuard::downgrade_to_upgradable(lock.write());
    /// assert_eq!(*upgradable, 1);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn downgrade_to_upgradable(s: Self) -> RwLockUpgradableReadGuard<'a, R, T, C> {
        let request = s.request_as(Location::caller(), Access::Upgradable);
        let RwLockWriteGuard { record, inner, .. } = s;
        record.end();
        let inner = ::lock_api::RwLockWriteGuard::downgrade_to_upgradable(inner);
        RwLockUpgradableReadGuard::new(inner, Record::new(check::record_try(request)))
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) =
            ::lock_api::RwLockWriteGuard::unlocked_fair(&mut s.inner, || (f(), given_up.relock()));
        s.record.set(relock.acquired());
        value
    }

    /// Lets a waiting thread have the lock, then writes again; the re-acquire is checked against
    /// the other locks held, as [`MutexGuard::bump`].
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
        let relock = GivenUp::new(&mut s.record, request).relock();
        ::lock_api::RwLockWriteGuard::bump(&mut s.inner);
        s.record.set(relock.acquired());
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
        RwLockWriteGuard::new(inner, Record::new(held))
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
                Ok(RwLockWriteGuard::new(inner, Record::new(check::record_try(request))))
            }
            Err(inner) => Err(RwLockUpgradableReadGuard { record, inner, marker }),
        }
    }

    /// Runs `f` with the upgradable read released, then takes it again; the re-acquire is
    /// checked against the locks held when `f` returns, as [`MutexGuard::unlocked`].
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) =
            ::lock_api::RwLockUpgradableReadGuard::unlocked(&mut s.inner, || (f(), given_up.relock()));
        s.record.set(relock.acquired());
        value
    }
}

impl<'a, R: RawRwLockUpgradeDowngrade + 'a, T: ?Sized + 'a, C: LockClass>
    RwLockUpgradableReadGuard<'a, R, T, C>
{
    /// Turns the upgradable read into a plain read without letting go. Not an acquire: the
    /// record changes to a read, its site to this call.
    ///
    /// ```
    /// use lock_rank::lock_api::{RwLock, RwLockUpgradableReadGuard};
    /// let lock: RwLock<parking_lot::RawRwLock, u8> = RwLock::new(1);
    /// let read = RwLockUpgradableReadGuard::downgrade(lock.upgradable_read());
    /// assert!(lock.try_upgradable_read().is_some()); // a plain read leaves room for one
    /// # drop(read);
    /// ```
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, R, T, C> {
        let request = s.request_as(Location::caller(), Access::Shared);
        let RwLockUpgradableReadGuard { record, inner, .. } = s;
        record.end();
        let inner = ::lock_api::RwLockUpgradableReadGuard::downgrade(inner);
        RwLockReadGuard::new(inner, Record::new(check::record_try(request)))
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
        let relock = GivenUp::new(&mut self.record, exclusive).relock();
        let record = &mut self.record;
        let value = self.inner.with_upgraded(|value| {
            record.set(relock.acquired());
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
                Ok(RwLockWriteGuard::new(inner, Record::new(pending.acquired())))
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) =
            ::lock_api::RwLockUpgradableReadGuard::unlocked_fair(&mut s.inner, || (f(), given_up.relock()));
        s.record.set(relock.acquired());
        value
    }

    /// Lets a waiting thread have the lock, then takes the upgradable read again; checked as
    /// [`MutexGuard::bump`].
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
        let relock = GivenUp::new(&mut s.record, request).relock();
        ::lock_api::RwLockUpgradableReadGuard::bump(&mut s.inner);
        s.record.set(relock.acquired());
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

// ---------------------------------------------------------------------------------------------
// ReentrantMutex
// ---------------------------------------------------------------------------------------------

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
    record: Record,
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
    record: Record,
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
            origin: Origin::new::<C, T>(),
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
            origin: Origin::new::<C, T>(),
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
            origin: Origin::new::<C, T>(),
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
        Request::new::<C, _>(&self.inner, &self.origin, site, LockKind::ReentrantMutex, Access::Exclusive)
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
        let (inner, held) = check::lock_with_after(request, || self.inner.try_lock(), || self.inner.lock());
        ReentrantMutexGuard::new(inner, Record::new(held))
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
        Some(ReentrantMutexGuard::new(inner, Record::new(held)))
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
        Some(ReentrantMutexGuard::new(inner, Record::new(held)))
    }
}

impl<R, G, T: ?Sized, C: LockClass> RankedLock for ReentrantMutex<R, G, T, C> {
    type Class = C;

    #[inline]
    fn __class(&self) -> Option<&'static ClassInfo> {
        self.origin.class_as::<C>()
    }
}

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
impl<R, G, T: ?Sized, C: RankedClass> Deref for ReentrantMutex<R, G, T, C> {
    type Target = ReentrantMutex<R, G, T>;

    #[inline(always)]
    fn deref(&self) -> &ReentrantMutex<R, G, T> {
        // SAFETY: the lock is `repr(C)` and its class only a zero-sized `PhantomData`, so
        // `ReentrantMutex<R, G, T, C>` and `ReentrantMutex<R, G, T>` have one layout, and one pointer metadata for an
        // unsized `T`; the reference keeps the borrow's lifetime.
        unsafe { &*(std::ptr::from_ref(self) as *const ReentrantMutex<R, G, T>) }
    }
}

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
        let raw = Arc::into_raw(lock);
        // SAFETY: `raw` comes from `Arc::into_raw` of a `ReentrantMutex<R, G, T, C>`, which has the size, alignment
        // and metadata of `ReentrantMutex<R, G, T>` (see `Deref`), as `Arc::from_raw` requires of a pointer
        // of another type; neither type has a `Drop` of its own beyond its fields'.
        unsafe { Arc::from_raw(raw as *const ReentrantMutex<R, G, T>) }
    }
}

impl<R: RawMutex, G: GetThreadId, T: Default, C: LockClass> Default for ReentrantMutex<R, G, T, C> {
    #[track_caller]
    fn default() -> Self {
        ReentrantMutex::new(T::default())
    }
}

impl<R: RawMutex, G: GetThreadId, T, C: LockClass> From<T> for ReentrantMutex<R, G, T, C> {
    #[track_caller]
    fn from(value: T) -> Self {
        ReentrantMutex::new(value)
    }
}

impl<R: RawMutex, G: GetThreadId, T: ?Sized + fmt::Debug, C: LockClass> fmt::Debug
    for ReentrantMutex<R, G, T, C>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<'a, R: RawMutex + 'a, G: GetThreadId + 'a, T: ?Sized + 'a, C: LockClass>
    ReentrantMutexGuard<'a, R, G, T, C>
{
    #[inline(always)]
    fn new(inner: ::lock_api::ReentrantMutexGuard<'a, R, G, T>, record: Record) -> Self {
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) = ::lock_api::ReentrantMutexGuard::unlocked(&mut s.inner, || {
            (f(), given_up.relock_if(!remutex.is_owned_by_current_thread()))
        });
        s.record = match relock {
            Some(relock) => Record::new(relock.acquired()),
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
        let given_up = GivenUp::new(&mut s.record, request);
        let (value, relock) = ::lock_api::ReentrantMutexGuard::unlocked_fair(&mut s.inner, || {
            (f(), given_up.relock_if(!remutex.is_owned_by_current_thread()))
        });
        s.record = match relock {
            Some(relock) => Record::new(relock.acquired()),
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

// ---------------------------------------------------------------------------------------------
// Guard trait impls
// ---------------------------------------------------------------------------------------------

/// `Deref` (and `DerefMut` for the exclusive ones), `Debug` and `Display` for each guard.
macro_rules! guard_impls {
    ($guard:ident [$($params:tt)*] [$($args:tt)*]) => {
        impl<'a, $($params)*, T: ?Sized + 'a, C: LockClass> Deref for $guard<'a, $($args)*, T, C> {
            type Target = T;
            #[inline]
            fn deref(&self) -> &T {
                &self.inner
            }
        }

        impl<'a, $($params)*, T: ?Sized + fmt::Debug + 'a, C: LockClass> fmt::Debug for $guard<'a, $($args)*, T, C> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<'a, $($params)*, T: ?Sized + fmt::Display + 'a, C: LockClass> fmt::Display
            for $guard<'a, $($args)*, T, C>
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }
    };
    ($guard:ident [$($params:tt)*] [$($args:tt)*] mut) => {
        guard_impls!($guard [$($params)*] [$($args)*]);

        impl<'a, $($params)*, T: ?Sized + 'a, C: LockClass> DerefMut for $guard<'a, $($args)*, T, C> {
            #[inline]
            fn deref_mut(&mut self) -> &mut T {
                &mut self.inner
            }
        }
    };
}

guard_impls!(MutexGuard [R: RawMutex + 'a] [R] mut);
guard_impls!(MappedMutexGuard [R: RawMutex + 'a] [R] mut);
guard_impls!(RwLockReadGuard [R: RawRwLock + 'a] [R]);
guard_impls!(RwLockWriteGuard [R: RawRwLock + 'a] [R] mut);
guard_impls!(RwLockUpgradableReadGuard [R: RawRwLockUpgrade + 'a] [R]);
guard_impls!(MappedRwLockReadGuard [R: RawRwLock + 'a] [R]);
guard_impls!(MappedRwLockWriteGuard [R: RawRwLock + 'a] [R] mut);
guard_impls!(ReentrantMutexGuard [R: RawMutex + 'a, G: GetThreadId + 'a] [R, G]);
guard_impls!(MappedReentrantMutexGuard [R: RawMutex + 'a, G: GetThreadId + 'a] [R, G]);
