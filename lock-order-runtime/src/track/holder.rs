//! Who holds a lock: a thread, or an async task on a thread.
//!
//! Data only; who is running now is `current`'s to say ([`Holder::current`]).

use std::thread::ThreadId;

/// Who holds locks: a thread, or (with the `tokio` feature) an async task on a thread.
///
/// ```
/// let me = lock_rank::Holder::current();
/// assert_eq!(me.thread_id(), Some(std::thread::current().id()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub(crate) thread_name: Option<std::sync::Arc<str>>,
    pub(crate) thread_id: Option<ThreadId>,
    pub(crate) task_id: Option<u64>,
}

impl Holder {
    /// The thread's name, if it has one.
    pub fn thread_name(&self) -> Option<&str> {
        self.thread_name.as_deref()
    }

    /// The thread's id (for a task: the thread it was on when it took its first lock; `None` for
    /// a task shown only waiting, holding nothing).
    pub fn thread_id(&self) -> Option<ThreadId> {
        self.thread_id
    }

    /// The async task's id, when the holder is a task.
    pub fn task_id(&self) -> Option<u64> {
        self.task_id
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(task) = self.task_id {
            if self.thread_id.is_none() && self.thread_name.is_none() {
                // A task waiting while it holds nothing is on no thread.
                return write!(f, "task {task}");
            }
            write!(f, "task {task} on ")?;
        }
        match (&self.thread_name, self.thread_id) {
            (Some(name), Some(id)) => write!(f, "thread `{name}` ({id:?})"),
            (None, Some(id)) => write!(f, "thread {id:?}"),
            (Some(name), None) => write!(f, "thread `{name}`"),
            (None, None) => f.write_str("an unknown thread"),
        }
    }
}
