//! The deadlock families of the Linux kernel's lockdep self-tests (`lib/locking-selftest.c`),
//! each run in one thread as the self-test does: every pair `XY` locks X, then Y, then releases
//! both before the next pair. With ranks A < B < C < D a ranked checker does not wait for the
//! cycle to close as lockdep does: it reports the first pair that goes down (or sideways) in rank,
//! naming that pair's two acquires.

#[macro_use]
mod common;

use std::cell::Cell;
use std::sync::LockResult;

use common::{assert_report, assert_violation, catch, collecting, lock};
use lock_rank::{lock_rank, Mutex, Violation, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct A;
#[lock_rank(2)]
struct B;
#[lock_rank(3)]
struct C;
#[lock_rank(4)]
struct D;

struct Locks {
    a: Mutex<(), A>,
    b: Mutex<(), B>,
    c: Mutex<(), C>,
    d: Mutex<(), D>,
}

fn locks() -> Locks {
    Locks { a: Mutex::new(()), b: Mutex::new(()), c: Mutex::new(()), d: Mutex::new(()) }
}

/// lockdep's `LOCK_UNLOCK_2(x, y)`: the caller has locked `x`, then `y` (argument order);
/// release `y`, then `x`.
fn unlock_2<X, Y>(x: LockResult<X>, y: LockResult<Y>) {
    let (x, y) = (x.unwrap(), y.unwrap());
    drop(y);
    drop(x);
}

/// The needle and expected lock of each letter, for `site!`.
fn letter(name: &str) -> (&'static str, Option<u32>) {
    match name {
        "A" => ("l.a.lock", Some(1)),
        "B" => ("l.b.lock", Some(2)),
        "C" => ("l.c.lock", Some(3)),
        "D" => ("l.d.lock", Some(4)),
        _ => unreachable!(),
    }
}

/// Asserts that a family run under the callback policy reported exactly one violation, on the
/// pair written on `line`: acquiring `acquiring` while holding `holding`, both taken on that line.
#[track_caller]
fn assert_first_wrong_edge(violations: &[Violation], line: u32, holding: &str, acquiring: &str) {
    assert!(lock_rank::held_locks().is_empty(), "every pair was released");
    if !CHECKS_ENABLED {
        assert!(violations.is_empty(), "{violations:?}");
        return;
    }
    assert_eq!(violations.len(), 1, "exactly the first wrong pair is reported: {violations:#?}");
    let (held_needle, held_rank) = letter(holding);
    let (acquiring_needle, acquiring_rank) = letter(acquiring);
    let expected_held = lock(holding, held_rank, site!(line, held_needle));
    let expected_acquiring = lock(acquiring, acquiring_rank, site!(line, acquiring_needle));
    let v = &violations[0];
    assert_violation(v, ViolationKind::LockOrder, &expected_acquiring, &expected_held);
    assert!(v.also_held.is_empty(), "one pair at a time is held: {v}");
    assert_report(&v.to_string(), ViolationKind::LockOrder, &expected_acquiring, &expected_held);
}

#[test]
fn abba() {
    let l = locks();
    let (lines, violations) = collecting(|| {
        [
            (line!(), unlock_2(l.a.lock(), l.b.lock())),
            (line!(), unlock_2(l.b.lock(), l.a.lock())), // first wrong pair
        ]
        .map(|(line, ())| line)
    });
    assert_first_wrong_edge(&violations, lines[1], "B", "A");
}

#[test]
fn abbcca() {
    let l = locks();
    let (lines, violations) = collecting(|| {
        [
            (line!(), unlock_2(l.a.lock(), l.b.lock())),
            (line!(), unlock_2(l.b.lock(), l.c.lock())),
            (line!(), unlock_2(l.c.lock(), l.a.lock())), // first wrong pair
        ]
        .map(|(line, ())| line)
    });
    assert_first_wrong_edge(&violations, lines[2], "C", "A");
}

#[test]
fn abcabc() {
    // lockdep reports the third pair, where the cycle A -> B -> C -> A closes; by rank the
    // second pair is already wrong, and the third (B then C) is in order again.
    let l = locks();
    let (lines, violations) = collecting(|| {
        [
            (line!(), unlock_2(l.a.lock(), l.b.lock())),
            (line!(), unlock_2(l.c.lock(), l.a.lock())), // first wrong pair
            (line!(), unlock_2(l.b.lock(), l.c.lock())),
        ]
        .map(|(line, ())| line)
    });
    assert_first_wrong_edge(&violations, lines[1], "C", "A");
}

#[test]
fn abbccdda() {
    let l = locks();
    let (lines, violations) = collecting(|| {
        [
            (line!(), unlock_2(l.a.lock(), l.b.lock())),
            (line!(), unlock_2(l.b.lock(), l.c.lock())),
            (line!(), unlock_2(l.c.lock(), l.d.lock())),
            (line!(), unlock_2(l.d.lock(), l.a.lock())), // first wrong pair
        ]
        .map(|(line, ())| line)
    });
    assert_first_wrong_edge(&violations, lines[3], "D", "A");
}

#[test]
fn abcdbdda() {
    let l = locks();
    let (lines, violations) = collecting(|| {
        [
            (line!(), unlock_2(l.a.lock(), l.b.lock())),
            (line!(), unlock_2(l.c.lock(), l.d.lock())),
            (line!(), unlock_2(l.b.lock(), l.d.lock())),
            (line!(), unlock_2(l.d.lock(), l.a.lock())), // first wrong pair
        ]
        .map(|(line, ())| line)
    });
    assert_first_wrong_edge(&violations, lines[3], "D", "A");
}

#[test]
fn abcdbcda() {
    let l = locks();
    let (lines, violations) = collecting(|| {
        [
            (line!(), unlock_2(l.a.lock(), l.b.lock())),
            (line!(), unlock_2(l.c.lock(), l.d.lock())),
            (line!(), unlock_2(l.b.lock(), l.c.lock())),
            (line!(), unlock_2(l.d.lock(), l.a.lock())), // first wrong pair
        ]
        .map(|(line, ())| line)
    });
    assert_first_wrong_edge(&violations, lines[3], "D", "A");
}

#[test]
fn abbcca_with_the_default_policy_panics_at_the_first_wrong_pair_and_stops_there() {
    let l = locks();
    let wrong = Cell::new(0);
    let finished = Cell::new(false);
    let result = catch(|| {
        unlock_2(l.a.lock(), l.b.lock());
        unlock_2(l.b.lock(), l.c.lock());
        wrong.set(line!() + 1);
        unlock_2(l.c.lock(), l.a.lock());
        finished.set(true);
    });
    assert!(lock_rank::held_locks().is_empty(), "the unwinding released C");
    if !CHECKS_ENABLED {
        assert_eq!(result, Ok(()));
        assert!(finished.get());
        return;
    }
    let message = result.expect_err("the third pair must panic");
    assert!(!finished.get());
    let line = wrong.get();
    assert_eq!(
        common::first_line(&message),
        "lock order violation: acquiring `A` (rank 1) while holding `C` (rank 3)"
    );
    assert_report(
        &message,
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(line, "l.a.lock")),
        &lock("C", Some(3), site!(line, "l.c.lock")),
    );
    // The panic came before A was taken, and C's guard was a temporary of the unwound
    // statement: C is poisoned, A is not.
    assert!(l.c.is_poisoned() && !l.a.is_poisoned());
    // The thread goes on with a clean record.
    let ((), violations) = collecting(|| unlock_2(l.a.lock(), l.b.lock()));
    assert!(violations.is_empty());
}

#[test]
fn every_family_in_one_thread_reports_once_per_family() {
    // Run back to back, the families do not leak state into each other: six reports, one each.
    let l = locks();
    let ((), violations) = collecting(|| {
        for pairs in ["AB BA", "AB BC CA", "AB CA BC", "AB BC CD DA", "AB CD BD DA", "AB CD BC DA"] {
            for pair in pairs.split(' ') {
                let bytes = pair.as_bytes();
                let guard = |letter: u8| -> Box<dyn common::Guard + '_> {
                    match letter {
                        b'A' => Box::new(l.a.lock().unwrap()),
                        b'B' => Box::new(l.b.lock().unwrap()),
                        b'C' => Box::new(l.c.lock().unwrap()),
                        _ => Box::new(l.d.lock().unwrap()),
                    }
                };
                let first = guard(bytes[0]);
                let second = guard(bytes[1]);
                drop(second);
                drop(first);
            }
        }
    });
    let summary: Vec<(String, String)> =
        violations.iter().map(|v| (v.held.name(), v.acquiring.name())).collect();
    let expected: Vec<(String, String)> = if CHECKS_ENABLED {
        [("B", "A"), ("C", "A"), ("C", "A"), ("D", "A"), ("D", "A"), ("D", "A")]
            .map(|(h, a)| (h.to_owned(), a.to_owned()))
            .to_vec()
    } else {
        Vec::new()
    };
    assert_eq!(summary, expected);
}
