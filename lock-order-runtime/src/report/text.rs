//! A violation's report, as its `Display` prints it: the broken rule on the first line, every lock
//! involved with its name, rank and site, the holder, then what to do.

use std::fmt;

use crate::report::violation::{Violation, ViolationKind};
use crate::track::acquisition::{Access, Acquisition};

impl Access {
    fn verb(self) -> &'static str {
        match self {
            Access::Exclusive => "",
            Access::Shared => " (read)",
            Access::Upgradable => " (upgradable read)",
            Access::Permit => " (permit)",
        }
    }
}

impl Acquisition {
    /// The lock with its access, rank and declaration, as a report's lines show it.
    pub(crate) fn describe(&self) -> String {
        let mut out = format!("`{}`{}", self.name(), self.access.verb());
        match self.class {
            Some(class) => out.push_str(&format!(
                " rank {}, declared at {}:{}",
                class.rank(),
                class.file(),
                class.line()
            )),
            None => out.push_str(" (unranked)"),
        }
        out
    }

    /// The lock's name with its rank, as a report's first line shows it.
    pub(crate) fn short(&self) -> String {
        match self.rank() {
            Some(rank) => format!("`{}` (rank {rank})", self.name()),
            None => format!("`{}`", self.name()),
        }
    }
}

impl fmt::Display for Acquisition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.describe(), self.site)
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, h) = (&self.acquiring, &self.held);
        match self.kind {
            ViolationKind::LockOrder => {
                writeln!(f, "lock order violation: acquiring {} while holding {}", a.short(), h.short())?
            }
            ViolationKind::OrderCycle => writeln!(
                f,
                "lock order cycle: acquiring {} while holding {}, the opposite of an order seen before",
                a.short(),
                h.short()
            )?,
            ViolationKind::RecursiveAcquisition => writeln!(
                f,
                "recursive lock acquisition: acquiring {} which this {} already holds",
                a.short(),
                if self.holder.task_id.is_some() { "task" } else { "thread" }
            )?,
        }
        writeln!(f, "  acquiring:     {}", a.describe())?;
        writeln!(f, "                 requested at {}", a.site)?;
        write_backtrace(f, a)?;
        let label = match self.kind {
            ViolationKind::LockOrder | ViolationKind::OrderCycle => "while holding:",
            ViolationKind::RecursiveAcquisition => "already held: ",
        };
        writeln!(f, "  {label} {}", h.describe())?;
        writeln!(f, "                 acquired at {}", h.site)?;
        write_backtrace(f, h)?;
        for (i, other) in self.also_held.iter().enumerate() {
            let label = if i == 0 { "also holding: " } else { "              " };
            writeln!(f, "  {label} {} acquired at {}", other.short(), other.site)?;
        }
        for (i, edge) in self.cycle.iter().enumerate() {
            let label = if i == 0 { "opposite order:" } else { "               " };
            match (edge.held_at, edge.acquired_at) {
                (Some(held_at), Some(acquired_at)) => {
                    writeln!(f, "  {label} {} acquired at {acquired_at}", edge.to)?;
                    writeln!(f, "                   while holding {} acquired at {held_at}", edge.from)?;
                }
                _ => writeln!(f, "  {label} {edge}")?,
            }
        }
        writeln!(f, "  by:            {}", self.holder)?;
        let help = match (self.kind, a.access, h.access) {
            (ViolationKind::LockOrder, _, _) => format!(
                "locks must be acquired in strictly increasing rank order: take {} before {}, \
                 or release {} first; if the declared order itself is wrong, change the ranks",
                a.short(),
                h.short(),
                h.short()
            ),
            (ViolationKind::OrderCycle, _, _) => format!(
                "two threads taking these locks in the two orders can deadlock: pick one order and \
                 take them in it everywhere, or release {} first; `lock_rank::observed::suggest()` \
                 proposes ranks for every lock seen nested",
                h.short()
            ),
            (ViolationKind::RecursiveAcquisition, Access::Shared, Access::Shared) => {
                "a second read of an RwLock this thread already reads deadlocks as soon as a \
                 writer queues between the two; reuse the first read guard"
                    .to_owned()
            }
            (ViolationKind::RecursiveAcquisition, _, _) => {
                "this acquire would wait forever for its own holder; drop the first guard \
                 before locking again, or pass the guard (or `&mut` data) to the code that needs it"
                    .to_owned()
            }
        };
        write!(f, "  help: {help}")
    }
}

/// Writes an acquisition's backtrace, indented, if it has one.
pub(crate) fn write_backtrace(f: &mut fmt::Formatter<'_>, acquisition: &Acquisition) -> fmt::Result {
    if let Some(backtrace) = &acquisition.backtrace {
        for line in backtrace.to_string().lines() {
            writeln!(f, "                   | {line}")?;
        }
    }
    Ok(())
}
