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

use crate::diagnostics::BlockedOn;
use crate::holder::Holder;
use crate::report::Acquisition;

/// Something the watchdog noticed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Finding {
    /// An acquire blocked longer than the threshold.
    LongWait(LongWait),
    /// Threads or tasks blocked on each other in a cycle: they will never wake up.
    Deadlock(Deadlock),
}

/// An acquire blocked longer than the watchdog's threshold.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LongWait {
    /// Who is blocked.
    pub waiter: Holder,
    /// On what, since when, held by whom.
    pub blocked_on: BlockedOn,
}

/// A cycle of blocked threads or tasks, each waiting for a lock the next one holds.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Deadlock {
    /// The cycle, in order: each step's holder waits for a lock that the next step's holder
    /// holds, and the last one waits for the first one's.
    pub cycle: Vec<CycleStep>,
}

/// One member of a deadlock cycle.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CycleStep {
    /// The thread or task.
    pub holder: Holder,
    /// The lock it holds that the previous member waits for, with where it acquired it.
    pub holds: Acquisition,
    /// The lock it waits for, with where it requested it.
    pub waits_for: Acquisition,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::LongWait(wait) => {
                let blocked = &wait.blocked_on;
                writeln!(
                    f,
                    "lock wait: {} blocked for {:.1?} on {}",
                    wait.waiter,
                    blocked.blocked_for,
                    blocked.lock.short()
                )?;
                write!(f, "  requested at {}", blocked.lock.site)?;
                for holder in &blocked.holders {
                    write!(f, "\n  {holder}")?;
                }
                if blocked.holders.is_empty() {
                    write!(f, "\n  holder: not recorded (released just now, or taken outside lock-rank)")?;
                }
                Ok(())
            }
            Finding::Deadlock(deadlock) => {
                writeln!(
                    f,
                    "deadlock: {} threads or tasks wait for each other in a cycle",
                    deadlock.cycle.len()
                )?;
                for step in &deadlock.cycle {
                    writeln!(
                        f,
                        "  {} holds {} acquired at {}",
                        step.holder,
                        step.holds.short(),
                        step.holds.site
                    )?;
                    writeln!(
                        f,
                        "      and waits for {} requested at {}",
                        step.waits_for.short(),
                        step.waits_for.site
                    )?;
                }
                write!(
                    f,
                    "  help: give these locks ranks (#[lock_rank]) so the checks name the wrong-order acquire \
                     on its first run, or take them in one order everywhere"
                )
            }
        }
    }
}

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
    let thread = if crate::CHECKS_ENABLED {
        let stop = Arc::clone(&stop);
        let poll = (threshold / 4).clamp(Duration::from_millis(5), Duration::from_millis(250));
        std::thread::Builder::new()
            .name("lock-rank-watchdog".into())
            .spawn(move || {
                let mut watch = imp::Watch::new();
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
    } else {
        None
    };
    Watchdog { stop, thread }
}

#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn emit(finding: &Finding) {
    #[cfg(feature = "tracing")]
    match finding {
        Finding::LongWait(_) => tracing::warn!(target: "lock_rank", "{finding}"),
        Finding::Deadlock(_) => tracing::error!(target: "lock_rank", "{finding}"),
    }
}

#[cfg(lock_rank_checked)]
mod imp {
    use std::collections::HashSet;
    use std::time::Duration;

    use super::{CycleStep, Deadlock, Finding, LongWait};
    use crate::diagnostics::imp::{blocked_on, busy_sets, SetView};

    /// What was reported already, so each wait and each cycle is reported once.
    pub(super) struct Watch {
        long_waits: HashSet<(usize, u64)>,
        deadlocks: HashSet<Vec<(usize, u64)>>,
    }

    /// A wait's identity: the set and its wait counter.
    fn key(view: &SetView) -> Option<(usize, u64)> {
        Some((std::ptr::from_ref(view.set) as usize, view.wait.as_ref()?.seq))
    }

    impl Watch {
        pub(super) fn new() -> Self {
            Watch { long_waits: HashSet::new(), deadlocks: HashSet::new() }
        }

        pub(super) fn poll(&mut self, threshold: Duration) -> Vec<Finding> {
            let sets = busy_sets();
            let live: HashSet<(usize, u64)> = sets.iter().filter_map(key).collect();
            self.long_waits.retain(|k| live.contains(k));
            self.deadlocks.retain(|cycle| cycle.iter().all(|k| live.contains(k)));

            let mut findings = Vec::new();
            for cycle in cycles(&sets) {
                let mut keys: Vec<_> = cycle.iter().filter_map(|&i| key(&sets[i])).collect();
                keys.sort_unstable();
                if self.deadlocks.insert(keys) {
                    findings.push(Finding::Deadlock(deadlock(&sets, &cycle)));
                }
            }
            for view in &sets {
                let (Some(wait), Some(k)) = (&view.wait, key(view)) else { continue };
                if wait.blocked_for >= threshold && self.long_waits.insert(k) {
                    findings.push(Finding::LongWait(LongWait {
                        waiter: view.holder.clone(),
                        blocked_on: blocked_on(&sets, wait),
                    }));
                }
            }
            findings
        }
    }

    /// The sets that `sets[i]` waits for: the holders of the lock it is blocked on.
    fn waits_for(sets: &[SetView], i: usize) -> Vec<usize> {
        let Some(wait) = &sets[i].wait else { return Vec::new() };
        (0..sets.len())
            .filter(|&j| j != i && sets[j].held.iter().any(|held| held.address == wait.lock.addr))
            .collect()
    }

    /// Every elementary cycle of the wait-for graph, each once, starting at its lowest index.
    fn cycles(sets: &[SetView]) -> Vec<Vec<usize>> {
        let edges: Vec<Vec<usize>> = (0..sets.len()).map(|i| waits_for(sets, i)).collect();
        let mut found = Vec::new();
        for start in 0..sets.len() {
            let mut path = vec![start];
            walk(&edges, start, &mut path, &mut found);
        }
        found
    }

    fn walk(edges: &[Vec<usize>], start: usize, path: &mut Vec<usize>, found: &mut Vec<Vec<usize>>) {
        let last = *path.last().expect("the path starts non-empty");
        for &next in &edges[last] {
            if next == start {
                found.push(path.clone());
            } else if next > start && !path.contains(&next) {
                path.push(next);
                walk(edges, start, path, found);
                path.pop();
            }
        }
    }

    fn deadlock(sets: &[SetView], cycle: &[usize]) -> Deadlock {
        let steps = cycle
            .iter()
            .enumerate()
            .filter_map(|(n, &i)| {
                let previous = &sets[cycle[(n + cycle.len() - 1) % cycle.len()]];
                let wanted = previous.wait.as_ref()?.lock.addr;
                let view = &sets[i];
                let wait = view.wait.as_ref()?;
                Some(CycleStep {
                    holder: view.holder.clone(),
                    holds: view.held.iter().find(|held| held.address == wanted)?.clone(),
                    waits_for: crate::check::to_acquisition(&wait.lock, wait.backtrace.clone()),
                })
            })
            .collect();
        Deadlock { cycle: steps }
    }
}

#[cfg(not(lock_rank_checked))]
mod imp {
    use std::time::Duration;

    use super::Finding;

    /// Without checks there is nothing to watch.
    pub(super) struct Watch;

    impl Watch {
        pub(super) fn new() -> Self {
            Watch
        }

        pub(super) fn poll(&mut self, _threshold: Duration) -> Vec<Finding> {
            Vec::new()
        }
    }
}
