//! What happens on a violation: panic, print, or a callback; process-wide or for one thread.

use std::fmt;
use std::sync::{Arc, RwLock as StdRwLock};

use crate::report::violation::{Violation, ViolationKind};
use crate::track::acquisition::Access;

/// What happens when a violation is caught.
///
/// ```
/// lock_rank::set_policy(lock_rank::Policy::Report); // print to stderr and go on
/// lock_rank::set_policy(lock_rank::Policy::Panic);  // the default
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Policy {
    /// Panic with the report as a `String` payload (the default). While the thread is already
    /// panicking, the report is printed to stderr instead.
    #[default]
    Panic,
    /// Print the report to stderr and let the acquire go on.
    Report,
    /// Hand the [`Violation`] to a function and let the acquire go on.
    Callback(Arc<dyn Fn(&Violation) + Send + Sync>),
}

impl Policy {
    /// A [`Policy::Callback`] from a closure.
    ///
    /// ```
    /// let policy = lock_rank::Policy::callback(|v| eprintln!("{}", v.kind as u8));
    /// # drop(policy);
    /// ```
    pub fn callback(f: impl Fn(&Violation) + Send + Sync + 'static) -> Self {
        Policy::Callback(Arc::new(f))
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Panic => f.write_str("Panic"),
            Policy::Report => f.write_str("Report"),
            Policy::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

static POLICY: StdRwLock<Policy> = StdRwLock::new(Policy::Panic);

thread_local! {
    static THREAD_POLICY: std::cell::RefCell<Option<Policy>> = const { std::cell::RefCell::new(None) };
}

/// Sets what every thread does on a violation, unless [`with_policy`] overrides it.
///
/// ```
/// lock_rank::set_policy(lock_rank::Policy::Panic);
/// ```
pub fn set_policy(policy: Policy) {
    *POLICY.write().unwrap_or_else(|e| e.into_inner()) = policy;
}

/// Runs `f` with `policy` in force on this thread only, then restores the previous one (also
/// when `f` panics).
///
/// ```
/// let n = lock_rank::with_policy(lock_rank::Policy::Report, || 1 + 1);
/// assert_eq!(n, 2);
/// ```
pub fn with_policy<R>(policy: Policy, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Policy>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            let _ = THREAD_POLICY.try_with(|p| *p.borrow_mut() = previous);
        }
    }
    let _restore = Restore(THREAD_POLICY.with(|p| p.borrow_mut().replace(policy)));
    f()
}

#[cfg_attr(not(lock_rank_checked), allow(dead_code))]
fn current_policy() -> Policy {
    THREAD_POLICY
        .try_with(|p| p.borrow().clone())
        .ok()
        .flatten()
        .unwrap_or_else(|| POLICY.read().unwrap_or_else(|e| e.into_inner()).clone())
}

/// Applies the policy to a violation. Returns only when the acquire may go on.
#[cold]
#[inline(never)]
#[track_caller]
#[cfg_attr(not(lock_rank_checked), allow(dead_code))]
pub(crate) fn dispatch(violation: Violation) {
    // Which recursive acquisitions can never succeed: any involving an exclusive hold, and two
    // upgradable reads; shared and upgradable reads together, and semaphore permits, can.
    let (a, h) = (violation.acquiring.access, violation.held.access);
    let self_deadlock = violation.kind == ViolationKind::RecursiveAcquisition
        && a != Access::Permit
        && (a == Access::Exclusive
            || h == Access::Exclusive
            || (a == Access::Upgradable && h == Access::Upgradable));
    #[cfg(feature = "tracing")]
    tracing::error!(
        target: "lock_rank",
        kind = ?violation.kind,
        acquiring = %violation.acquiring.name(),
        acquiring_rank = ?violation.acquiring.rank(),
        requested_at = %violation.acquiring.site,
        held = %violation.held.name(),
        held_rank = ?violation.held.rank(),
        acquired_at = %violation.held.site,
        "{violation}"
    );
    match current_policy() {
        Policy::Panic if !std::thread::panicking() => panic!("{violation}"),
        Policy::Panic | Policy::Report => eprintln!("{violation}"),
        Policy::Callback(f) => f(&violation),
    }
    if self_deadlock {
        // Going on would block this thread on itself forever.
        if std::thread::panicking() {
            eprintln!("lock-rank: aborting: a recursive acquisition during unwinding can only hang");
            std::process::abort();
        }
        panic!(
            "{}\n  (panicking although the policy continues: this acquire can never succeed)",
            violation.to_string().lines().next().unwrap_or_default()
        );
    }
}
