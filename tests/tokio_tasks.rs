//! Held locks belong to the task, not the thread: guards held across `.await`s follow their task
//! from worker to worker, other tasks on the same thread do not see them, guards dropped by
//! another task or thread release the right record, and many tasks locking in order across
//! awaits are never reported.

#![cfg(feature = "tokio")]

mod tokio_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use lock_rank::tokio::{Mutex, RwLock, Semaphore};
use lock_rank::{held_locks, lock_rank, CHECKS_ENABLED};
use tokio::sync::oneshot;
use tokio::task::yield_now;
use tokio::time::timeout;
use tokio_support::{outcome, reported_by, run, Flavor, FLAVORS};

#[lock_rank::ranked]
struct Pool {
    #[lock_rank(10)]
    conns: Semaphore,
    #[lock_rank(20)]
    ledger: Mutex<u64>,
    #[lock_rank(30)]
    journal: RwLock<Vec<u64>>,
}

impl Pool {
    fn new(conns: usize) -> Arc<Pool> {
        Arc::new(Pool { conns: Semaphore::new(conns), ledger: Mutex::new(0), journal: RwLock::new(vec![]) })
    }
}

/// The names of the locks the current task holds (empty without checks).
fn held_names() -> Vec<String> {
    held_locks().iter().map(|a| a.name()).collect()
}

fn expect_held(names: &[&str]) -> Vec<String> {
    if CHECKS_ENABLED {
        names.iter().map(|n| (*n).to_owned()).collect()
    } else {
        Vec::new()
    }
}

#[test]
fn a_lock_held_across_awaits_is_not_seen_by_other_tasks_polled_on_the_same_thread() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(4);
            let others_done = Arc::new(AtomicBool::new(false));
            let (holding, until_holding) = oneshot::channel();

            let (p, done) = (Arc::clone(&pool), Arc::clone(&others_done));
            let holder = tokio::spawn(async move {
                let mut journal = p.journal.write().await; // rank 30, held across every await below
                holding.send(()).unwrap();
                let mut yields = 0;
                while !done.load(Ordering::Acquire) && yields < 100_000 {
                    yield_now().await;
                    yields += 1;
                }
                assert_eq!(held_names(), expect_held(&["Pool::journal"]));
                journal.push(1);
            });

            let (p, done) = (Arc::clone(&pool), Arc::clone(&others_done));
            let other = tokio::spawn(async move {
                until_holding.await.unwrap();
                for _ in 0..50 {
                    let _conn = p.conns.acquire().await.unwrap(); // rank 10 ...
                    yield_now().await;
                    let _ledger = p.ledger.lock().await; // ... then 20: in order for this task
                    yield_now().await;
                    assert_eq!(held_names(), expect_held(&["Pool::conns", "Pool::ledger"]));
                }
                done.store(true, Ordering::Release);
            });
            let (holder_id, other_id) = (holder.id(), other.id());
            assert_eq!(outcome(other).await, Ok(()));
            assert_eq!(outcome(holder).await, Ok(()));
            assert!(reported_by(holder_id).is_empty() && reported_by(other_id).is_empty());
        });
    }
}

#[test]
fn a_thousand_tasks_locking_in_order_across_awaits_and_yields_are_never_reported() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(16);
            let tasks: Vec<_> = (0..1000_u64)
                .map(|i| {
                    let p = Arc::clone(&pool);
                    tokio::spawn(async move {
                        let conn = p.conns.acquire().await.unwrap();
                        yield_now().await;
                        let mut ledger = p.ledger.lock().await;
                        *ledger += 1;
                        if i % 2 == 0 {
                            yield_now().await;
                        }
                        let mut journal = p.journal.write().await;
                        journal.push(i);
                        assert_eq!(
                            held_names(),
                            expect_held(&["Pool::conns", "Pool::ledger", "Pool::journal"])
                        );
                        // Released in different orders; every order is fine.
                        match i % 3 {
                            0 => drop((journal, ledger, conn)),
                            1 => {
                                drop(ledger);
                                yield_now().await;
                                drop(journal);
                                drop(conn);
                            }
                            _ => {
                                drop(conn);
                                drop(journal);
                                yield_now().await;
                                drop(ledger);
                            }
                        }
                        // Nothing left over for the next round of this task.
                        assert!(held_locks().is_empty());
                        let _again = p.ledger.try_lock().ok();
                    })
                })
                .collect();
            let mut finished = 0;
            for task in tasks {
                let id = task.id();
                assert_eq!(outcome(task).await, Ok(()));
                assert!(reported_by(id).is_empty());
                finished += 1;
            }
            assert_eq!(finished, 1000);
            assert_eq!(*pool.ledger.lock().await, 1000);
            assert_eq!(pool.journal.read().await.len(), 1000);
        });
    }
}

#[test]
fn guards_follow_their_task_to_another_worker_and_drop_there() {
    run(Flavor::MultiThread, async {
        let pool = Pool::new(2);
        let mut moved = 0;
        for _ in 0..10 {
            let (holding, until_holding) = oneshot::channel();
            let (go, until_go) = oneshot::channel();
            let p = Arc::clone(&pool);
            let task = tokio::spawn(async move {
                let ledger = p.ledger.lock().await; // rank 20, held across the await below
                let before = thread::current().id();
                // Keeps this worker busy once the task waits, so it wakes up on the other one.
                let blocker = tokio::spawn(async {
                    // Another task polled on this thread right after: it sees none of the locks.
                    let seen = held_names();
                    thread::sleep(Duration::from_millis(150));
                    seen
                });
                holding.send(()).unwrap();
                until_go.await.unwrap();
                let after = thread::current().id();
                // The task's record came along.
                assert_eq!(held_names(), expect_held(&["Pool::ledger"]));
                let journal = p.journal.write().await; // rank 30 over the moved 20: in order
                drop(journal);
                drop(ledger); // possibly on another worker than the one that took it
                assert!(held_locks().is_empty());
                let _conn = p.conns.acquire().await.unwrap(); // rank 10: nothing stale left
                assert_eq!(blocker.await.unwrap(), Vec::<String>::new());
                before != after
            });
            until_holding.await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
            go.send(()).unwrap(); // from outside the workers: the wake-up goes to whichever is free
            let id = task.id();
            moved += usize::from(outcome(task).await.expect("no report, no failure"));
            assert!(reported_by(id).is_empty());
        }
        assert!(moved > 0, "in 10 rounds the task never resumed on another worker");
    });
}

#[lock_rank(20)]
static HANDED_OFF: Mutex<u32> = Mutex::const_new(0);

#[test]
fn a_guard_dropped_by_another_task_or_thread_releases_the_record_of_the_task_that_took_it() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(1);
            let p = Arc::clone(&pool);
            let owner = tokio::spawn(async move {
                // To another task.
                let guard = HANDED_OFF.lock().await;
                assert_eq!(held_names(), expect_held(&["HANDED_OFF"]));
                let (dropped, until_dropped) = oneshot::channel();
                tokio::spawn(async move {
                    drop(guard);
                    dropped.send(()).unwrap();
                });
                until_dropped.await.unwrap();
                assert!(held_locks().is_empty(), "the other task's drop released this task's record");
                drop(p.conns.acquire().await.unwrap()); // rank 10 after rank 20 went: no report

                // To a plain thread.
                let guard = HANDED_OFF.lock().await;
                let (tx, rx) = std::sync::mpsc::channel();
                let dropper = thread::spawn(move || drop(rx.recv().unwrap()));
                tx.send(guard).unwrap();
                tokio::task::spawn_blocking(move || dropper.join().unwrap()).await.unwrap();
                assert!(held_locks().is_empty());
                drop(p.conns.acquire().await.unwrap());
            });
            let id = owner.id();
            assert_eq!(outcome(owner).await, Ok(()));
            assert!(reported_by(id).is_empty());
        });
    }
}

#[test]
fn an_acquire_given_up_while_waiting_leaves_nothing_behind() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(1);
            let ledger = pool.ledger.lock().await; // the root future keeps it
            let p = Arc::clone(&pool);
            let task = tokio::spawn(async move {
                assert!(timeout(Duration::from_millis(50), p.ledger.lock()).await.is_err());
                assert!(held_locks().is_empty());
                let _conn = p.conns.acquire().await.unwrap(); // rank 10: no wait or record left
            });
            let id = task.id();
            assert_eq!(outcome(task).await, Ok(()));
            assert!(reported_by(id).is_empty());
            drop(ledger);
        });
    }
}

/// Uncontended acquires spend the task's coop budget as tokio's own do: a task taking free
/// locks in a loop still lets the other tasks of its worker run.
#[test]
fn a_task_taking_free_locks_in_a_loop_yields_to_other_tasks() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let pool = Pool::new(1);
        let ran = Arc::new(AtomicBool::new(false));
        let other = Arc::clone(&ran);
        let looping = tokio::spawn(async move {
            for _ in 0..10_000 {
                *pool.ledger.lock().await += 1;
                drop(pool.conns.acquire().await.unwrap());
                if other.load(Ordering::Relaxed) {
                    return true;
                }
            }
            false
        });
        tokio::spawn(async move { ran.store(true, Ordering::Relaxed) });
        assert!(looping.await.unwrap(), "the other task never ran while the loop took free locks");
    });
}

#[test]
fn a_dump_names_the_task_waiting_for_an_async_lock_and_the_task_holding_it() {
    run(Flavor::MultiThread, async {
        let pool = Pool::new(1);
        let (holding, until_holding) = oneshot::channel();
        let (release, until_release) = oneshot::channel::<()>();
        let p = Arc::clone(&pool);
        let holder = tokio::spawn(async move {
            let _ledger = p.ledger.lock().await;
            holding.send(()).unwrap();
            let _ = until_release.await;
        });
        until_holding.await.unwrap();
        let p = Arc::clone(&pool);
        let waiter = tokio::spawn(async move {
            let _ledger = p.ledger.lock().await;
        });
        let (holder_id, waiter_id) = (holder.id().to_string(), waiter.id().to_string());
        tokio::time::sleep(Duration::from_millis(50)).await;
        let dump = lock_rank::dump();
        drop(release);
        assert_eq!(outcome(waiter).await, Ok(()));
        assert_eq!(outcome(holder).await, Ok(()));
        if CHECKS_ENABLED {
            let task_of = |h: &lock_rank::Holder| h.task_id().map(|t| t.to_string());
            let waiting = dump
                .holders
                .iter()
                .find(|h| task_of(&h.holder).as_deref() == Some(waiter_id.as_str()))
                .unwrap_or_else(|| panic!("the waiting task is in the dump:\n{dump}"));
            let blocked = waiting.blocked_on.as_ref().expect("shown as waiting");
            assert_eq!(blocked.lock.name(), "Pool::ledger");
            assert_eq!(task_of(&blocked.holders[0].holder).as_deref(), Some(holder_id.as_str()));
        } else {
            assert!(dump.holders.is_empty());
        }
    });
}

#[test]
fn tasks_of_a_local_set_and_blocking_tasks_have_their_own_records() {
    run(Flavor::CurrentThread, async {
        let local = tokio::task::LocalSet::new();
        let cache: Arc<lock_rank::Mutex<u32, Cache>> = Arc::new(lock_rank::Mutex::new(0));
        let pool = Pool::new(2);
        local
            .run_until(async {
                let done = Arc::new(AtomicBool::new(false));
                let (c, d) = (Arc::clone(&cache), Arc::clone(&done));
                // A synchronous guard held across awaits, by a task pinned to this thread.
                let holder = tokio::task::spawn_local(async move {
                    let _cache = c.lock().unwrap(); // rank 15
                    while !d.load(Ordering::Acquire) {
                        yield_now().await;
                    }
                });
                let p = Arc::clone(&pool);
                let other = tokio::task::spawn_local(async move {
                    for _ in 0..20 {
                        let _conn = p.conns.acquire().await.unwrap(); // rank 10 while another
                        yield_now().await; //                            task holds 15
                    }
                    done.store(true, Ordering::Release);
                });
                assert_eq!(outcome(other).await, Ok(()));
                assert_eq!(outcome(holder).await, Ok(()));
            })
            .await;
        let p = Arc::clone(&pool);
        let blocking = tokio::task::spawn_blocking(move || {
            let _ledger = p.ledger.blocking_lock();
            held_names()
        });
        assert_eq!(outcome(blocking).await, Ok(expect_held(&["Pool::ledger"])));
    });
}

/// A cache behind a synchronous lock of lock_rank.
#[lock_rank(15)]
struct Cache;
