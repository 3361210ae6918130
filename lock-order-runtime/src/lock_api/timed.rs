//! The timed acquire every lock_api family shares.

use crate::check::{self, Held, Request};

/// A timed acquire: never a violation, shown as waiting while it waits, recorded once taken.
#[inline(always)]
pub(crate) fn lock_timed<G>(
    request: Request,
    try_now: impl FnOnce() -> Option<G>,
    wait: impl FnOnce() -> Option<G>,
) -> Option<(G, Held)> {
    #[cfg(lock_rank_checked)]
    {
        let pending = check::unchecked(request);
        let guard = match try_now() {
            Some(guard) => guard,
            None => {
                let _waiting = pending.waiting();
                wait()?
            }
        };
        Some((guard, pending.acquired()))
    }
    #[cfg(not(lock_rank_checked))]
    {
        let _ = try_now;
        wait().map(|guard| (guard, check::record_try(request)))
    }
}
