//! `RwLock`: reads and writes are acquires of the lock's rank; a second read of a lock the thread
//! reads is a recursive acquisition (with its own help), a write after a read of the same lock
//! too; `try_read`/`try_write` never report.

#[macro_use]
mod common;

use std::sync::{Arc, TryLockError};

use common::{assert_report, assert_violation, catch, collecting, held, lock, Lock, FINISH, HANG};
use lock_rank::{lock_rank, Access, RwLock, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct Low;
#[lock_rank(2)]
struct High;

const READ_TWICE_HELP: &str =
    "  help: a second read of an RwLock this thread already reads deadlocks as soon as a \
                               writer queues between the two; reuse the first read guard";

#[test]
fn reads_of_two_locks_in_order_are_fine() {
    let low: RwLock<u8, Low> = RwLock::new(1);
    let high: RwLock<u8, High> = RwLock::new(2);
    let ((), violations) = collecting(|| {
        let (low_line, l) = (line!(), low.read().unwrap());
        let (high_line, h) = (line!(), high.read().unwrap());
        assert_eq!(*l + *h, 3);
        if CHECKS_ENABLED {
            assert_eq!(
                held(),
                [
                    lock("Low", Some(1), site!(low_line, "low.read")),
                    lock("High", Some(2), site!(high_line, "high.read"))
                ]
            );
            let accesses: Vec<Access> = lock_rank::held_locks().iter().map(|a| a.access).collect();
            assert_eq!(accesses, [Access::Shared, Access::Shared]);
        }
        drop((h, l));
        let _l = low.write().unwrap();
        let _h = high.write().unwrap();
    });
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn a_read_below_a_held_write_is_a_lock_order_violation() {
    let low: RwLock<u8, Low> = RwLock::new(1);
    let high: RwLock<u8, High> = RwLock::new(2);
    let (lines, violations) = collecting(|| {
        let (high_line, _h) = (line!(), high.write().unwrap());
        let (low_line, _l) = (line!(), low.read().unwrap());
        (high_line, low_line)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    let (high_line, low_line) = lines;
    assert_eq!(violations.len(), 1);
    let v = &violations[0];
    let acquiring = lock("Low", Some(1), site!(low_line, "low.read"));
    let holding = lock("High", Some(2), site!(high_line, "high.write"));
    assert_violation(v, ViolationKind::LockOrder, &acquiring, &holding);
    assert_eq!((v.acquiring.access, v.held.access), (Access::Shared, Access::Exclusive));
    let text = v.to_string();
    assert_report(&text, ViolationKind::LockOrder, &acquiring, &holding);
    assert!(text.contains("  acquiring:     `Low` (read) rank 1, declared at tests/rwlock.rs:"), "{text}");
    assert!(text.contains("  while holding: `High` rank 2, declared at tests/rwlock.rs:"), "{text}");
}

#[test]
fn a_second_read_of_a_read_lock_is_reported_with_the_read_help_and_may_go_on() {
    let lock_: RwLock<u8, High> = RwLock::new(7);
    let (lines, violations) = collecting(|| {
        let (first, r1) = (line!(), lock_.read().unwrap());
        // Shared twice cannot deadlock by itself, so a continuing policy lets it through.
        let (second, r2) = (line!(), lock_.read().unwrap());
        assert_eq!(*r1 + *r2, 14);
        assert_eq!(held().len(), if CHECKS_ENABLED { 2 } else { 0 });
        (first, second)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    let (first, second) = lines;
    assert_eq!(violations.len(), 1);
    let acquiring = lock("High", Some(2), site!(second, "lock_.read"));
    let holding = lock("High", Some(2), site!(first, "lock_.read"));
    let v = &violations[0];
    assert_violation(v, ViolationKind::RecursiveAcquisition, &acquiring, &holding);
    let text = v.to_string();
    assert_report(&text, ViolationKind::RecursiveAcquisition, &acquiring, &holding);
    assert_eq!(text.lines().last(), Some(READ_TWICE_HELP), "{text}");
}

#[test]
fn a_second_read_panics_with_the_default_policy() {
    let lock_: RwLock<u8, Low> = RwLock::new(7);
    let (first, _r1) = (line!(), lock_.read().unwrap());
    let (second, result) = (line!(), catch(|| lock_.read().map(drop)));
    if !CHECKS_ENABLED {
        return assert!(result.is_ok(), "two reads without a writer succeed in std");
    }
    let message = result.expect_err("a second read is reported");
    assert_eq!(
        common::first_line(&message),
        "recursive lock acquisition: acquiring `Low` (rank 1) which this thread already holds"
    );
    let acquiring = lock("Low", Some(1), site!(second, "lock_.read"));
    let holding = lock("Low", Some(1), site!(first, "lock_.read"));
    assert_report(&message, ViolationKind::RecursiveAcquisition, &acquiring, &holding);
    assert!(message.contains("  already held:  `Low` (read) rank 1"), "{message}");
    assert_eq!(message.lines().last(), Some(READ_TWICE_HELP));
    assert_eq!(held().len(), 1);
}

/// Runs `second` on a lock already taken by `first`, in a bounded thread, with the callback
/// policy: an exclusive acquire of a lock this thread holds must panic even then. Returns the
/// lines of both acquires and the panic and the collected violations.
fn relock(
    first: fn(&RwLock<u8, High>) -> Box<dyn common::Guard + '_>,
    second: fn(&RwLock<u8, High>),
) -> common::Outcome<(Result<(), String>, Vec<lock_rank::Violation>)> {
    let rw: Arc<RwLock<u8, High>> = Arc::new(RwLock::new(0));
    common::run_bounded("relock", if CHECKS_ENABLED { FINISH } else { HANG }, move || {
        let _first = first(&rw);
        let (result, violations) = collecting(|| catch(|| second(&rw)));
        (result, violations)
    })
}

#[test]
fn a_write_after_a_read_of_the_same_lock_is_recursive_and_always_panics() {
    let outcome = relock(|rw| Box::new(rw.read().unwrap()), |rw| drop(rw.write()));
    check_self_deadlock(outcome, Access::Exclusive, Access::Shared);
}

#[test]
fn a_read_after_a_write_of_the_same_lock_is_recursive_and_always_panics() {
    let outcome = relock(|rw| Box::new(rw.write().unwrap()), |rw| drop(rw.read()));
    check_self_deadlock(outcome, Access::Shared, Access::Exclusive);
}

#[track_caller]
fn check_self_deadlock(
    outcome: common::Outcome<(Result<(), String>, Vec<lock_rank::Violation>)>,
    acquiring: Access,
    held_as: Access,
) {
    if !CHECKS_ENABLED {
        return outcome.assert_self_deadlocked();
    }
    let (result, violations) = outcome.finished();
    let message = result.expect_err("the policy continues, but this acquire can never succeed");
    assert_eq!(
        message,
        "recursive lock acquisition: acquiring `High` (rank 2) which this thread already holds\n  \
         (panicking although the policy continues: this acquire can never succeed)"
    );
    assert_eq!(violations.len(), 1);
    let v = &violations[0];
    assert_eq!(v.kind, ViolationKind::RecursiveAcquisition);
    assert_eq!((v.acquiring.access, v.held.access), (acquiring, held_as));
    assert_eq!(v.acquiring.address, v.held.address);
    // The sites are the two closures passed to `relock`, on one line of the calling test.
    let line = v.acquiring.site().line();
    assert_eq!(v.held.site().line(), line);
    let (acquire, hold) = match acquiring {
        Access::Exclusive => ("rw.write", "rw.read"),
        _ => ("rw.read", "rw.write"),
    };
    assert_eq!(Lock::from(&v.acquiring).site, site!(line, acquire));
    assert_eq!(Lock::from(&v.held).site, site!(line, hold));
    assert!(v.to_string().ends_with("or pass the guard (or `&mut` data) to the code that needs it"), "{v}");
}

#[test]
fn try_read_and_try_write_never_report() {
    let low: RwLock<u8, Low> = RwLock::new(0);
    let high: RwLock<u8, High> = RwLock::new(0);
    let ((), violations) = collecting(|| {
        let (high_line, _h) = (line!(), high.write().unwrap());
        // Below a held write: out of order, but tries cannot block.
        let (low_line, r1) = (line!(), low.try_read());
        let r1 = r1.expect("free");
        // A second read of a read lock: std lets a try through, still no report.
        let (again_line, r2) = (line!(), low.try_read());
        let r2 = r2.expect("readers share");
        // Writing what this thread reads, or reading what it writes: would block, no report.
        assert!(matches!(low.try_write(), Err(TryLockError::WouldBlock)));
        assert!(matches!(high.try_read(), Err(TryLockError::WouldBlock)));
        assert!(matches!(high.try_write(), Err(TryLockError::WouldBlock)));
        if CHECKS_ENABLED {
            assert_eq!(
                held(),
                [
                    lock("High", Some(2), site!(high_line, "high.write")),
                    lock("Low", Some(1), site!(low_line, "low.try_read")),
                    lock("Low", Some(1), site!(again_line, "low.try_read")),
                ]
            );
        }
        drop((r1, r2));
        let (w_line, w) = (line!(), low.try_write());
        let _w = w.expect("free again");
        if CHECKS_ENABLED {
            assert_eq!(held()[1], lock("Low", Some(1), site!(w_line, "low.try_write")));
            assert_eq!(lock_rank::held_locks()[1].access, Access::Exclusive);
        }
    });
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn a_blocking_acquire_below_a_try_read_lock_is_reported() {
    let low: RwLock<u8, Low> = RwLock::new(0);
    let high: RwLock<u8, High> = RwLock::new(0);
    let (lines, violations) = collecting(|| {
        let (high_line, _h) = (line!(), high.try_read().unwrap());
        let (low_line, _l) = (line!(), low.write().unwrap());
        (high_line, low_line)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    assert_eq!(violations.len(), 1);
    assert_violation(
        &violations[0],
        ViolationKind::LockOrder,
        &lock("Low", Some(1), site!(lines.1, "low.write")),
        &lock("High", Some(2), site!(lines.0, "high.try_read")),
    );
}

#[test]
fn an_unranked_rwlock_is_checked_only_for_recursion() {
    let (made, plain) = (line!(), RwLock::<u8>::new(0));
    let high: RwLock<u8, High> = RwLock::new(0);
    let (lines, violations) = collecting(|| {
        let _h = high.write().unwrap();
        let (first, _p) = (line!(), plain.read().unwrap());
        let (second, _p2) = (line!(), plain.read().unwrap());
        (first, second)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    let name = format!("RwLock<u8> created at {}", site!(made, "RwLock::<u8>::new"));
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_violation(
        &violations[0],
        ViolationKind::RecursiveAcquisition,
        &lock(&name, None, site!(lines.1, "plain.read")),
        &lock(&name, None, site!(lines.0, "plain.read")),
    );
}
