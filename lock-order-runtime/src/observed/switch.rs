//! Whether blocking acquires learn the order: on by default, off with `LOCK_RANK_LEARN=0` or
//! [`set_learning`].

use std::sync::atomic::{AtomicU8, Ordering};

/// Whether blocking acquires learn the order: `LOCK_RANK_LEARN=0` turns it off, and so does
/// [`set_learning`]. Always `false` without checks.
///
/// ```
/// assert_eq!(lock_rank::observed::learning(), lock_rank::CHECKS_ENABLED
///     && std::env::var("LOCK_RANK_LEARN").map_or(true, |v| v != "0"));
/// ```
pub fn learning() -> bool {
    if !crate::CHECKS_ENABLED {
        return false;
    }
    match LEARNING.load(Ordering::Relaxed) {
        UNREAD => {
            let on = std::env::var_os("LOCK_RANK_LEARN").is_none_or(|v| v != "0");
            let _ = LEARNING.compare_exchange(
                UNREAD,
                if on { ON } else { OFF },
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            LEARNING.load(Ordering::Relaxed) == ON
        }
        state => state == ON,
    }
}

/// Turns learning on or off for the whole process; what was learned stays.
///
/// ```
/// use lock_rank::Mutex;
///
/// lock_rank::observed::set_learning(false);
/// assert!(!lock_rank::observed::learning());
/// let (a, b): (Mutex<u8>, Mutex<u8>) = (Mutex::new(0), Mutex::new(0));
/// drop((a.lock().unwrap(), b.lock().unwrap()));
/// drop((b.lock().unwrap(), a.lock().unwrap())); // not learned: not reported
/// lock_rank::observed::set_learning(true);
/// assert_eq!(lock_rank::observed::learning(), lock_rank::CHECKS_ENABLED);
/// ```
pub fn set_learning(on: bool) {
    LEARNING.store(if on { ON } else { OFF }, Ordering::Relaxed);
}

/// [`learning`] inline, for the hot path: one load and one compare once the setting is read.
#[cfg(lock_rank_checked)]
#[inline(always)]
pub(crate) fn learning_now() -> bool {
    match LEARNING.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => learning(),
    }
}

const UNREAD: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;
static LEARNING: AtomicU8 = AtomicU8::new(UNREAD);
