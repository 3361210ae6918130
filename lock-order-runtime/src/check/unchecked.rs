//! The unchecked build of the protocol: the same calls, recording nothing, compiled away.
// Each lock family uses a different part of the protocol.
#![allow(dead_code)]

use crate::track::acquisition::{Access, Request};

/// Without checks a guard records nothing: a zero-sized stand-in.
#[derive(Debug)]
#[must_use]
pub(crate) struct Held;

impl Held {
    #[inline(always)]
    pub(crate) fn class(&self) -> Option<&'static crate::class::ClassInfo> {
        None
    }

    #[inline(always)]
    pub(crate) fn release_for_wait(self, _site: &'static std::panic::Location<'static>) -> Reacquire {
        Reacquire
    }
}

/// Without checks there is nothing to record again.
pub(crate) struct Reacquire;

impl Reacquire {
    #[inline(always)]
    pub(crate) fn check(_request: Request) -> Reacquire {
        Reacquire
    }
    #[inline(always)]
    pub(crate) fn reacquired(self) -> Held {
        Held
    }
}

/// Without checks there is nothing pending.
#[derive(Clone, Copy)]
#[must_use]
pub(crate) struct Pending;

/// Without checks nobody is shown as waiting.
pub(crate) struct Waiting;

impl Pending {
    #[inline(always)]
    pub(crate) fn waiting(&self) -> Waiting {
        Waiting
    }
    #[inline(always)]
    pub(crate) fn wait_for<G>(self, block: impl FnOnce() -> G) -> G {
        block()
    }
    #[inline(always)]
    pub(crate) fn acquired(self) -> Held {
        Held
    }
    #[inline(always)]
    pub(crate) fn member(&self, _request: Request) -> Pending {
        Pending
    }
}

#[inline(always)]
pub(crate) fn check_blocking(_request: Request) -> Pending {
    Pending
}

#[inline(always)]
pub(crate) fn record_try(_request: Request) -> Held {
    Held
}

#[inline(always)]
pub(crate) fn unchecked(_request: Request) -> Pending {
    Pending
}

#[inline(always)]
pub(crate) fn check_group(_requests: &[Request]) -> Option<Pending> {
    Some(Pending)
}

#[inline(always)]
pub(crate) fn record_shared(_request: Request) -> Held {
    Held
}

impl Pending {
    #[inline(always)]
    pub(crate) fn acquired_shared(self) -> Held {
        Held
    }
}

impl Held {
    #[inline(always)]
    pub(crate) fn reaccess(self, _access: Access) -> Held {
        self
    }

    #[inline(always)]
    pub(crate) fn forget_record(&mut self) {}
}

/// Without checks an async acquire records nothing.
#[derive(Clone, Copy)]
pub(crate) struct DeferredRecord;

impl DeferredRecord {
    #[inline(always)]
    pub(crate) fn held(self) -> Held {
        Held
    }
}

/// Without checks an async acquire shows no wait: nothing to keep, and nothing pinned.
pub(crate) struct AsyncWait;

impl AsyncWait {
    #[inline(always)]
    pub(crate) fn new(_pending: Pending) -> Self {
        AsyncWait
    }
    #[inline(always)]
    pub(crate) fn record(&self) -> DeferredRecord {
        DeferredRecord
    }
    #[inline(always)]
    pub(crate) fn begin(self: std::pin::Pin<&mut Self>) {}
}
