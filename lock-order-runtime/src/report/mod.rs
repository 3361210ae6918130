//! Violations, the reports they print, and the policy that decides what happens next.
//!
//! Built on the checker core's types (`track`), which know nothing of reports.

mod policy;
mod text;
mod violation;

#[cfg(lock_rank_checked)]
pub(crate) use policy::dispatch;
pub use policy::{set_policy, with_policy, Policy};
pub(crate) use text::write_backtrace;
pub use violation::{Violation, ViolationKind};
