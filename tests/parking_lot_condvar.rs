//! `lock_rank::parking_lot::Condvar`: the re-acquire that ends a wait is checked before the wait
//! starts, the mutex is recorded again (at the wait's site) when it ends, and the condition of
//! `wait_while` runs with the mutex recorded.

#![cfg(feature = "parking_lot")]

#[macro_use]
mod common;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{assert_report, assert_violation, catch, collecting, held, lock, run_bounded, FINISH};
use lock_rank::parking_lot::{Condvar, Mutex};
use lock_rank::{lock_rank, ViolationKind, CHECKS_ENABLED};

#[lock_rank(0)]
struct Outer;
#[lock_rank(1)]
struct Queue;
#[lock_rank(2)]
struct Log;

/// What the consumers share: the queue with its condition variable, a lower and a higher lock.
type Shared = (Arc<(Mutex<Vec<u32>, Queue>, Condvar)>, Arc<Mutex<u32, Outer>>, Arc<Mutex<Vec<u32>, Log>>);

#[test]
fn producers_and_consumers_on_a_ranked_mutex_raise_no_false_report() {
    let queue: Arc<(Mutex<Vec<u32>, Queue>, Condvar)> = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
    let outer: Arc<Mutex<u32, Outer>> = Arc::new(Mutex::new(0));
    let log: Arc<Mutex<Vec<u32>, Log>> = Arc::new(Mutex::new(Vec::new()));
    let consume = |(queue, outer, log): Shared| {
        run_bounded("consumer", FINISH, move || {
            collecting(|| {
                for taken in 1..=50 {
                    let _outer = outer.lock(); // rank 0, held across the waits: in order
                    let mut items = queue.0.lock();
                    queue.1.wait_while(&mut items, |items| items.is_empty());
                    let item = items.pop().unwrap();
                    log.lock().push(item); // rank 2 under rank 1: in order
                    if taken % 10 == 0 {
                        let _ = queue.1.wait_for(&mut items, Duration::from_micros(10));
                    }
                }
            })
            .1
        })
    };
    let produce = |queue: Arc<(Mutex<Vec<u32>, Queue>, Condvar)>| {
        run_bounded("producer", FINISH, move || {
            collecting(|| {
                for i in 0..100 {
                    queue.0.lock().push(i);
                    queue.1.notify_one();
                    if i % 7 == 0 {
                        thread::yield_now();
                    }
                }
            })
            .1
        })
    };
    let outcomes = thread::scope(|s| {
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let shared = (queue.clone(), outer.clone(), log.clone());
                s.spawn(move || consume(shared))
            })
            .collect();
        let producer = s.spawn(|| produce(queue.clone()));
        let mut outcomes: Vec<_> = consumers.into_iter().map(|c| c.join().unwrap()).collect();
        outcomes.push(producer.join().unwrap());
        outcomes
    });
    for outcome in outcomes {
        assert!(outcome.finished().is_empty());
    }
    assert_eq!(log.lock().len(), 100);
}

#[test]
fn waiting_on_a_low_ranked_mutex_while_holding_a_higher_one_is_reported_before_the_wait() {
    let queue: Arc<(Mutex<u32, Queue>, Condvar)> = Arc::new((Mutex::new(0), Condvar::new()));
    let log: Arc<Mutex<u32, Log>> = Arc::new(Mutex::new(0));
    let outcome = run_bounded("waiter", FINISH, move || {
        let mut guard = queue.0.lock();
        let log_line = line!() + 1;
        let _log = log.lock();
        let wait_line = line!() + 1;
        let result = catch(|| queue.1.wait_for(&mut guard, Duration::from_millis(50)).timed_out());
        (log_line, wait_line, result)
    });
    let (log_line, wait_line, result) = outcome.finished();
    if !CHECKS_ENABLED {
        assert_eq!(result, Ok(true), "unchecked, the wait just times out");
        return;
    }
    let message = result.expect_err("stopped before it waits");
    assert_report(
        &message,
        ViolationKind::LockOrder,
        &lock("Queue", Some(1), site!(wait_line, ".wait_for")),
        &lock("Log", Some(2), site!(log_line, "log.lock")),
    );
}

#[test]
fn a_continuing_policy_reports_every_wait_and_records_the_mutex_again_at_the_wait_site() {
    let m: Mutex<u32, Queue> = Mutex::new(0);
    let log: Mutex<u32, Log> = Mutex::new(0);
    let cv = Condvar::new();
    let (lines, seen) = collecting(|| {
        let lock_line = line!() + 1;
        let mut guard = m.lock();
        let log_line = line!() + 1;
        let log_guard = log.lock();
        let until_line = line!() + 1;
        assert!(cv.wait_until(&mut guard, Instant::now() + Duration::from_millis(1)).timed_out());
        let for_line = line!() + 1;
        assert!(cv.wait_while_for(&mut guard, |n| *n == 0, Duration::from_millis(1)).timed_out());
        if CHECKS_ENABLED {
            assert_eq!(
                held(),
                [
                    lock("Log", Some(2), site!(log_line, "log.lock")),
                    lock("Queue", Some(1), site!(for_line, ".wait_while_for")),
                ],
                "the mutex is recorded again, at the last wait's site"
            );
        }
        drop(log_guard);
        (lock_line, log_line, until_line, for_line)
    });
    assert!(lock_rank::held_locks().is_empty());
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    let (_, log_line, until_line, for_line) = lines;
    assert!(seen.len() >= 2, "one report per wait: {seen:#?}");
    let holding = lock("Log", Some(2), site!(log_line, "log.lock"));
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("Queue", Some(1), site!(until_line, ".wait_until")),
        &holding,
    );
    assert_violation(
        &seen[1],
        ViolationKind::LockOrder,
        &lock("Queue", Some(1), site!(for_line, ".wait_while_for")),
        &holding,
    );
}

#[test]
fn the_condition_runs_with_the_mutex_recorded_and_lower_locks_held_are_fine() {
    let state: Arc<(Mutex<bool, Queue>, Condvar)> = Arc::new((Mutex::new(false), Condvar::new()));
    let outer: Mutex<u8, Outer> = Mutex::new(0);
    let log: Mutex<u8, Log> = Mutex::new(0);
    let setter = {
        let state = state.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(10));
            *state.0.lock() = true;
            state.1.notify_all();
        })
    };
    let (_, seen) = collecting(|| {
        let _outer = outer.lock();
        let mut ready = state.0.lock();
        let mut checks = 0;
        state.1.wait_while(&mut ready, |ready| {
            checks += 1;
            // The mutex is held and recorded here: a higher lock is in order, a held count shows it.
            *log.lock() += 1;
            assert_eq!(lock_rank::held_locks().len(), if CHECKS_ENABLED { 2 } else { 0 });
            !*ready
        });
        assert!(*ready && checks >= 1);
        // A plain `wait` and a `wait_while_until` that is already satisfied.
        *ready = false;
        let notifier = {
            let state = state.clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(10));
                *state.0.lock() = true;
                state.1.notify_one();
            })
        };
        while !*ready {
            state.1.wait(&mut ready);
            assert_eq!(lock_rank::held_locks().len(), if CHECKS_ENABLED { 2 } else { 0 });
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        assert!(!state.1.wait_while_until(&mut ready, |ready| !*ready, deadline).timed_out());
        drop(ready);
        notifier.join().unwrap();
    });
    assert!(seen.is_empty(), "{seen:#?}");
    setter.join().unwrap();
    assert!(lock_rank::held_locks().is_empty());
}
