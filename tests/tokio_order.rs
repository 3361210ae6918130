//! Async lock order violations, caught per task when the acquire is called: opposite orders in
//! two tasks, a semaphore taken twice, the connection-pool deadlock, try-acquires out of order,
//! what a report names. Without checks the same scenarios show what would have happened.

#![cfg(feature = "tokio")]

mod common;
mod tokio_support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use common::{assert_violation, lock};
use lock_rank::tokio::{Mutex, MutexGuard, RwLock, RwLockWriteGuard, Semaphore};
use lock_rank::{held_locks, lock_rank, Access, ViolationKind, CHECKS_ENABLED};
use tokio::sync::Barrier;
use tokio::time::timeout;
use tokio_support::{outcome, reported_by, reported_by_this_thread, run, FLAVORS, HANG};

/// The connection pool: taken first.
#[lock_rank(10)]
struct Conns;
/// Account balances.
#[lock_rank(20)]
struct Ledger;
/// The audit trail: taken last.
#[lock_rank(30)]
struct Journal;

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn opposite_orders_in_two_tasks_report_the_wrong_order_task_and_let_the_other_finish() {
    for flavor in FLAVORS {
        run(flavor, async {
            let ledger: Arc<Mutex<u64, Ledger>> = Arc::new(Mutex::new(100));
            let journal: Arc<Mutex<Vec<u64>, Journal>> = Arc::new(Mutex::new(vec![]));
            let both_hold_one = Arc::new(Barrier::new(2));

            let (l, j, b) = (Arc::clone(&ledger), Arc::clone(&journal), Arc::clone(&both_hold_one));
            let in_order = tokio::spawn(async move {
                let mut balance = l.lock().await;
                b.wait().await;
                // Waits for the other task's journal; without checks, until that task gives up.
                let mut trail = timeout(HANG * 8, j.lock()).await.map_err(|_| "hung")?;
                *balance -= 10;
                trail.push(10);
                Ok::<_, &str>(())
            });

            let (l, j, b) = (Arc::clone(&ledger), Arc::clone(&journal), Arc::clone(&both_hold_one));
            let wrong_order = tokio::spawn(async move {
                let _trail = j.lock().await; // wrong_order_journal
                b.wait().await;
                timeout(HANG, l.lock()).await.is_ok() // wrong_order_ledger
            });
            let wrong_id = wrong_order.id();
            let in_order_id = in_order.id();

            let wrong = outcome(wrong_order).await;
            let right = outcome(in_order).await;
            assert_eq!(right, Ok(Ok(())), "the task taking the locks in order finishes");
            assert!(reported_by(in_order_id).is_empty());
            if CHECKS_ENABLED {
                let report = wrong.expect_err("the wrong-order task is stopped by its report");
                assert!(
                    report.starts_with(
                        "lock order violation: acquiring `Ledger` (rank 20) while holding `Journal` (rank 30)"
                    ),
                    "{report}"
                );
                assert!(report.contains(&format!("task {wrong_id} on thread")), "{report}");
                let seen = reported_by(wrong_id);
                assert_eq!(seen.len(), 1);
                assert_violation(
                    &seen[0],
                    ViolationKind::LockOrder,
                    &lock("Ledger", Some(20), site!(line_of!("// wrong_order_ledger"), "l.lock()")),
                    &lock("Journal", Some(30), site!(line_of!("// wrong_order_journal"), "j.lock()")),
                );
                assert!(seen[0].holder.thread_id().is_some());
            } else {
                // The deadlock itself: each waits for the other until the wrong-order task's
                // timeout gives up.
                assert_eq!(wrong, Ok(false));
            }
            assert_eq!(*ledger.lock().await, 90);
        });
    }
}

#[test]
fn a_task_asking_a_semaphore_of_one_for_a_second_permit_is_reported_instead_of_hanging() {
    for flavor in FLAVORS {
        run(flavor, async {
            let conns: Arc<Semaphore<Conns>> = Arc::new(Semaphore::new(1));
            let c = Arc::clone(&conns);
            let task = tokio::spawn(async move {
                let _first = c.acquire().await.unwrap(); // nested_first
                timeout(HANG, c.acquire()).await.is_ok() // nested_second
            });
            let id = task.id();
            let result = outcome(task).await;
            if CHECKS_ENABLED {
                let report = result.expect_err("reported");
                assert!(
                    report.starts_with(
                        "recursive lock acquisition: acquiring `Conns` (rank 10) which this task already holds"
                    ),
                    "{report}"
                );
                let seen = reported_by(id);
                assert_violation(
                    &seen[0],
                    ViolationKind::RecursiveAcquisition,
                    &lock("Conns", Some(10), site!(line_of!("// nested_second"), "c.acquire()")),
                    &lock("Conns", Some(10), site!(line_of!("// nested_first"), "c.acquire()")),
                );
                assert_eq!(seen[0].acquiring.access, Access::Permit);
            } else {
                assert_eq!(result, Ok(false), "without checks the task waits for itself forever");
            }
            assert_eq!(conns.available_permits(), 1, "the permit went back when the task ended");
        });
    }
}

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

#[test]
fn a_connection_holder_asking_the_pool_for_another_is_reported_while_permits_remain() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(8);
            let p = Arc::clone(&pool);
            let holder = tokio::spawn(async move {
                let _conn = p.conns.acquire().await.unwrap(); // pool_first
                *p.ledger.lock().await += 1;
                assert_eq!(p.conns.available_permits(), 7);
                let second = p.conns.acquire().await.unwrap(); // pool_second
                second.num_permits()
            });
            let id = holder.id();
            let result = outcome(holder).await;
            if CHECKS_ENABLED {
                assert!(result.is_err(), "reported on the first run, with 7 permits left");
                let seen = reported_by(id);
                assert_eq!(seen.len(), 1);
                assert_violation(
                    &seen[0],
                    ViolationKind::RecursiveAcquisition,
                    &lock("Pool::conns", Some(10), site!(line_of!("// pool_second"), "p.conns.acquire()")),
                    &lock("Pool::conns", Some(10), site!(line_of!("// pool_first"), "p.conns.acquire()")),
                );
            } else {
                assert_eq!(result, Ok(1), "without checks the second connection is simply granted");
            }
            assert_eq!(pool.conns.available_permits(), 8);
        });
    }
}

#[test]
fn try_acquires_out_of_order_are_never_reported_and_count_as_held() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(2);
            let p = Arc::clone(&pool);
            let task = tokio::spawn(async move {
                let _journal = p.journal.write().await; // try_journal
                let conn = p.conns.try_acquire().expect("rank 10 under 30, but a try: no report");
                let ledger = p.ledger.try_lock().expect("a try: no report");
                let again = p.conns.try_acquire().expect("a second permit by try: no report");
                if CHECKS_ENABLED {
                    assert_eq!(held_locks().len(), 4, "try-acquired locks count as held");
                }
                drop((conn, again, ledger));
                let _ledger = p.ledger.lock().await; // blocking_ledger
            });
            let id = task.id();
            let result = outcome(task).await;
            if CHECKS_ENABLED {
                result.expect_err("the blocking acquire is reported");
                let seen = reported_by(id);
                assert_eq!(seen.len(), 1, "only the blocking acquire is reported");
                assert_violation(
                    &seen[0],
                    ViolationKind::LockOrder,
                    &lock("Pool::ledger", Some(20), site!(line_of!("// blocking_ledger"), "p.ledger.lock()")),
                    &lock("Pool::journal", Some(30), site!(line_of!("// try_journal"), "p.journal.write()")),
                );
            } else {
                result.expect("without checks nothing is reported");
            }
        });
    }
}

#[test]
fn the_check_runs_when_the_acquire_is_called_before_the_future_is_awaited() {
    run(tokio_support::Flavor::MultiThread, async {
        let pool = Pool::new(1);
        let p = Arc::clone(&pool);
        let task = tokio::spawn(async move {
            let _ledger = p.ledger.lock().await;
            // The call alone reports: the future is never polled.
            catch_unwind(AssertUnwindSafe(|| drop(p.conns.acquire()))).is_err()
        });
        assert_eq!(outcome(task).await, Ok(CHECKS_ENABLED));
    });
}

#[test]
fn reading_a_lock_the_task_already_reads_is_reported() {
    run(tokio_support::Flavor::CurrentThread, async {
        let pool = Pool::new(1);
        let p = Arc::clone(&pool);
        let task = tokio::spawn(async move {
            let _first = p.journal.read().await; // first_read
            let _second = p.journal.read().await; // second_read
        });
        let id = task.id();
        let result = outcome(task).await;
        if CHECKS_ENABLED {
            result.expect_err("reported");
            let seen = reported_by(id);
            assert_violation(
                &seen[0],
                ViolationKind::RecursiveAcquisition,
                &lock("Pool::journal", Some(30), site!(line_of!("// second_read"), "p.journal.read()")),
                &lock("Pool::journal", Some(30), site!(line_of!("// first_read"), "p.journal.read()")),
            );
            assert_eq!((seen[0].acquiring.access, seen[0].held.access), (Access::Shared, Access::Shared));
        } else {
            result.expect("without a writer queued, tokio grants the second read");
        }
    });
}

#[test]
fn a_mapped_guard_keeps_the_record_and_a_downgraded_one_is_recorded_as_a_read() {
    run(tokio_support::Flavor::MultiThread, async {
        let pool = Pool::new(1);
        let p = Arc::clone(&pool);
        let task = tokio::spawn(async move {
            let ledger = p.ledger.lock().await; // mapped_ledger
            let mapped = MutexGuard::map(ledger, |balance| balance);
            if CHECKS_ENABLED {
                assert_eq!(held_locks()[0].name(), "Pool::ledger");
            }
            drop(mapped);
            assert!(held_locks().is_empty(), "the mapped guard released the record");

            let written = p.journal.write().await;
            let read = written.downgrade();
            if CHECKS_ENABLED {
                let held = held_locks();
                assert_eq!((held.len(), held[0].access), (1, Access::Shared));
            }
            drop(read);
            let ledger = MutexGuard::map(p.ledger.lock().await, |balance| balance);
            let _conn = p.conns.acquire().await; // under_mapped
            drop(ledger);
        });
        let id = task.id();
        let result = outcome(task).await;
        if CHECKS_ENABLED {
            result.expect_err("rank 10 under the mapped rank-20 guard is reported");
            let seen = reported_by(id);
            assert_eq!(seen[0].held.name(), "Pool::ledger");
            assert_eq!(
                seen[0].acquiring.site().to_string(),
                site!(line_of!("// under_mapped"), "p.conns.acquire()")
            );
        } else {
            result.expect("no report without checks");
        }
    });
}

#[test]
fn a_downgraded_guard_keeps_the_site_where_the_lock_was_written() {
    run(tokio_support::Flavor::MultiThread, async {
        let ledger: Arc<Mutex<u64, Ledger>> = Arc::new(Mutex::new(0));
        let journal: Arc<RwLock<Vec<u64>, Journal>> = Arc::new(RwLock::new(vec![1]));
        let (l, j) = (Arc::clone(&ledger), Arc::clone(&journal));
        let task = tokio::spawn(async move {
            let first = RwLockWriteGuard::downgrade_map(j.write().await, |entries| &entries[0]); // mapped_write
            if CHECKS_ENABLED {
                let held = held_locks();
                assert_eq!((held.len(), held[0].access), (1, Access::Shared));
                assert_eq!(held[0].site().to_string(), site!(line_of!("// mapped_write"), "j.write()"));
            }
            drop(first);
            let read = j.write().await.downgrade(); // downgraded_write
            let _balance = l.lock().await; // under_downgraded: rank 20 under rank 30
            drop(read);
        });
        let id = task.id();
        let result = outcome(task).await;
        if CHECKS_ENABLED {
            result.expect_err("rank 20 under the downgraded rank-30 guard is reported");
            let seen = reported_by(id);
            assert_eq!(seen.len(), 1, "{seen:#?}");
            assert_violation(
                &seen[0],
                ViolationKind::LockOrder,
                &lock("Ledger", Some(20), site!(line_of!("// under_downgraded"), "l.lock()")),
                &lock("Journal", Some(30), site!(line_of!("// downgraded_write"), "j.write()")),
            );
            assert_eq!(seen[0].held.access, Access::Shared);
        } else {
            result.expect("no report without checks");
        }
    });
}

/// A cache with a std (synchronous) lock of lock_rank.
#[lock_rank(15)]
struct Cache;

#[test]
fn synchronous_locks_taken_inside_a_task_count_for_the_task() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(1);
            let cache: Arc<lock_rank::Mutex<u32, Cache>> = Arc::new(lock_rank::Mutex::new(0));
            // A synchronous lock held, then an async one of a lower rank asked for.
            let (p, c) = (Arc::clone(&pool), Arc::clone(&cache));
            let sync_then_async = tokio::spawn(async move {
                let below = {
                    let _cache = c.lock().unwrap(); // sync_cache
                    catch_unwind(AssertUnwindSafe(|| drop(p.conns.acquire()))).is_err()
                };
                tokio::task::yield_now().await;
                below
            });
            // An async lock held across an await, then a synchronous one of a lower rank.
            let (p, c) = (Arc::clone(&pool), Arc::clone(&cache));
            let async_then_sync = tokio::spawn(async move {
                let _ledger = p.ledger.lock().await; // async_ledger
                tokio::task::yield_now().await;
                catch_unwind(AssertUnwindSafe(|| drop(c.lock()))).is_err() // sync_under_async
            });
            let id = async_then_sync.id();
            assert_eq!(outcome(sync_then_async).await, Ok(CHECKS_ENABLED));
            assert_eq!(outcome(async_then_sync).await, Ok(CHECKS_ENABLED));
            if CHECKS_ENABLED {
                let seen = reported_by(id);
                assert_violation(
                    &seen[0],
                    ViolationKind::LockOrder,
                    &lock("Cache", Some(15), site!(line_of!("// sync_under_async"), "c.lock()")),
                    &lock("Pool::ledger", Some(20), site!(line_of!("// async_ledger"), "p.ledger.lock()")),
                );
            }
        });
    }
}

#[test]
fn the_root_future_of_block_on_counts_for_its_thread_and_not_for_the_tasks_it_spawns() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(2);
            let _ledger = pool.ledger.lock().await; // root_ledger
            if CHECKS_ENABLED {
                assert_eq!(held_locks().len(), 1);
            }
            let p = Arc::clone(&pool);
            let task = tokio::spawn(async move {
                // Another holder: the root future's lock is not this task's.
                assert!(held_locks().is_empty());
                let _conn = p.conns.acquire().await.unwrap();
            });
            outcome(task).await.expect("the spawned task sees none of the root's locks");
            let below = catch_unwind(AssertUnwindSafe(|| drop(pool.conns.acquire()))).is_err(); // root_conns
            assert_eq!(below, CHECKS_ENABLED);
            if CHECKS_ENABLED {
                let seen = reported_by_this_thread();
                assert_eq!(seen.len(), 1);
                assert_violation(
                    &seen[0],
                    ViolationKind::LockOrder,
                    &lock("Pool::conns", Some(10), site!(line_of!("// root_conns"), "pool.conns.acquire()")),
                    &lock("Pool::ledger", Some(20), site!(line_of!("// root_ledger"), "pool.ledger.lock()")),
                );
                assert!(seen[0].holder.task_id().is_none(), "reported for the thread, not a task");
            }
        });
    }
}

#[test]
fn owned_permits_handed_to_workers_do_not_count_for_the_task_that_took_them() {
    for flavor in FLAVORS {
        run(flavor, async {
            let pool = Pool::new(3);
            let p = Arc::clone(&pool);
            let dispatcher = tokio::spawn(async move {
                let limit: Arc<Semaphore<Conns>> = Arc::new(Semaphore::new(3));
                let mut workers = Vec::new();
                for job in 0..8_u64 {
                    // The idiom of tokio's docs: each permit moves into its worker.
                    let permit = assert_send(Arc::clone(&limit).acquire_owned()).await.unwrap();
                    let p = Arc::clone(&p);
                    workers.push(tokio::spawn(async move {
                        *p.ledger.lock().await += job;
                        tokio::task::yield_now().await;
                        drop(permit);
                    }));
                }
                for worker in workers {
                    worker.await.unwrap();
                }
                // An owned guard handed off keeps the acquirer free to take lower ranks.
                let journal: Arc<RwLock<Vec<u64>, Journal>> = Arc::new(RwLock::new(vec![]));
                let writer = Arc::clone(&journal).write_owned().await;
                let handed = tokio::spawn(async move {
                    let mut writer = writer;
                    writer.push(1);
                });
                *p.ledger.lock().await += 100;
                handed.await.unwrap();
                let written = journal.read().await.len();
                written
            });
            assert_eq!(outcome(dispatcher).await, Ok(1));
            assert_eq!(*pool.ledger.lock().await, 128);
        });
    }
}

#[lock_rank(5)]
static WORKERS: Semaphore = Semaphore::const_new(2);
#[lock_rank(6)]
static KEPT: Semaphore = Semaphore::const_new(2);

#[test]
fn a_borrowed_permit_handed_to_another_task_counts_for_the_acquirer_unless_detached() {
    run(tokio_support::Flavor::MultiThread, async {
        let dispatcher = tokio::spawn(async {
            for job in 0..6_u32 {
                let permit = WORKERS.acquire().await.unwrap().detach();
                tokio::spawn(async move {
                    let _permit = permit;
                    tokio::task::yield_now().await;
                    job
                });
            }
        });
        outcome(dispatcher).await.expect("detached permits do not count for the dispatcher");

        let keeper = tokio::spawn(async {
            let first = KEPT.acquire().await.unwrap();
            let (done, until_done) = tokio::sync::oneshot::channel::<()>();
            let worker = tokio::spawn(async move {
                let _ = until_done.await;
                drop(first);
            });
            // Not detached: the keeper's until it drops, even while the worker has it.
            let second = KEPT.acquire().await;
            drop(done);
            worker.await.unwrap();
            drop(second);
        });
        let id = keeper.id();
        let result = outcome(keeper).await;
        if CHECKS_ENABLED {
            result.expect_err("reported");
            assert_eq!(reported_by(id)[0].kind, ViolationKind::RecursiveAcquisition);
        } else {
            result.unwrap();
        }
    });
}

#[test]
fn unranked_async_locks_report_only_reacquiring_the_same_lock() {
    run(tokio_support::Flavor::CurrentThread, async {
        let task = tokio::spawn(async {
            let first: Semaphore = Semaphore::new(2);
            let other: Mutex<u8> = Mutex::new(0);
            let _a = first.acquire().await.unwrap();
            let _b = other.lock().await;
            let _c = timeout(HANG, first.acquire_many(1)).await;
        });
        let id = task.id();
        let result = outcome(task).await;
        if CHECKS_ENABLED {
            result.expect_err("reported");
            let seen = reported_by(id);
            assert_eq!(seen[0].kind, ViolationKind::RecursiveAcquisition);
            let name = seen[0].acquiring.name();
            assert!(name.starts_with("Semaphore created at tests/tokio_order.rs:"), "{name}");
        } else {
            result.unwrap();
        }
    });
}

#[test]
fn split_and_merged_permits_keep_one_record_each() {
    run(tokio_support::Flavor::CurrentThread, async {
        let task = tokio::spawn(async {
            let pool = Pool::new(4);
            let mut permits = pool.conns.acquire_many(3).await.unwrap();
            let part = permits.split(1).unwrap();
            if CHECKS_ENABLED {
                assert_eq!(held_locks().len(), 2);
            }
            permits.merge(part);
            if CHECKS_ENABLED {
                assert_eq!(held_locks().len(), 1);
            }
            permits.forget();
            assert!(held_locks().is_empty());
            pool.conns.available_permits()
        });
        assert_eq!(outcome(task).await, Ok(1));
    });
}

#[test]
fn futures_and_guards_are_send_like_tokios() {
    run(tokio_support::Flavor::MultiThread, async {
        let pool = Pool::new(1);
        let conn = assert_send(pool.conns.acquire()).await.unwrap();
        let ledger = assert_send(pool.ledger.lock()).await;
        let journal = assert_send(pool.journal.write()).await;
        drop(assert_send((conn, ledger, journal)));
        let read = assert_send(pool.journal.read()).await;
        drop(assert_send(read));
    });
}
