//! What happens on a violation: `Policy::Panic` (default), `Report` (stderr, go on), `Callback`
//! (hand the `Violation` over, go on), per thread with `with_policy` or globally with
//! `set_policy`; an acquire that can never succeed panics whatever the policy.
//!
//! Behaviour visible only on stderr, through the global policy, or by aborting runs in a child
//! process: this test binary re-runs itself with one `#[ignore]`d test selected and
//! `LOCK_RANK_TEST_CHILD` set to that test's name.

#[macro_use]
mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex as StdMutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{assert_report, assert_violation, catch, collecting, held, lock, Lock, FINISH, HANG};
use lock_rank::{lock_rank, Mutex, Policy, RwLock, Violation, ViolationKind, CHECKS_ENABLED};

#[lock_rank(10)]
struct Accounts;
#[lock_rank(20)]
struct Ledger;
#[lock_rank(30)]
struct Audit;

const CHILD: &str = "LOCK_RANK_TEST_CHILD";

/// Whether this process was started to run the child test `name`.
fn is_child(name: &str) -> bool {
    std::env::var(CHILD).as_deref() == Ok(name)
}

/// How a child process ended.
struct Child {
    stdout: String,
    stderr: String,
    /// `None` when it had to be killed after `limit`.
    status: Option<std::process::ExitStatus>,
}

/// Runs the ignored test `name` of this binary in a child process, for at most `limit`.
fn run_child(name: &str, limit: Duration) -> Child {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD, name)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("re-running the test binary");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    Child { stdout, stderr, status }
}

/// Parses `KEY=value` lines a child printed.
fn child_value(stdout: &str, key: &str) -> String {
    // The test harness prints `test name ... ` before the child's first line.
    let prefix = format!("{key}=");
    stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix(&prefix).or_else(|| l.split_once(&format!(" ... {prefix}")).map(|(_, v)| v))
        })
        .unwrap_or_else(|| panic!("child printed no {key}:\n{stdout}"))
        .to_owned()
}

#[test]
fn a_callback_receives_the_violation_with_every_field_right() {
    let outcome = common::run_bounded("ledger-worker", FINISH, || {
        let accounts: Mutex<u8, Accounts> = Mutex::new(0);
        let ledger: RwLock<u8, Ledger> = RwLock::new(0);
        let audit: Mutex<u8, Audit> = Mutex::new(0);
        let (made_line, unranked) = (line!(), Mutex::<u8>::new(0));
        let (lines, violations) = collecting(|| {
            let (ledger_line, _l) = (line!(), ledger.read().unwrap());
            let (unranked_line, _u) = (line!(), unranked.lock().unwrap());
            let (audit_line, _a) = (line!(), audit.lock().unwrap());
            let (accounts_line, _c) = (line!(), accounts.lock().unwrap());
            (ledger_line, unranked_line, audit_line, accounts_line)
        });
        let me = thread::current().id();
        (lines, violations, me, made_line)
    });
    let ((ledger_line, unranked_line, audit_line, accounts_line), violations, me, made_line) =
        outcome.finished();
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    assert_eq!(violations.len(), 1);
    let v: &Violation = &violations[0];
    let acquiring = lock("Accounts", Some(10), site!(accounts_line, "accounts.lock"));
    let holding = lock("Audit", Some(30), site!(audit_line, "audit.lock"));
    assert_violation(v, ViolationKind::LockOrder, &acquiring, &holding);
    assert_eq!(v.acquiring.kind, lock_rank::LockKind::Mutex);
    assert_eq!(v.acquiring.access, lock_rank::Access::Exclusive);
    assert_eq!(
        v.also_held.iter().map(Lock::from).collect::<Vec<_>>(),
        [
            lock("Ledger", Some(20), site!(ledger_line, "ledger.read")),
            // An unranked lock is named by its type and where it was made.
            lock(
                &format!("Mutex<u8> created at {}", site!(made_line, "Mutex::<u8>::new")),
                None,
                site!(unranked_line, "unranked.lock")
            ),
        ]
    );
    assert_eq!(v.also_held[0].kind, lock_rank::LockKind::RwLock);
    assert_eq!(v.holder.thread_name(), Some("ledger-worker"));
    assert_eq!(v.holder.thread_id(), Some(me));
    assert_eq!(v.holder.task_id(), None);
    let text = v.to_string();
    assert_report(&text, ViolationKind::LockOrder, &acquiring, &holding);
    assert!(text.contains(&format!("  by:            thread `ledger-worker` ({me:?})\n")), "{text}");
    assert!(
        text.contains(&format!(
            "  also holding:  `Ledger` (rank 20) acquired at {}\n",
            site!(ledger_line, "ledger.read")
        )),
        "{text}"
    );
    assert!(text.ends_with(
        "  help: locks must be acquired in strictly increasing rank order: take `Accounts` (rank 10) \
         before `Audit` (rank 30), or release `Audit` (rank 30) first; if the declared order itself is \
         wrong, change the ranks"
    ));
}

/// Locks `audit`, then `accounts`: out of order, at two fixed sites.
fn out_of_order(accounts: &Mutex<u8, Accounts>, audit: &Mutex<u8, Audit>) -> usize {
    let _a = audit.lock().unwrap();
    let _c = accounts.lock().unwrap();
    lock_rank::held_locks().len()
}

#[test]
fn the_panic_message_is_the_report_a_callback_sees() {
    let accounts: Mutex<u8, Accounts> = Mutex::new(0);
    let audit: Mutex<u8, Audit> = Mutex::new(0);
    let (held_then, violations) = collecting(|| out_of_order(&accounts, &audit));
    let panicked = catch(|| out_of_order(&accounts, &audit));
    if !CHECKS_ENABLED {
        assert_eq!(panicked, Ok(0));
        return assert!(violations.is_empty());
    }
    assert_eq!(held_then, 2, "the callback policy went on and took the lock");
    assert_eq!(panicked, Err(violations[0].to_string()));
    // The policy in force was the default again outside `with_policy`: it panicked.
}

#[test]
fn the_report_policy_goes_on_with_the_acquire() {
    let accounts: Mutex<u8, Accounts> = Mutex::new(0);
    let audit: Mutex<u8, Audit> = Mutex::new(0);
    let held_then = lock_rank::with_policy(Policy::Report, || out_of_order(&accounts, &audit));
    assert_eq!(held_then, if CHECKS_ENABLED { 2 } else { 0 });
    assert!(held().is_empty());
}

#[test]
fn with_policy_is_per_thread_nests_and_is_restored_after_a_panic() {
    let accounts: Mutex<u8, Accounts> = Mutex::new(0);
    let audit: Mutex<u8, Audit> = Mutex::new(0);
    let inner_seen = Arc::new(StdMutex::new(0));
    let sink = Arc::clone(&inner_seen);
    let inner = Policy::callback(move |_| *sink.lock().unwrap() += 1);
    let ((), outer_seen) = collecting(|| {
        out_of_order(&accounts, &audit); // outer callback
        let result = catch(|| {
            lock_rank::with_policy(inner.clone(), || {
                out_of_order(&accounts, &audit); // inner callback
                panic!("leaving the inner policy by a panic");
            })
        });
        assert!(result.is_err());
        out_of_order(&accounts, &audit); // outer callback again
                                         // Another thread is not affected by this thread's policy: there, the default panics.
        let other = thread::scope(|s| s.spawn(|| catch(|| out_of_order(&accounts, &audit))).join().unwrap());
        assert_eq!(other.is_err(), CHECKS_ENABLED);
    });
    let n = usize::from(CHECKS_ENABLED);
    assert_eq!((outer_seen.len(), *inner_seen.lock().unwrap()), (2 * n, n));
    // And after `with_policy` the default panics again.
    assert_eq!(catch(|| out_of_order(&accounts, &audit)).is_err(), CHECKS_ENABLED);
}

#[test]
fn a_recursive_mutex_acquire_panics_even_under_a_continuing_policy() {
    for (name, policy) in [("callback", None), ("report", Some(Policy::Report))] {
        let m: Arc<Mutex<u8, Ledger>> = Arc::new(Mutex::new(0));
        let m2 = Arc::clone(&m);
        let outcome = common::run_bounded(name, if CHECKS_ENABLED { FINISH } else { HANG }, move || {
            let run = || {
                let (first, _g) = (line!(), m2.lock().unwrap());
                let (second, result) = (line!(), catch(|| m2.lock().is_ok()));
                (first, second, result)
            };
            match policy {
                None => collecting(run),
                Some(policy) => (lock_rank::with_policy(policy, run), Vec::new()),
            }
        });
        if !CHECKS_ENABLED {
            outcome.assert_self_deadlocked();
            continue;
        }
        let ((first, second, result), violations) = outcome.finished();
        assert_eq!(
            result,
            Err("recursive lock acquisition: acquiring `Ledger` (rank 20) which this thread already holds\n  \
                 (panicking although the policy continues: this acquire can never succeed)"
                .to_owned()),
            "{name}"
        );
        if name == "callback" {
            assert_eq!(violations.len(), 1, "the callback still sees it first");
            assert_violation(
                &violations[0],
                ViolationKind::RecursiveAcquisition,
                &lock("Ledger", Some(20), site!(second, "m2.lock")),
                &lock("Ledger", Some(20), site!(first, "m2.lock")),
            );
        }
        assert!(!m.is_poisoned(), "{name}: the first guard outlived the caught panic");
    }
}

#[test]
fn a_second_read_goes_on_under_a_continuing_policy() {
    let ledger: RwLock<u8, Ledger> = RwLock::new(0);
    let (both, violations) = collecting(|| {
        let _r1 = ledger.read().unwrap();
        let _r2 = ledger.read().unwrap();
        lock_rank::held_locks().len()
    });
    assert_eq!((both, violations.len()), if CHECKS_ENABLED { (2, 1) } else { (0, 0) });
}

#[test]
fn report_policy_prints_the_report_to_stderr_and_goes_on() {
    let child = run_child("child_report_policy", FINISH);
    assert!(child.status.expect("the child hung").success(), "{}\n{}", child.stdout, child.stderr);
    assert_eq!(child_value(&child.stdout, "held"), if CHECKS_ENABLED { "2" } else { "0" });
    let audit_line: u32 = child_value(&child.stdout, "audit_line").parse().unwrap();
    let accounts_line: u32 = child_value(&child.stdout, "accounts_line").parse().unwrap();
    if !CHECKS_ENABLED {
        return assert!(!child.stderr.contains("lock order violation"), "{}", child.stderr);
    }
    let start = child.stderr.find("lock order violation").unwrap_or_else(|| panic!("{}", child.stderr));
    let report = &child.stderr[start..];
    assert_report(
        report,
        ViolationKind::LockOrder,
        &lock("Accounts", Some(10), site!(accounts_line, "accounts.lock")),
        &lock("Audit", Some(30), site!(audit_line, "audit.lock")),
    );
    assert_eq!(child.stderr.matches("lock order violation").count(), 1);
}

#[test]
#[ignore = "run in a child process by report_policy_prints_the_report_to_stderr_and_goes_on"]
fn child_report_policy() {
    if !is_child("child_report_policy") {
        return;
    }
    // Global: this process runs only this test.
    lock_rank::set_policy(Policy::Report);
    let accounts: Mutex<u8, Accounts> = Mutex::new(0);
    let audit: Mutex<u8, Audit> = Mutex::new(0);
    let (audit_line, _a) = (line!(), audit.lock().unwrap());
    let (accounts_line, _c) = (line!(), accounts.lock().unwrap());
    println!("audit_line={audit_line}\naccounts_line={accounts_line}");
    println!("held={}", lock_rank::held_locks().len());
}

#[test]
fn set_policy_applies_to_every_thread_without_an_override() {
    let child = run_child("child_global_callback", FINISH);
    assert!(child.status.expect("the child hung").success(), "{}\n{}", child.stdout, child.stderr);
    let n = usize::from(CHECKS_ENABLED);
    assert_eq!(child_value(&child.stdout, "seen"), (2 * n).to_string());
    assert_eq!(child_value(&child.stdout, "overridden_panicked"), CHECKS_ENABLED.to_string());
}

#[test]
#[ignore = "run in a child process by set_policy_applies_to_every_thread_without_an_override"]
fn child_global_callback() {
    if !is_child("child_global_callback") {
        return;
    }
    let seen = Arc::new(StdMutex::new(0));
    let sink = Arc::clone(&seen);
    lock_rank::set_policy(Policy::callback(move |_| *sink.lock().unwrap() += 1));
    let accounts: Mutex<u8, Accounts> = Mutex::new(0);
    let audit: Mutex<u8, Audit> = Mutex::new(0);
    out_of_order(&accounts, &audit);
    thread::scope(|s| s.spawn(|| out_of_order(&accounts, &audit)).join().unwrap());
    let overridden = lock_rank::with_policy(Policy::Panic, || catch(|| out_of_order(&accounts, &audit)));
    println!("seen={}", seen.lock().unwrap());
    println!("overridden_panicked={}", overridden.is_err());
}

#[test]
fn a_violation_while_unwinding_is_printed_instead_of_panicking_again() {
    let child = run_child("child_violation_while_unwinding", FINISH);
    assert!(child.status.expect("the child hung").success(), "{}\n{}", child.stdout, child.stderr);
    assert_eq!(child_value(&child.stdout, "caught"), "the original panic");
    assert_eq!(child_value(&child.stdout, "held_after"), "0");
    assert_eq!(
        child
            .stderr
            .contains("lock order violation: acquiring `Accounts` (rank 10) while holding `Audit` (rank 30)"),
        CHECKS_ENABLED,
        "{}",
        child.stderr
    );
}

/// Locks its mutex when dropped.
struct LocksOnDrop<'a>(&'a Mutex<u8, Accounts>);

impl Drop for LocksOnDrop<'_> {
    fn drop(&mut self) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
    }
}

#[test]
#[ignore = "run in a child process by a_violation_while_unwinding_is_printed_instead_of_panicking_again"]
fn child_violation_while_unwinding() {
    if !is_child("child_violation_while_unwinding") {
        return;
    }
    let accounts: Mutex<u8, Accounts> = Mutex::new(0);
    let audit: Mutex<u8, Audit> = Mutex::new(0);
    let caught = catch(|| {
        let _audit = audit.lock().unwrap();
        let _on_drop = LocksOnDrop(&accounts); // dropped first, while `audit` is still held
        panic!("the original panic");
    });
    println!("caught={}", caught.unwrap_err());
    println!("held_after={}", lock_rank::held_locks().len());
}

#[test]
fn a_recursive_acquire_while_unwinding_aborts_instead_of_hanging() {
    let child = run_child("child_recursion_while_unwinding", if CHECKS_ENABLED { FINISH } else { HANG });
    if !CHECKS_ENABLED {
        // Without checks it is the self-deadlock it looks like: the child had to be killed.
        return assert!(child.status.is_none(), "{}\n{}", child.stdout, child.stderr);
    }
    let status = child.status.expect("the child hung");
    assert!(!status.success());
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(6), "SIGABRT expected: {status:?}\n{}", child.stderr);
    }
    assert!(
        child.stderr.contains(
            "recursive lock acquisition: acquiring `Accounts` (rank 10) which this thread already holds"
        ),
        "{}",
        child.stderr
    );
    assert!(child
        .stderr
        .contains("lock-rank: aborting: a recursive acquisition during unwinding can only hang"));
    assert!(!child.stdout.contains("survived"));
}

#[test]
#[ignore = "run in a child process by a_recursive_acquire_while_unwinding_aborts_instead_of_hanging"]
fn child_recursion_while_unwinding() {
    if !is_child("child_recursion_while_unwinding") {
        return;
    }
    let accounts: Mutex<u8, Accounts> = Mutex::new(0);
    let _ = catch(|| {
        let _held = accounts.lock().unwrap();
        let _on_drop = LocksOnDrop(&accounts);
        panic!("the original panic");
    });
    println!("survived");
}
