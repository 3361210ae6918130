//! What a dump shows: every thread's and task's held locks and blocked acquire, as data and
//! as text; and the assertion that none are held.

use std::fmt;
use std::time::Duration;

use crate::report::write_backtrace;
use crate::track::{Acquisition, Holder};

/// Every live thread's and task's held locks, and the lock each is blocked on: a snapshot.
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// #[lock_rank(3)]
/// static SESSIONS: Mutex<u32> = Mutex::new(0);
///
/// let _s = SESSIONS.lock().unwrap();
/// let dump = lock_rank::dump();
/// if lock_rank::CHECKS_ENABLED {
///     let me = dump.holders.iter().find(|h| h.holder.thread_id() == Some(std::thread::current().id())).unwrap();
///     assert_eq!(me.held[0].name(), "SESSIONS");
///     assert!(dump.to_string().contains("`SESSIONS` (rank 3)"));
/// }
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Dump {
    /// One entry per thread or task that holds or waits for a lock.
    pub holders: Vec<HolderState>,
}

/// One thread's or task's locks in a [`Dump`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HolderState {
    /// The thread or task.
    pub holder: Holder,
    /// The locks it holds, oldest first, with where each was acquired.
    pub held: Vec<Acquisition>,
    /// The lock it is blocked on, if any.
    pub blocked_on: Option<BlockedOn>,
}

/// A blocked acquire: the lock, since when, and who holds it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BlockedOn {
    /// The lock being acquired, with the site requesting it.
    pub lock: Acquisition,
    /// How long the acquire has been blocked.
    pub blocked_for: Duration,
    /// Who holds the lock now, with where each acquired it (several readers of an `RwLock`).
    pub holders: Vec<LockHolder>,
}

/// A thread or task that holds a given lock, and where it took it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LockHolder {
    /// The thread or task.
    pub holder: Holder,
    /// Its acquisition of the lock.
    pub acquisition: Acquisition,
}

impl fmt::Display for LockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "held by {}, acquired at {}", self.holder, self.acquisition.site)
    }
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !crate::CHECKS_ENABLED {
            return f.write_str("lock-rank dump: checks are off in this build, nothing is recorded\n");
        }
        writeln!(f, "lock-rank dump: {} thread(s) or task(s) hold or wait for locks", self.holders.len())?;
        for state in &self.holders {
            writeln!(f, "{}:", state.holder)?;
            for held in &state.held {
                writeln!(f, "    holds {} acquired at {}", held.short(), held.site)?;
                write_backtrace(f, held)?;
            }
            if let Some(blocked) = &state.blocked_on {
                writeln!(
                    f,
                    "    BLOCKED for {:.1?} on {} requested at {}",
                    blocked.blocked_for,
                    blocked.lock.short(),
                    blocked.lock.site
                )?;
                write_backtrace(f, &blocked.lock)?;
                for holder in &blocked.holders {
                    writeln!(f, "        {holder}")?;
                }
            }
        }
        Ok(())
    }
}

/// Panics if the current thread or task holds any lock; a no-op without checks.
///
/// Call it where holding a lock is a bug: before an `.await`, blocking I/O, or a call into
/// user code. The message lists every lock held with the site that acquired it.
///
/// ```
/// use lock_rank::Mutex;
///
/// let m: Mutex<u32> = Mutex::new(0);
/// lock_rank::assert_no_locks_held(); // fine: nothing held
/// let guard = m.lock().unwrap();
/// let held = std::panic::catch_unwind(|| lock_rank::assert_no_locks_held());
/// assert_eq!(held.is_err(), lock_rank::CHECKS_ENABLED);
/// drop(guard);
/// ```
#[track_caller]
pub fn assert_no_locks_held() {
    let held = crate::held_locks();
    if !held.is_empty() {
        let mut message = format!(
            "locks held where none may be: {} lock(s) held at {}\n",
            held.len(),
            std::panic::Location::caller()
        );
        for lock in &held {
            message.push_str(&format!("  holds {} acquired at {}\n", lock.short(), lock.site));
        }
        message.push_str("  help: release these guards first (drop them, or end their scope)");
        panic!("{message}");
    }
}
