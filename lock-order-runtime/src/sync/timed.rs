//! Timed acquires: try until a deadline, then fail with a report naming the holder.

use std::fmt;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use crate::check::{self, Held, Request};
use crate::diagnostics::{holders_of, LockHolder};
use crate::track::Acquisition;

/// Tries `try_now` until it succeeds or `timeout` passes, backing off from spinning to
/// yielding to short sleeps. Never an order violation: it cannot hang. While it waits, the
/// thread or task shows as blocked on the lock in dumps and to the watchdog.
pub(crate) fn lock_timed<G>(
    request: Request,
    timeout: Duration,
    mut try_now: impl FnMut() -> Option<G>,
) -> Result<(G, Held), LockTimeout> {
    let start = Instant::now();
    let pending = check::unchecked(request);
    if let Some(guard) = try_now() {
        return Ok((guard, pending.acquired()));
    }
    let taken = {
        let _waiting = pending.waiting();
        let mut taken = None;
        for round in 0u32.. {
            let Some(left) = timeout.checked_sub(start.elapsed()).filter(|left| !left.is_zero()) else {
                break;
            };
            match round {
                0..=5 => (0..1u32 << round).for_each(|_| std::hint::spin_loop()),
                6..=11 => std::thread::yield_now(),
                _ => std::thread::sleep(left.min(Duration::from_micros(50 << (round - 12).min(5)))),
            }
            taken = try_now();
            if taken.is_some() {
                break;
            }
        }
        taken
    };
    match taken {
        Some(guard) => Ok((guard, pending.acquired())),
        None => Err(timed_out(&request, timeout)),
    }
}

/// A timed acquire that gave up: names the lock, its rank, and who holds it since where.
///
/// ```
/// use std::time::Duration;
/// use lock_rank::{lock_rank, Mutex, TimedLockError};
///
/// #[lock_rank(1)]
/// static JOURNAL: Mutex<Vec<u8>> = Mutex::new(Vec::new());
///
/// let held = JOURNAL.lock().unwrap();
/// let attempt = std::thread::spawn(|| match JOURNAL.try_lock_for(Duration::from_millis(20)) {
///     Err(TimedLockError::Timeout(timeout)) => timeout.to_string(),
///     _ => unreachable!("the journal is held"),
/// })
/// .join()
/// .unwrap();
/// assert!(attempt.starts_with("lock timeout: `JOURNAL` (rank 1) not acquired within 20ms"));
/// if lock_rank::CHECKS_ENABLED {
///     assert!(attempt.contains("held by thread `main`"));
/// }
/// drop(held);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LockTimeout {
    /// The lock that was not acquired, with the site requesting it.
    pub lock: Acquisition,
    /// How long the acquire waited.
    pub waited: Duration,
    /// Who held the lock when the acquire gave up (empty without checks).
    pub holders: Vec<LockHolder>,
}

impl fmt::Display for LockTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "lock timeout: {} not acquired within {:?}", self.lock.short(), self.waited)?;
        writeln!(f, "  requested at {}", self.lock.site)?;
        if self.holders.is_empty() {
            if cfg!(lock_rank_checked) {
                write!(f, "  holder: none recorded (the lock was released as the wait ended)")
            } else {
                write!(f, "  holder: unknown (lock-rank checks are off in this build)")
            }
        } else {
            let holders: Vec<String> = self.holders.iter().map(|h| format!("  {h}")).collect();
            write!(f, "{}", holders.join("\n"))
        }
    }
}

impl std::error::Error for LockTimeout {}

/// Why a timed acquire (`try_lock_for`, `try_read_for`, `try_write_for`) failed.
///
/// ```
/// use std::time::Duration;
/// let m: lock_rank::Mutex<u8> = lock_rank::Mutex::new(0);
/// assert!(m.try_lock_for(Duration::from_millis(5)).is_ok());
/// ```
#[non_exhaustive]
pub enum TimedLockError<G> {
    /// The lock was taken, but a holder had panicked: as std's `TryLockError::Poisoned`.
    Poisoned(PoisonError<G>),
    /// The lock was not free within the time given.
    Timeout(LockTimeout),
}

/// The result of a timed acquire.
pub type TimedLockResult<G> = Result<G, TimedLockError<G>>;

impl<G> fmt::Debug for TimedLockError<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimedLockError::Poisoned(_) => f.write_str("Poisoned(..)"),
            TimedLockError::Timeout(timeout) => f.debug_tuple("Timeout").field(timeout).finish(),
        }
    }
}

impl<G> fmt::Display for TimedLockError<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimedLockError::Poisoned(_) => f.write_str("poisoned lock: another task failed inside"),
            TimedLockError::Timeout(timeout) => fmt::Display::fmt(timeout, f),
        }
    }
}

impl<G> std::error::Error for TimedLockError<G> {}

impl<G> From<PoisonError<G>> for TimedLockError<G> {
    fn from(poisoned: PoisonError<G>) -> Self {
        TimedLockError::Poisoned(poisoned)
    }
}

/// The error of a timed acquire of `request` that waited `waited` in vain.
pub(crate) fn timed_out(request: &Request, waited: Duration) -> LockTimeout {
    LockTimeout { lock: request.acquisition(), waited, holders: holders_of(request.addr) }
}
