//! Violations, the reports they print, and the policy that decides what happens next.

use std::backtrace::Backtrace;
use std::fmt;
use std::panic::Location;
use std::sync::{Arc, RwLock as StdRwLock};

use crate::class::ClassInfo;
use crate::holder::Holder;

/// Which kind of lock an acquisition took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum LockKind {
    /// A `Mutex`.
    Mutex = 0,
    /// An `RwLock`.
    RwLock = 1,
    /// A `Semaphore` permit.
    Semaphore = 2,
    /// A `ReentrantMutex`.
    ReentrantMutex = 3,
}

impl LockKind {
    #[cfg_attr(not(lock_rank_checked), allow(dead_code))]
    pub(crate) fn from_bits(bits: u8) -> Self {
        match bits {
            1 => LockKind::RwLock,
            2 => LockKind::Semaphore,
            3 => LockKind::ReentrantMutex,
            _ => LockKind::Mutex,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            LockKind::Mutex => "Mutex",
            LockKind::RwLock => "RwLock",
            LockKind::Semaphore => "Semaphore",
            LockKind::ReentrantMutex => "ReentrantMutex",
        }
    }
}

/// How a lock was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum Access {
    /// Exclusively: `lock`, `write`.
    Exclusive = 0,
    /// Shared: `read`.
    Shared = 1,
    /// An upgradable read.
    Upgradable = 2,
    /// One or more semaphore permits.
    Permit = 3,
}

impl Access {
    #[cfg_attr(not(lock_rank_checked), allow(dead_code))]
    pub(crate) fn from_bits(bits: u8) -> Self {
        match bits {
            1 => Access::Shared,
            2 => Access::Upgradable,
            3 => Access::Permit,
            _ => Access::Exclusive,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Access::Exclusive => "",
            Access::Shared => " (read)",
            Access::Upgradable => " (upgradable read)",
            Access::Permit => " (permit)",
        }
    }
}

/// One acquisition of one lock: which lock, its class, where it was (or is being) acquired.
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// #[lock_rank(1)]
/// static A: Mutex<()> = Mutex::new(());
///
/// let _a = A.lock().unwrap();
/// let held = lock_rank::held_locks();
/// assert_eq!(held.len(), 1);
/// assert_eq!(held[0].name(), "A");
/// assert_eq!(held[0].rank(), Some(1));
/// assert_eq!(held[0].site().file(), file!());
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Acquisition {
    /// The lock's class, `None` for an unranked lock.
    pub class: Option<&'static ClassInfo>,
    /// The lock's address: tells two locks of one class apart.
    pub address: usize,
    /// Where the lock was created (the call of its constructor), when known.
    pub created: Option<&'static Location<'static>>,
    /// The lock's type, as `std::any::type_name` gives it, when known.
    pub type_name: Option<&'static str>,
    /// The caller's `file:line:column` of the acquire.
    pub site: &'static Location<'static>,
    /// The lock's kind.
    pub kind: LockKind,
    /// How it was taken.
    pub access: Access,
    /// The stack of the acquire, when the program runs with `LOCK_RANK_BACKTRACE=1`.
    pub backtrace: Option<Arc<Backtrace>>,
}

impl Acquisition {
    /// The lock's name: its class's name, or for an unranked lock its type and where it was
    /// created, `Mutex<u64> created at src/cache.rs:12:20` (`unranked Mutex@0x…` where that is
    /// not known).
    pub fn name(&self) -> String {
        match (self.class, self.created) {
            (Some(class), _) => class.name().to_owned(),
            (None, Some(created)) => {
                let type_name = crate::observed::lock_type_name(self.kind, self.type_name.unwrap_or(""));
                format!("{type_name} created at {created}")
            }
            (None, None) => format!("unranked {}@{:#x}", self.kind.name(), self.address),
        }
    }

    /// The lock's rank, `None` when unranked.
    pub fn rank(&self) -> Option<u32> {
        self.class.map(ClassInfo::rank)
    }

    /// Where the lock was acquired (or is being requested).
    pub fn site(&self) -> &'static Location<'static> {
        self.site
    }

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
/// [`Policy::Callback`] act on it.
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
