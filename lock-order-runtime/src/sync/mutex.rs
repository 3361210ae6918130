//! `Mutex`: std's mutex with a rank, checked at every acquire.

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::{Arc, LockResult, PoisonError, TryLockResult};
use std::time::Duration;

use crate::check::{self, Held, RecordAt, Request};
use crate::class::{LockClass, Origin, RankedClass, Unranked};
use crate::sync::poison::{map_result, map_timed_result, map_try_result, taken};
use crate::sync::timed::{lock_timed, TimedLockResult};
use crate::track::{Access, LockKind};
use crate::trait_impls::{guard_traits, lock_traits, plain_view};

/// A mutual exclusion lock with a place in the lock order: `std::sync::Mutex` plus a class.
///
/// The API is std's, so switching is a `use` change. The class parameter `C` carries the rank:
/// `#[lock_rank(N)]` sets it on statics and on fields of `#[lock_rank::ranked]` structs, and a
/// class struct sets it for many locks at once. Without checks (release builds without the
/// `enforce` feature) it is exactly as big and as fast as `std::sync::Mutex<T>`.
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// #[lock_rank(1)]
/// static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
/// #[lock_rank(2)]
/// static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());
///
/// let mut accounts = ACCOUNTS.lock().unwrap(); // rank 1
/// accounts.push(100);
/// LOG.lock().unwrap().push("opened".into()); // rank 2 while holding 1: in order
/// ```
///
/// An unranked lock's type must be known where it is made, as for `HashMap::default`:
///
/// ```
/// use std::sync::Arc;
/// use lock_rank::Mutex;
///
/// let counter: Arc<Mutex<u32>> = Arc::new(Mutex::new(0));
/// let also = Mutex::<_>::new(0_u32); // or name the default class this way
/// *counter.lock().unwrap() += *also.lock().unwrap();
/// ```
#[repr(C)] // the same layout for every `C`: a ranked lock is also its plain view
pub struct Mutex<T: ?Sized, C: LockClass = Unranked> {
    class: PhantomData<fn() -> C>,
    origin: Origin,
    inner: std::sync::Mutex<T>,
}

/// The guard of a locked [`Mutex`]; the lock is released (and the record of it forgotten) when it
/// drops.
///
/// ```
/// let m: lock_rank::Mutex<i32> = lock_rank::Mutex::new(1);
/// let mut guard = m.lock().unwrap();
/// *guard += 1;
/// drop(guard);
/// assert_eq!(*m.lock().unwrap(), 2);
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized + 'a, C: LockClass = Unranked> {
    // Declared first: dropped first, so the record goes before the lock does.
    pub(crate) held: Held,
    pub(crate) inner: std::sync::MutexGuard<'a, T>,
    pub(crate) class: PhantomData<fn() -> C>,
}

impl<T, C: LockClass> Mutex<T, C> {
    /// Creates an unlocked mutex; `const`, so it can initialize a `static`.
    ///
    /// ```
    /// use lock_rank::Mutex;
    /// static HITS: Mutex<u64> = Mutex::new(0);
    /// *HITS.lock().unwrap() += 1;
    /// ```
    #[inline]
    #[track_caller]
    pub const fn new(value: T) -> Self {
        Mutex { class: PhantomData, origin: Origin::new::<C>(), inner: std::sync::Mutex::new(value) }
    }

    /// Consumes the mutex and returns the value; `Err` if it is poisoned, as std's.
    ///
    /// ```
    /// let m: lock_rank::Mutex<i32> = lock_rank::Mutex::new(3);
    /// assert_eq!(m.into_inner().unwrap(), 3);
    /// ```
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }

    /// Locks every mutex of one class together, the only way to hold two locks of the same rank.
    ///
    /// They are taken in address order, so two threads locking overlapping sets this way cannot
    /// deadlock each other; the group is checked once, as one acquire of their shared rank. The
    /// guards come back in the order given. Naming one mutex twice is a recursive acquisition.
    ///
    /// ```
    /// use lock_rank::{lock_rank, Mutex};
    ///
    /// #[lock_rank(5)]
    /// struct Account;
    ///
    /// let from: Mutex<i64, Account> = Mutex::new(100);
    /// let to: Mutex<i64, Account> = Mutex::new(0);
    /// let mut both = Mutex::lock_all([&from, &to]).unwrap();
    /// *both[0] -= 30;
    /// *both[1] += 30;
    /// drop(both);
    /// assert_eq!(*to.lock().unwrap(), 30);
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn lock_all<'a, I>(locks: I) -> LockResult<Vec<MutexGuard<'a, T, C>>>
    where
        I: IntoIterator<Item = &'a Self>,
    {
        let locks: Vec<&'a Self> = locks.into_iter().collect();
        let mut order: Vec<usize> = (0..locks.len()).collect();
        order.sort_by_key(|&i| std::ptr::from_ref(locks[i]) as usize);
        let site = Location::caller();
        let requests: Vec<Request> =
            order.iter().map(|&i| locks[i].request(site, Access::Exclusive)).collect();
        let Some(group) = check::check_group(&requests) else { return Ok(Vec::new()) };
        let mut poisoned = false;
        let mut guards: Vec<Option<MutexGuard<'a, T, C>>> = locks.iter().map(|_| None).collect();
        for (&i, request) in order.iter().zip(&requests) {
            let lock = locks[i];
            let member = group.member(*request);
            let inner = match taken(lock.inner.try_lock()) {
                Some(result) => result,
                None => member.wait_for(|| lock.inner.lock()),
            };
            let inner = inner.unwrap_or_else(|e| {
                poisoned = true;
                e.into_inner()
            });
            guards[i] = Some(MutexGuard { held: member.acquired(), inner, class: PhantomData });
        }
        let guards = guards.into_iter().map(|g| g.expect("every lock was taken")).collect();
        if poisoned {
            Err(PoisonError::new(guards))
        } else {
            Ok(guards)
        }
    }
}

impl<T: ?Sized, C: LockClass> Mutex<T, C> {
    /// What the lock keeps of its making: its class and, with checks, where it was made.
    #[allow(dead_code)] // read by the checks and reports
    #[inline(always)]
    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }

    #[inline(always)]
    fn request(&self, site: &'static Location<'static>, access: Access) -> Request {
        Request::new::<C, T, _>(self, &self.origin, site, LockKind::Mutex, access)
    }

    /// Acquires the mutex, blocking until it is free; checked first against the locks this thread
    /// holds. Poisoning is std's.
    ///
    /// # Panics
    /// With checks on and the default [`Policy`](crate::Policy): when this thread already holds a
    /// lock of the same or a higher rank, or this very mutex. The report names both locks, their
    /// ranks and both acquisition sites.
    ///
    /// ```
    /// let m: lock_rank::Mutex<Vec<i32>> = lock_rank::Mutex::new(vec![]);
    /// m.lock().unwrap().push(4);
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T, C>> {
        let (inner, held) = check::lock_with(
            self.request(Location::caller(), Access::Exclusive),
            RecordAt::BeforeTry,
            || taken(self.inner.try_lock()),
            || self.inner.lock(),
        );
        map_result(inner, |inner| MutexGuard { held, inner, class: PhantomData })
    }

    /// Acquires the mutex if it is free right now. Never a violation (it cannot block), but once
    /// taken the lock counts as held for later checks.
    ///
    /// ```
    /// use std::sync::TryLockError;
    /// let m: lock_rank::Mutex<i32> = lock_rank::Mutex::new(0);
    /// let held = m.lock().unwrap();
    /// assert!(matches!(m.try_lock(), Err(TryLockError::WouldBlock)));
    /// drop(held);
    /// assert!(m.try_lock().is_ok());
    /// ```
    #[inline(always)]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T, C>> {
        let site = Location::caller();
        map_try_result(self.inner.try_lock(), |inner| MutexGuard {
            held: check::record_try(self.request(site, Access::Exclusive)),
            inner,
            class: PhantomData,
        })
    }

    /// Acquires the mutex, waiting at most `timeout`. On timeout the error's `Display` names
    /// the lock, its rank, and who holds it with the site where they acquired it.
    ///
    /// A timed acquire is never an order violation (it gives up instead of hanging, like
    /// [`try_lock`](Self::try_lock)); while it waits, [`dump`](crate::dump) and the watchdog show it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use lock_rank::{Mutex, TimedLockError};
    ///
    /// let m: Mutex<u8> = Mutex::new(0);
    /// let held = m.lock().unwrap();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| {
    ///         let err = m.try_lock_for(Duration::from_millis(10)).unwrap_err();
    ///         assert!(matches!(err, TimedLockError::Timeout(_)));
    ///     });
    /// });
    /// drop(held);
    /// assert!(m.try_lock_for(Duration::from_millis(10)).is_ok());
    /// ```
    #[track_caller]
    pub fn try_lock_for(&self, timeout: Duration) -> TimedLockResult<MutexGuard<'_, T, C>> {
        let request = self.request(Location::caller(), Access::Exclusive);
        map_timed_result(lock_timed(request, timeout, || taken(self.inner.try_lock())), |inner, held| {
            MutexGuard { held, inner, class: PhantomData }
        })
    }

    /// Whether a thread panicked while holding the lock, as std's.
    ///
    /// ```
    /// let m: lock_rank::Mutex<i32> = lock_rank::Mutex::new(0);
    /// assert!(!m.is_poisoned());
    /// ```
    #[inline]
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Clears the poisoned state, as std's.
    ///
    /// ```
    /// let m: lock_rank::Mutex<i32> = lock_rank::Mutex::new(0);
    /// m.clear_poison();
    /// assert!(!m.is_poisoned());
    /// ```
    #[inline]
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }

    /// A mutable reference to the value; no locking needed, as std's.
    ///
    /// ```
    /// let mut m: lock_rank::Mutex<i32> = lock_rank::Mutex::new(0);
    /// *m.get_mut().unwrap() = 10;
    /// assert_eq!(*m.lock().unwrap(), 10);
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }
}

lock_traits!(RankedLock [T: ?Sized, C: LockClass] Mutex<T, C>, class C);

plain_view!(
    /// A ranked lock is also a lock of its plain type, `Mutex<T>`: the same lock, checked through
    /// either with its own rank and name (see [`RankedClass`]).
    ///
    /// ```
    /// use lock_rank::{lock_rank, Mutex};
    ///
    /// #[lock_rank(3)]
    /// static QUEUE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
    ///
    /// fn push(queue: &Mutex<Vec<u32>>, job: u32) {
    ///     queue.lock().unwrap().push(job); // checked as `QUEUE`, rank 3
    /// }
    /// push(&QUEUE, 7);
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
    /// use lock_rank::{lock_rank, Mutex};
    ///
    /// #[lock_rank(2)]
    /// struct Stats;
    ///
    /// fn spawn_reporter(stats: Arc<Mutex<u64>>) -> std::thread::JoinHandle<u64> {
    ///     std::thread::spawn(move || *stats.lock().unwrap())
    /// }
    /// let stats: Arc<Mutex<u64, Stats>> = Arc::new(Mutex::new(4));
    /// assert_eq!(spawn_reporter(Mutex::into_plain(stats.clone())).join().unwrap(), 4);
    /// ```
    #[inline]
    pub fn into_plain(lock: Arc<Self>) -> Arc<Mutex<T>> {
        Self::plain_arc(lock)
    }
}

lock_traits!(Default, From<T> [T, C: LockClass] Mutex<T, C>);
lock_traits!(Debug [T: ?Sized + fmt::Debug, C: LockClass] Mutex<T, C>);

guard_traits!([T: ?Sized, C: LockClass] MutexGuard<'_, T, C> => mut T);
