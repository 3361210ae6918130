//! `lock_rank::parking_lot::RwLock`: reads and writes in and out of order, recursive reads and
//! `read_recursive`, upgradable reads (an upgrade is one record changing access, and is checked
//! against the other locks held), downgrades, try and timed acquires, `unlocked`, `bump`, `map`.

#![cfg(feature = "parking_lot")]

#[macro_use]
mod common;

use std::mem::size_of;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::{assert_report, assert_violation, catch, collecting, held, lock, run_bounded, FINISH, HANG};
use lock_rank::parking_lot::{
    const_rwlock, Mutex, RwLock, RwLockReadGuard, RwLockUpgradableReadGuard, RwLockWriteGuard,
};
use lock_rank::{lock_rank, Access, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct A;
#[lock_rank(2)]
struct B;
#[lock_rank(3)]
struct C;

#[lock_rank(7)]
static CONFIG: RwLock<Vec<&str>> = const_rwlock(Vec::new());

/// The locks this thread holds, with how each is held.
fn held_access() -> Vec<(String, Access)> {
    lock_rank::held_locks().iter().map(|a| (a.name(), a.access)).collect()
}

#[test]
fn reads_and_writes_in_order_are_fine() {
    let a: RwLock<u8, A> = RwLock::new(0);
    let b: RwLock<u8, B> = RwLock::new(0);
    let (_, seen) = collecting(|| {
        let _a = a.read();
        let _b = b.write();
        drop(_b);
        let _b = b.read();
        assert_eq!(held_access().len(), if CHECKS_ENABLED { 2 } else { 0 });
        CONFIG.write().push("in order");
    });
    assert!(seen.is_empty(), "{seen:#?}");
    assert_eq!(*CONFIG.read(), ["in order"]);
}

#[test]
fn a_read_below_a_held_write_is_a_lock_order_violation() {
    let a: RwLock<u8, A> = RwLock::new(0);
    let b: RwLock<u8, B> = RwLock::new(0);
    let (lines, seen) = collecting(|| {
        let b_line = line!() + 1;
        let _b = b.write();
        let a_line = line!() + 1;
        let _a = a.read();
        (b_line, a_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1);
    let (acquiring, holding) =
        (lock("A", Some(1), site!(lines.1, "a.read")), lock("B", Some(2), site!(lines.0, "b.write")));
    assert_violation(&seen[0], ViolationKind::LockOrder, &acquiring, &holding);
    assert_eq!((seen[0].acquiring.access, seen[0].held.access), (Access::Shared, Access::Exclusive));
    assert_report(&seen[0].to_string(), ViolationKind::LockOrder, &acquiring, &holding);
    assert!(seen[0].to_string().contains("acquiring:     `A` (read) rank 1"), "{}", seen[0]);
}

#[test]
fn a_second_read_is_reported_and_read_recursive_is_the_read_that_is_allowed() {
    let a: RwLock<u8, A> = RwLock::new(1);
    let b: Mutex<u8, B> = Mutex::new(0);
    let (lines, seen) = collecting(|| {
        let first_line = line!() + 1;
        let first = a.read();
        let _b = b.lock();
        // Neither blocking nor a violation, although B (rank 2) is held: it cannot wait.
        let recursive = a.read_recursive();
        assert_eq!(held_access().len(), if CHECKS_ENABLED { 3 } else { 0 }, "recorded once more");
        drop(recursive);
        let second_line = line!() + 1;
        let second = a.read(); // reported: a queued writer would deadlock it
        assert_eq!(*first + *second, 2);
        (first_line, second_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1, "only the plain read: {seen:#?}");
    let (acquiring, holding) =
        (lock("A", Some(1), site!(lines.1, "a.read")), lock("A", Some(1), site!(lines.0, "a.read")));
    assert_violation(&seen[0], ViolationKind::RecursiveAcquisition, &acquiring, &holding);
    assert!(seen[0].to_string().contains("reuse the first read guard"), "{}", seen[0]);

    // Without a read held, read_recursive is a blocking read, checked as one.
    let (_, seen) = collecting(|| {
        let _b = b.lock();
        drop(a.read_recursive());
    });
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_eq!(seen[0].kind, ViolationKind::LockOrder);
}

#[test]
fn a_write_after_a_read_or_a_read_after_a_write_of_one_lock_is_recursive_and_stops() {
    for write_first in [false, true] {
        let outcome = run_bounded("relock", if CHECKS_ENABLED { FINISH } else { HANG }, move || {
            let lock: RwLock<u8, A> = RwLock::new(0);
            collecting(|| {
                catch(|| {
                    if write_first {
                        let _w = lock.write();
                        drop(lock.read_recursive()); // a recursive read cannot pass a writer
                    } else {
                        let _r = lock.read();
                        drop(lock.write());
                    }
                })
            })
        });
        if !CHECKS_ENABLED {
            outcome.assert_self_deadlocked();
            continue;
        }
        let (result, seen) = outcome.finished();
        assert_eq!(seen.len(), 1, "{seen:#?}");
        assert_eq!(seen[0].kind, ViolationKind::RecursiveAcquisition);
        assert!(result.expect_err("cannot go on").contains("can never succeed"));
    }
}

#[test]
fn an_upgrade_changes_the_one_record_of_the_lock_and_so_do_downgrades() {
    let a: RwLock<Vec<u8>, A> = RwLock::new(vec![]);
    let (lines, seen) = collecting(|| {
        let read_line = line!() + 1;
        let upgradable = a.upgradable_read();
        if CHECKS_ENABLED {
            assert_eq!(held_access(), [("A".to_owned(), Access::Upgradable)]);
            assert_eq!(held(), [lock("A", Some(1), site!(read_line, "a.upgradable_read"))]);
        }
        let upgrade_line = line!() + 1;
        let mut write = RwLockUpgradableReadGuard::upgrade(upgradable);
        write.push(1);
        if CHECKS_ENABLED {
            assert_eq!(held_access(), [("A".to_owned(), Access::Exclusive)], "not a second acquisition");
            assert_eq!(
                held(),
                [lock("A", Some(1), site!(upgrade_line, "RwLockUpgradableReadGuard::upgrade"))]
            );
        }
        let upgradable = RwLockWriteGuard::downgrade_to_upgradable(write);
        let expected = |access| if CHECKS_ENABLED { vec![("A".to_owned(), access)] } else { vec![] };
        assert_eq!(held_access(), expected(Access::Upgradable));
        let read = RwLockUpgradableReadGuard::downgrade(upgradable);
        assert_eq!(held_access(), expected(Access::Shared));
        drop(read);
        let read = RwLockWriteGuard::downgrade(a.write());
        assert_eq!(held_access(), expected(Access::Shared));
        assert_eq!(*read, [1]);
        drop(read);
        assert!(held_access().is_empty());
        let upgradable = a.upgradable_read();
        let write = RwLockUpgradableReadGuard::try_upgrade(upgradable).expect("no other reader");
        assert_eq!(held_access(), expected(Access::Exclusive));
        drop(write);
        (read_line, upgrade_line)
    });
    assert!(seen.is_empty(), "{seen:#?}");
    let _ = lines;
}

#[test]
fn a_downgrade_keeps_the_site_where_the_lock_was_acquired() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: RwLock<u8, B> = RwLock::new(0);
    let (lines, seen) = collecting(|| {
        let write_line = line!() + 1;
        let read = RwLockWriteGuard::downgrade(b.write());
        let a_line = line!() + 1;
        drop(a.lock()); // rank 1 under the downgraded rank 2: the report names where B was taken
        let expected = |line, needle| {
            if CHECKS_ENABLED {
                vec![lock("B", Some(2), site!(line, needle))]
            } else {
                vec![]
            }
        };
        assert_eq!(held(), expected(write_line, "b.write"));
        drop(read);
        let upgradable_line = line!() + 1;
        let upgradable = RwLockWriteGuard::downgrade_to_upgradable(b.write());
        assert_eq!(held(), expected(upgradable_line, "b.write"));
        let read = RwLockUpgradableReadGuard::downgrade(upgradable);
        assert_eq!(held(), expected(upgradable_line, "b.write"));
        assert_eq!(
            held_access(),
            if CHECKS_ENABLED { vec![("B".to_owned(), Access::Shared)] } else { vec![] }
        );
        drop(read);
        (write_line, a_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    let acquiring = lock("A", Some(1), site!(lines.1, "a.lock"));
    let holding = lock("B", Some(2), site!(lines.0, "b.write"));
    assert_violation(&seen[0], ViolationKind::LockOrder, &acquiring, &holding);
    assert_eq!(seen[0].held.access, Access::Shared);
}

#[test]
fn an_upgrade_while_holding_a_higher_ranked_lock_is_reported_at_the_upgrade() {
    let a: RwLock<u8, A> = RwLock::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let (lines, seen) = collecting(|| {
        let upgradable = a.upgradable_read();
        let b_line = line!() + 1;
        let _b = b.lock();
        let upgrade_line = line!() + 1;
        let write = RwLockUpgradableReadGuard::upgrade(upgradable);
        let mut upgradable = RwLockWriteGuard::downgrade_to_upgradable(write); // not an acquire
        upgradable.with_upgraded(|value| *value += 1); // the upgrade again, through `with_upgraded`
        assert_eq!(*upgradable, 1);
        // A try or timed upgrade cannot hang: never reported.
        let write = RwLockUpgradableReadGuard::try_upgrade(upgradable).ok().unwrap();
        let upgradable = RwLockWriteGuard::downgrade_to_upgradable(write);
        let write =
            RwLockUpgradableReadGuard::try_upgrade_for(upgradable, Duration::from_millis(1)).ok().unwrap();
        drop(write);
        (b_line, upgrade_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 2, "the upgrade and `with_upgraded`: {seen:#?}");
    let acquiring = lock("A", Some(1), site!(lines.1, "RwLockUpgradableReadGuard::upgrade"));
    let holding = lock("B", Some(2), site!(lines.0, "b.lock"));
    assert_violation(&seen[0], ViolationKind::LockOrder, &acquiring, &holding);
    assert_eq!(seen[0].acquiring.access, Access::Exclusive);
    assert!(seen[0].also_held.is_empty(), "the upgradable record is not a second lock: {}", seen[0]);
    assert_eq!(seen[1].kind, ViolationKind::LockOrder);
}

/// Why the upgrade is checked: a reader of A that waits for B (in order) and an upgrader of A
/// that holds B wait for each other. With checks the upgrader is stopped before it waits; without
/// them the test upgrades with a timeout so the deadlock ends by itself.
#[test]
fn an_upgrade_against_a_reader_waiting_for_a_held_lock_is_stopped_before_it_deadlocks() {
    let a: Arc<RwLock<u8, A>> = Arc::new(RwLock::new(0));
    let b: Arc<Mutex<u8, B>> = Arc::new(Mutex::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let reader = {
        let (a, b, barrier) = (a.clone(), b.clone(), barrier.clone());
        thread::spawn(move || {
            let _read = a.read();
            barrier.wait();
            *b.lock() += 1; // in order: A then B
        })
    };
    let upgrader = run_bounded("upgrader", FINISH, move || {
        let upgradable = a.upgradable_read();
        let _b = b.lock();
        barrier.wait();
        thread::sleep(Duration::from_millis(20)); // let the reader block on B
        if CHECKS_ENABLED {
            catch(|| drop(RwLockUpgradableReadGuard::upgrade(upgradable))).err()
        } else {
            let timed_out = RwLockUpgradableReadGuard::try_upgrade_for(upgradable, HANG).is_err();
            assert!(timed_out, "unchecked, the upgrade waits for the reader, which waits for B");
            None
        }
    });
    let report = upgrader.finished();
    assert_eq!(report.is_some(), CHECKS_ENABLED);
    if let Some(report) = report {
        assert!(common::first_line(&report).starts_with("lock order violation: acquiring `A`"), "{report}");
    }
    reader.join().expect("the reader finishes once the upgrader let go of B");
}

#[test]
fn try_and_timed_acquires_are_never_reported_but_count_as_held() {
    let a: RwLock<u8, A> = RwLock::new(0);
    let b: RwLock<u8, B> = RwLock::new(0);
    let c: Mutex<u8, C> = Mutex::new(0);
    let ((b_line, a_line), seen) = collecting(|| {
        let _c = c.lock();
        let reads = [a.try_read(), a.try_read_for(Duration::from_millis(1))];
        assert!(reads.iter().all(Option::is_some));
        let upgradable = a.try_upgradable_read_until(Instant::now() + Duration::from_millis(1)).unwrap();
        assert!(a.try_write().is_none() && a.try_write_for(Duration::from_millis(1)).is_none());
        assert_eq!(held_access().len(), if CHECKS_ENABLED { 4 } else { 0 });
        drop((reads, upgradable));
        let b_line = line!() + 1;
        let _b = b.try_write_until(Instant::now() + Duration::from_millis(1)).unwrap();
        drop(_c);
        let a_line = line!() + 1;
        let _a = a.read(); // blocking, below the timed write of B: reported
        (b_line, a_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(a_line, "a.read")),
        &lock("B", Some(2), site!(b_line, "b.try_write_until")),
    );
}

#[test]
fn unlocked_and_bump_recheck_the_reacquire_and_map_keeps_the_record() {
    let a: RwLock<(u8, u8), A> = RwLock::new((0, 0));
    let b: Mutex<u8, B> = Mutex::new(0);
    let (lines, seen) = collecting(|| {
        let mut read = a.read();
        let b_line = line!() + 1;
        let b_guard = RwLockReadGuard::unlocked(&mut read, || b.lock()); // A again while B held
        drop((read, b_guard));
        let mut write = a.write();
        let b_again_line = line!() + 1;
        let b_guard = b.lock();
        let bump_line = line!() + 1;
        RwLockWriteGuard::bump(&mut write); // A again while B held
        drop(b_guard);
        RwLockWriteGuard::bump(&mut write); // nothing else held now: fine
        let mut first = RwLockWriteGuard::map(write, |pair| &mut pair.0);
        *first = 5;
        assert_eq!(held_access().len(), usize::from(CHECKS_ENABLED), "the mapped guard keeps it");
        drop(first);
        let second = RwLockReadGuard::map(a.read(), |pair| &pair.1);
        assert_eq!(held_access().len(), usize::from(CHECKS_ENABLED));
        drop(second);
        let mut upgradable = a.upgradable_read();
        let seen_inside = RwLockUpgradableReadGuard::unlocked(&mut upgradable, || a.write().0);
        assert_eq!(seen_inside, 5);
        (b_line, b_again_line, bump_line)
    });
    assert!(lock_rank::held_locks().is_empty());
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 2, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(lines.0, "RwLockReadGuard::unlocked")),
        &lock("B", Some(2), site!(lines.0, "b.lock")),
    );
    assert_eq!(seen[0].acquiring.access, Access::Shared);
    assert_violation(
        &seen[1],
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(lines.2, "RwLockWriteGuard::bump")),
        &lock("B", Some(2), site!(lines.1, "b.lock")),
    );
    assert_eq!(seen[1].acquiring.access, Access::Exclusive);
}

#[test]
fn readers_and_writers_in_order_on_many_threads_raise_no_false_report() {
    let a: Arc<RwLock<u64, A>> = Arc::new(RwLock::new(0));
    let b: Arc<Mutex<u64, B>> = Arc::new(Mutex::new(0));
    let workers: Vec<_> = thread::scope(|s| {
        let running: Vec<_> = (0..4)
            .map(|i| {
                let (a, b) = (a.clone(), b.clone());
                s.spawn(move || {
                    run_bounded("worker", FINISH, move || {
                        collecting(|| {
                            for round in 0..200 {
                                match (i + round) % 3 {
                                    0 => *b.lock() += *a.read(),
                                    1 => {
                                        let mut write = a.write();
                                        *write += 1;
                                        *b.lock() += 1;
                                    }
                                    _ => {
                                        let upgradable = a.upgradable_read();
                                        let _b = b.lock();
                                        drop(_b);
                                        *RwLockUpgradableReadGuard::upgrade(upgradable) += 1;
                                    }
                                }
                            }
                        })
                        .1
                    })
                })
            })
            .collect();
        running.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for worker in workers {
        let seen = worker.finished();
        assert!(seen.is_empty(), "{seen:#?}");
    }
    assert!(*a.read() > 0);
}

#[test]
fn without_checks_the_rwlock_and_its_guards_are_parking_lots() {
    // With checks a lock also keeps its origin: class and creation site, two words.
    let origin = if CHECKS_ENABLED { 2 * size_of::<usize>() } else { 0 };
    assert_eq!(size_of::<RwLock<u64, A>>(), size_of::<parking_lot::RwLock<u64>>() + origin);
    if CHECKS_ENABLED {
        return;
    }
    assert_eq!(size_of::<RwLock<[u8; 5]>>(), size_of::<parking_lot::RwLock<[u8; 5]>>());
    assert_eq!(size_of::<RwLockReadGuard<'_, u64, A>>(), size_of::<parking_lot::RwLockReadGuard<'_, u64>>());
    assert_eq!(size_of::<RwLockWriteGuard<'_, u64>>(), size_of::<parking_lot::RwLockWriteGuard<'_, u64>>());
    assert_eq!(
        size_of::<RwLockUpgradableReadGuard<'_, u64>>(),
        size_of::<parking_lot::RwLockUpgradableReadGuard<'_, u64>>()
    );
}
