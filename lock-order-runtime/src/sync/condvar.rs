//! `Condvar`: std's condition variable, working with ranked [`MutexGuard`]s.

use std::fmt;
use std::panic::Location;
use std::sync::{LockResult, WaitTimeoutResult};
use std::time::Duration;

use crate::check::{Held, Reacquire};
use crate::class::LockClass;
use crate::sync::mutex::MutexGuard;
use crate::sync::poison::map_result;

/// A condition variable for [`Mutex`](crate::Mutex)es of this crate.
///
/// While it waits, the mutex is not held; the re-acquire that ends the wait is a blocking acquire
/// and is checked like one: waiting on a low-ranked mutex while holding a higher-ranked lock is a
/// lock order violation, reported before the wait starts.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use lock_rank::{Condvar, Mutex};
///
/// let pair: Arc<(Mutex<bool>, Condvar)> = Arc::new((Mutex::new(false), Condvar::new()));
/// let pair2 = Arc::clone(&pair);
/// thread::spawn(move || {
///     *pair2.0.lock().unwrap() = true;
///     pair2.1.notify_one();
/// });
/// let ready = pair.1.wait_while(pair.0.lock().unwrap(), |ready| !*ready).unwrap();
/// assert!(*ready);
/// ```
#[derive(Default)]
pub struct Condvar {
    inner: std::sync::Condvar,
}

/// Our side of one guard while std's wait has its inner guard: the record of the mutex, given
/// up for each wait and taken back when the wait ends.
enum WaitRecord {
    Held(Held),
    Waiting(Reacquire),
}

impl WaitRecord {
    #[track_caller]
    fn before_wait(self, site: &'static Location<'static>) -> WaitRecord {
        match self {
            WaitRecord::Held(held) => WaitRecord::Waiting(held.release_for_wait(site)),
            waiting => waiting,
        }
    }

    fn after_wait(self) -> WaitRecord {
        match self {
            WaitRecord::Waiting(reacquire) => WaitRecord::Held(reacquire.reacquired()),
            held => held,
        }
    }

    fn into_held(self) -> Held {
        match self.after_wait() {
            WaitRecord::Held(held) => held,
            WaitRecord::Waiting(_) => unreachable!("after_wait leaves a held record"),
        }
    }
}

/// Runs `f` on the record in `slot`, which is `Some` between calls.
fn update(slot: &mut Option<WaitRecord>, f: impl FnOnce(WaitRecord) -> WaitRecord) {
    if let Some(record) = slot.take() {
        *slot = Some(f(record));
    }
}

impl Condvar {
    /// Creates a condition variable.
    ///
    /// ```
    /// let cv = lock_rank::Condvar::new();
    /// cv.notify_all();
    /// ```
    pub const fn new() -> Self {
        Condvar { inner: std::sync::Condvar::new() }
    }

    /// Blocks until notified, releasing the mutex meanwhile, as std's (spurious wake-ups included).
    ///
    /// # Panics
    /// With checks on and the default policy: when a lock of the same or a higher rank than the
    /// mutex is held, since re-acquiring the mutex after the wait would break the order.
    ///
    /// ```
    /// # use lock_rank::{Condvar, Mutex};
    /// # use std::{sync::Arc, thread};
    /// let state: Arc<(Mutex<u32>, Condvar)> = Arc::new((Mutex::new(0), Condvar::new()));
    /// let s = Arc::clone(&state);
    /// thread::spawn(move || { *s.0.lock().unwrap() = 1; s.1.notify_all(); });
    /// let mut n = state.0.lock().unwrap();
    /// while *n == 0 {
    ///     n = state.1.wait(n).unwrap();
    /// }
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait<'a, T, C: LockClass>(&self, guard: MutexGuard<'a, T, C>) -> LockResult<MutexGuard<'a, T, C>> {
        let MutexGuard { held, inner, class } = guard;
        let record = WaitRecord::Held(held).before_wait(Location::caller());
        let result = self.inner.wait(inner);
        let held = record.into_held();
        map_result(result, |inner| MutexGuard { held, inner, class })
    }

    /// Blocks while `condition` returns `true`, as std's. The condition runs with the mutex held
    /// and recorded, so locks it takes are checked against it.
    ///
    /// ```
    /// # use lock_rank::{Condvar, Mutex};
    /// # use std::{sync::Arc, thread};
    /// let queue: Arc<(Mutex<Vec<u32>>, Condvar)> = Arc::new((Mutex::new(vec![]), Condvar::new()));
    /// let q = Arc::clone(&queue);
    /// thread::spawn(move || { q.0.lock().unwrap().push(7); q.1.notify_one(); });
    /// let items = queue.1.wait_while(queue.0.lock().unwrap(), |items| items.is_empty()).unwrap();
    /// assert_eq!(items[0], 7);
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_while<'a, T, C: LockClass, F>(
        &self,
        guard: MutexGuard<'a, T, C>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T, C>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let MutexGuard { held, inner, class } = guard;
        let mut record = Some(WaitRecord::Held(held));
        let result = self.inner.wait_while(inner, |value| {
            update(&mut record, WaitRecord::after_wait);
            let wait = condition(value);
            if wait {
                update(&mut record, |r| r.before_wait(site));
            }
            wait
        });
        let held = record.expect("the record is put back after every step").into_held();
        map_result(result, |inner| MutexGuard { held, inner, class })
    }

    /// Blocks until notified or `timeout` passes, as std's.
    ///
    /// ```
    /// # use lock_rank::{Condvar, Mutex};
    /// # use std::time::Duration;
    /// let m: Mutex<()> = Mutex::new(());
    /// let cv = Condvar::new();
    /// let (_guard, result) = cv.wait_timeout(m.lock().unwrap(), Duration::from_millis(1)).unwrap();
    /// assert!(result.timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_timeout<'a, T, C: LockClass>(
        &self,
        guard: MutexGuard<'a, T, C>,
        timeout: Duration,
    ) -> LockResult<(MutexGuard<'a, T, C>, WaitTimeoutResult)> {
        let MutexGuard { held, inner, class } = guard;
        let record = WaitRecord::Held(held).before_wait(Location::caller());
        let result = self.inner.wait_timeout(inner, timeout);
        let held = record.into_held();
        map_result(result, |(inner, timed_out)| (MutexGuard { held, inner, class }, timed_out))
    }

    /// Blocks while `condition` returns `true`, for at most `timeout`, as std's.
    ///
    /// ```
    /// # use lock_rank::{Condvar, Mutex};
    /// # use std::time::Duration;
    /// let m: Mutex<bool> = Mutex::new(false);
    /// let cv = Condvar::new();
    /// let (ready, result) =
    ///     cv.wait_timeout_while(m.lock().unwrap(), Duration::from_millis(1), |r| !*r).unwrap();
    /// assert!(result.timed_out() && !*ready);
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_timeout_while<'a, T, C: LockClass, F>(
        &self,
        guard: MutexGuard<'a, T, C>,
        timeout: Duration,
        mut condition: F,
    ) -> LockResult<(MutexGuard<'a, T, C>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let MutexGuard { held, inner, class } = guard;
        let mut record = Some(WaitRecord::Held(held));
        let result = self.inner.wait_timeout_while(inner, timeout, |value| {
            update(&mut record, WaitRecord::after_wait);
            let wait = condition(value);
            if wait {
                update(&mut record, |r| r.before_wait(site));
            }
            wait
        });
        let held = record.expect("the record is put back after every step").into_held();
        map_result(result, |(inner, timed_out)| (MutexGuard { held, inner, class }, timed_out))
    }

    /// Wakes one waiting thread, as std's.
    ///
    /// ```
    /// lock_rank::Condvar::new().notify_one();
    /// ```
    #[inline]
    pub fn notify_one(&self) {
        self.inner.notify_one();
    }

    /// Wakes every waiting thread, as std's.
    ///
    /// ```
    /// lock_rank::Condvar::new().notify_all();
    /// ```
    #[inline]
    pub fn notify_all(&self) {
        self.inner.notify_all();
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}
