//! Which held set an acquire belongs to: the current thread's, or the current async task's.
//!
//! This is the one seam between "who is running" and the checks: everything else takes the
//! `&'static HeldSet` this returns.

#[cfg(lock_order_checked)]
use crate::held::HeldSet;

/// The held set of whoever is running: the current thread.
#[cfg(lock_order_checked)]
#[inline]
pub(crate) fn current_set() -> &'static HeldSet {
    crate::held::thread_set()
}

/// The id of the async task being polled on this thread, if any.
#[inline]
pub(crate) fn current_task_id() -> Option<u64> {
    None
}
