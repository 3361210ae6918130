//! What a violation is: the rule broken and every lock involved.

use crate::track::acquisition::Acquisition;
use crate::track::holder::Holder;

/// Which rule an acquire broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViolationKind {
    /// A blocking acquire of rank `r` while a lock of rank `>= r` is held.
    LockOrder,
    /// A blocking acquire that takes two locks in the opposite order from one seen before
    /// (directly, through other locks, or against the declared ranks), where one of them at least
    /// is unranked: see [`observed`](crate::observed). [`Violation::cycle`] says where the
    /// opposite order was established.
    OrderCycle,
    /// A blocking acquire of a lock the same thread or task already holds.
    RecursiveAcquisition,
}

/// A broken locking rule, caught before the acquire blocked.
///
/// Its `Display` is the report printed or panicked with; the fields let a
/// [`Policy::Callback`](crate::Policy::Callback) act on it.
///
/// ```
/// use std::sync::{Arc, Mutex as StdMutex};
/// use lock_rank::{lock_rank, Mutex, Policy, ViolationKind};
///
/// #[lock_rank(1)]
/// static FIRST: Mutex<()> = Mutex::new(());
/// #[lock_rank(2)]
/// static SECOND: Mutex<()> = Mutex::new(());
///
/// let seen = Arc::new(StdMutex::new(Vec::new()));
/// let sink = Arc::clone(&seen);
/// let policy = Policy::callback(move |v| sink.lock().unwrap().push(v.clone()));
/// lock_rank::with_policy(policy, || {
///     let _second = SECOND.lock().unwrap();
///     let _first = FIRST.lock().unwrap(); // out of order: reported, not panicked
/// });
/// let seen = seen.lock().unwrap();
/// assert_eq!(seen[0].kind, ViolationKind::LockOrder);
/// assert_eq!(seen[0].acquiring.name(), "FIRST");
/// assert_eq!(seen[0].held.name(), "SECOND");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Violation {
    /// The rule broken.
    pub kind: ViolationKind,
    /// The lock being acquired, with the site requesting it.
    pub acquiring: Acquisition,
    /// The held lock it conflicts with, with the site that acquired it.
    pub held: Acquisition,
    /// Every other lock held at the time, oldest first.
    pub also_held: Vec<Acquisition>,
    /// Who tried the acquire.
    pub holder: Holder,
    /// For an [`OrderCycle`](ViolationKind::OrderCycle): the orders seen before that this
    /// acquire closes a cycle with, from the lock being acquired back to the held one, each with
    /// both sites of the first time it was seen. Empty for the other kinds.
    pub cycle: Vec<crate::observed::ObservedEdge>,
}
