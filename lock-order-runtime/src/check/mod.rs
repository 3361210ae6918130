//! The check at every acquire and the record it leaves until the guard drops.
//!
//! Every lock type follows one protocol: build a [`Request`], call [`check_blocking`] before a
//! blocking acquire (or nothing before a `try_*`), then keep the [`Held`] record in the guard.
//! [`lock_with`] packages that for locks with a try-then-block shape.
//!
//! Fast path of a checked blocking acquire of a ranked std or parking_lot mutex: one thread-local
//! load, one compare against the highest rank held, one test of the same state word for the rare
//! cases (an unranked lock held, deep nesting, backtraces), four stores into the thread's own
//! record (the slot's three words and the state), then the lock's own try. An unranked one is
//! checked and recorded before its try too, by one scan of the few locks held (for itself, and
//! for the orders it would teach); another `lock_api` lock is tried first and checked after. No
//! global lock, no allocation, no backtrace; everything else is out of line, and the guard's
//! record is one word (two with `tokio`).
//! Unchecked builds compile all of it away: `Held` is zero-sized.

#[cfg(lock_rank_checked)]
mod checked;
#[cfg(not(lock_rank_checked))]
mod unchecked;

#[cfg(lock_rank_checked)]
pub(crate) use checked::*;
#[cfg(not(lock_rank_checked))]
pub(crate) use unchecked::*;

pub(crate) use crate::track::Request;

/// When a blocking acquire checks and records its uncontended case: before the lock's try, or
/// after it. A constant at every call, so one of the two paths is compiled.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum RecordAt {
    /// Every lock is checked and recorded before its try: a ranked one by its rank, an unranked
    /// one by a scan of the locks held that looks for the lock itself and probes the orders it
    /// would teach in one pass. For std's locks, parking_lot's `Mutex` (whose timed try is one
    /// compare-and-swap: see `lock_api::Mutex::lock`) and every `lock_api::RwLock`'s `read`.
    ///
    /// The record's stores then go out ahead of the lock's atomic instruction, which has to wait
    /// for them anyway, instead of between it and the next lock's. When the try fails the record
    /// is taken back before the acquire goes on to block, so its only trace is that for the few
    /// nanoseconds of a failing try the lock also shows as held by this thread; dumps and holder
    /// lists settle such conflicts (see `diagnostics::busy::busy_sets`).
    BeforeTry,
    /// Every lock is checked and recorded once its try has taken it: for the other `lock_api`
    /// acquires, whose `try_lock` may read the lock word before its compare-and-swap (parking_lot's
    /// does), so that stores ahead of it would not overlap with it. The check's loads then follow the
    /// lock's atomic instruction instead of holding it back, and a successful exclusive try
    /// proves the lock was not already held by this thread, so an unranked lock skips its scan.
    #[cfg_attr(not(feature = "lock_api"), allow(dead_code))] // used by the lock_api locks
    AfterTry,
}

/// Runs a blocking acquire under the check: `try_now` first (the uncontended case, which never
/// marks the thread as waiting), checked and recorded as `record` says, then, if the try fails,
/// `block` with the thread marked as waiting.
///
/// On a violation the lock is not taken (or is given back) before the report, so a report and its
/// policy see the same state as for an acquire checked before it blocks, which is what happens
/// next.
#[inline(always)]
#[cfg_attr(lock_rank_checked, track_caller)]
pub(crate) fn lock_with<G>(
    request: Request,
    record: RecordAt,
    try_now: impl FnOnce() -> Option<G>,
    block: impl FnOnce() -> G,
) -> (G, Held) {
    #[cfg(lock_rank_checked)]
    {
        // Compared as a number, not matched: inlining with a constant `record` then drops the
        // other path, in unoptimized builds too, where a debug build's frame would grow by it.
        if record as u8 == RecordAt::BeforeTry as u8 && request.class.is_some() {
            if let Some(held) = record_ranked(request) {
                match try_now() {
                    Some(guard) => return (guard, held),
                    // Held elsewhere: forget the record, then wait below as any blocking acquire.
                    None => drop(held),
                }
            }
        } else if record as u8 == RecordAt::BeforeTry as u8 {
            // Apart from the ranked path, with a try of its own: a plain view carries both
            // paths, and one try shared between them lengthens the ranked one.
            if let Some(held) = record_unranked(request) {
                match try_now() {
                    Some(guard) => return (guard, held),
                    None => drop(held),
                }
            }
        } else if let Some(guard) = try_now() {
            match record_in_order(request, true) {
                Some(held) => return (guard, held),
                None => drop(guard),
            }
        }
        let pending = check_blocking(request);
        // Not through `wait_for`: a guard returned from a call would come back through memory,
        // and the uncontended path, which joins this one, would then keep its guard there too.
        let waiting = pending.waiting();
        let guard = block();
        drop(waiting);
        (guard, pending.acquired())
    }
    #[cfg(not(lock_rank_checked))]
    {
        let _ = (request, record, try_now);
        (block(), Held)
    }
}
