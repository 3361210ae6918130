//! `Condvar` with ranked mutexes: a wait gives the mutex up and takes it back, and taking it back
//! is a blocking acquire, checked before the wait starts.

#[macro_use]
mod common;

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::{mpsc, Arc, PoisonError};
use std::thread;
use std::time::Duration;

use common::{assert_report, assert_violation, catch, collecting, held, lock, Outcome, FINISH};
use lock_rank::{lock_rank, Condvar, Mutex, ViolationKind, CHECKS_ENABLED};

/// Counters, taken before the queue.
#[lock_rank(1)]
struct Stats;
/// The work queue.
#[lock_rank(5)]
struct Queue;
/// Where consumers write what they did, taken after the queue.
#[lock_rank(9)]
struct Journal;

struct Shared {
    stats: Mutex<u64, Stats>,
    queue: Mutex<(VecDeque<u32>, bool), Queue>,
    ready: Condvar,
    journal: Mutex<Vec<u32>, Journal>,
}

const ITEMS: u32 = 200;

#[test]
fn producer_and_consumers_on_a_ranked_mutex_raise_no_false_report() {
    let shared = Arc::new(Shared {
        stats: Mutex::new(0),
        queue: Mutex::new((VecDeque::new(), false)),
        ready: Condvar::new(),
        journal: Mutex::new(Vec::new()),
    });
    let (done, results) = mpsc::channel();
    // Consumer with `wait` in a loop, holding its own lower-ranked counter across the wait.
    let s = Arc::clone(&shared);
    let tx = done.clone();
    thread::spawn(move || {
        let own: Mutex<u64, Stats> = Mutex::new(0);
        let result = collecting(|| {
            catch(|| {
                let mut taken = 0;
                loop {
                    let mut stats = own.lock().unwrap();
                    let mut queue = s.queue.lock().unwrap();
                    while queue.0.is_empty() && !queue.1 {
                        queue = s.ready.wait(queue).unwrap();
                    }
                    let Some(item) = queue.0.pop_front() else { break };
                    s.journal.lock().unwrap().push(item); // 9 while holding 1 and 5
                    *stats += 1;
                    taken += 1;
                }
                let counted = *own.lock().unwrap();
                *s.stats.lock().unwrap() += counted;
                (taken, lock_rank::held_locks().len())
            })
        });
        let _ = tx.send(result);
    });
    // Consumer with `wait_timeout_while`, checking the mutex is recorded while its condition runs.
    let s = Arc::clone(&shared);
    let tx = done.clone();
    thread::spawn(move || {
        let result = collecting(|| {
            catch(|| {
                let mut taken = 0;
                loop {
                    let (mut queue, timeout) = s
                        .ready
                        .wait_timeout_while(s.queue.lock().unwrap(), FINISH, |queue| {
                            if CHECKS_ENABLED {
                                assert_eq!(common::held_names(), ["Queue"]);
                            }
                            queue.0.is_empty() && !queue.1
                        })
                        .unwrap();
                    assert!(!timeout.timed_out(), "the producer stalled");
                    let Some(item) = queue.0.pop_front() else { break };
                    s.journal.lock().unwrap().push(item);
                    drop(queue);
                    *s.stats.lock().unwrap() += 1;
                    taken += 1;
                }
                (taken, lock_rank::held_locks().len())
            })
        });
        let _ = tx.send(result);
    });
    // Producer.
    let s = Arc::clone(&shared);
    thread::spawn(move || {
        let result = collecting(|| {
            catch(|| {
                for item in 0..ITEMS {
                    s.queue.lock().unwrap().0.push_back(item);
                    s.ready.notify_one();
                }
                s.queue.lock().unwrap().1 = true;
                s.ready.notify_all();
                (0, lock_rank::held_locks().len())
            })
        });
        let _ = done.send(result);
    });

    let mut consumed = 0;
    for _ in 0..3 {
        let (result, violations) = results.recv_timeout(FINISH).expect("a thread hung");
        assert!(violations.is_empty(), "false report: {violations:#?}");
        let (taken, held_at_end) = result.expect("no thread panics");
        assert_eq!(held_at_end, 0);
        consumed += taken;
    }
    assert_eq!(consumed, ITEMS);
    let mut journal = shared.journal.lock().unwrap().clone();
    journal.sort_unstable();
    assert_eq!(journal, (0..ITEMS).collect::<Vec<_>>());
    assert_eq!(*shared.stats.lock().unwrap(), u64::from(ITEMS));
}

#[test]
fn waiting_on_a_low_ranked_mutex_while_holding_a_higher_one_is_reported_before_the_wait() {
    let low: Arc<(Mutex<u8, Stats>, Condvar)> = Arc::new((Mutex::new(0), Condvar::new()));
    let high: Arc<Mutex<u8, Journal>> = Arc::new(Mutex::new(0));
    let (l, h) = (Arc::clone(&low), Arc::clone(&high));
    // Nobody notifies: with checks, only a report before the wait lets this thread end.
    let outcome = common::run_bounded("waiter", FINISH, move || {
        let (low_line, guard) = (line!(), l.0.lock().unwrap());
        let (high_line, _high) = (line!(), h.lock().unwrap());
        let wait_line = Cell::new(0);
        let result = catch(|| {
            if CHECKS_ENABLED {
                wait_line.set(line!() + 1);
                l.1.wait(guard).map(drop).map_err(drop)
            } else {
                l.1.wait_timeout(guard, Duration::from_millis(10))
                    .map(|(_, t)| assert!(t.timed_out()))
                    .map_err(drop)
            }
        });
        (low_line, high_line, wait_line.get(), result, lock_rank::held_locks().len())
    });
    let (low_line, high_line, wait_line, result, held_after) = match outcome {
        Outcome::Finished(values) => values,
        other => panic!("the wait was not reported before it started: {other:?}"),
    };
    assert_eq!(held_after, usize::from(CHECKS_ENABLED), "`Journal` is still held, the mutex's guard is gone");
    if !CHECKS_ENABLED {
        assert_eq!(result, Ok(Ok(())));
        return assert!(!low.0.is_poisoned());
    }
    let message = result.expect_err("the wait must be reported");
    let acquiring = lock("Stats", Some(1), site!(wait_line, "l.1.wait"));
    let holding = lock("Journal", Some(9), site!(high_line, "h.lock"));
    assert_eq!(
        common::first_line(&message),
        "lock order violation: acquiring `Stats` (rank 1) while holding `Journal` (rank 9)"
    );
    assert_report(&message, ViolationKind::LockOrder, &acquiring, &holding);
    // The mutex's own first acquire is not among the locks held: the wait gave it up.
    assert!(!message.contains(&format!("acquired at {}", site!(low_line, "l.0.lock"))), "{message}");
    // The panic dropped the mutex's guard while unwinding: std poisons it.
    assert!(low.0.is_poisoned());
    // `Journal`'s guard lived outside the unwound closure.
    assert!(!high.is_poisoned());
}

#[test]
fn a_continuing_policy_reports_every_wait_and_records_the_mutex_again_at_the_wait_site() {
    let low: Mutex<u8, Stats> = Mutex::new(0);
    let cv = Condvar::new();
    let high: Mutex<u8, Journal> = Mutex::new(0);
    let (lines, violations) = collecting(|| {
        let guard = low.lock().unwrap();
        let (high_line, high_guard) = (line!(), high.lock().unwrap());
        let (wait_line, result) = (line!(), cv.wait_timeout(guard, Duration::from_millis(5)));
        let (guard, timeout) = result.unwrap();
        assert!(timeout.timed_out());
        let after_wait = held();
        drop(guard);
        let after_drop = held();
        // The same through `wait_timeout_while`, its condition never satisfied.
        drop(high_guard);
        let guard = low.lock().unwrap();
        let (high_again, _high) = (line!(), high.lock().unwrap());
        let (while_line, result) =
            (line!(), cv.wait_timeout_while(guard, Duration::from_millis(5), |_| true));
        assert!(result.unwrap().1.timed_out());
        (high_line, wait_line, high_again, while_line, after_wait, after_drop)
    });
    let (high_line, wait_line, high_again, while_line, after_wait, after_drop) = lines;
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty() && after_wait.is_empty());
    }
    let holding = lock("Journal", Some(9), site!(high_line, "high.lock"));
    let waited = lock("Stats", Some(1), site!(wait_line, "cv.wait_timeout"));
    assert_eq!(after_wait, [holding.clone(), waited.clone()], "the mutex is held again, taken at the wait");
    assert_eq!(after_drop, std::slice::from_ref(&holding));
    // One report per wait (a spurious wake-up of the `while` variant waits, and reports, again).
    assert!(violations.len() >= 2, "{violations:#?}");
    assert_violation(&violations[0], ViolationKind::LockOrder, &waited, &holding);
    let while_waited = lock("Stats", Some(1), site!(while_line, "cv.wait_timeout_while"));
    let holding_again = lock("Journal", Some(9), site!(high_again, "high.lock"));
    for v in &violations[1..] {
        assert_violation(v, ViolationKind::LockOrder, &while_waited, &holding_again);
    }
}

#[test]
fn waiting_while_holding_only_lower_ranked_locks_is_fine_and_keeps_the_record() {
    let stats: Mutex<u8, Stats> = Mutex::new(0);
    let queue: Mutex<u8, Queue> = Mutex::new(0);
    let cv = Condvar::new();
    let ((), violations) = collecting(|| {
        let (stats_line, _s) = (line!(), stats.lock().unwrap());
        let guard = queue.lock().unwrap();
        let (wait_line, result) = (line!(), cv.wait_timeout(guard, Duration::from_millis(1)));
        let (guard, _) = result.unwrap_or_else(PoisonError::into_inner);
        if CHECKS_ENABLED {
            assert_eq!(
                held(),
                [
                    lock("Stats", Some(1), site!(stats_line, "stats.lock")),
                    lock("Queue", Some(5), site!(wait_line, "cv.wait_timeout")),
                ]
            );
        }
        drop(guard);
    });
    assert!(violations.is_empty(), "{violations:?}");
    assert!(lock_rank::held_locks().is_empty());
}
