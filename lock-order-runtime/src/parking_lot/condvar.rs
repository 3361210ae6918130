//! [`Condvar`]: parking_lot's condition variable for this module's [`Mutex`](super::Mutex)es.

use std::fmt;
use std::panic::Location;
use std::time::{Duration, Instant};

use ::parking_lot::WaitTimeoutResult;

use super::locks::MutexGuard;
use crate::check::Reacquire;
use crate::class::LockClass;
use crate::lock_api::guard_record::GuardRecord;

/// A condition variable for [`Mutex`](super::Mutex)es of this module: parking_lot's, with the guard passed as
/// `&mut`.
///
/// While it waits, the mutex is not held (nor recorded); the re-acquire that ends the wait is a
/// blocking acquire and is checked like one, before the wait starts: waiting on a low-ranked
/// mutex while holding a higher-ranked lock is a lock order violation. With a timeout too: the
/// re-acquire after a timeout still blocks.
///
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use lock_rank::parking_lot::{Condvar, Mutex};
///
/// let pair: Arc<(Mutex<bool>, Condvar)> = Arc::new((Mutex::new(false), Condvar::new()));
/// let pair2 = Arc::clone(&pair);
/// thread::spawn(move || {
///     *pair2.0.lock() = true;
///     pair2.1.notify_one();
/// });
/// let mut ready = pair.0.lock();
/// pair.1.wait_while(&mut ready, |ready| !*ready);
/// assert!(*ready);
/// ```
#[derive(Default)]
pub struct Condvar {
    inner: ::parking_lot::Condvar,
}

impl Condvar {
    /// Creates a condition variable; `const`.
    ///
    /// ```
    /// static READY: lock_rank::parking_lot::Condvar = lock_rank::parking_lot::Condvar::new();
    /// READY.notify_all();
    /// ```
    #[inline]
    pub const fn new() -> Self {
        Condvar { inner: ::parking_lot::Condvar::new() }
    }

    /// Wakes one waiting thread; whether one was woken.
    ///
    /// ```
    /// assert!(!lock_rank::parking_lot::Condvar::new().notify_one());
    /// ```
    #[inline]
    pub fn notify_one(&self) -> bool {
        self.inner.notify_one()
    }

    /// Wakes every waiting thread; how many were woken.
    ///
    /// ```
    /// assert_eq!(lock_rank::parking_lot::Condvar::new().notify_all(), 0);
    /// ```
    #[inline]
    pub fn notify_all(&self) -> usize {
        self.inner.notify_all()
    }

    /// Blocks until notified, releasing the mutex meanwhile (spurious wake-ups included).
    ///
    /// # Panics
    /// With checks on and the default policy: when a lock of the same or a higher rank than the
    /// mutex is held, since re-acquiring the mutex after the wait would break the order. As
    /// parking_lot's, when the condition variable is used with two mutexes at once.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::{sync::Arc, thread};
    /// let state: Arc<(Mutex<u32>, Condvar)> = Arc::new((Mutex::new(0), Condvar::new()));
    /// let s = Arc::clone(&state);
    /// thread::spawn(move || { *s.0.lock() = 1; s.1.notify_all(); });
    /// let mut n = state.0.lock();
    /// while *n == 0 {
    ///     state.1.wait(&mut n);
    /// }
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait<T: ?Sized, C: LockClass>(&self, guard: &mut MutexGuard<'_, T, C>) {
        let released = guard.record.release_for_wait(Location::caller());
        self.inner.wait(&mut guard.inner);
        guard.record.reacquired(released);
    }

    /// Blocks until notified or `deadline` passes.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::time::{Duration, Instant};
    /// let m: Mutex<()> = Mutex::new(());
    /// let cv = Condvar::new();
    /// let mut guard = m.lock();
    /// assert!(cv.wait_until(&mut guard, Instant::now() + Duration::from_millis(1)).timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_until<T: ?Sized, C: LockClass>(
        &self,
        guard: &mut MutexGuard<'_, T, C>,
        deadline: Instant,
    ) -> WaitTimeoutResult {
        let released = guard.record.release_for_wait(Location::caller());
        let result = self.inner.wait_until(&mut guard.inner, deadline);
        guard.record.reacquired(released);
        result
    }

    /// Blocks until notified or `timeout` passes.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::time::Duration;
    /// let m: Mutex<()> = Mutex::new(());
    /// let cv = Condvar::new();
    /// let mut guard = m.lock();
    /// assert!(cv.wait_for(&mut guard, Duration::from_millis(1)).timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_for<T: ?Sized, C: LockClass>(
        &self,
        guard: &mut MutexGuard<'_, T, C>,
        timeout: Duration,
    ) -> WaitTimeoutResult {
        let released = guard.record.release_for_wait(Location::caller());
        let result = self.inner.wait_for(&mut guard.inner, timeout);
        guard.record.reacquired(released);
        result
    }

    /// Blocks while `condition` returns `true`. The condition runs with the mutex held and
    /// recorded, so locks it takes are checked against it.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::{sync::Arc, thread};
    /// let queue: Arc<(Mutex<Vec<u32>>, Condvar)> = Arc::new((Mutex::new(vec![]), Condvar::new()));
    /// let q = Arc::clone(&queue);
    /// thread::spawn(move || { q.0.lock().push(7); q.1.notify_one(); });
    /// let mut items = queue.0.lock();
    /// queue.1.wait_while(&mut items, |items| items.is_empty());
    /// assert_eq!(items[0], 7);
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_while<T: ?Sized, C: LockClass, F>(&self, guard: &mut MutexGuard<'_, T, C>, condition: F)
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let crate::lock_api::MutexGuard { record, inner, .. } = guard;
        let mut released = None;
        self.inner.wait_while(inner, recorded(record, &mut released, site, condition));
        if let Some(released) = released {
            record.reacquired(released);
        }
    }

    /// Blocks while `condition` returns `true`, until `deadline` at the latest.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::time::{Duration, Instant};
    /// let m: Mutex<bool> = Mutex::new(false);
    /// let cv = Condvar::new();
    /// let mut ready = m.lock();
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// assert!(cv.wait_while_until(&mut ready, |r| !*r, deadline).timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_while_until<T: ?Sized, C: LockClass, F>(
        &self,
        guard: &mut MutexGuard<'_, T, C>,
        condition: F,
        deadline: Instant,
    ) -> WaitTimeoutResult
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let crate::lock_api::MutexGuard { record, inner, .. } = guard;
        let mut released = None;
        let result =
            self.inner.wait_while_until(inner, recorded(record, &mut released, site, condition), deadline);
        if let Some(released) = released {
            record.reacquired(released);
        }
        result
    }

    /// Blocks while `condition` returns `true`, for at most `timeout`.
    ///
    /// ```
    /// # use lock_rank::parking_lot::{Condvar, Mutex};
    /// # use std::time::Duration;
    /// let m: Mutex<bool> = Mutex::new(false);
    /// let cv = Condvar::new();
    /// let mut ready = m.lock();
    /// assert!(cv.wait_while_for(&mut ready, |r| !*r, Duration::from_millis(1)).timed_out());
    /// ```
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub fn wait_while_for<T: ?Sized, C: LockClass, F>(
        &self,
        guard: &mut MutexGuard<'_, T, C>,
        condition: F,
        timeout: Duration,
    ) -> WaitTimeoutResult
    where
        F: FnMut(&mut T) -> bool,
    {
        let site = Location::caller();
        let crate::lock_api::MutexGuard { record, inner, .. } = guard;
        let mut released = None;
        let result =
            self.inner.wait_while_for(inner, recorded(record, &mut released, site, condition), timeout);
        if let Some(released) = released {
            record.reacquired(released);
        }
        result
    }
}

/// Wraps a wait condition so the mutex is recorded while it runs and given up (with the
/// re-acquire checked, requested at `site`) before each wait it asks for.
fn recorded<'r, T: ?Sized>(
    record: &'r mut GuardRecord,
    released: &'r mut Option<Reacquire>,
    site: &'static Location<'static>,
    mut condition: impl FnMut(&mut T) -> bool + 'r,
) -> impl FnMut(&mut T) -> bool + 'r {
    move |value| {
        if let Some(previous) = released.take() {
            record.reacquired(previous);
        }
        let wait = condition(value);
        if wait {
            *released = Some(record.release_for_wait(site));
        }
        wait
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}
