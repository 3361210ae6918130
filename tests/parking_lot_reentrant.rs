//! `lock_rank::parking_lot::ReentrantMutex`: taking it again on the holding thread is never a
//! violation and is recorded once, however deep; taking a lower rank while holding it is; the
//! first acquire is checked like any mutex's; `unlocked` re-checks only a re-acquire that blocks.

#![cfg(feature = "parking_lot")]

#[macro_use]
mod common;

use std::cell::RefCell;
use std::mem::size_of;
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::Duration;

use common::{assert_report, assert_violation, catch, collecting, held, lock, run_bounded, FINISH};
use lock_rank::parking_lot::{const_reentrant_mutex, Mutex, ReentrantMutex, ReentrantMutexGuard};
use lock_rank::{lock_rank, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct A;
#[lock_rank(2)]
struct B;
#[lock_rank(3)]
struct C;

#[lock_rank(2)]
static TREE: ReentrantMutex<RefCell<Vec<u32>>> = const_reentrant_mutex(RefCell::new(Vec::new()));

fn held_count() -> usize {
    lock_rank::held_locks().len()
}

#[test]
fn taking_it_again_is_never_a_violation_and_is_recorded_once_however_deep() {
    fn visit(depth: u32, higher: &Mutex<u8, C>) {
        let tree = TREE.lock();
        tree.borrow_mut().push(depth);
        if depth == 3 {
            // Re-entering while a higher-ranked lock is held cannot block: still fine.
            let _c = higher.lock();
            let again = TREE.lock();
            assert_eq!(again.borrow().len(), 4);
            assert_eq!(held_count(), if CHECKS_ENABLED { 2 } else { 0 }, "TREE once, and C");
        }
        if depth < 200 {
            visit(depth + 1, higher);
        }
    }
    let higher: Mutex<u8, C> = Mutex::new(0);
    let outer_line = line!() + 1;
    let outer = TREE.lock();
    let (_, seen) = collecting(|| visit(0, &higher));
    assert!(seen.is_empty(), "{seen:#?}");
    // 200 levels: a debug build's frame of a checked acquire is several KiB, and the test's
    // thread has 2 MiB.
    assert_eq!(outer.borrow().len(), 201, "200 re-entries, far more than the held set holds");
    if CHECKS_ENABLED {
        assert_eq!(held(), [lock("TREE", Some(2), site!(outer_line, "TREE.lock"))]);
    }
    drop(outer);
    assert_eq!(held_count(), 0);
    TREE.lock().borrow_mut().clear();
}

#[test]
fn a_lower_rank_while_holding_it_is_reported_against_the_outermost_acquire() {
    let m: ReentrantMutex<u8, B> = ReentrantMutex::new(0);
    let a: Mutex<u8, A> = Mutex::new(0);
    let (lines, seen) = collecting(|| {
        let outer_line = line!() + 1;
        let outer = m.lock();
        let inner = m.lock();
        let a_line = line!() + 1;
        drop(a.lock()); // below B, held twice: reported once
        drop(inner);
        drop(a.lock()); // still held by `outer`: reported again
        drop(outer);
        drop(a.lock()); // free now
        (outer_line, a_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 2, "{seen:#?}");
    let (acquiring, holding) =
        (lock("A", Some(1), site!(lines.1, "a.lock")), lock("B", Some(2), site!(lines.0, "m.lock")));
    assert_violation(&seen[0], ViolationKind::LockOrder, &acquiring, &holding);
    assert!(seen[0].also_held.is_empty(), "the re-entry is not a second lock: {}", seen[0]);
    assert_report(&seen[0].to_string(), ViolationKind::LockOrder, &acquiring, &holding);
    assert_eq!(seen[1].held.site().to_string(), holding.site);
}

#[test]
fn the_first_acquire_is_checked_like_any_mutex() {
    let m: ReentrantMutex<u8, A> = ReentrantMutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let outcome = run_bounded("first-acquire", FINISH, move || {
        let b_line = line!() + 1;
        let _b = b.lock();
        let m_line = line!() + 1;
        let message = catch(|| drop(m.lock()));
        (b_line, m_line, message)
    });
    let (b_line, m_line, message) = outcome.finished();
    if !CHECKS_ENABLED {
        assert_eq!(message, Ok(()));
        return;
    }
    let message = message.expect_err("the default policy panics");
    let acquiring = lock("A", Some(1), site!(m_line, "m.lock"));
    let holding = lock("B", Some(2), site!(b_line, "b.lock"));
    assert_report(&message, ViolationKind::LockOrder, &acquiring, &holding);
    assert!(message.contains("acquiring:     `A` rank 1"), "{message}");
}

#[test]
fn guards_dropped_out_of_order_keep_the_mutex_recorded_while_any_is_held_by_a_new_reentry() {
    let m: ReentrantMutex<u8, B> = ReentrantMutex::new(0);
    let outer = m.lock();
    let inner = m.lock();
    drop(outer); // the recording guard goes first: the mutex is still held, no longer recorded
    assert!(m.is_owned_by_current_thread());
    assert_eq!(held_count(), 0);
    let again_line = line!() + 1;
    let again = m.try_lock().expect("this thread holds it");
    if CHECKS_ENABLED {
        assert_eq!(held(), [lock("B", Some(2), site!(again_line, "m.try_lock"))], "recorded by the re-entry");
    }
    let deeper = m.lock();
    assert_eq!(held_count(), usize::from(CHECKS_ENABLED), "and only once");
    drop((inner, again, deeper));
    assert!(!m.is_locked() && held_count() == 0);
}

#[test]
fn unlocked_rechecks_a_blocking_reacquire_and_lets_a_reentry_pass() {
    let m: ReentrantMutex<u8, A> = ReentrantMutex::new(0);
    let b: Mutex<u8, B> = Mutex::new(0);
    let (line, seen) = collecting(|| {
        // Nested: giving up the inner hold leaves the mutex held, so taking it back is a re-entry.
        let outer = m.lock();
        let mut inner = m.lock();
        let b_guard = ReentrantMutexGuard::unlocked(&mut inner, || {
            assert!(m.is_owned_by_current_thread());
            b.lock()
        });
        assert_eq!(held_count(), if CHECKS_ENABLED { 2 } else { 0 });
        drop((b_guard, inner, outer));
        // The only hold: the mutex is free while the closure runs and the re-acquire blocks.
        let mut only = m.lock();
        let line = line!() + 1;
        let b_guard = ReentrantMutexGuard::unlocked(&mut only, || {
            assert!(!m.is_locked());
            b.lock()
        });
        drop((b_guard, only));
        line
    });
    assert_eq!(held_count(), 0);
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1, "only the blocking re-acquire: {seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("A", Some(1), site!(line, "ReentrantMutexGuard::unlocked")),
        &lock("B", Some(2), site!(line + 2, "b.lock")),
    );
}

#[test]
fn timed_and_try_reentries_never_report_and_another_thread_waits() {
    let m: Arc<ReentrantMutex<u8, A>> = Arc::new(ReentrantMutex::new(0));
    let c: Mutex<u8, C> = Mutex::new(0);
    let guard = m.lock();
    let (_, seen) = collecting(|| {
        let _c = c.lock();
        let timed = m.try_lock_for(Duration::from_millis(1)).expect("a re-entry");
        let tried = m.try_lock().expect("a re-entry");
        assert_eq!(held_count(), if CHECKS_ENABLED { 2 } else { 0 });
        drop((timed, tried));
    });
    assert!(seen.is_empty(), "{seen:#?}");
    let other = {
        let m = m.clone();
        thread::spawn(move || (m.try_lock().is_none(), m.try_lock_for(Duration::from_millis(20)).is_none()))
    };
    assert_eq!(other.join().unwrap(), (true, true), "another thread cannot take it");
    ReentrantMutexGuard::unlock_fair(guard);
    assert!(!m.is_locked() && held_count() == 0);
}

#[test]
fn threads_taking_it_in_order_and_the_wrong_order_thread_is_stopped() {
    let m: Arc<ReentrantMutex<u8, A>> = Arc::new(ReentrantMutex::new(0));
    let b: Arc<Mutex<u8, B>> = Arc::new(Mutex::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let (done, results) = mpsc::channel();
    let in_order = {
        let (m, b, barrier, done) = (m.clone(), b.clone(), barrier.clone(), done.clone());
        thread::spawn(move || {
            let _m = m.lock();
            let _again = m.lock();
            barrier.wait();
            let taken =
                if CHECKS_ENABLED { Some(b.lock()) } else { b.try_lock_for(Duration::from_millis(300)) };
            let _ = done.send(("in-order", Ok(taken.is_some())));
        })
    };
    let wrong_order = thread::spawn(move || {
        let result = catch(|| {
            let _b = b.lock();
            barrier.wait();
            thread::sleep(Duration::from_millis(20));
            if CHECKS_ENABLED {
                drop(m.lock());
                true
            } else {
                m.try_lock_for(Duration::from_millis(300)).is_some()
            }
        });
        let _ = done.send(("wrong-order", result));
    });
    let mut ended = [results.recv_timeout(FINISH).unwrap(), results.recv_timeout(FINISH).unwrap()];
    ended.sort_by_key(|r| r.0);
    in_order.join().unwrap();
    wrong_order.join().unwrap();
    if CHECKS_ENABLED {
        assert_eq!(ended[0], ("in-order", Ok(true)));
        let message = ended[1].1.clone().expect_err("stopped before it blocks");
        assert!(common::first_line(&message).starts_with("lock order violation: acquiring `A`"), "{message}");
    } else {
        assert!(ended.iter().any(|(_, r)| r == &Ok(false)), "a real deadlock, ended by a timeout: {ended:?}");
    }
}

#[test]
fn without_checks_the_reentrant_mutex_is_parking_lots() {
    // With checks a lock also keeps its origin: class and creation site, two words.
    let origin = if CHECKS_ENABLED { 2 * size_of::<usize>() } else { 0 };
    assert_eq!(size_of::<ReentrantMutex<u64, A>>(), size_of::<parking_lot::ReentrantMutex<u64>>() + origin);
    if CHECKS_ENABLED {
        return;
    }
    assert_eq!(
        size_of::<ReentrantMutexGuard<'_, u64, A>>(),
        size_of::<parking_lot::ReentrantMutexGuard<'_, u64>>()
    );
}
