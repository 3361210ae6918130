//! Ranked locks over any [`lock_api`] raw lock: spin locks, custom raw locks, and
//! parking_lot's (which `lock_rank::parking_lot`, with the `parking_lot` feature, names for you).
//!
//! [`Mutex<R, T>`](Mutex), [`RwLock<R, T>`](RwLock) and [`ReentrantMutex<R, G, T>`](ReentrantMutex)
//! have lock_api's API (no poisoning, `lock()` returns the guard, timed and upgradable acquires,
//! `MutexGuard::map`, `unlocked`, fair unlocking) plus a class parameter `C` that carries the
//! rank, exactly as [`crate::Mutex`] does: `#[lock_rank(N)]` appends it as the last generic
//! argument, so `Mutex<R, T>` becomes `Mutex<R, T, Class>`.
//!
//! ```
//! use lock_rank::lock_rank;
//! use lock_rank::lock_api::Mutex;
//! use parking_lot::RawMutex; // any `lock_api::RawMutex` will do
//!
//! #[lock_rank(1)]
//! static ACCOUNTS: Mutex<RawMutex, Vec<u64>> = Mutex::new(Vec::new());
//! #[lock_rank(2)]
//! static LOG: Mutex<RawMutex, Vec<String>> = Mutex::new(Vec::new());
//!
//! let mut accounts = ACCOUNTS.lock(); // rank 1
//! accounts.push(100);
//! LOG.lock().push("opened".into()); // rank 2 while holding 1: in order
//! ```
//!
//! # What is checked
//! Every blocking acquire (`lock`, `read`, `write`, `upgradable_read`, `read_recursive` when this
//! thread reads the lock already excepted) is checked like [`crate::Mutex::lock`]. So is every
//! re-acquire after the lock was given up: the end of `unlocked` and `unlocked_fair` (checked
//! against what is held when the closure returns, with the `unlocked` call as its site), `bump`,
//! and an upgrade from an upgradable read to a write, which waits for the other readers to leave
//! and can deadlock with them like any acquire of the lock's rank.
//!
//! Never a violation, but recorded once taken: `try_*` acquires, and timed acquires
//! (`try_lock_for`, `try_lock_until`, `try_read_for`, `try_upgrade_for`, …). A timed acquire can
//! wait, but it gives up when its timeout passes, so it cannot keep a deadlock going for longer
//! than that; code that takes a lock out of order with a timeout usually does so on purpose, to
//! back off. While it waits, the thread shows as blocked on the lock.
//!
//! Changing how a held lock is held is not a new acquisition: an upgrade, `downgrade` and
//! `downgrade_to_upgradable` change the access of the one record the lock has. A downgrade keeps
//! the site where the lock was acquired; an upgrade, which waits and is checked, takes its own
//! call as the site. A [`ReentrantMutex`] taken again by the thread that holds it is not
//! a violation, whatever else is held, and it is not recorded a second time.
//!
//! # Guards
//! Guards are never `Send`, even over a raw lock whose guards are (`GuardSend`): the record of a
//! held lock belongs to the thread that took it. Without checks, every lock and guard is exactly
//! as big as lock_api's and compiles to it.

use std::marker::PhantomData;

pub use ::lock_api::{
    GetThreadId, GuardNoSend, GuardSend, RawMutex, RawMutexFair, RawMutexTimed, RawRwLock,
    RawRwLockDowngrade, RawRwLockFair, RawRwLockRecursive, RawRwLockRecursiveTimed, RawRwLockTimed,
    RawRwLockUpgrade, RawRwLockUpgradeDowngrade, RawRwLockUpgradeFair, RawRwLockUpgradeTimed,
};

mod mutex;
mod remutex;
mod rwlock;

pub use mutex::{MappedMutexGuard, Mutex, MutexGuard};
pub use remutex::{MappedReentrantMutexGuard, ReentrantMutex, ReentrantMutexGuard};
pub use rwlock::{
    MappedRwLockReadGuard, MappedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockUpgradableReadGuard,
    RwLockWriteGuard,
};

use crate::check::{self, Held, Reacquire, Request};

/// Makes a guard `!Send` (and keeps it `Sync`), whatever the raw lock allows.
type Marker<C> = PhantomData<(fn() -> C, GuardNoSend)>;

pub(crate) use record::GuardRecord;

/// The record a guard keeps of its lock.
#[cfg(lock_rank_checked)]
mod record {
    use std::panic::Location;

    use crate::check::{Held, Reacquire, Request};
    use crate::track::Access;

    /// The record of the lock a guard holds; unrecorded (see [`Held::unrecorded`]) while the
    /// lock is given up (inside `unlocked`, during a condition variable wait) or when another
    /// guard has it (a re-entry). Dropping it releases the record, as `Held` does.
    pub(crate) struct GuardRecord(Held);

    impl GuardRecord {
        #[inline(always)]
        pub(crate) fn new(held: Held) -> Self {
            GuardRecord(held)
        }

        #[inline(always)]
        pub(crate) fn unrecorded() -> Self {
            GuardRecord(Held::unrecorded())
        }

        /// The class the lock was recorded with: for a re-acquire through a guard, which cannot
        /// reach the lock's [`Origin`](crate::class::Origin).
        #[inline]
        pub(crate) fn class(&self) -> Option<&'static crate::class::ClassInfo> {
            self.0.class()
        }

        /// Forgets the record: the lock is released or given up.
        #[inline]
        pub(crate) fn release(&mut self) {
            drop(std::mem::replace(&mut self.0, Held::unrecorded()));
        }

        /// Forgets the record of a guard being taken apart.
        #[inline]
        pub(crate) fn end(self) {
            drop(self);
        }

        /// Records the lock again.
        #[inline]
        pub(crate) fn set(&mut self, held: Held) {
            self.0 = held;
        }

        /// The same lock, now held with `access` (a downgrade): one record, which keeps the site
        /// where the lock was acquired.
        #[inline]
        pub(crate) fn reaccess(self, access: Access) -> Self {
            GuardRecord(self.0.reaccess(access))
        }

        /// Records the lock again after a panic while it was given up, unless an outer guard
        /// (of a re-entered mutex) records it.
        #[cold]
        pub(crate) fn restore(&mut self, request: Request) {
            if self.0.is_unrecorded() {
                *self = super::reentry(request);
            }
        }

        /// Gives the record up for a condition variable wait and checks the re-acquire that
        /// ends it (requested at `site`) against what stays held.
        #[track_caller]
        #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
        pub(crate) fn release_for_wait(&mut self, site: &'static Location<'static>) -> Reacquire {
            std::mem::replace(&mut self.0, Held::unrecorded()).release_for_wait(site)
        }

        /// The wait ended: the lock is held again (or, when nothing was recorded, still not).
        #[inline]
        #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
        pub(crate) fn reacquired(&mut self, reacquire: Reacquire) {
            self.0 = reacquire.reacquired();
        }
    }
}

/// Without checks a guard records nothing.
#[cfg(not(lock_rank_checked))]
mod record {
    use std::panic::Location;

    use crate::check::{Held, Reacquire, Request};
    use crate::track::Access;

    /// Without checks, nothing: zero-sized.
    pub(crate) struct GuardRecord;

    impl GuardRecord {
        #[inline(always)]
        pub(crate) fn new(_held: Held) -> Self {
            GuardRecord
        }
        #[inline(always)]
        pub(crate) fn class(&self) -> Option<&'static crate::class::ClassInfo> {
            None
        }
        #[inline(always)]
        pub(crate) fn release(&mut self) {}
        #[inline(always)]
        pub(crate) fn end(self) {}
        #[inline(always)]
        pub(crate) fn set(&mut self, _held: Held) {}
        #[inline(always)]
        pub(crate) fn reaccess(self, _access: Access) -> Self {
            self
        }
        #[inline(always)]
        pub(crate) fn restore(&mut self, _request: Request) {}
        #[inline(always)]
        #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
        pub(crate) fn release_for_wait(&mut self, _site: &'static Location<'static>) -> Reacquire {
            Reacquire
        }
        #[inline(always)]
        #[cfg_attr(not(feature = "parking_lot"), allow(dead_code))]
        pub(crate) fn reacquired(&mut self, _reacquire: Reacquire) {}
    }
}

/// A lock its guard gave up (`unlocked`, `bump`): the record is forgotten until the re-acquire
/// is checked. Should a panic come first (from the closure, or from the check itself), the
/// record is put back: the guard keeps the lock, which lock_api takes again while unwinding.
struct RestoreOnUnwind<'r> {
    record: &'r mut GuardRecord,
    request: Request,
}

impl<'r> RestoreOnUnwind<'r> {
    #[inline]
    fn new(record: &'r mut GuardRecord, request: Request) -> Self {
        record.release();
        RestoreOnUnwind { record, request }
    }

    /// Checks the re-acquire, which blocks.
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    fn check_reacquire(self) -> Reacquire {
        let reacquire = Reacquire::check(self.request);
        std::mem::forget(self);
        reacquire
    }

    /// Checks the re-acquire if it `blocks`; otherwise (a re-entry) there is nothing to check.
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    fn check_reacquire_if(self, blocks: bool) -> Option<Reacquire> {
        if blocks {
            Some(self.check_reacquire())
        } else {
            std::mem::forget(self);
            None
        }
    }
}

impl Drop for RestoreOnUnwind<'_> {
    fn drop(&mut self) {
        self.record.restore(self.request);
    }
}

/// A timed acquire: never a violation, shown as waiting while it waits, recorded once taken.
#[inline(always)]
fn lock_timed<G>(
    request: Request,
    try_now: impl FnOnce() -> Option<G>,
    wait: impl FnOnce() -> Option<G>,
) -> Option<(G, Held)> {
    #[cfg(lock_rank_checked)]
    {
        let pending = check::unchecked(request);
        let guard = match try_now() {
            Some(guard) => guard,
            None => {
                let _waiting = pending.waiting();
                wait()?
            }
        };
        Some((guard, pending.acquired()))
    }
    #[cfg(not(lock_rank_checked))]
    {
        let _ = try_now;
        wait().map(|guard| (guard, check::record_try(request)))
    }
}

/// The record of a re-entry into a [`ReentrantMutex`]: none when an outer guard records the lock
/// already (so recursion does not fill the held set), a new one when it does not (the outer guard
/// was dropped first).
#[inline]
fn reentry(request: Request) -> GuardRecord {
    #[cfg(lock_rank_checked)]
    if crate::track::current::current_set().holds(request.addr) {
        return GuardRecord::unrecorded();
    }
    GuardRecord::new(check::record_try(request))
}
