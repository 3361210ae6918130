//! Ranked async locks for tokio: [`Mutex`], [`RwLock`] and [`Semaphore`], checked per task.
//!
//! They wrap `tokio::sync`'s and mirror their API, and take a rank the same ways as the core's
//! locks: `#[lock_rank(N)]` on a `static` or on a field of a `#[lock_rank::ranked]` struct, or a
//! lock class as the last type parameter (`Mutex<T, Class>`, `Semaphore<Class>`).
//!
//! ```
//! use lock_rank::lock_rank;
//! use lock_rank::tokio::{Mutex, RwLock, Semaphore};
//!
//! #[lock_rank::ranked]
//! struct Pool {
//!     #[lock_rank(10)]
//!     conns: Semaphore,
//!     #[lock_rank(20)]
//!     ledger: Mutex<u64>,
//!     #[lock_rank(30)]
//!     journal: RwLock<Vec<u64>>,
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let pool = Pool { conns: Semaphore::new(8), ledger: Mutex::new(0), journal: RwLock::new(vec![]) };
//! let _conn = pool.conns.acquire().await.unwrap(); // rank 10
//! *pool.ledger.lock().await += 5; //                   rank 20 while holding 10: in order
//! pool.journal.write().await.push(5); //               rank 30: in order
//! # });
//! ```
//!
//! # Per task, not per thread
//!
//! Inside a tokio task the held locks belong to the task (found with `tokio::task::try_id()`,
//! so plain `tokio::spawn` needs no wrapper). A guard held across an `.await` stays with its
//! task when a multi-thread runtime resumes it on another worker, and other tasks polled on the
//! same thread meanwhile do not see it. The core's synchronous locks (`lock_rank::Mutex`, ...)
//! taken inside a task count for the task too. Tasks of `spawn_local`, `LocalSet` and
//! `spawn_blocking` are tasks like any other.
//!
//! Code outside any task counts for its thread, and so does the future given to
//! `Runtime::block_on` (and so `#[tokio::main]`'s body): tokio gives it no task id. It runs on
//! the calling thread only, so its locks are that thread's, shared with the thread's synchronous
//! code and not with the tasks it spawns. Wrap it in `tokio::spawn` to have it checked as a task.
//! Futures polled by other executors have no tokio task id either: their locks count for the
//! thread polling them, which is right as long as a future holding a lock across an `.await` is
//! not resumed on another thread.
//!
//! # Checked at the call
//!
//! The acquire methods are plain functions returning a future: the check runs when
//! `m.lock()` is called, before anything is awaited, and a report names that line. A lock the
//! task may not take is reported before it can block, so the report comes even on the run where
//! the deadlock would have hung the process at 0% CPU.
//!
//! ```
//! use lock_rank::lock_rank;
//! use lock_rank::tokio::Mutex;
//!
//! #[lock_rank(1)]
//! static ACCOUNTS: Mutex<u64> = Mutex::const_new(0);
//! #[lock_rank(2)]
//! static AUDIT: Mutex<Vec<String>> = Mutex::const_new(Vec::new());
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let task = tokio::spawn(async {
//!     let _audit = AUDIT.lock().await; // rank 2 ...
//!     let _accounts = ACCOUNTS.lock().await; // ... then rank 1: reported here
//! });
//! let outcome = task.await;
//! if lock_rank::CHECKS_ENABLED {
//!     let report = outcome.unwrap_err().into_panic().downcast::<String>().unwrap();
//!     assert!(report.starts_with("lock order violation: acquiring `ACCOUNTS` (rank 1) while holding `AUDIT` (rank 2)"));
//!     assert!(report.contains("by:") && report.contains(" task "));
//! }
//! # });
//! ```
//!
//! # Semaphores are ranked locks
//!
//! A permit is a lock: asking a semaphore for a permit while the same task holds one of its
//! permits is a recursive acquisition, reported at once even while permits remain. That catches
//! the task that takes a semaphore twice (which hangs as soon as the permits run out) and the
//! connection-pool deadlock (a task holding a pooled connection asks the pool for another) on
//! the first run, not on the day the pool runs dry. `try_acquire` never reports.
//!
//! # Owned guards and guards handed to another task
//!
//! A guard counts for the task that took it until it drops, wherever it drops: a task may move
//! between workers, and a guard may even be dropped by another thread. The owned forms
//! (`lock_owned`, `read_owned`, `write_owned`, `acquire_owned`, ...) exist to be handed to
//! other tasks, as in the `acquire_owned` + `tokio::spawn` idiom, so they are checked when taken
//! but do not count as held afterwards: a permit handed to a worker must not count against the
//! task that took it. A borrowed permit of a `static` semaphore handed off the same way is
//! given up with [`SemaphorePermit::detach`].
//!
//! An owned guard keeps the lock's `Arc` next to tokio's borrowed guard of it: one word more than
//! tokio's owned guard, and the locked value must be `'static` (as anything handed to another task
//! is), where tokio's owned guards take any `T`.
//!
//! # Many tasks at once
//!
//! In checked builds each thread, and each task that takes a lock, has a record of the locks it
//! holds: 448 bytes (on 64-bit targets) with room for eight locks, and about 3 KB more, made
//! once and kept with the record, for one that ever holds more than eight at once (or runs with
//! `LOCK_RANK_BACKTRACE=1`). A task's record is claimed on its first lock and given back once
//! it holds and awaits no lock and no worker runs it; claiming and giving back take constant
//! time however many tasks are alive. Records are reused, never freed: after a spike of live
//! tasks the memory stays at the spike's number of records, 448 bytes each, ready for later
//! tasks. `benches/README.md` has the curve from 1,000 to 100,000 live tasks.
//!
//! Without checks these are tokio's locks with a zero-sized class parameter.

mod acquire;
mod mutex;
mod outer_lock;
mod owned_borrow;
mod rwlock;
mod semaphore;

pub use self::mutex::{MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard};
pub use self::rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockMappedWriteGuard,
    RwLockReadGuard, RwLockWriteGuard,
};
pub use self::semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
pub use ::tokio::sync::{AcquireError, TryAcquireError, TryLockError};
