//! Many tasks alive at once: 100,000 tokio tasks through ranked locks on a 2-worker runtime are
//! never reported, and every held-lock record they claimed is given back afterwards.
//!
//! In a binary of its own: the count of records in use is process-wide.

#![cfg(feature = "tokio")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use lock_rank::{lock_rank, Policy, CHECKS_ENABLED};

const TASKS: usize = 100_000;

/// How long the load may take before the test fails instead of hanging: a few seconds in a debug
/// build on 2 cores; a claim that scanned every record would take many minutes.
const FINISH: Duration = Duration::from_secs(120);

#[lock_rank(1)]
static LOCAL: lock_rank::Mutex<u64> = lock_rank::Mutex::new(0);

#[lock_rank(2)]
static SHARED: lock_rank::tokio::Mutex<u64> = lock_rank::tokio::Mutex::const_new(0);

static REPORTS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn a_hundred_thousand_live_tasks_are_never_reported_and_give_every_record_back() {
    lock_rank::set_policy(Policy::callback(|violation| {
        REPORTS.fetch_add(1, Ordering::Relaxed);
        eprintln!("{violation}");
    }));
    let before = lock_rank::__private::records_in_use();

    let (done, finished) = mpsc::channel();
    let load = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let total = runtime.block_on(async {
            let handles: Vec<_> = (0..TASKS)
                .map(|_| {
                    tokio::spawn(async {
                        *LOCAL.lock().unwrap() += 1;
                        let mut shared = SHARED.lock().await;
                        tokio::task::yield_now().await;
                        *shared += 1;
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
            *SHARED.lock().await
        });
        // Dropping the runtime waits for its workers to exit: their records go back too.
        drop(runtime);
        let _ = done.send(total);
    });
    let total = match finished.recv_timeout(FINISH) {
        Ok(total) => total,
        Err(_) => panic!("{TASKS} tasks did not finish within {FINISH:?}"),
    };
    load.join().unwrap();

    assert_eq!(total, TASKS as u64, "every task took the shared lock");
    assert_eq!(*LOCAL.lock().unwrap(), TASKS as u64);
    assert_eq!(REPORTS.load(Ordering::Relaxed), 0, "locks taken in order were reported");
    if CHECKS_ENABLED {
        // This thread's own record (claimed by the last `LOCAL.lock()`) may be new.
        let after = lock_rank::__private::records_in_use();
        assert!(after <= before + 1, "{before} records in use before the load, {after} after it");
        // Most tasks waited for the shared lock at once, each with a record of its own.
        let made = lock_rank::__private::records_made();
        assert!(made >= TASKS / 10, "only {made} records were ever made: the tasks did not overlap");
    }
}
