//! Who is running: the current thread, or the current async task; and so which held set an
//! acquire belongs to.
//!
//! This is the one seam between "who is running" and the checks: everything else takes the
//! `&'static HeldSet` this returns.
//!
//! Without the `tokio` feature "who is running" is always the thread. With it, code polled inside
//! a tokio task (found with `tokio::task::try_id()`, no wrapper needed) records into the task's
//! set, which follows the task from worker to worker; code outside any task, including the root
//! future of `Runtime::block_on` (tokio gives it no task id), records into the thread's set.

#[cfg(lock_rank_checked)]
use crate::track::held_set::HeldSet;
use crate::track::holder::Holder;
#[cfg(lock_rank_checked)]
use crate::track::sets;
#[cfg(all(lock_rank_checked, feature = "tokio"))]
use crate::track::tasks;

/// The held set of whoever is running: the current tokio task's, else the current thread's.
#[cfg(lock_rank_checked)]
#[inline(always)]
pub(crate) fn current_set() -> &'static HeldSet {
    #[cfg(feature = "tokio")]
    if let Some(task) = task_id() {
        return tasks::task_set(task);
    }
    sets::thread_set()
}

/// Whether `set` is the held set of whoever is running, so that its owner-only bookkeeping may
/// be done here; `false` when in doubt (a set owned elsewhere is then released as foreign, which
/// is always safe). A task's set found this way becomes the thread's cached one.
#[cfg(lock_rank_checked)]
#[inline]
pub(crate) fn is_current_set(set: &HeldSet) -> bool {
    // A thread's set is only ever changed by its thread, whichever task that thread runs now.
    if sets::claimed_thread_set().is_some_and(|current| std::ptr::eq(current, set)) {
        return true;
    }
    // A task's set, by the task, wherever it runs now.
    #[cfg(feature = "tokio")]
    if let Some(task) = task_id() {
        return tasks::is_task_set(task, set);
    }
    false
}

/// The id of the tokio task being polled on this thread, if any (always `None` without the
/// `tokio` feature).
#[inline]
pub(crate) fn current_task_id() -> Option<u64> {
    #[cfg(feature = "tokio")]
    {
        task_id()
    }
    #[cfg(not(feature = "tokio"))]
    {
        None
    }
}

/// The id of the tokio task being polled on this thread, as a number (tokio's `Id` displays as
/// the same number).
#[cfg(feature = "tokio")]
#[inline]
fn task_id() -> Option<u64> {
    ::tokio::task::try_id().map(|id| {
        use std::hash::{Hash, Hasher};

        /// Tokio's `Id` hashes as its `u64`: the one way to read it without formatting.
        struct IdBits(u64);
        impl Hasher for IdBits {
            fn finish(&self) -> u64 {
                self.0
            }
            fn write(&mut self, bytes: &[u8]) {
                for &byte in bytes {
                    self.0 = self.0 << 8 | u64::from(byte);
                }
            }
            fn write_u64(&mut self, id: u64) {
                self.0 = id;
            }
        }
        let mut bits = IdBits(0);
        id.hash(&mut bits);
        bits.0
    })
}

impl Holder {
    /// The calling thread (and task, when called inside a tracked async task).
    pub fn current() -> Holder {
        let thread = std::thread::current();
        Holder {
            thread_name: thread.name().map(std::sync::Arc::from),
            thread_id: Some(thread.id()),
            task_id: current_task_id(),
        }
    }
}
