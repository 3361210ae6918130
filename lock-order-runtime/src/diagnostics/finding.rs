//! What the watchdog reports: long waits and deadlocks, and their text.

use std::fmt;

use crate::diagnostics::dump::BlockedOn;
use crate::track::{Acquisition, Holder};

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
