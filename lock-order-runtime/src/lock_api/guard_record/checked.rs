//! The record a guard keeps of its lock, in checked builds: the lock's [`Held`] record.

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
