//! A background thread that notices acquires blocked for too long, and real deadlocks.
//!
//! The checks catch wrong-order acquires before they block; the watchdog covers what they cannot
//! see: unranked locks taken in opposite orders, violations let through by a non-panicking
//! [`Policy`](crate::Policy), a lock held far too long. Every `threshold / 4` (between 5 ms and
//! 250 ms) it reads every thread's and task's record, without taking any lock those take, and
//! reports:
//!
//! - each acquire blocked longer than `threshold`, once per wait, with who holds the lock and
//!   since where ([`Finding::LongWait`]);
//! - each cycle of blocked threads or tasks waiting for each other, with every site
//!   ([`Finding::Deadlock`]).
//!
//! It runs only when started, and only in checked builds (without checks it starts nothing).
//!
//! ```
//! use std::time::Duration;
//!
//! let watchdog = lock_rank::watchdog::start(Duration::from_secs(5));
//! // ... the program runs; findings go to stderr (and to `tracing` with that feature) ...
//! watchdog.stop();
//! ```

use std::fmt;
use std::sync::{Arc, Condvar as StdCondvar, Mutex as StdMutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use crate::diagnostics::finding::{CycleStep, Deadlock, Finding, LongWait};

/// A running watchdog; it stops when this handle is dropped or [`stop`](Self::stop)ped.
#[must_use = "the watchdog stops when this handle drops: bind it, or call `.detach()`"]
pub struct Watchdog {
    stop: Arc<(StdMutex<bool>, StdCondvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Stops the watchdog and waits for its thread to end.
    ///
    /// ```
    /// lock_rank::watchdog::start(std::time::Duration::from_secs(1)).stop();
    /// ```
    pub fn stop(mut self) {
        self.shut_down();
    }

    /// Lets the watchdog run for the rest of the program.
    ///
    /// ```
    /// lock_rank::watchdog::start(std::time::Duration::from_secs(30)).detach();
    /// ```
    pub fn detach(mut self) {
        self.thread = None;
    }

    fn shut_down(&mut self) {
        if let Some(thread) = self.thread.take() {
            *self.stop.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
            self.stop.1.notify_all();
            let _ = thread.join();
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.shut_down();
    }
}

impl fmt::Debug for Watchdog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watchdog").field("running", &self.thread.is_some()).finish()
    }
}

/// Starts a watchdog that prints each finding to stderr (and emits it as a `tracing` event with
/// the `tracing` feature).
///
/// ```
/// let _watchdog = lock_rank::watchdog::start(std::time::Duration::from_secs(10));
/// ```
pub fn start(threshold: Duration) -> Watchdog {
    start_with(threshold, |finding| eprintln!("{finding}"))
}

/// Starts a watchdog that hands each finding to `on_finding`, on the watchdog's thread.
///
/// ```
/// use std::sync::mpsc;
/// use std::time::Duration;
///
/// let (tx, findings) = mpsc::channel();
/// let watchdog = lock_rank::watchdog::start_with(Duration::from_millis(100), move |finding| {
///     let _ = tx.send(finding.to_string());
/// });
/// assert!(findings.recv_timeout(Duration::from_millis(50)).is_err()); // nothing is stuck
/// watchdog.stop();
/// ```
pub fn start_with(threshold: Duration, on_finding: impl Fn(&Finding) + Send + 'static) -> Watchdog {
    let stop = Arc::new((StdMutex::new(false), StdCondvar::new()));
    // Without checks there is nothing to watch: no thread.
    #[cfg(lock_rank_checked)]
    let thread = {
        let stop = Arc::clone(&stop);
        let poll = (threshold / 4).clamp(Duration::from_millis(5), Duration::from_millis(250));
        std::thread::Builder::new()
            .name("lock-rank-watchdog".into())
            .spawn(move || {
                let mut watch = crate::diagnostics::watch::Watch::new();
                loop {
                    let stopped = stop.0.lock().unwrap_or_else(|e| e.into_inner());
                    let (stopped, _) = stop.1.wait_timeout(stopped, poll).unwrap_or_else(|e| e.into_inner());
                    if *stopped {
                        return;
                    }
                    drop(stopped);
                    for finding in watch.poll(threshold) {
                        emit(&finding);
                        on_finding(&finding);
                    }
                }
            })
            .ok()
    };
    #[cfg(not(lock_rank_checked))]
    let thread = {
        let _ = (threshold, on_finding);
        None
    };
    Watchdog { stop, thread }
}

#[cfg(lock_rank_checked)]
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn emit(finding: &Finding) {
    #[cfg(feature = "tracing")]
    match finding {
        Finding::LongWait(_) => tracing::warn!(target: "lock_rank", "{finding}"),
        Finding::Deadlock(_) => tracing::error!(target: "lock_rank", "{finding}"),
    }
}
