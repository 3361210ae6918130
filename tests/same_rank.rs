//! Locks sharing one rank: never two at a time through `lock`, only together through
//! `Mutex::lock_all`, which takes them in address order as one acquire of their rank.

#[macro_use]
mod common;

use std::sync::{mpsc, Arc, Barrier, PoisonError};
use std::thread;

use common::{assert_report, assert_violation, catch, collecting, held, lock, FINISH, HANG};
use lock_rank::{lock_rank, Mutex, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct Index;
/// One shard of a table; every shard shares this rank.
#[lock_rank(3)]
struct Shard;
#[lock_rank(7)]
struct Log;

fn shards(n: u32) -> Vec<Mutex<u32, Shard>> {
    (0..n).map(Mutex::new).collect()
}

#[test]
fn two_locks_of_one_class_taken_one_after_the_other_are_an_order_violation() {
    let s = shards(2);
    let (lines, violations) = collecting(|| {
        let (first, _a) = (line!(), s[0].lock().unwrap());
        let (second, _b) = (line!(), s[1].lock().unwrap());
        (first, second)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    assert_eq!(violations.len(), 1);
    let v = &violations[0];
    let acquiring = lock("Shard", Some(3), site!(lines.1, "s[1].lock"));
    let holding = lock("Shard", Some(3), site!(lines.0, "s[0].lock"));
    assert_violation(v, ViolationKind::LockOrder, &acquiring, &holding);
    assert_eq!(
        (v.acquiring.address, v.held.address),
        (&s[1] as *const _ as usize, &s[0] as *const _ as usize)
    );
    assert_eq!(
        common::first_line(&v.to_string()),
        "lock order violation: acquiring `Shard` (rank 3) while holding `Shard` (rank 3)"
    );
    assert_report(&v.to_string(), ViolationKind::LockOrder, &acquiring, &holding);
}

#[test]
fn lock_all_takes_a_class_together_in_address_order_and_returns_guards_in_the_given_order() {
    let s = shards(4);
    let index: Mutex<u8, Index> = Mutex::new(0);
    let log: Mutex<u8, Log> = Mutex::new(0);
    let given = [&s[2], &s[0], &s[3]];
    let ((values, addresses), violations) = collecting(|| {
        let _index = index.lock().unwrap();
        let guards = Mutex::lock_all(given).unwrap();
        let values: Vec<u32> = guards.iter().map(|g| **g).collect();
        let addresses: Vec<usize> = lock_rank::held_locks().iter().map(|a| a.address).collect();
        // Still one acquire of rank 3: a higher rank after it is fine.
        let _log = log.lock().unwrap();
        (values, addresses)
    });
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(values, [2, 0, 3], "guards come back in the order given");
    if CHECKS_ENABLED {
        // Index first, then the three shards as taken: lowest address first.
        let mut expected: Vec<usize> = given.iter().map(|m| *m as *const _ as usize).collect();
        expected.sort_unstable();
        assert_eq!(addresses[0], &index as *const _ as usize);
        assert_eq!(addresses[1..], expected[..]);
    }
    // Each guard releases its own lock.
    let mut guards = Mutex::lock_all([&s[1], &s[3]]).unwrap();
    *guards[1] += 10;
    drop(guards.remove(0));
    assert_eq!(common::held_names().len(), usize::from(CHECKS_ENABLED));
    assert!(s[1].try_lock().is_ok());
    drop(guards);
    assert_eq!(*s[3].lock().unwrap(), 13);
}

#[test]
fn lock_all_records_every_lock_at_the_call_site() {
    let s = shards(2);
    let index: Mutex<u8, Index> = Mutex::new(0);
    let ((), violations) = collecting(|| {
        let (index_line, _i) = (line!(), index.lock().unwrap());
        let (line, guards) = (line!(), Mutex::lock_all([&s[1], &s[0]]));
        let _guards = guards.unwrap();
        if CHECKS_ENABLED {
            let site = site!(line, "Mutex::lock_all");
            assert_eq!(
                held(),
                [
                    lock("Index", Some(1), site!(index_line, "index.lock")),
                    lock("Shard", Some(3), site.clone()),
                    lock("Shard", Some(3), site),
                ]
            );
        }
    });
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn lock_all_naming_one_lock_twice_is_a_recursive_acquisition() {
    let s: Arc<Vec<Mutex<u32, Shard>>> = Arc::new(shards(2));
    let s2 = Arc::clone(&s);
    let outcome =
        common::run_bounded("lock-all-twice", if CHECKS_ENABLED { FINISH } else { HANG }, move || {
            collecting(|| {
                let (line, result) =
                    (line!(), catch(|| Mutex::lock_all([&s2[0], &s2[1], &s2[0]]).map(drop).is_ok()));
                (line, result, lock_rank::held_locks().len())
            })
        });
    if !CHECKS_ENABLED {
        return outcome.assert_self_deadlocked();
    }
    let ((line, result, held_after), violations) = outcome.finished();
    // The group can never be taken: it panics even under the continuing policy, before taking any.
    let message = result.expect_err("lock_all with a duplicate must panic");
    assert_eq!(
        message,
        "recursive lock acquisition: acquiring `Shard` (rank 3) which this thread already holds\n  \
         (panicking although the policy continues: this acquire can never succeed)"
    );
    assert_eq!(held_after, 0);
    assert_eq!(violations.len(), 1);
    let site = site!(line, "Mutex::lock_all");
    assert_violation(
        &violations[0],
        ViolationKind::RecursiveAcquisition,
        &lock("Shard", Some(3), site.clone()),
        &lock("Shard", Some(3), site),
    );
    assert_eq!(violations[0].acquiring.address, &s[0] as *const _ as usize);
    assert!(s.iter().all(|m| m.try_lock().is_ok()), "nothing was left locked");
}

#[test]
fn lock_all_while_holding_a_higher_rank_is_an_order_violation() {
    let s = shards(2);
    let log: Mutex<u8, Log> = Mutex::new(0);
    let (lines, violations) = collecting(|| {
        let (log_line, _log) = (line!(), log.lock().unwrap());
        let (line, guards) = (line!(), Mutex::lock_all([&s[0], &s[1]]));
        assert_eq!(guards.unwrap().len(), 2);
        (log_line, line)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    assert_eq!(violations.len(), 1, "one report for the group: {violations:?}");
    assert_violation(
        &violations[0],
        ViolationKind::LockOrder,
        &lock("Shard", Some(3), site!(lines.1, "Mutex::lock_all")),
        &lock("Log", Some(7), site!(lines.0, "log.lock")),
    );
    // With the default policy it panics before taking anything.
    let _log = log.lock().unwrap();
    let result = catch(|| Mutex::lock_all([&s[1], &s[0]]).map(drop).is_ok());
    assert_eq!(
        common::first_line(&result.unwrap_err()),
        "lock order violation: acquiring `Shard` (rank 3) while holding `Log` (rank 7)"
    );
    assert!(s.iter().all(|m| !m.is_poisoned() && m.try_lock().is_ok()));
}

#[test]
fn lock_all_of_nothing_is_nothing() {
    let none: [&Mutex<u32, Shard>; 0] = [];
    let (guards, violations) = collecting(|| Mutex::lock_all(none).map(|g| g.len()));
    assert_eq!(guards.unwrap(), 0);
    assert!(violations.is_empty());
}

#[test]
fn below_several_held_locks_of_one_rank_the_latest_acquired_is_named() {
    // The conflicting lock named is the highest-ranked one held, and among equals the one
    // acquired last.
    let s = shards(2);
    let index: Mutex<u8, Index> = Mutex::new(0);
    let (lines, violations) = collecting(|| {
        let (first, _a) = (line!(), s[1].try_lock().unwrap());
        let (second, _b) = (line!(), s[0].try_lock().unwrap());
        let (index_line, _i) = (line!(), index.lock().unwrap());
        (first, second, index_line)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    let (first, second, index_line) = lines;
    assert_eq!(violations.len(), 1);
    let v = &violations[0];
    assert_violation(
        v,
        ViolationKind::LockOrder,
        &lock("Index", Some(1), site!(index_line, "index.lock")),
        &lock("Shard", Some(3), site!(second, "s[0].try_lock")),
    );
    assert_eq!(
        v.also_held.iter().map(common::Lock::from).collect::<Vec<_>>(),
        [lock("Shard", Some(3), site!(first, "s[1].try_lock"))]
    );
}

#[test]
fn threads_locking_overlapping_groups_in_opposite_given_orders_do_not_deadlock() {
    let s: Arc<Vec<Mutex<u32, Shard>>> = Arc::new(shards(3));
    let start = Arc::new(Barrier::new(2));
    let (done, finished) = mpsc::channel();
    for reversed in [false, true] {
        let (s, start, done) = (Arc::clone(&s), Arc::clone(&start), done.clone());
        thread::spawn(move || {
            let result = collecting(|| {
                catch(|| {
                    start.wait();
                    for _ in 0..500 {
                        let group = if reversed { [&s[2], &s[1], &s[0]] } else { [&s[0], &s[1], &s[2]] };
                        let mut guards = Mutex::lock_all(group).unwrap_or_else(PoisonError::into_inner);
                        for g in guards.iter_mut() {
                            **g += 1;
                        }
                    }
                })
            });
            let _ = done.send(result);
        });
    }
    for _ in 0..2 {
        let (result, violations) = finished.recv_timeout(FINISH).expect("lock_all deadlocked");
        assert_eq!(result, Ok(()));
        assert!(violations.is_empty(), "{violations:?}");
    }
    assert!(s.iter().enumerate().all(|(i, m)| *m.lock().unwrap() == i as u32 + 1000));
}
