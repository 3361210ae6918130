//! What a guard keeps of its lock: [`GuardRecord`], in the checked build the lock's record and
//! without checks nothing, and the record of a re-entry into a reentrant mutex.

use crate::check::{self, Request};

#[cfg(lock_rank_checked)]
mod checked;
#[cfg(not(lock_rank_checked))]
mod unchecked;

#[cfg(lock_rank_checked)]
pub(crate) use checked::GuardRecord;
#[cfg(not(lock_rank_checked))]
pub(crate) use unchecked::GuardRecord;

/// The record of a re-entry into a [`ReentrantMutex`]: none when an outer guard records the lock
/// already (so recursion does not fill the held set), a new one when it does not (the outer guard
/// was dropped first).
#[inline]
pub(crate) fn reentry(request: Request) -> GuardRecord {
    #[cfg(lock_rank_checked)]
    if crate::track::current::current_set().holds(request.addr) {
        return GuardRecord::unrecorded();
    }
    GuardRecord::new(check::record_try(request))
}
