//! Timed acquires: try until a deadline, then fail with a report naming the holder.

use std::time::{Duration, Instant};

use crate::check::{self, Held, Request};
use crate::diagnostics::{timed_out, LockTimeout};

/// Tries `try_now` until it succeeds or `timeout` passes, backing off from spinning to
/// yielding to short sleeps. Never an order violation: it cannot hang. While it waits, the
/// thread or task shows as blocked on the lock in dumps and to the watchdog.
pub(crate) fn lock_timed<G>(
    request: Request,
    timeout: Duration,
    mut try_now: impl FnMut() -> Option<G>,
) -> Result<(G, Held), LockTimeout> {
    let start = Instant::now();
    let pending = check::unchecked(request);
    if let Some(guard) = try_now() {
        return Ok((guard, pending.acquired()));
    }
    let taken = {
        let _waiting = pending.waiting();
        let mut taken = None;
        for round in 0u32.. {
            let Some(left) = timeout.checked_sub(start.elapsed()).filter(|left| !left.is_zero()) else {
                break;
            };
            match round {
                0..=5 => (0..1u32 << round).for_each(|_| std::hint::spin_loop()),
                6..=11 => std::thread::yield_now(),
                _ => std::thread::sleep(left.min(Duration::from_micros(50 << (round - 12).min(5)))),
            }
            taken = try_now();
            if taken.is_some() {
                break;
            }
        }
        taken
    };
    match taken {
        Some(guard) => Ok((guard, pending.acquired())),
        None => Err(timed_out(&request, timeout)),
    }
}
