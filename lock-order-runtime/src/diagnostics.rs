//! What people debugging a hung program need: who holds which lock since where, who waits for
//! what, and timeouts that name the holder.
//!
//! Everything here reads the held-lock records that checked builds keep anyway. Reading another
//! thread's record takes no lock that an acquire or release takes, so it is safe (and cheap for
//! the running program) to call from any thread, including while the others are stuck.

use std::fmt;
use std::sync::PoisonError;
use std::time::Duration;

use crate::holder::Holder;
use crate::report::{write_backtrace, Acquisition};

/// Every live thread's and task's held locks, and the lock each is blocked on: a snapshot.
///
/// ```
/// use lock_order::{lock_rank, Mutex};
///
/// #[lock_rank(3)]
/// static SESSIONS: Mutex<u32> = Mutex::new(0);
///
/// let _s = SESSIONS.lock().unwrap();
/// let dump = lock_order::dump();
/// if lock_order::CHECKS_ENABLED {
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

/// A snapshot of every thread's and task's held locks and blocked acquires.
///
/// Safe to call from any thread at any time, while others run or hang. Empty without checks.
///
/// ```
/// eprintln!("{}", lock_order::dump());
/// ```
pub fn dump() -> Dump {
    #[cfg(lock_order_checked)]
    {
        imp::dump()
    }
    #[cfg(not(lock_order_checked))]
    {
        Dump::default()
    }
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !crate::CHECKS_ENABLED {
            return f.write_str("lock-order dump: checks are off in this build, nothing is recorded\n");
        }
        writeln!(f, "lock-order dump: {} thread(s) or task(s) hold or wait for locks", self.holders.len())?;
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
/// use lock_order::Mutex;
///
/// let m: Mutex<u32> = Mutex::new(0);
/// lock_order::assert_no_locks_held(); // fine: nothing held
/// let guard = m.lock().unwrap();
/// let held = std::panic::catch_unwind(|| lock_order::assert_no_locks_held());
/// assert_eq!(held.is_err(), lock_order::CHECKS_ENABLED);
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

/// A timed acquire that gave up: names the lock, its rank, and who holds it since where.
///
/// ```
/// use std::time::Duration;
/// use lock_order::{lock_rank, Mutex, TimedLockError};
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
/// if lock_order::CHECKS_ENABLED {
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
            if crate::CHECKS_ENABLED {
                write!(f, "  holder: none recorded (the lock was released as the wait ended)")
            } else {
                write!(f, "  holder: unknown (lock-order checks are off in this build)")
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
/// let m: lock_order::Mutex<u8> = lock_order::Mutex::new(0);
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
pub(crate) fn timed_out(request: &crate::check::Request, waited: Duration) -> LockTimeout {
    LockTimeout { lock: request.acquisition(), waited, holders: holders_of(request.addr) }
}

/// Who holds the lock at `address` now, found in every thread's and task's record.
pub(crate) fn holders_of(address: usize) -> Vec<LockHolder> {
    #[cfg(lock_order_checked)]
    {
        imp::holders_of(address)
    }
    #[cfg(not(lock_order_checked))]
    {
        let _ = address;
        Vec::new()
    }
}

#[cfg(lock_order_checked)]
pub(crate) mod imp {
    use super::{BlockedOn, Dump, HolderState, LockHolder};
    use crate::check::to_acquisition;
    use crate::held::{all_sets, HeldSet, Wait};
    use crate::holder::Holder;

    /// One in-use set as seen from outside: its owner, its locks, its wait.
    pub(crate) struct SetView {
        pub(crate) set: &'static HeldSet,
        pub(crate) holder: Holder,
        pub(crate) held: Vec<crate::report::Acquisition>,
        pub(crate) wait: Option<Wait>,
    }

    /// Every in-use set that holds or waits for something.
    pub(crate) fn busy_sets() -> Vec<SetView> {
        all_sets()
            .filter(|set| set.is_in_use())
            .filter_map(|set| {
                let held: Vec<_> = set
                    .snapshot_with_backtraces()
                    .into_iter()
                    .map(|(slot, backtrace)| to_acquisition(&slot, backtrace))
                    .collect();
                let wait = set.waiting_for();
                if held.is_empty() && wait.is_none() {
                    return None;
                }
                Some(SetView { set, holder: set.owner()?, held, wait })
            })
            .collect()
    }

    pub(crate) fn holders_in(sets: &[SetView], address: usize) -> Vec<LockHolder> {
        sets.iter()
            .flat_map(|view| {
                view.held.iter().filter(|a| a.address == address).map(|acquisition| LockHolder {
                    holder: view.holder.clone(),
                    acquisition: acquisition.clone(),
                })
            })
            .collect()
    }

    pub(crate) fn holders_of(address: usize) -> Vec<LockHolder> {
        holders_in(&busy_sets(), address)
    }

    pub(crate) fn blocked_on(sets: &[SetView], wait: &Wait) -> BlockedOn {
        BlockedOn {
            lock: to_acquisition(&wait.lock, wait.backtrace.clone()),
            blocked_for: wait.blocked_for,
            holders: holders_in(sets, wait.lock.addr),
        }
    }

    pub(crate) fn dump() -> Dump {
        let sets = busy_sets();
        let holders = sets
            .iter()
            .map(|view| HolderState {
                holder: view.holder.clone(),
                held: view.held.clone(),
                blocked_on: view.wait.as_ref().map(|wait| blocked_on(&sets, wait)),
            })
            .collect();
        Dump { holders }
    }
}
