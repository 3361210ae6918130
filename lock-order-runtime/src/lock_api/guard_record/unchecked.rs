//! Without checks a guard records nothing: [`GuardRecord`] is zero-sized.

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
