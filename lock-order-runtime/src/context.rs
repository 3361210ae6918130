//! Which held set an acquire belongs to: the current thread's, or the current async task's.
//!
//! This is the one seam between "who is running" and the checks: everything else takes the
//! `&'static HeldSet` this returns.
//!
//! Without the `tokio` feature "who is running" is always the thread. With it, code polled inside
//! a tokio task (found with `tokio::task::try_id()`, no wrapper needed) records into the task's
//! set, which follows the task from worker to worker; code outside any task, including the root
//! future of `Runtime::block_on` (tokio gives it no task id), records into the thread's set.

#[cfg(lock_rank_checked)]
use crate::held::HeldSet;

/// The held set of whoever is running: the current tokio task's, else the current thread's.
#[cfg(lock_rank_checked)]
#[inline(always)]
pub(crate) fn current_set() -> &'static HeldSet {
    #[cfg(feature = "tokio")]
    if let Some(task) = crate::tokio::task_id() {
        return crate::tokio::task_set(task);
    }
    crate::held::thread_set()
}

/// Whether `set` is the held set of whoever is running, so that its owner-only bookkeeping may
/// be done here; `false` when in doubt (a set owned elsewhere is then released as foreign, which
/// is always safe). A task's set found this way becomes the thread's cached one.
#[cfg(lock_rank_checked)]
#[inline]
pub(crate) fn is_current_set(set: &HeldSet) -> bool {
    // A thread's set is only ever changed by its thread, whichever task that thread runs now.
    if crate::held::claimed_thread_set().is_some_and(|current| std::ptr::eq(current, set)) {
        return true;
    }
    // A task's set, by the task, wherever it runs now.
    #[cfg(feature = "tokio")]
    if let Some(task) = crate::tokio::task_id() {
        return crate::tokio::is_task_set(task, set);
    }
    false
}

/// The id of the tokio task being polled on this thread, if any (always `None` without the
/// `tokio` feature).
#[inline]
pub(crate) fn current_task_id() -> Option<u64> {
    #[cfg(feature = "tokio")]
    {
        crate::tokio::task_id()
    }
    #[cfg(not(feature = "tokio"))]
    {
        None
    }
}
