//! Helpers shared by the integration tests: bounded runs, panic payloads, collected violations
//! and the expected `file:line:col` of an acquire written in a test.

#![allow(dead_code)] // each test binary uses a different part

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex as StdMutex};
use std::thread;
use std::time::Duration;

use lock_rank::{Acquisition, Policy, Violation, ViolationKind};

/// How long a scenario that must finish may take, even on a loaded machine.
pub const FINISH: Duration = Duration::from_secs(10);

/// How long a scenario that is expected to hang (only without checks) runs before it counts as hung.
pub const HANG: Duration = Duration::from_millis(300);

/// `file:line:col` of the call written as `needle` on `line` of this file, as `#[track_caller]`
/// reports it: the column of the method name (the text after the last `.` of `needle`), or of
/// the start of `needle` for a path call like `Mutex::lock_all`.
#[macro_export]
macro_rules! site {
    ($line:expr, $needle:expr) => {
        $crate::common::site_of(file!(), $line, $needle)
    };
}

/// See [`site!`].
pub fn site_of(file: &str, line: u32, needle: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let text = source.lines().nth(line as usize - 1).unwrap_or_else(|| panic!("{file} has no line {line}"));
    let found: Vec<usize> = text.match_indices(needle).map(|(at, _)| at).collect();
    assert_eq!(found.len(), 1, "`{needle}` must occur exactly once on {file}:{line}: `{text}`");
    let method = needle.rfind('.').map_or(0, |dot| dot + 1);
    let column = text[..found[0] + method].chars().count() + 1;
    format!("{file}:{line}:{column}")
}

/// The line of this file holding `needle`, which must occur on exactly one line (not counting
/// the lines that ask for it).
#[macro_export]
macro_rules! line_of {
    ($needle:expr) => {
        $crate::common::line_of(file!(), $needle)
    };
}

/// See [`line_of!`].
pub fn line_of(file: &str, needle: &str) -> u32 {
    let source = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let lines: Vec<usize> = source
        .lines()
        .enumerate()
        .filter(|(_, text)| text.contains(needle) && !text.contains("line_of!("))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 1, "`{needle}` must occur on exactly one line of {file}");
    lines[0] as u32
}

/// A panic payload as text (`panic!` with a message gives a `String` or a `&str`).
pub fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(text) => (*text).to_owned(),
            Err(_) => "<non-string panic payload>".to_owned(),
        },
    }
}

/// Runs `f`, turning a panic into `Err(message)`.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(panic_message)
}

/// The first line of a report.
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// How a bounded run ended.
#[derive(Debug)]
pub enum Outcome<T> {
    /// `f` returned.
    Finished(T),
    /// `f` panicked with this message.
    Panicked(String),
    /// `f` did not end within the limit; its thread is left behind, blocked.
    Hung,
}

impl<T: std::fmt::Debug> Outcome<T> {
    #[track_caller]
    pub fn finished(self) -> T {
        match self {
            Outcome::Finished(value) => value,
            other => panic!("expected the scenario to finish, got {other:?}"),
        }
    }

    #[track_caller]
    pub fn panicked(self) -> String {
        match self {
            Outcome::Panicked(message) => message,
            other => panic!("expected the scenario to panic, got {other:?}"),
        }
    }

    /// Without checks an acquire of a lock the thread holds blocks forever (std's futex locks do;
    /// std allows a panic too, which must then not be a report of this crate).
    #[track_caller]
    pub fn assert_self_deadlocked(self) {
        match self {
            Outcome::Hung => {}
            Outcome::Panicked(message) => assert!(
                !message.contains("lock acquisition") && !message.contains("lock order"),
                "unchecked build reported: {message}"
            ),
            Outcome::Finished(value) => panic!("a self-deadlocking acquire returned: {value:?}"),
        }
    }
}

/// Runs `f` on a thread named `name` and waits at most `limit` for it: a scenario that could
/// deadlock if the checker were wrong ends the test instead of hanging it.
pub fn run_bounded<T: Send + 'static>(
    name: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Outcome<T> {
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let _ = tx.send(catch(f));
        })
        .expect("spawning a test thread");
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => Outcome::Finished(value),
        Ok(Err(message)) => Outcome::Panicked(message),
        Err(_) => Outcome::Hung,
    }
}

/// Runs `f` with [`Policy::Callback`] in force on this thread, returning what it reported.
pub fn collecting<R>(f: impl FnOnce() -> R) -> (R, Vec<Violation>) {
    let seen = Arc::new(StdMutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let policy = Policy::callback(move |v| sink.lock().unwrap_or_else(|e| e.into_inner()).push(v.clone()));
    let result = lock_rank::with_policy(policy, f);
    let violations = std::mem::take(&mut *seen.lock().unwrap_or_else(|e| e.into_inner()));
    (result, violations)
}

/// One side of an expected violation: the lock's name and rank and the site of its acquire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    pub name: String,
    pub rank: Option<u32>,
    pub site: String,
}

/// `Lock { name, rank, site }` in one call.
pub fn lock(name: &str, rank: Option<u32>, site: String) -> Lock {
    Lock { name: name.to_owned(), rank, site }
}

impl From<&Acquisition> for Lock {
    fn from(a: &Acquisition) -> Self {
        Lock { name: a.name(), rank: a.rank(), site: a.site().to_string() }
    }
}

/// Asserts a violation's kind and both locks exactly.
#[track_caller]
pub fn assert_violation(v: &Violation, kind: ViolationKind, acquiring: &Lock, held: &Lock) {
    assert_eq!(v.kind, kind, "kind of {v}");
    assert_eq!(&Lock::from(&v.acquiring), acquiring, "acquiring lock of {v}");
    assert_eq!(&Lock::from(&v.held), held, "held lock of {v}");
}

/// The first line a report of `kind` starts with.
pub fn headline(kind: ViolationKind, acquiring: &Lock, held: &Lock) -> String {
    let short = |l: &Lock| match l.rank {
        Some(rank) => format!("`{}` (rank {rank})", l.name),
        None => format!("`{}`", l.name),
    };
    match kind {
        ViolationKind::LockOrder => {
            format!("lock order violation: acquiring {} while holding {}", short(acquiring), short(held))
        }
        ViolationKind::OrderCycle => format!(
            "lock order cycle: acquiring {} while holding {}, the opposite of an order seen before",
            short(acquiring),
            short(held)
        ),
        _ => format!(
            "recursive lock acquisition: acquiring {} which this thread already holds",
            short(acquiring)
        ),
    }
}

/// Asserts a report's text: the exact first line and both sites on their own lines.
#[track_caller]
pub fn assert_report(text: &str, kind: ViolationKind, acquiring: &Lock, held: &Lock) {
    assert_eq!(first_line(text), headline(kind, acquiring, held), "report:\n{text}");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let requested = format!("requested at {}", acquiring.site);
    let acquired = format!("acquired at {}", held.site);
    assert!(lines.contains(&requested.as_str()), "report lacks `{requested}`:\n{text}");
    assert!(lines.contains(&acquired.as_str()), "report lacks `{acquired}`:\n{text}");
}

/// The locks this thread holds, as `Lock`s, oldest first.
pub fn held() -> Vec<Lock> {
    lock_rank::held_locks().iter().map(Lock::from).collect()
}

/// Any guard, boxed: lets one function take locks of different types.
pub trait Guard {}
impl<T: ?Sized> Guard for T {}

/// The names of the locks this thread holds, oldest first.
pub fn held_names() -> Vec<String> {
    lock_rank::held_locks().iter().map(Acquisition::name).collect()
}
