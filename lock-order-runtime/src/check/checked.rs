//! The checked build of the protocol: every acquire is checked against the held set, recorded
//! in it, and forgotten when its guard drops.

use crate::observed::{known, learn, Endpoint};
use crate::report::{dispatch, Violation, ViolationKind};
use crate::track::acquisition::{Access, Acquisition, Request};
use crate::track::current::current_set;
use crate::track::held_set::{
    any_held, max_key_of, rank_key, slot_of, HeldSet, RECORD_TAGS, UNRANKED_HELD, UNRECORDED,
};
use crate::track::slot::{to_acquisition, SlotView};
#[cfg(feature = "tokio")]
use crate::track::waiters::{Waiter, Who};
use std::backtrace::Backtrace;
#[cfg(feature = "tokio")]
use std::pin::Pin;
use std::sync::Arc;

/// Proof that a lock is recorded as held; dropping it forgets the record.
///
/// Put it before the inner guard in a guard struct: fields drop in declaration order, so the
/// record goes before the lock is released.
#[must_use]
pub(crate) struct Held {
    /// The set holding the record. Without the `tokio` feature that is always the thread's
    /// own set (no guard of a thread's record is `Send`), found again from the thread-local
    /// on release: the record is then one word, one register fewer while the guard lives.
    #[cfg(feature = "tokio")]
    set: &'static HeldSet,
    /// The set's state before this record, restored when it is released as the latest; it
    /// also names the record's slot ([`slot_of`]), and carries the tags below.
    restore: u64,
}

/// Tags a record whose guard is `Send` (see [`record_shared`]). Both tags make the inline
/// release miss, so a thread's own records cost one compare to release.
const SHARED: u64 = RECORD_TAGS & !UNRECORDED;
const _: () = assert!(UNRECORDED | SHARED == RECORD_TAGS);

impl Drop for Held {
    #[inline(always)]
    fn drop(&mut self) {
        // The usual case, a thread's latest lock, inline; `SHARED` and `UNRECORDED` slots
        // never match it.
        let set = self.set();
        if !set.release_latest(self.restore) {
            release_other(set, self.restore);
        }
    }
}

/// Every release but a thread's own latest lock: out of line, so that a guard's drop stays
/// small enough to be inlined wherever it is dropped.
#[inline(never)]
extern "C" fn release_other(set: &'static HeldSet, restore: u64) {
    if restore & UNRECORDED != 0 {
        // Nothing kept, nothing to forget.
    } else if restore & SHARED != 0 {
        release_shared(set, restore & !SHARED);
    } else {
        set.release(restore);
    }
}

impl Held {
    /// Gives up the record while a condition variable waits, and checks the re-acquire that
    /// ends the wait (requested at `site`) against the locks still held.
    #[track_caller]
    pub(crate) fn release_for_wait(self, site: &'static std::panic::Location<'static>) -> Reacquire {
        if self.restore & UNRECORDED != 0 {
            return Reacquire { pending: None, waiting: None };
        }
        let view = self.set().snapshot_slot(slot_of(self.restore));
        drop(self);
        let pending = view.map(|v| {
            check_blocking(Request {
                addr: v.addr,
                class: v.class,
                site,
                kind: v.kind,
                access: v.access,
                creation: v.creation(),
            })
        });
        Reacquire { pending, waiting: None }
    }
}

/// A lock its guard gave up (for a condition variable wait, inside `unlocked`, for a `bump`),
/// its re-acquire checked; recorded again by [`reacquired`](Self::reacquired) once it is taken.
pub(crate) struct Reacquire {
    /// The checked re-acquire; `None` when the guard recorded nothing.
    pending: Option<Pending>,
    /// Shows the thread as blocked on the lock until it is taken: for a re-acquire that blocks
    /// on the lock itself, not first on a condition variable.
    waiting: Option<Waiting>,
}

impl Reacquire {
    /// Checks the re-acquire of a lock given up, which blocks on the lock from now on.
    #[cfg_attr(not(feature = "lock_api"), allow(dead_code))] // used by the lock_api guards
    #[inline]
    #[track_caller]
    pub(crate) fn check(request: Request) -> Reacquire {
        let pending = check_blocking(request);
        Reacquire { waiting: Some(pending.waiting()), pending: Some(pending) }
    }

    /// The lock is held again.
    #[inline]
    pub(crate) fn reacquired(self) -> Held {
        let Reacquire { pending, waiting } = self;
        drop(waiting);
        match pending {
            Some(pending) => pending.acquired(),
            None => Held::unrecorded(),
        }
    }
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held").field("slot", &slot_of(self.restore)).finish()
    }
}

/// A blocking acquire that passed its check and has not got its lock yet.
#[must_use]
#[derive(Clone, Copy)]
pub(crate) struct Pending {
    set: &'static HeldSet,
    request: Request,
    /// The set's `state` when the acquire was checked.
    state: u64,
}

impl Pending {
    /// Blocks in `block`, shown as waiting for the lock meanwhile. Out of line, and given
    /// copies: the uncontended path around it keeps everything in registers.
    #[cold]
    #[inline(never)]
    pub(crate) fn wait_for<G>(self, block: impl FnOnce() -> G) -> G {
        let _waiting = self.waiting();
        block()
    }

    /// Marks the thread or task as blocked on the lock until the returned value drops.
    #[inline]
    pub(crate) fn waiting(&self) -> Waiting {
        // By value: a reference would make the request's address escape, and keep it in
        // memory on the uncontended path too.
        self.set.begin_wait(self.request.slot());
        Waiting { set: self.set }
    }

    /// The lock was taken: record it.
    #[inline(always)]
    pub(crate) fn acquired(self) -> Held {
        // Usually nothing was recorded since the check, and the state read for it is current:
        // the new state is computed from it without waiting for a fresh load. The compare
        // only picks the branch.
        if self.set.state() == self.state {
            Held::new(self.set, self.set.push_from(&self.request.slot(), self.state))
        } else {
            record(self.set, &self.request)
        }
    }

    /// The acquire of another lock of the same group (checked with it by [`check_group`]):
    /// shown as waiting for that lock, and recorded as that lock.
    #[inline]
    pub(crate) fn member(&self, request: Request) -> Pending {
        Pending { set: self.set, request, state: self.set.state() }
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

#[inline(always)]
fn record(set: &'static HeldSet, request: &Request) -> Held {
    Held::new(set, set.push(&request.slot()))
}

impl Held {
    /// A record of nothing, which releases nothing: a guard's record while the lock is
    /// given up, kept by another guard, or handed on. (Not an `Option<Held>`: that would take a
    /// word more in every guard.)
    #[inline(always)]
    pub(crate) fn unrecorded() -> Held {
        Held::new(&crate::track::sets::UNRECORDED_SET, UNRECORDED)
    }

    /// Whether this records nothing: [`unrecorded`](Self::unrecorded), or a lock not recorded
    /// because the set was full.
    #[cfg_attr(not(feature = "lock_api"), allow(dead_code))] // used by the lock_api locks
    #[inline(always)]
    pub(crate) fn is_unrecorded(&self) -> bool {
        self.restore & UNRECORDED != 0
    }

    /// The class the lock was recorded with; `None` when unranked or not recorded.
    #[cfg_attr(not(feature = "lock_api"), allow(dead_code))] // used by the lock_api guards
    #[inline]
    pub(crate) fn class(&self) -> Option<&'static crate::class::ClassInfo> {
        if self.restore & UNRECORDED != 0 {
            return None;
        }
        self.set().snapshot_slot(slot_of(self.restore & !SHARED))?.class
    }

    #[inline(always)]
    fn new(set: &'static HeldSet, restore: u64) -> Held {
        #[cfg(feature = "tokio")]
        {
            Held { set, restore }
        }
        #[cfg(not(feature = "tokio"))]
        {
            let _ = set;
            Held { restore }
        }
    }

    /// The set holding the record.
    #[inline(always)]
    fn set(&self) -> &'static HeldSet {
        #[cfg(feature = "tokio")]
        {
            self.set
        }
        #[cfg(not(feature = "tokio"))]
        {
            crate::track::sets::thread_set()
        }
    }
}

/// Checks a blocking acquire before it blocks, reporting a violation by the policy.
#[inline(always)]
#[track_caller]
pub(crate) fn check_blocking(request: Request) -> Pending {
    let set = current_set();
    let state = set.state();
    if suspicious(set, state, &request, false) {
        // By value: a reference would make the request live in memory before the lock is taken.
        violation(set, request);
        return Pending { set, request, state: set.state() };
    }
    // By value, as for `violation`: a reference would keep the request in memory.
    learn_and_report(set, state, request);
    Pending { set, request, state }
}

/// Records a lock, if taking it by a blocking acquire is no violation; `None` (nothing
/// recorded, nothing reported) otherwise. `taken`: the lock was just taken without waiting,
/// not (a ranked lock) about to be tried; an exclusive try that succeeded proves the lock was
/// not held, by this thread either. A record made ahead of a try that then fails is dropped
/// by the caller: it is still the latest, and goes at the cost of a release.
#[inline(always)]
pub(crate) fn record_in_order(request: Request, taken: bool) -> Option<Held> {
    let set = current_set();
    let state = set.state();
    if suspicious(set, state, &request, taken && request.access == Access::Exclusive) {
        return None;
    }
    if has_new_order(set, state, &request) {
        return None;
    }
    Some(Held::new(set, set.push_checked(&request.slot(), state)))
}

/// [`record_in_order`] for a ranked lock not tried yet: `None` only when taking it would be a
/// violation. A ranked lock has an order to learn only under an unranked one: that test joins
/// the push's tests of its rare cases in one branch, and an order it teaches is learned (and a
/// cycle it closes reported) out of line, before the lock is tried, as the blocking check would.
#[inline(always)]
#[track_caller]
pub(crate) fn record_ranked(request: Request) -> Option<Held> {
    let set = current_set();
    let state = set.state();
    if suspicious(set, state, &request, false) {
        return None;
    }
    // By value, as for `violation`: a reference would keep the request in memory.
    Some(Held::new(set, set.push_ranked(&request.slot(), state, || ranked_rare(set, state, request))))
}

/// The rare cases of [`record_ranked`]: an unranked lock held, the inline slots all in use, or
/// backtraces on.
#[cold]
#[inline(never)]
#[track_caller]
fn ranked_rare(set: &'static HeldSet, state: u64, request: Request) -> u64 {
    learn_and_report(set, state, request);
    set.push_ranked_rare(&request.slot(), state)
}

/// [`record_in_order`] for an unranked lock not tried yet: one scan of the held locks looks
/// for the lock itself and probes the orders it would teach.
#[inline(always)]
pub(crate) fn record_unranked(request: Request) -> Option<Held> {
    let set = current_set();
    let state = set.state();
    if any_held(state) && !unranked_clear(set, state, &request) {
        return None;
    }
    Some(Held::new(set, set.push_checked(&request.slot(), state)))
}

/// For an unranked `request` with something held: whether its lock is not held already and
/// every order it would teach is known to this thread (see [`all_known`]), in one scan of the
/// held locks.
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn unranked_clear(set: &HeldSet, state: u64, request: &Request) -> bool {
    let (created, type_name) = request.origin_parts();
    let created = created.map_or(0, |c| std::ptr::from_ref(c) as usize);
    let type_name = type_name.map_or(0, |f| f as usize);
    // An unranked lock made at an unknown site teaches nothing: it could not be told apart.
    if created == 0 || !crate::observed::learning_now() {
        return !set.holds(request.addr);
    }
    let addr = request.addr;
    let to = crate::observed::lock_word(0, created, type_name);
    // As in `learn_orders`: a held lock of unknown site teaches nothing.
    let clear_of = move |held_addr, held_class, held_created, held_type| {
        held_addr != addr
            && ((held_class == 0 && held_created == 0)
                || known(
                    crate::observed::lock_word(held_class, held_created, held_type),
                    to,
                    held_addr,
                    addr,
                ))
    };
    match set.all_held_inline(state, clear_of) {
        Some(all) => all,
        None => all_known_walked(set, clear_of),
    }
}

/// Whether a blocking acquire has an order to learn (see [`crate::observed`]): something is
/// held, and one end at least is unranked (two ranked locks are checked by their ranks). One
/// test of the `state` word already loaded for the check.
#[inline(always)]
fn learns(state: u64, request: &Request) -> bool {
    if request.class.is_none() {
        any_held(state)
    } else {
        state & UNRANKED_HELD != 0
    }
}

/// The acquiring end of the orders `request` teaches; `None` for an unranked lock whose
/// creation site is not known, which could not be told from other such locks.
fn endpoint_of(
    class: Option<&'static crate::class::ClassInfo>,
    created: Option<&'static std::panic::Location<'static>>,
    type_name: Option<fn() -> &'static str>,
    kind: crate::track::LockKind,
    addr: usize,
    site: &'static std::panic::Location<'static>,
) -> Option<Endpoint> {
    if class.is_none() && created.is_none() {
        return None;
    }
    Some(Endpoint::new(class, created, type_name, kind, addr, site))
}

/// Learns the orders from every held lock to `request`'s (out of line, in [`learns_cycle`]
/// and [`learn_reporting`]: the hot path only tests whether there is any to learn); the first earlier chain of orders
/// one of them closes a cycle with, and the held lock at its end. With `commit` false an
/// order that closes a cycle is not learned yet (see `observed::Learned::learn`).
#[inline]
fn learn_orders(
    set: &HeldSet,
    request: &Request,
    commit: bool,
) -> Option<(SlotView, Vec<crate::observed::ObservedEdge>)> {
    if !crate::observed::learning() {
        return None;
    }
    let (created, type_name) = request.origin_parts();
    let acquiring = endpoint_of(request.class, created, type_name, request.kind, request.addr, request.site)?;
    let ranked = request.class.is_some();
    let to = crate::observed::lock_word(
        request.class.map_or(0, |c| std::ptr::from_ref(c) as usize),
        created.map_or(0, |c| std::ptr::from_ref(c) as usize),
        type_name.map_or(0, |f| f as usize),
    );
    let mut found = None;
    set.for_each_held_raw(|index, addr, class, created, type_name| {
        // Two ranked locks: the ranks' business. The lock itself: the recursion check's. An
        // unranked lock made at an unknown site: not to be told from others.
        if (class != 0 && ranked) || addr == request.addr || (class == 0 && created == 0) {
            return;
        }
        if known(crate::observed::lock_word(class, created, type_name), to, addr, request.addr) {
            return;
        }
        let Some(held) = set.snapshot_slot(index) else { return };
        let Some(from) =
            endpoint_of(held.class, held.created, held.type_name, held.kind, held.addr, held.site)
        else {
            return;
        };
        if let Some(chain) = learn(&from, &acquiring, commit) {
            found.get_or_insert((held, chain));
        }
    });
    found
}

/// Whether an acquire that has not blocked teaches an order this thread does not know yet.
/// It then goes the way of a suspected violation: its lock given back, the blocking check
/// ([`check_blocking`]) learns the order and reports a cycle before the lock is taken again.
/// That is rare (the first time a thread sees each order), and keeps the request out of
/// memory on the path of every known order.
#[inline(always)]
fn has_new_order(set: &HeldSet, state: u64, request: &Request) -> bool {
    learns(state, request) && !all_known(set, state, request)
}

/// Whether every order `request` would teach is known to this thread already: the cost of
/// learning for an order seen before. Given the request's words one by one, in registers:
/// the whole request would have to be written to memory for the call.
/// Out of line in unoptimized builds, where its locals would make the frame of every acquire
/// bigger (deep re-entry must not overflow a test thread's stack).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn all_known(set: &HeldSet, state: u64, request: &Request) -> bool {
    let (created, type_name) = request.origin_parts();
    let class = request.class.map_or(0, |c| std::ptr::from_ref(c) as usize);
    let created = created.map_or(0, |c| std::ptr::from_ref(c) as usize);
    let type_name = type_name.map_or(0, |f| f as usize);
    // Out of line for a ranked lock, which comes here only under an unranked lock, so that
    // the ranked path stays as it is without learning; inline for an unranked one, whose
    // every acquire under another lock comes here.
    if class != 0 {
        return all_known_ranked(set, state, class, created, type_name, request.addr);
    }
    // An unranked lock made at an unknown site teaches nothing: it could not be told apart.
    if created == 0 || !crate::observed::learning_now() {
        return true;
    }
    all_known_words(set, state, class, created, type_name, request.addr)
}

/// [`all_known`] for a ranked lock, out of line.
#[inline(never)]
fn all_known_ranked(
    set: &HeldSet,
    state: u64,
    class: usize,
    created: usize,
    type_name: usize,
    addr: usize,
) -> bool {
    !crate::observed::learning_now() || all_known_words(set, state, class, created, type_name, addr)
}

/// [`all_known`] from the request's words: every held lock's order to this one, probed in the
/// per-thread table.
#[inline(always)]
fn all_known_words(
    set: &HeldSet,
    state: u64,
    class: usize,
    created: usize,
    type_name: usize,
    addr: usize,
) -> bool {
    let to = crate::observed::lock_word(class, created, type_name);
    // As in `learn_orders`: two ranked locks, the lock itself, or one of unknown site teach
    // nothing.
    let known_from = move |held_addr, held_class, held_created, held_type| {
        (held_class != 0 && class != 0)
            || held_addr == addr
            || (held_class == 0 && held_created == 0)
            || known(crate::observed::lock_word(held_class, held_created, held_type), to, held_addr, addr)
    };
    match set.all_held_inline(state, known_from) {
        Some(all) => all,
        None => all_known_walked(set, known_from),
    }
}

/// [`all_known_words`] for a set whose records are not all in inline slots.
#[cold]
#[inline(never)]
fn all_known_walked(set: &HeldSet, known_from: impl Fn(usize, usize, usize, usize) -> bool) -> bool {
    let mut all = true;
    set.for_each_held_raw(|_, addr, class, created, type_name| {
        all = all && known_from(addr, class, created, type_name);
    });
    all
}

/// [`learn_orders`] for a blocking acquire, reporting a cycle by the policy.
#[inline(always)]
#[track_caller]
fn learn_and_report(set: &'static HeldSet, state: u64, request: Request) {
    if learns(state, &request) && !all_known(set, state, &request) {
        learn_reporting(set, request);
    }
}

#[inline(never)]
#[track_caller]
fn learn_reporting(set: &'static HeldSet, request: Request) {
    let request = &request;
    if let Some((held, chain)) = learn_orders(set, request, true) {
        let backtrace = set
            .snapshot_with_backtraces()
            .into_iter()
            .find(|(h, _)| h.addr == held.addr && std::ptr::eq(h.site, held.site))
            .and_then(|(_, b)| b);
        report_with(set, request, ViolationKind::OrderCycle, to_acquisition(&held, backtrace), chain);
    }
}

/// Whether a blocking acquire of `request` may be a violation, given the set's `state`: a
/// rank not above the highest held, or (unranked) a lock already held, unless the caller
/// knows it is `not_held`.
#[inline(always)]
fn suspicious(set: &HeldSet, state: u64, request: &Request, not_held: bool) -> bool {
    if request.class.is_some() {
        rank_key(request.class) <= max_key_of(state)
    } else {
        !not_held && set.holds(request.addr)
    }
}

/// An acquire that may wait but is never a violation: a timed acquire, which gives up
/// instead of hanging. It is still shown as waiting while it waits.
#[inline]
pub(crate) fn unchecked(request: Request) -> Pending {
    let set = current_set();
    Pending { set, request, state: set.state() }
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
            violation(pending.set, *request);
        }
    }
    Some(pending)
}

#[cold]
#[inline(never)]
#[track_caller]
fn violation(set: &'static HeldSet, request: Request) {
    let held = set.snapshot_with_backtraces();
    let conflicting = match held.iter().rev().find(|(h, _)| h.addr == request.addr) {
        Some(same) => Some((ViolationKind::RecursiveAcquisition, same)),
        None => {
            // The highest-ranked held lock not below the new one; the latest on ties
            // (`max_by_key` keeps the last maximum, and `held` is oldest first). Ranks, not
            // the check's keys: those saturate at the top of the range.
            let rank = request.class.map(|c| c.rank());
            held.iter()
                .filter(|(h, _)| matches!((h.class, rank), (Some(c), Some(r)) if c.rank() >= r))
                .max_by_key(|(h, _)| h.class.map(|c| c.rank()))
                .map(|worst| (ViolationKind::LockOrder, worst))
        }
    };
    if let Some((kind, (slot, backtrace))) = conflicting {
        report(set, &request, kind, to_acquisition(slot, backtrace.clone()));
    } else {
        // A false alarm: records released by other threads left the highest rank stale.
        set.refresh();
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn report(set: &'static HeldSet, request: &Request, kind: ViolationKind, held: Acquisition) {
    report_with(set, request, kind, held, Vec::new());
}

#[cold]
#[inline(never)]
#[track_caller]
fn report_with(
    set: &'static HeldSet,
    request: &Request,
    kind: ViolationKind,
    held: Acquisition,
    cycle: Vec<crate::observed::ObservedEdge>,
) {
    let also_held = set
        .snapshot_with_backtraces()
        .into_iter()
        .filter(|(h, _)| !(h.addr == held.address && std::ptr::eq(h.site, held.site)))
        .map(|(slot, backtrace)| to_acquisition(&slot, backtrace))
        .collect();
    // A task's set outlives its stay on any one thread: name the thread it runs on now.
    let holder = match crate::track::current::current_task_id() {
        Some(_) => crate::track::Holder::current(),
        None => set.owner().unwrap_or_else(crate::track::Holder::current),
    };
    let mut acquiring = request.acquisition();
    if crate::track::slot::backtraces() {
        acquiring.backtrace = Some(Arc::new(Backtrace::force_capture()));
    }
    dispatch(Violation { kind, acquiring, held, also_held, holder, cycle });
}

/// Records a lock whose guard is `Send` (the async locks' guards): the guard may drop on
/// another thread, or in another task, than the one whose set recorded it, so the release
/// first makes sure it runs as that set's owner (see [`release_shared`]). Used after the
/// check of a blocking acquire (made when the acquire was called) and for `try_*` acquires.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))] // used by the async locks
#[inline]
pub(crate) fn record_shared(request: Request) -> Held {
    let set = current_set();
    // `| SHARED` leaves an unrecorded record unrecorded.
    Held::new(set, set.push(&request.slot()) | SHARED)
}

/// Releases a shared record: as the owner when the set is the current one (the usual case: a
/// task drops its own guard, wherever it runs now), else by clearing the slot only, which is
/// safe next to an owner that keeps running.
#[inline]
fn release_shared(set: &'static HeldSet, restore: u64) {
    if crate::track::current::is_current_set(set) {
        set.release(restore);
    } else {
        set.release_foreign(slot_of(restore));
    }
}

#[cfg_attr(not(feature = "tokio"), allow(dead_code))] // used by the async locks
impl Pending {
    /// The lock was taken, and its guard is `Send`: record it with [`record_shared`].
    #[inline]
    pub(crate) fn acquired_shared(self) -> Held {
        record_shared(self.request)
    }
}

#[cfg_attr(not(any(feature = "tokio", feature = "lock_api")), allow(dead_code))] // downgrades
impl Held {
    /// The same lock, now held with `access` (a downgraded write lock): recorded again, in the
    /// current set, with the original site, shared again if it was (a `Send` guard's record),
    /// so a thread's own record keeps its inline release.
    pub(crate) fn reaccess(self, access: Access) -> Held {
        if self.restore & UNRECORDED != 0 {
            return self;
        }
        let Some(view) = self.set().snapshot_slot(slot_of(self.restore)) else { return self };
        let shared = self.restore & SHARED != 0;
        drop(self);
        let request = Request {
            addr: view.addr,
            class: view.class,
            site: view.site,
            kind: view.kind,
            access,
            creation: view.creation(),
        };
        if shared {
            record_shared(request)
        } else {
            record(current_set(), &request)
        }
    }
}

#[cfg_attr(not(feature = "tokio"), allow(dead_code))] // used by the async locks
impl Held {
    /// Forgets the record now; the guard goes on without one (handed to another task).
    pub(crate) fn forget_record(&mut self) {
        drop(std::mem::replace(self, Held::unrecorded()));
    }
}

/// What an async acquire records once it has its lock: the checked request.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy)]
pub(crate) struct DeferredRecord {
    request: Request,
}

#[cfg(feature = "tokio")]
impl DeferredRecord {
    /// The record of the lock, now taken, for its guard.
    #[inline]
    pub(crate) fn held(self) -> Held {
        record_shared(self.request)
    }
}

#[cfg(feature = "tokio")]
impl Pending {
    /// What an async acquire checked as this records once it has its lock.
    #[inline(always)]
    pub(crate) fn deferred(&self) -> DeferredRecord {
        DeferredRecord { request: self.request }
    }
}

/// The wait of an async acquire that had to wait, kept in its future, with what it records once
/// it has its lock.
///
/// Structurally pinned with the future (its [`Waiter`] is reached from other threads while it
/// is shown), and so handled through `Pin<&mut AsyncWait>`; dropping it stops showing the wait.
#[cfg(feature = "tokio")]
pub(crate) struct AsyncWait {
    /// The request, and the wait while it is shown.
    waiter: Waiter,
}

#[cfg(feature = "tokio")]
impl AsyncWait {
    /// The wait of the async acquire checked as `pending`, not shown yet.
    #[inline(always)]
    pub(crate) fn new(pending: Pending) -> Self {
        AsyncWait { waiter: Waiter::new(pending.request) }
    }

    #[inline(always)]
    pub(crate) fn record(&self) -> DeferredRecord {
        DeferredRecord { request: self.waiter.request() }
    }

    /// Shows whoever polls the acquire now (the task, else the thread) as waiting for its lock,
    /// until the drop; does nothing if the wait is shown already. The wait is kept in the
    /// acquire, not in a set (see `track::waiters`): a task queued for a lock while holding
    /// nothing keeps no record of its own while it waits.
    #[inline]
    pub(crate) fn begin(self: Pin<&mut Self>) {
        if !self.waiter.is_shown() {
            let who = match crate::track::current::current_task_id() {
                Some(task) => Who::task(task),
                None => Who::thread(crate::track::sets::thread_set()),
            };
            // SAFETY: `waiter` is structurally pinned: it is never moved out of a pinned
            // `AsyncWait`, which has no `Drop` of its own (the waiter's unlinks it).
            unsafe { self.map_unchecked_mut(|this| &mut this.waiter) }.show(who);
        }
    }
}
