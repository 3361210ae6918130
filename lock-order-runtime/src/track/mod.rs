//! The checker core: what an acquire is, the record of the locks each thread or task holds, and
//! who is running. It imports no lock type and no backend; the check (`check`), the reports
//! (`report`) and every lock family build on it.
//!
//! From the bottom up: [`acquisition`] (what an acquire is), [`holder`] (who holds locks),
//! `slot` (one record), `held_set` (one thread's or task's record), `sets` (where sets
//! come from: the global list, the free list, each thread's claim), `tasks` (the sets of tokio
//! tasks), `waiters` (the waits of async acquires whose thread or task holds nothing), and
//! [`current`], the one seam that says who is running. Only `acquisition`, `holder`
//! and `current` exist without checks.

pub(crate) mod acquisition;
pub(crate) mod current;
#[cfg(lock_rank_checked)]
pub(crate) mod held_set;
pub(crate) mod holder;
#[cfg(lock_rank_checked)]
pub(crate) mod sets;
#[cfg(lock_rank_checked)]
pub(crate) mod slot;
#[cfg(all(lock_rank_checked, feature = "tokio"))]
pub(crate) mod tasks;
#[cfg(all(lock_rank_checked, feature = "tokio"))]
pub(crate) mod waiters;

pub(crate) use acquisition::Request;
pub use acquisition::{Access, Acquisition, LockKind};
pub use holder::Holder;
