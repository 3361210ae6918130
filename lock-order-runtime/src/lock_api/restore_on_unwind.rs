//! [`RestoreOnUnwind`]: the record of a lock its guard gave up, put back should a panic come
//! before the re-acquire is checked.

use super::guard_record::GuardRecord;
use crate::check::{Reacquire, Request};

/// A lock its guard gave up (`unlocked`, `bump`): the record is forgotten until the re-acquire
/// is checked. Should a panic come first (from the closure, or from the check itself), the
/// record is put back: the guard keeps the lock, which lock_api takes again while unwinding.
pub(crate) struct RestoreOnUnwind<'r> {
    record: &'r mut GuardRecord,
    request: Request,
}

impl<'r> RestoreOnUnwind<'r> {
    #[inline]
    pub(crate) fn new(record: &'r mut GuardRecord, request: Request) -> Self {
        record.release();
        RestoreOnUnwind { record, request }
    }

    /// Checks the re-acquire, which blocks.
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub(crate) fn check_reacquire(self) -> Reacquire {
        let reacquire = Reacquire::check(self.request);
        std::mem::forget(self);
        reacquire
    }

    /// Checks the re-acquire if it `blocks`; otherwise (a re-entry) there is nothing to check.
    #[inline]
    #[cfg_attr(lock_rank_checked, track_caller)]
    pub(crate) fn check_reacquire_if(self, blocks: bool) -> Option<Reacquire> {
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
