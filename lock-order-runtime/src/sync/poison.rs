//! Carrying std's poisoning through our guard types unchanged.

use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use crate::check::Held;
use crate::sync::timed::{LockTimeout, TimedLockError, TimedLockResult};

/// Maps the guard inside a `LockResult`, keeping the poison flag.
#[inline(always)]
pub(crate) fn map_result<G, H>(result: LockResult<G>, f: impl FnOnce(G) -> H) -> LockResult<H> {
    match result {
        Ok(guard) => Ok(f(guard)),
        Err(poisoned) => Err(PoisonError::new(f(poisoned.into_inner()))),
    }
}

/// A `try_*` result as "taken (maybe poisoned)" or `None` for "would block".
#[inline(always)]
pub(crate) fn taken<G>(result: TryLockResult<G>) -> Option<LockResult<G>> {
    match result {
        Ok(guard) => Some(Ok(guard)),
        Err(TryLockError::Poisoned(poisoned)) => Some(Err(poisoned)),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Maps the guard inside a `TryLockResult`, keeping "would block" and the poison flag.
#[inline(always)]
pub(crate) fn map_try_result<G, H>(result: TryLockResult<G>, f: impl FnOnce(G) -> H) -> TryLockResult<H> {
    match result {
        Ok(guard) => Ok(f(guard)),
        Err(TryLockError::Poisoned(poisoned)) => {
            Err(TryLockError::Poisoned(PoisonError::new(f(poisoned.into_inner()))))
        }
        Err(TryLockError::WouldBlock) => Err(TryLockError::WouldBlock),
    }
}

/// The result of a timed acquire as the guard type `f` builds, keeping the poison flag.
#[inline(always)]
pub(crate) fn map_timed_result<G, H>(
    result: Result<(LockResult<G>, Held), LockTimeout>,
    f: impl FnOnce(G, Held) -> H,
) -> TimedLockResult<H> {
    match result {
        Ok((Ok(guard), held)) => Ok(f(guard, held)),
        Ok((Err(poisoned), held)) => {
            Err(TimedLockError::Poisoned(PoisonError::new(f(poisoned.into_inner(), held))))
        }
        Err(timeout) => Err(TimedLockError::Timeout(timeout)),
    }
}
