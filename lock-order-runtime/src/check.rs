//! The check at every acquire and the record it leaves until the guard drops.
//!
//! Every lock type follows one protocol: build a [`Request`], call [`check_blocking`] before a
//! blocking acquire (or nothing before a `try_*`), then keep the [`Held`] record in the guard.
//! [`lock_with`] packages that for locks with a try-then-block shape.
//!
//! Fast path of a checked blocking acquire: one thread-local load, one compare against the
//! highest rank held (for an unranked lock, a scan of the few locks held), the lock, four stores
//! into the thread's own slot. No global lock, no allocation, no backtrace; everything else is in
//! `#[cold]` functions. Unchecked builds compile all of it away: `Held` is zero-sized.

use std::panic::Location;

use crate::class::{ClassInfo, LockClass};
use crate::report::{Access, Acquisition, LockKind};

/// What an acquire is about to take: the input to every check.
#[derive(Clone, Copy)]
pub(crate) struct Request {
    pub(crate) addr: usize,
    pub(crate) class: Option<&'static ClassInfo>,
    pub(crate) site: &'static Location<'static>,
    pub(crate) kind: LockKind,
    pub(crate) access: Access,
}

impl Request {
    /// An acquire of `lock` (of class `C`) from `site`.
    #[inline(always)]
    pub(crate) fn new<C: LockClass, L: ?Sized>(
        lock: &L,
        site: &'static Location<'static>,
        kind: LockKind,
        access: Access,
    ) -> Self {
        Request { addr: (lock as *const L).cast::<()>() as usize, class: C::INFO, site, kind, access }
    }

    #[allow(dead_code)] // unused without checks
    pub(crate) fn acquisition(&self) -> Acquisition {
        Acquisition {
            class: self.class,
            address: self.addr,
            site: self.site,
            kind: self.kind,
            access: self.access,
        }
    }
}

/// Runs a blocking acquire under the check: `try_now` first (the uncontended case, which never
/// marks the thread as waiting), then `block` with the thread marked as waiting.
#[inline(always)]
#[cfg_attr(lock_order_checked, track_caller)]
pub(crate) fn lock_with<G>(
    request: Request,
    try_now: impl FnOnce() -> Option<G>,
    block: impl FnOnce() -> G,
) -> (G, Held) {
    #[cfg(lock_order_checked)]
    {
        let pending = check_blocking(request);
        let guard = match try_now() {
            Some(guard) => guard,
            None => {
                let _waiting = pending.waiting();
                block()
            }
        };
        (guard, pending.acquired())
    }
    #[cfg(not(lock_order_checked))]
    {
        let _ = (request, try_now);
        (block(), Held)
    }
}

#[cfg(lock_order_checked)]
mod imp {
    use super::Request;
    use crate::context::current_set;
    use crate::held::{rank_key, HeldSet, SlotView};
    use crate::report::{dispatch, Acquisition, Violation, ViolationKind};

    impl Request {
        #[inline(always)]
        fn slot(&self) -> SlotView {
            SlotView {
                addr: self.addr,
                class: self.class,
                site: self.site,
                kind: self.kind,
                access: self.access,
            }
        }
    }

    /// Proof that a lock is recorded as held; dropping it forgets the record.
    ///
    /// Put it before the inner guard in a guard struct: fields drop in declaration order, so the
    /// record goes before the lock is released.
    #[must_use]
    pub(crate) struct Held {
        set: &'static HeldSet,
        slot: u32,
    }

    const UNTRACKED: u32 = u32::MAX;

    impl Drop for Held {
        #[inline]
        fn drop(&mut self) {
            if self.slot != UNTRACKED {
                self.set.release(self.slot);
            }
        }
    }

    impl Held {
        /// Gives up the record while a condition variable waits, and checks the re-acquire that
        /// ends the wait (requested at `site`) against the locks still held.
        #[track_caller]
        pub(crate) fn release_for_wait(self, site: &'static std::panic::Location<'static>) -> Rewait {
            if self.slot == UNTRACKED {
                return Rewait(None);
            }
            let view = self.set.snapshot_slot(self.slot);
            drop(self);
            Rewait(view.map(|v| {
                check_blocking(Request { addr: v.addr, class: v.class, site, kind: v.kind, access: v.access })
            }))
        }
    }

    /// A lock given up for a condition variable wait, to be recorded again when the wait ends.
    pub(crate) struct Rewait(Option<Pending>);

    impl Rewait {
        /// The wait ended and the lock is held again.
        #[inline]
        pub(crate) fn reacquired(self) -> Held {
            match self.0 {
                Some(pending) => pending.acquired(),
                None => Held { set: current_set(), slot: UNTRACKED },
            }
        }
    }

    impl std::fmt::Debug for Held {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Held").field("slot", &self.slot).finish()
        }
    }

    /// A blocking acquire that passed its check and has not got its lock yet.
    #[must_use]
    pub(crate) struct Pending {
        set: &'static HeldSet,
        request: Request,
    }

    impl Pending {
        /// Marks the thread or task as blocked on the lock until the returned value drops.
        #[inline]
        pub(crate) fn waiting(&self) -> Waiting {
            self.set.begin_wait(&self.request.slot());
            Waiting { set: self.set }
        }

        /// The lock was taken: record it.
        #[inline]
        pub(crate) fn acquired(self) -> Held {
            record(self.set, &self.request)
        }

        /// Another lock of the same group was taken: record it too.
        #[inline]
        pub(crate) fn also_acquired(&self, request: &Request) -> Held {
            record(self.set, request)
        }
    }

    /// Clears the "blocked on" record when dropped, also when the acquire unwinds.
    pub(crate) struct Waiting {
        set: &'static HeldSet,
    }

    impl Drop for Waiting {
        #[inline]
        fn drop(&mut self) {
            self.set.end_wait();
        }
    }

    #[inline]
    fn record(set: &'static HeldSet, request: &Request) -> Held {
        Held { set, slot: set.push(&request.slot()).unwrap_or(UNTRACKED) }
    }

    /// Checks a blocking acquire before it blocks, reporting a violation by the policy.
    #[inline]
    #[track_caller]
    pub(crate) fn check_blocking(request: Request) -> Pending {
        let set = current_set();
        let key = rank_key(request.class);
        let suspicious = if key != 0 { key <= set.max_key() } else { set.holds(request.addr) };
        if suspicious {
            violation(set, &request);
        }
        Pending { set, request }
    }

    /// Records a lock taken by a successful `try_*`: never a violation, but later blocking
    /// acquires are checked against it.
    #[inline]
    pub(crate) fn record_try(request: Request) -> Held {
        record(current_set(), &request)
    }

    /// Checks locks of one class, to be taken together in this order, as one acquire: the first
    /// against what is held, the rest for duplicates.
    #[track_caller]
    pub(crate) fn check_group(requests: &[Request]) -> Option<Pending> {
        let first = *requests.first()?;
        let pending = check_blocking(first);
        for (i, request) in requests.iter().enumerate().skip(1) {
            if let Some(earlier) = requests[..i].iter().find(|e| e.addr == request.addr) {
                report(pending.set, request, ViolationKind::RecursiveAcquisition, earlier.acquisition());
            } else if pending.set.holds(request.addr) {
                violation(pending.set, request);
            }
        }
        Some(pending)
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn violation(set: &'static HeldSet, request: &Request) {
        let held = set.snapshot();
        let (kind, conflicting) = match held.iter().rev().find(|h| h.addr == request.addr) {
            Some(same) => (ViolationKind::RecursiveAcquisition, *same),
            None => {
                let key = rank_key(request.class);
                // The highest-ranked held lock not below the new one; the latest on ties.
                let worst = held
                    .iter()
                    .rev()
                    .filter(|h| h.class.is_some() && rank_key(h.class) >= key)
                    .max_by_key(|h| rank_key(h.class));
                match worst {
                    Some(worst) => (ViolationKind::LockOrder, *worst),
                    None => return,
                }
            }
        };
        report(set, request, kind, to_acquisition(&conflicting));
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn report(set: &'static HeldSet, request: &Request, kind: ViolationKind, held: Acquisition) {
        let also_held = set
            .snapshot()
            .iter()
            .filter(|h| !(h.addr == held.address && std::ptr::eq(h.site, held.site)))
            .map(to_acquisition)
            .collect();
        let mut holder = set.owner().unwrap_or_else(crate::Holder::current);
        holder.task_id = crate::context::current_task_id();
        dispatch(Violation { kind, acquiring: request.acquisition(), held, also_held, holder });
    }

    pub(crate) fn to_acquisition(slot: &SlotView) -> Acquisition {
        Acquisition {
            class: slot.class,
            address: slot.addr,
            site: slot.site,
            kind: slot.kind,
            access: slot.access,
        }
    }
}

#[cfg(not(lock_order_checked))]
#[allow(dead_code)] // each backend uses a different part of the protocol
mod imp {
    use super::Request;

    /// Without checks a guard records nothing: a zero-sized stand-in.
    #[derive(Debug)]
    #[must_use]
    pub(crate) struct Held;

    impl Held {
        #[inline(always)]
        pub(crate) fn release_for_wait(self, _site: &'static std::panic::Location<'static>) -> Rewait {
            Rewait
        }
    }

    /// Without checks there is nothing to record again.
    pub(crate) struct Rewait;

    impl Rewait {
        #[inline(always)]
        pub(crate) fn reacquired(self) -> Held {
            Held
        }
    }

    /// Without checks there is nothing pending.
    #[must_use]
    pub(crate) struct Pending;

    impl Pending {
        #[inline(always)]
        pub(crate) fn waiting(&self) {}
        #[inline(always)]
        pub(crate) fn acquired(self) -> Held {
            Held
        }
        #[inline(always)]
        pub(crate) fn also_acquired(&self, _request: &Request) -> Held {
            Held
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
    pub(crate) fn check_group(_requests: &[Request]) -> Option<Pending> {
        Some(Pending)
    }
}

pub(crate) use imp::*;
