//! `lock_rank::parking_lot::Mutex` (and `FairMutex`) end to end: two threads in opposite
//! orders, recursive acquisition, the lockdep ABBA family, `try_lock` and timed acquires out of
//! order, `unlocked`, `map`, fair unlocking and `bump`, `lock_all`, the `#[lock_rank]` forms, and
//! what an unchecked build compiles to.

#![cfg(feature = "parking_lot")]

#[macro_use]
mod common;

use std::cell::Cell;
use std::mem::size_of;
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::{assert_report, assert_violation, catch, collecting, held, lock, run_bounded, FINISH, HANG};
use lock_rank::parking_lot::{
    const_fair_mutex, const_mutex, FairMutex, FairMutexGuard, MappedMutexGuard, Mutex, MutexGuard,
};
use lock_rank::{lock_rank, LockClass, Violation, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct A;
#[lock_rank(2)]
struct B;
#[lock_rank(3)]
struct C;
#[lock_rank(4)]
struct D;

/// What one thread of a two-thread scenario sends back: its name, the lines of its two acquires,
/// and how its second acquire ended (`Ok(true)`: taken, `Ok(false)`: timed out).
type Report = (&'static str, (u32, u32), Result<bool, String>);

/// Spawns a thread that locks `first`, meets the other thread at `barrier` (both then hold their
/// first lock) and locks `second`: with `lock()` when checks are on, with a bounded
/// `try_lock_for` otherwise, so that the real deadlock an unchecked build walks into ends by
/// itself.
fn spawn_pair<F: LockClass, S: LockClass>(
    name: &'static str,
    first: Arc<Mutex<u32, F>>,
    second: Arc<Mutex<u32, S>>,
    barrier: Arc<Barrier>,
    done: mpsc::Sender<Report>,
) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let lines = Cell::new((0, 0));
            let result = catch(|| {
                let first_line = line!() + 1;
                let _first = first.lock();
                barrier.wait();
                thread::sleep(Duration::from_millis(20));
                if CHECKS_ENABLED {
                    lines.set((first_line, line!() + 1));
                    let _second = second.lock();
                    true
                } else {
                    second.try_lock_for(HANG).is_some()
                }
            });
            let _ = done.send((name, lines.get(), result.clone()));
            if let Err(message) = result {
                std::panic::resume_unwind(Box::new(message));
            }
        })
        .expect("spawn")
}

#[test]
fn opposite_orders_in_two_threads_stop_the_wrong_order_thread_with_both_sites() {
    let a: Arc<Mutex<u32, A>> = Arc::new(Mutex::new(0));
    let b: Arc<Mutex<u32, B>> = Arc::new(Mutex::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let (done, finished) = mpsc::channel();
    let in_order = spawn_pair("in-order", a.clone(), b.clone(), barrier.clone(), done.clone());
    let wrong_order = spawn_pair("wrong-order", b.clone(), a.clone(), barrier, done);

    let mut reports = [
        finished.recv_timeout(FINISH).expect("a thread hung"),
        finished.recv_timeout(FINISH).expect("a thread hung"),
    ];
    reports.sort_by_key(|r| r.0);
    let [(_, _, in_order_result), (_, (b_line, a_line), wrong_order_result)] = &reports;
    if !CHECKS_ENABLED {
        // Without checks this is a real deadlock: each thread holds its first lock and waits for
        // the other's, until one times out and lets the other through.
        let ended = [in_order_result.clone().unwrap(), wrong_order_result.clone().unwrap()];
        assert!(ended.contains(&false), "one of them must have timed out: {ended:?}");
        in_order.join().unwrap();
        wrong_order.join().unwrap();
        return;
    }
    assert_eq!(in_order_result, &Ok(true), "the thread locking in order must finish");
    let message = wrong_order_result.clone().expect_err("the wrong-order thread must be stopped");
    let acquiring = lock("A", Some(1), site!(*a_line, "second.lock"));
    let holding = lock("B", Some(2), site!(*b_line, "first.lock"));
    assert_report(&message, ViolationKind::LockOrder, &acquiring, &holding);
    assert!(message.contains("by:            thread `wrong-order`"), "{message}");
    in_order.join().expect("in-order thread");
    let payload = wrong_order.join().expect_err("wrong-order thread panicked");
    assert_eq!(common::panic_message(payload), message);
    // parking_lot does not poison: both locks are free and usable.
    assert_eq!((*a.lock(), *b.lock()), (0, 0));
}

#[test]
fn a_contended_lock_shows_the_waiter_blocked_on_the_holder_and_then_takes_it() {
    if !CHECKS_ENABLED {
        return;
    }
    let mutex: Arc<Mutex<u32, B>> = Arc::new(Mutex::new(0));
    let holding = mutex.lock();
    let waiter = {
        let mutex = Arc::clone(&mutex);
        thread::Builder::new()
            .name("pl-waiter".into())
            .spawn(move || {
                let mut guard = mutex.lock();
                *guard += 1;
                held().len()
            })
            .unwrap()
    };
    // The waiter shows as blocked on the mutex, held by this thread only, and holds nothing itself
    // (its record made ahead of the try was taken back when the try failed).
    let deadline = Instant::now() + FINISH;
    let waiting = loop {
        let dump = lock_rank::dump();
        let waiter = dump.holders.iter().find(|h| h.holder.thread_name() == Some("pl-waiter")).cloned();
        if let Some(state) = waiter.filter(|s| s.blocked_on.is_some()) {
            break state;
        }
        assert!(Instant::now() < deadline, "the waiter never showed as blocked:\n{dump}");
        thread::sleep(Duration::from_millis(1));
    };
    let blocked = waiting.blocked_on.as_ref().unwrap();
    assert_eq!(blocked.lock.class.map(|c| c.name()), Some(B::INFO.unwrap().name()));
    let holders: Vec<_> = blocked.holders.iter().map(|h| h.holder.thread_id()).collect();
    assert_eq!(holders, [Some(thread::current().id())]);
    assert!(waiting.held.is_empty(), "the waiter holds {:?}", waiting.held);
    drop(holding);
    let held_inside = run_bounded("pl-join", FINISH, move || waiter.join().unwrap()).finished();
    assert_eq!(held_inside, 1, "the waiter held the mutex, recorded once");
    assert_eq!(*mutex.lock(), 1);
}

#[test]
fn the_same_two_threads_in_one_order_both_finish_without_a_report() {
    let a: Arc<Mutex<u32, A>> = Arc::new(Mutex::new(0));
    let b: Arc<Mutex<u32, B>> = Arc::new(Mutex::new(0));
    let barrier = Arc::new(Barrier::new(1));
    let (done, finished) = mpsc::channel();
    let workers: Vec<_> = ["first", "second"]
        .map(|name| spawn_pair(name, a.clone(), b.clone(), barrier.clone(), done.clone()))
        .into();
    for _ in 0..2 {
        let (name, _, result) = finished.recv_timeout(FINISH).expect("a thread locking in order hung");
        assert_eq!(result, Ok(true), "thread {name}");
    }
    for worker in workers {
        worker.join().unwrap();
    }
}

#[test]
fn relocking_a_held_mutex_is_reported_before_it_blocks() {
    let outcome = run_bounded("relock", if CHECKS_ENABLED { FINISH } else { HANG }, || {
        let m: Mutex<u8, A> = Mutex::new(0);
        let line = line!() + 1;
        let _first = m.lock();
        let message = catch(|| drop(m.lock())).expect_err("a relock must not return");
        (line, message)
    });
    if !CHECKS_ENABLED {
        outcome.assert_self_deadlocked();
        return;
    }
    let (line, message) = outcome.finished();
    let held = lock("A", Some(1), site!(line, "m.lock"));
    let acquiring = lock("A", Some(1), site!(line + 1, "m.lock"));
    assert_report(&message, ViolationKind::RecursiveAcquisition, &acquiring, &held);
}

#[test]
fn relocking_a_held_mutex_panics_even_when_the_policy_continues() {
    let outcome = run_bounded("relock-report", if CHECKS_ENABLED { FINISH } else { HANG }, || {
        let m: Mutex<u8> = Mutex::new(0);
        let _first = m.lock();
        let (result, seen) = collecting(|| catch(|| drop(m.lock())));
        (result, seen.len())
    });
    if !CHECKS_ENABLED {
        outcome.assert_self_deadlocked();
        return;
    }
    let (result, reported) = outcome.finished();
    assert_eq!(reported, 1, "reported once through the policy");
    assert!(result.expect_err("cannot go on").contains("this acquire can never succeed"));
}

/// The lockdep families (`lib/locking-selftest.c`) in one thread, each pair locked then released
/// before the next: the first pair that goes down in rank is reported, naming its two acquires.
#[test]
fn lockdep_families_report_their_first_wrong_pair() {
    struct Locks {
        a: Mutex<(), A>,
        b: Mutex<(), B>,
        c: Mutex<(), C>,
        d: Mutex<(), D>,
    }
    let l = Locks { a: Mutex::new(()), b: Mutex::new(()), c: Mutex::new(()), d: Mutex::new(()) };
    fn pair<X, Y>(x: X, y: Y) {
        drop(y);
        drop(x);
    }
    /// A family's name, the line of each pair, what it reported, which pair goes wrong, and
    /// that pair's held and acquired locks.
    type Family<'a> = (&'a str, Vec<u32>, Vec<Violation>, usize, (&'a str, &'a str));
    let families: Vec<Family> = vec![
        {
            let (lines, v) = collecting(|| {
                let ab = (line!(), pair(l.a.lock(), l.b.lock())).0;
                let ba = (line!(), pair(l.b.lock(), l.a.lock())).0;
                vec![ab, ba]
            });
            ("ABBA", lines, v, 1, ("B", "A"))
        },
        {
            let (lines, v) = collecting(|| {
                let ab = (line!(), pair(l.a.lock(), l.b.lock())).0;
                let bc = (line!(), pair(l.b.lock(), l.c.lock())).0;
                let ca = (line!(), pair(l.c.lock(), l.a.lock())).0;
                vec![ab, bc, ca]
            });
            ("ABBCCA", lines, v, 2, ("C", "A"))
        },
        {
            let (lines, v) = collecting(|| {
                let ab = (line!(), pair(l.a.lock(), l.b.lock())).0;
                let ca = (line!(), pair(l.c.lock(), l.a.lock())).0;
                let bc = (line!(), pair(l.b.lock(), l.c.lock())).0;
                vec![ab, ca, bc]
            });
            ("ABCABC", lines, v, 1, ("C", "A"))
        },
        {
            let (lines, v) = collecting(|| {
                let ab = (line!(), pair(l.a.lock(), l.b.lock())).0;
                let bc = (line!(), pair(l.b.lock(), l.c.lock())).0;
                let cd = (line!(), pair(l.c.lock(), l.d.lock())).0;
                let da = (line!(), pair(l.d.lock(), l.a.lock())).0;
                vec![ab, bc, cd, da]
            });
            ("ABBCCDDA", lines, v, 3, ("D", "A"))
        },
        {
            let (lines, v) = collecting(|| {
                let ab = (line!(), pair(l.a.lock(), l.b.lock())).0;
                let cd = (line!(), pair(l.c.lock(), l.d.lock())).0;
                let bd = (line!(), pair(l.b.lock(), l.d.lock())).0;
                let da = (line!(), pair(l.d.lock(), l.a.lock())).0;
                vec![ab, cd, bd, da]
            });
            ("ABCDBDDA", lines, v, 3, ("D", "A"))
        },
        {
            let (lines, v) = collecting(|| {
                let ab = (line!(), pair(l.a.lock(), l.b.lock())).0;
                let cd = (line!(), pair(l.c.lock(), l.d.lock())).0;
                let bc = (line!(), pair(l.b.lock(), l.c.lock())).0;
                let da = (line!(), pair(l.d.lock(), l.a.lock())).0;
                vec![ab, cd, bc, da]
            });
            ("ABCDBCDA", lines, v, 3, ("D", "A"))
        },
    ];
    let needle = |name: &str| match name {
        "A" => ("l.a.lock", 1),
        "B" => ("l.b.lock", 2),
        "C" => ("l.c.lock", 3),
        _ => ("l.d.lock", 4),
    };
    for (family, lines, violations, wrong, (holding, acquiring)) in families {
        assert!(lock_rank::held_locks().is_empty(), "{family}: every pair was released");
        if !CHECKS_ENABLED {
            assert!(violations.is_empty(), "{family}: {violations:?}");
            continue;
        }
        assert_eq!(violations.len(), 1, "{family}: only the first wrong pair: {violations:#?}");
        let (held_needle, held_rank) = needle(holding);
        let (acquiring_needle, acquiring_rank) = needle(acquiring);
        let expected_held = lock(holding, Some(held_rank), site!(lines[wrong], held_needle));
        let expected_acquiring = lock(acquiring, Some(acquiring_rank), site!(lines[wrong], acquiring_needle));
        assert_violation(&violations[0], ViolationKind::LockOrder, &expected_acquiring, &expected_held);
        assert!(violations[0].also_held.is_empty(), "{family}: one pair at a time");
    }
}

#[test]
fn try_lock_out_of_order_is_never_reported_and_counts_as_held() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let c: Mutex<u8, C> = Mutex::new(0);
    let (lines, seen) = collecting(|| {
        let c_line = line!() + 1;
        let _c = c.lock();
        let a_line = line!() + 1;
        let a_guard = a.try_lock().expect("free");
        assert!(a.try_lock().is_none(), "held by this thread: would block, so none, and no report");
        if CHECKS_ENABLED {
            assert_eq!(held().iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["C", "A"]);
        }
        let b_line = line!() + 1;
        let _b = b.lock(); // below the held C: reported
        drop(a_guard);
        (c_line, a_line, b_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    let (c_line, a_line, b_line) = lines;
    assert_eq!(seen.len(), 1, "only the blocking acquire is reported: {seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("B", Some(2), site!(b_line, "b.lock")),
        &lock("C", Some(3), site!(c_line, "c.lock")),
    );
    assert_eq!(seen[0].also_held.len(), 1, "the try-locked A is held too: {}", seen[0]);
    assert_eq!(seen[0].also_held[0].site().to_string(), site!(a_line, "a.try_lock"));
}

/// Timed acquires are never violations: they give up when their timeout passes, so they cannot
/// keep a deadlock going. Two threads taking the pair in opposite orders with timeouts end by
/// themselves, with no report; what was taken is recorded.
#[test]
fn timed_acquires_out_of_order_are_never_reported_and_end_by_themselves() {
    let a: Arc<Mutex<u8, A>> = Arc::new(Mutex::new(0));
    let b: Arc<Mutex<u8, B>> = Arc::new(Mutex::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let run = |first_is_b: bool| {
        let (a, b, barrier) = (a.clone(), b.clone(), barrier.clone());
        run_bounded(if first_is_b { "b-then-a" } else { "a-then-b" }, FINISH, move || {
            collecting(|| {
                let deadline = Instant::now() + Duration::from_millis(100);
                if first_is_b {
                    let _b = b.lock();
                    barrier.wait();
                    let taken = a.try_lock_until(deadline);
                    (taken.is_some(), lock_rank::held_locks().len())
                } else {
                    let _a = a.lock();
                    barrier.wait();
                    let taken = b.try_lock_for(Duration::from_millis(100));
                    (taken.is_some(), lock_rank::held_locks().len())
                }
            })
        })
    };
    let (wrong, right) = thread::scope(|s| {
        let wrong = s.spawn(|| run(true));
        let right = s.spawn(|| run(false));
        (wrong.join().unwrap().finished(), right.join().unwrap().finished())
    });
    for ((taken, recorded), seen) in [wrong, right] {
        assert!(seen.is_empty(), "a timed acquire is never a violation: {seen:#?}");
        let expected = if CHECKS_ENABLED { 1 + usize::from(taken) } else { 0 };
        assert_eq!(recorded, expected, "the lock taken by the timed acquire is recorded");
    }

    // Recursive: a timed acquire of a mutex this thread holds times out, unreported.
    let (timed_out, seen) = collecting(|| {
        let _a = a.lock();
        a.try_lock_for(Duration::from_millis(10)).is_none()
    });
    assert!(timed_out && seen.is_empty(), "{seen:#?}");
}

#[test]
fn a_blocking_acquire_below_a_timed_one_is_reported() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let (b_line, seen) = collecting(|| {
        let b_line = line!() + 1;
        let _b = b.try_lock_for(Duration::from_millis(10)).unwrap();
        let _a = a.lock();
        b_line
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1);
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(b_line + 1, "a.lock")),
        &lock("B", Some(2), site!(b_line, "b.try_lock_for")),
    );
}

#[test]
fn unlocked_rechecks_the_reacquire_against_what_is_held_when_the_closure_returns() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let (lines, seen) = collecting(|| {
        let mut guard_a = a.lock();
        // In order: B taken and released inside, then A again. No report.
        let in_order = MutexGuard::unlocked(&mut guard_a, || {
            assert!(lock_rank::held_locks().is_empty(), "A is not held while the closure runs");
            *b.lock() + 1
        });
        assert_eq!(in_order, 1);
        let relock_line = line!() - 5;
        if CHECKS_ENABLED {
            assert_eq!(held(), [lock("A", Some(1), site!(relock_line, "MutexGuard::unlocked"))]);
        }
        // Out of order: the closure hands back B's guard, so A is re-acquired while B is held.
        let b_line = line!() + 1;
        let guard_b = MutexGuard::unlocked(&mut guard_a, || b.lock());
        drop(guard_b);
        (relock_line, b_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    let (_, b_line) = lines;
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(b_line, "MutexGuard::unlocked")),
        &lock("B", Some(2), site!(b_line, "b.lock")),
    );
    assert!(lock_rank::held_locks().is_empty());
}

#[test]
fn a_panic_inside_unlocked_leaves_the_mutex_locked_by_the_guard_and_recorded() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let mut guard = a.lock();
    let line = line!() + 1;
    let caught = catch(|| MutexGuard::unlocked(&mut guard, || panic!("inside")));
    let message = caught.expect_err("the closure panicked");
    assert_eq!(message, "inside");
    assert!(a.is_locked(), "locked again while unwinding, as lock_api does");
    if CHECKS_ENABLED {
        // Recorded again, with the `unlocked` call as its site: later acquires are checked against it.
        assert_eq!(held(), [lock("A", Some(1), site!(line, "MutexGuard::unlocked"))]);
    }
    let (_, seen) = collecting(|| drop(b.lock()));
    assert!(seen.is_empty(), "{seen:#?}");
    drop(guard);
    assert!(!a.is_locked() && lock_rank::held_locks().is_empty());
}

#[test]
fn a_mapped_guard_keeps_the_record_of_its_mutex() {
    let a: Mutex<(u8, u8), A> = Mutex::new((1, 2));
    let b: Mutex<u8, B> = Mutex::new(0);
    let ((b_line, a_line), seen) = collecting(|| {
        let b_line = line!() + 1;
        let b_guard = b.lock();
        let a_line = line!() + 1;
        let mut second: MappedMutexGuard<'_, u8, A> = MutexGuard::map(a.lock(), |pair| &mut pair.1);
        *second += 1;
        let narrower = MappedMutexGuard::map(second, |value| value);
        if CHECKS_ENABLED {
            assert_eq!(held().len(), 2, "one record per mutex, mapped or not");
        }
        drop(narrower);
        drop(b_guard);
        let failed = MutexGuard::try_map(a.lock(), |_| None::<&mut u8>);
        let guard = failed.expect_err("nothing to map");
        assert_eq!(held().len(), usize::from(CHECKS_ENABLED), "the guard comes back with its record");
        drop(guard);
        (b_line, a_line)
    });
    assert_eq!(*a.lock(), (1, 3));
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1);
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(a_line, "a.lock")),
        &lock("B", Some(2), site!(b_line, "b.lock")),
    );
    assert!(lock_rank::held_locks().is_empty());
}

#[test]
fn fair_unlocking_forgets_the_record_and_bump_rechecks_the_reacquire() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let (lines, seen) = collecting(|| {
        MutexGuard::unlock_fair(a.lock());
        assert!(!a.is_locked() && lock_rank::held_locks().is_empty());
        MappedMutexGuard::unlock_fair(MutexGuard::map(a.lock(), |v| v));
        assert!(!a.is_locked() && lock_rank::held_locks().is_empty());

        let mut guard_a = a.lock();
        let in_order_line = line!() + 1;
        MutexGuard::bump(&mut guard_a); // nothing else held: fine
        if CHECKS_ENABLED {
            assert_eq!(held(), [lock("A", Some(1), site!(in_order_line, "MutexGuard::bump"))]);
        }
        let b_line = line!() + 1;
        let _b = b.lock();
        MutexGuard::bump(&mut guard_a); // A re-acquired while B is held: reported
        MutexGuard::unlocked_fair(&mut guard_a, || ());
        (b_line, b_line + 1)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    let (b_line, bump_line) = lines;
    assert_eq!(seen.len(), 2, "the bump and the end of unlocked_fair: {seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(bump_line, "MutexGuard::bump")),
        &lock("B", Some(2), site!(b_line, "b.lock")),
    );
    assert_eq!(seen[1].acquiring.site().to_string(), site!(bump_line + 1, "MutexGuard::unlocked_fair"));
}

#[test]
fn a_bump_hands_the_mutex_to_a_waiting_thread_and_takes_it_back() {
    let a: Arc<Mutex<Vec<&str>, A>> = Arc::new(Mutex::new(Vec::new()));
    let mut guard = a.lock();
    let waiter = {
        let a = a.clone();
        thread::spawn(move || a.lock().push("waiter"))
    };
    while !waiter.is_finished() && guard.is_empty() {
        // Wait until the other thread is parked on the mutex, then hand it over.
        thread::sleep(Duration::from_millis(5));
        MutexGuard::bump(&mut guard);
    }
    guard.push("owner");
    drop(guard);
    waiter.join().unwrap();
    assert_eq!(*a.lock(), ["waiter", "owner"]);
}

#[test]
fn lock_all_takes_one_rank_together_and_checks_it_once() {
    let accounts: Vec<Mutex<i64, B>> = (0..3).map(|_| Mutex::new(100)).collect();
    let a: Mutex<u8, A> = Mutex::new(0);
    let c: Mutex<u8, C> = Mutex::new(0);
    let (_, seen) = collecting(|| {
        let _a = a.lock();
        let mut all = Mutex::lock_all([&accounts[2], &accounts[0]]);
        *all[0] -= 10;
        *all[1] += 10;
        assert_eq!(lock_rank::held_locks().len(), if CHECKS_ENABLED { 3 } else { 0 });
        drop(all);
        let _c = c.lock();
        let _late = Mutex::lock_all([&accounts[1]]); // below C: reported once
    });
    assert_eq!(seen.len(), usize::from(CHECKS_ENABLED), "{seen:#?}");
    assert_eq!(accounts.iter().map(|m| *m.lock()).collect::<Vec<_>>(), [110, 100, 90]);
}

#[test]
fn guards_dropped_in_any_order_keep_the_held_set_right() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let c: Mutex<u8, C> = Mutex::new(0);
    let (_, seen) = collecting(|| {
        let ga = a.lock();
        let gb = b.lock();
        let gc = c.lock();
        drop(gb);
        drop(gc);
        let gb = b.lock(); // only A held: fine
        drop(ga);
        let names: Vec<String> = held().into_iter().map(|l| l.name).collect();
        assert_eq!(names, if CHECKS_ENABLED { vec!["B".to_owned()] } else { vec![] });
        drop(gb);
    });
    assert!(seen.is_empty(), "{seen:#?}");
    assert!(lock_rank::held_locks().is_empty());
}

#[lock_rank(10)]
static SESSIONS: Mutex<Vec<u32>> = const_mutex(Vec::new());
#[lock_rank(20)]
static METRICS: Mutex<u64> = Mutex::new(0);
#[lock_rank(15)]
static TICKETS: FairMutex<u32> = const_fair_mutex(0);

#[lock_rank::ranked]
struct Server {
    #[lock_rank(30)]
    queue: Mutex<Vec<u8>>,
    #[lock_rank(5)]
    config: FairMutex<String>,
}

#[test]
fn lock_rank_ranks_statics_fields_and_classes_of_parking_lot_locks() {
    assert_eq!(lock_rank::class_of(&SESSIONS).map(|c| (c.name(), c.rank())), Some(("SESSIONS", 10)));
    assert_eq!(lock_rank::class_of(&METRICS).map(|c| c.rank()), Some(20));
    assert_eq!(lock_rank::class_of(&TICKETS).map(|c| c.rank()), Some(15));
    let server = Server { queue: Mutex::new(vec![]), config: FairMutex::new(String::new()) };
    assert_eq!(lock_rank::class_of(&server.queue).map(|c| c.name()), Some("Server::queue"));
    assert_eq!(lock_rank::class_of(&server.config).map(|c| c.rank()), Some(5));
    let names: Vec<&str> = lock_rank::registry::classes().iter().map(|c| c.name()).collect();
    for name in ["SESSIONS", "METRICS", "TICKETS", "Server::queue", "Server::config"] {
        assert!(names.contains(&name), "{name} registered: {names:?}");
    }

    let (lines, seen) = collecting(|| {
        let _config = server.config.lock();
        SESSIONS.lock().push(1);
        let tickets_line = line!() + 1;
        let mut tickets: FairMutexGuard<'_, u32, _> = TICKETS.lock();
        *tickets += 1;
        let sessions_line = line!() + 1;
        let _sessions = SESSIONS.lock(); // 10 while holding 15
        *METRICS.lock() += 1;
        server.queue.lock().push(1);
        (tickets_line, sessions_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("SESSIONS", Some(10), site!(lines.1, "SESSIONS.lock")),
        &lock("TICKETS", Some(15), site!(lines.0, "TICKETS.lock")),
    );
    assert_eq!(seen[0].also_held.len(), 1, "Server::config: {}", seen[0]);
}

#[test]
fn without_checks_the_locks_are_parking_lots_and_nothing_is_recorded() {
    // With checks a lock also keeps its origin: class and creation site, two words.
    let origin = if CHECKS_ENABLED { 2 * size_of::<usize>() } else { 0 };
    assert_eq!(size_of::<Mutex<u64>>(), size_of::<parking_lot::Mutex<u64>>() + origin);
    assert_eq!(size_of::<Mutex<u64, A>>(), size_of::<parking_lot::Mutex<u64>>() + origin);
    if CHECKS_ENABLED {
        return;
    }
    assert_eq!(size_of::<FairMutex<[u8; 3]>>(), size_of::<parking_lot::FairMutex<[u8; 3]>>());
    assert_eq!(size_of::<Option<Mutex<u8>>>(), size_of::<Option<parking_lot::Mutex<u8>>>());
    assert_eq!(size_of::<MutexGuard<'_, u64, A>>(), size_of::<parking_lot::MutexGuard<'_, u64>>());
    assert_eq!(size_of::<MappedMutexGuard<'_, u64>>(), size_of::<parking_lot::MappedMutexGuard<'_, u64>>());
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let (_, seen) = collecting(|| {
        let _b = b.lock();
        let _a = a.lock(); // out of order, unchecked: nothing
        assert!(lock_rank::held_locks().is_empty());
    });
    assert!(seen.is_empty());
}
