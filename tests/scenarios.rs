//! End-to-end scenarios: two threads locking in opposite orders, re-locking a held mutex,
//! `try_lock`, guards dropped out of order, and unwinding while holding locks.

#[macro_use]
mod common;

use std::cell::Cell;
use std::sync::{mpsc, Arc, Barrier, PoisonError, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

use common::{assert_report, assert_violation, catch, collecting, held, lock, Lock, Outcome, FINISH, HANG};
use lock_rank::{lock_rank, Mutex, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct A;
#[lock_rank(2)]
struct B;
#[lock_rank(3)]
struct C;
#[lock_rank(4)]
struct D;

/// What one thread of a two-thread scenario sends back when it ends: its name, the lines of its
/// two acquires, and whether it was panicking.
type Ended = (&'static str, (u32, u32), bool);

/// Sends [`Ended`] when dropped: at the end of the thread, whether it returns or unwinds.
struct SendOnEnd {
    name: &'static str,
    lines: Cell<(u32, u32)>,
    done: mpsc::Sender<Ended>,
}

impl Drop for SendOnEnd {
    fn drop(&mut self) {
        let _ = self.done.send((self.name, self.lines.get(), thread::panicking()));
    }
}

/// Spawns a thread that takes `first`, meets the other thread at `barrier` (both then hold their
/// first lock), pauses, and takes `second`. A report panics the thread: its `JoinHandle` carries
/// the report as the payload.
fn spawn_pair<F, S>(
    name: &'static str,
    first: Arc<F>,
    second: Arc<S>,
    barrier: Arc<Barrier>,
    done: mpsc::Sender<Ended>,
) -> thread::JoinHandle<()>
where
    F: Lockable + Send + Sync + 'static,
    S: Lockable + Send + Sync + 'static,
{
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            // Declared first, dropped last: after both guards.
            let end = SendOnEnd { name, lines: Cell::new((0, 0)), done };
            let first_line = line!() + 1;
            let _first = first.acquire();
            barrier.wait();
            thread::sleep(Duration::from_millis(20));
            end.lines.set((first_line, line!() + 1));
            let _second = second.acquire();
        })
        .expect("spawn")
}

/// A lock the pair threads can take whatever its class; acquiring through one `#[track_caller]`
/// function, so the report names the line in `spawn_pair` that called it.
trait Lockable {
    #[track_caller]
    fn acquire(&self) -> Box<dyn common::Guard + '_>;
}

impl<C: lock_rank::LockClass> Lockable for Mutex<u32, C> {
    #[track_caller]
    fn acquire(&self) -> Box<dyn common::Guard + '_> {
        Box::new(self.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[test]
fn opposite_orders_in_two_threads_report_the_wrong_order_thread_and_let_the_other_finish() {
    let a: Arc<Mutex<u32, A>> = Arc::new(Mutex::new(0));
    let b: Arc<Mutex<u32, B>> = Arc::new(Mutex::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let (done, finished) = mpsc::channel();
    let in_order = spawn_pair("in-order", a.clone(), b.clone(), barrier.clone(), done.clone());
    let wrong_order = spawn_pair("wrong-order", b.clone(), a.clone(), barrier, done);

    // Without checks both threads deadlock: waiting the full time would only slow the suite.
    let first = finished.recv_timeout(if CHECKS_ENABLED { FINISH } else { HANG });
    let second = finished.recv_timeout(if first.is_ok() { FINISH } else { HANG });
    if !CHECKS_ENABLED {
        // Without checks this is the deadlock the checker exists to prevent: each thread holds
        // its first lock and waits forever for the other's.
        assert!(first.is_err() && second.is_err(), "unchecked ABBA did not deadlock: {first:?} {second:?}");
        return;
    }
    let mut ended = [first.expect("first thread hung"), second.expect("second thread hung")];
    ended.sort_by_key(|e| e.0);
    let [(_, _, in_order_panicked), (_, (b_line, a_line), wrong_order_panicked)] = ended;
    assert!(!in_order_panicked, "the thread locking in order must finish");
    assert!(wrong_order_panicked, "the wrong-order thread must be stopped");
    // Both threads have ended, so joining cannot hang; the panic payload is the report.
    in_order.join().expect("in-order thread");
    let payload = wrong_order.join().expect_err("wrong-order thread panicked");
    let message = *payload.downcast::<String>().expect("the report is a `String` payload");

    let spawn_file = file!();
    let site_of = |line: u32| common::site_of(spawn_file, line, ".acquire");
    let acquiring = lock("A", Some(1), site_of(a_line));
    let holding = lock("B", Some(2), site_of(b_line));
    assert_eq!(
        common::first_line(&message),
        "lock order violation: acquiring `A` (rank 1) while holding `B` (rank 2)"
    );
    assert_report(&message, ViolationKind::LockOrder, &acquiring, &holding);
    assert!(message.contains("by:            thread `wrong-order`"), "{message}");
    // The wrong-order thread unwound while holding `B`: std poisons it, nothing else.
    assert!(b.is_poisoned() && !a.is_poisoned());
    assert_eq!(*a.lock().unwrap(), 0);
}

#[test]
fn the_same_two_threads_in_one_order_both_finish_without_a_report() {
    let a: Arc<Mutex<u32, A>> = Arc::new(Mutex::new(0));
    let b: Arc<Mutex<u32, B>> = Arc::new(Mutex::new(0));
    let barrier = Arc::new(Barrier::new(1));
    let (done, finished) = mpsc::channel();
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let name = ["first", "second"][i];
            spawn_pair(name, a.clone(), b.clone(), barrier.clone(), done.clone())
        })
        .collect();
    for _ in 0..2 {
        let (name, _, panicked) = finished.recv_timeout(FINISH).expect("a thread locking in order hung");
        assert!(!panicked, "thread {name}");
    }
    for worker in workers {
        worker.join().unwrap();
    }
    assert!(!a.is_poisoned() && !b.is_poisoned());
}

#[test]
fn relocking_a_held_mutex_is_reported_before_it_blocks() {
    let m: Arc<Mutex<u8, C>> = Arc::new(Mutex::new(0));
    let lock_ = Arc::clone(&m);
    let outcome = common::run_bounded("relock", if CHECKS_ENABLED { FINISH } else { HANG }, move || {
        let (first, _g) = (line!(), lock_.lock().unwrap());
        let second = Cell::new(0);
        let message = catch(|| {
            second.set(line!() + 1);
            let _again = lock_.lock();
        });
        (first, second.get(), message, lock_rank::held_locks().len())
    });
    if !CHECKS_ENABLED {
        return outcome.assert_self_deadlocked();
    }
    let (first, second, message, held_after) = outcome.finished();
    let message = message.expect_err("re-locking must panic");
    assert_eq!(
        common::first_line(&message),
        "recursive lock acquisition: acquiring `C` (rank 3) which this thread already holds"
    );
    let acquiring = lock("C", Some(3), site!(second, "lock_.lock"));
    let holding = lock("C", Some(3), site!(first, "lock_.lock"));
    assert_report(&message, ViolationKind::RecursiveAcquisition, &acquiring, &holding);
    assert!(message.contains("  already held:  `C` rank 3, declared at tests/scenarios.rs:"), "{message}");
    assert!(message.contains("this acquire would wait forever for its own holder"), "{message}");
    assert_eq!(held_after, 1, "the first guard was still alive after the caught panic");
    assert!(!m.is_poisoned(), "the panic came before the second acquire took anything");
}

#[test]
fn relocking_a_held_unranked_mutex_is_reported_too() {
    let (made, m) = (line!(), Arc::new(Mutex::<u8>::new(0)));
    let lock_ = Arc::clone(&m);
    let outcome =
        common::run_bounded("relock-unranked", if CHECKS_ENABLED { FINISH } else { HANG }, move || {
            let (first, _g) = (line!(), lock_.lock().unwrap());
            let (second, message) = (line!(), catch(|| lock_.lock().is_ok()));
            (first, second, message)
        });
    if !CHECKS_ENABLED {
        return outcome.assert_self_deadlocked();
    }
    let (first, second, message) = outcome.finished();
    let message = message.expect_err("re-locking must panic");
    let name = format!("Mutex<u8> created at {}", site!(made, "Mutex::<u8>::new"));
    let acquiring = lock(&name, None, site!(second, "lock_.lock"));
    let holding = lock(&name, None, site!(first, "lock_.lock"));
    assert_report(&message, ViolationKind::RecursiveAcquisition, &acquiring, &holding);
    assert!(message.lines().any(|l| l == format!("  already held:  `{name}` (unranked)")), "{message}");
}

#[test]
fn try_lock_out_of_order_is_never_reported_and_counts_as_held() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let c: Mutex<u8, C> = Mutex::new(0);
    let (lines, violations) = collecting(|| {
        let (c_line, _c) = (line!(), c.lock().unwrap());
        // Out of order, but a try cannot block: no report; it succeeds since B is free.
        let (b_line, b_guard) = (line!(), b.try_lock());
        let _b = b_guard.expect("B is free");
        if CHECKS_ENABLED {
            assert_eq!(
                held(),
                [
                    lock("C", Some(3), site!(c_line, "c.lock")),
                    lock("B", Some(2), site!(b_line, "b.try_lock"))
                ]
            );
        }
        // A blocking acquire of rank 1 now meets C (3) and the try-locked B (2): reported, and
        // the report names the highest-ranked lock held.
        let (a_line, _a) = (line!(), a.lock().unwrap());
        assert_eq!(held().len(), if CHECKS_ENABLED { 3 } else { 0 });
        (c_line, b_line, a_line)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty(), "{violations:?}");
    }
    let (c_line, b_line, a_line) = lines;
    assert_eq!(violations.len(), 1, "only the blocking acquire is reported: {violations:?}");
    let v = &violations[0];
    let acquiring = lock("A", Some(1), site!(a_line, "a.lock"));
    assert_violation(v, ViolationKind::LockOrder, &acquiring, &lock("C", Some(3), site!(c_line, "c.lock")));
    assert_eq!(
        v.also_held.iter().map(Lock::from).collect::<Vec<_>>(),
        [lock("B", Some(2), site!(b_line, "b.try_lock"))]
    );
}

#[test]
fn a_blocking_acquire_below_a_lock_held_only_through_try_lock_is_reported() {
    let b: Mutex<u8, B> = Mutex::new(0);
    let c: Mutex<u8, C> = Mutex::new(0);
    let (lines, violations) = collecting(|| {
        let (c_line, _c) = (line!(), c.try_lock().unwrap());
        let (b_line, _b) = (line!(), b.lock().unwrap());
        (c_line, b_line)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty(), "{violations:?}");
    }
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_violation(
        &violations[0],
        ViolationKind::LockOrder,
        &lock("B", Some(2), site!(lines.1, "b.lock")),
        &lock("C", Some(3), site!(lines.0, "c.try_lock")),
    );
    assert!(violations[0].also_held.is_empty());
}

#[test]
fn try_lock_of_a_lock_this_thread_holds_would_block_without_a_report() {
    let b: Mutex<u8, B> = Mutex::new(0);
    let (made, u) = (line!(), Mutex::<u8>::new(0));
    let ((), violations) = collecting(|| {
        let _b = b.lock().unwrap();
        let _u = u.lock().unwrap();
        assert!(matches!(b.try_lock(), Err(TryLockError::WouldBlock)));
        assert!(matches!(u.try_lock(), Err(TryLockError::WouldBlock)));
        if CHECKS_ENABLED {
            assert_eq!(
                common::held_names(),
                ["B".to_owned(), format!("Mutex<u8> created at {}", site!(made, "Mutex::<u8>::new"))]
            );
        }
    });
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn guards_dropped_in_any_order_keep_the_held_set_right() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let c: Mutex<u8, C> = Mutex::new(0);
    let d: Mutex<u8, D> = Mutex::new(0);
    let (_, violations) = collecting(|| {
        let (a_line, ga) = (line!(), a.lock().unwrap());
        let (b_line, gb) = (line!(), b.lock().unwrap());
        let (c_line, gc) = (line!(), c.lock().unwrap());
        let (la, lb, lc) = (
            lock("A", Some(1), site!(a_line, "a.lock")),
            lock("B", Some(2), site!(b_line, "b.lock")),
            lock("C", Some(3), site!(c_line, "c.lock")),
        );
        if CHECKS_ENABLED {
            assert_eq!(held(), [la.clone(), lb.clone(), lc.clone()]);
        }
        drop(gb);
        if CHECKS_ENABLED {
            assert_eq!(held(), [la.clone(), lc.clone()]);
        }
        // B again: C (3) is still held, so this is out of order, and C is the lock named.
        let ((b2_line, gb2), reported) = collecting(|| (line!(), b.lock().unwrap()));
        if CHECKS_ENABLED {
            assert_eq!(reported.len(), 1);
            assert_violation(
                &reported[0],
                ViolationKind::LockOrder,
                &lock("B", Some(2), site!(b2_line, "b.lock")),
                &lc,
            );
            assert_eq!(
                reported[0].also_held.iter().map(Lock::from).collect::<Vec<_>>(),
                std::slice::from_ref(&la)
            );
        } else {
            assert!(reported.is_empty());
        }
        drop(gb2);
        drop(gc);
        // With only A held, B fits between A and the free C again.
        let ((b3_line, gb3), reported) = collecting(|| (line!(), b.lock().unwrap()));
        assert!(reported.is_empty(), "{reported:?}");
        let lb3 = lock("B", Some(2), site!(b3_line, "b.lock"));
        // And the highest-ranked lock is found again after the lowest is dropped first.
        let (d_line, gd) = (line!(), d.lock().unwrap());
        let ld = lock("D", Some(4), site!(d_line, "d.lock"));
        drop(ga);
        if CHECKS_ENABLED {
            assert_eq!(held(), [lb3.clone(), ld.clone()]);
        }
        let ((c2_line, gc2), reported) = collecting(|| (line!(), c.lock().unwrap()));
        if CHECKS_ENABLED {
            assert_eq!(reported.len(), 1);
            assert_violation(
                &reported[0],
                ViolationKind::LockOrder,
                &lock("C", Some(3), site!(c2_line, "c.lock")),
                &ld,
            );
        }
        drop(gd);
        drop(gc2);
        drop(gb3);
        if CHECKS_ENABLED {
            assert_eq!(held(), []);
        }
        let (ga, gb, gc, gd) = (a.lock().unwrap(), b.lock().unwrap(), c.lock().unwrap(), d.lock().unwrap());
        drop((gc, ga, gd, gb));
    });
    assert!(violations.is_empty(), "{violations:?}");
    assert!(lock_rank::held_locks().is_empty());
}

#[test]
fn unwinding_with_locks_held_forgets_them_and_the_thread_keeps_locking_correctly() {
    let a: Mutex<u8, A> = Mutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let c: Mutex<u8, C> = Mutex::new(0);
    let panicked = catch(|| {
        let _a = a.lock().unwrap();
        let _c = c.lock().unwrap();
        let _b = b.try_lock().unwrap();
        assert_eq!(lock_rank::held_locks().len(), if CHECKS_ENABLED { 3 } else { 0 });
        panic!("failure while holding A, C and B");
    });
    assert_eq!(panicked.unwrap_err(), "failure while holding A, C and B");
    assert!(lock_rank::held_locks().is_empty());
    assert!(a.is_poisoned() && b.is_poisoned() && c.is_poisoned());
    // Nothing stale is left: in-order acquires are fine, and an out-of-order one names only
    // what is held now.
    let ((), violations) = collecting(|| {
        let _a = a.lock().unwrap_or_else(PoisonError::into_inner);
        let _b = b.lock().unwrap_or_else(PoisonError::into_inner);
        let _c = c.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(common::held_names().len(), if CHECKS_ENABLED { 3 } else { 0 });
    });
    assert!(violations.is_empty(), "{violations:?}");
    let ((), violations) = collecting(|| {
        let (b_line, _b) = (line!(), b.lock().unwrap_or_else(PoisonError::into_inner));
        let (a_line, _a) = (line!(), a.lock().unwrap_or_else(PoisonError::into_inner));
        if CHECKS_ENABLED {
            assert_eq!(held().len(), 2);
            let v = lock_rank::held_locks();
            assert_eq!((v[0].site().line(), v[1].site().line()), (b_line, a_line));
        }
    });
    assert_eq!(violations.len(), usize::from(CHECKS_ENABLED));
    if let Some(v) = violations.first() {
        assert!(v.also_held.is_empty(), "nothing from before the panic may linger: {v}");
        assert_eq!((v.acquiring.name(), v.held.name()), ("A".to_owned(), "B".to_owned()));
    }
}

#[test]
fn a_thread_that_exits_holding_nothing_leaves_its_record_clean_for_the_next() {
    // Held sets are recycled between threads: a new thread must start with nothing held even
    // right after another one exited while its locks were being released by unwinding.
    let a: Arc<Mutex<u8, A>> = Arc::new(Mutex::new(0));
    let started = Instant::now();
    for round in 0..20 {
        let a = Arc::clone(&a);
        let held_at_start = common::run_bounded("recycled", FINISH, move || {
            let before = lock_rank::held_locks().len();
            let _ = catch(|| {
                let _g = a.lock().unwrap_or_else(PoisonError::into_inner);
                panic!("exiting with a lock held")
            });
            before
        });
        assert_eq!(held_at_start.finished(), 0, "round {round}");
    }
    assert!(started.elapsed() < FINISH);
    assert!(
        matches!(common::run_bounded("empty", FINISH, lock_rank::held_locks), Outcome::Finished(v) if v.is_empty())
    );
}

/// The rank just below the top of the range.
#[lock_rank(4_294_967_294)]
struct NextToTop;
/// The highest rank there is.
#[lock_rank(4_294_967_295)]
struct Top;

/// Ranks at the top of the `u32` range order like any others (the check's packed keys saturate
/// there; the report compares the ranks themselves): in order is fine, the other way is caught.
#[test]
fn the_highest_ranks_are_ordered_like_any_others() {
    let below: Mutex<(), NextToTop> = Mutex::new(());
    let top: Mutex<(), Top> = Mutex::new(());
    let ((), in_order) = collecting(|| {
        let _below = below.lock().unwrap();
        let _top = top.lock().unwrap();
    });
    assert!(in_order.is_empty(), "false alarm: {in_order:?}");
    let (lines, wrong) = collecting(|| {
        let (first, _top) = (line!(), top.lock().unwrap());
        let (second, _below) = (line!(), below.lock().unwrap());
        (first, second)
    });
    if !CHECKS_ENABLED {
        return assert!(wrong.is_empty());
    }
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    let acquiring = lock("NextToTop", Some(u32::MAX - 1), site!(lines.1, "below.lock"));
    let holding = lock("Top", Some(u32::MAX), site!(lines.0, "top.lock"));
    assert_violation(&wrong[0], ViolationKind::LockOrder, &acquiring, &holding);
}
