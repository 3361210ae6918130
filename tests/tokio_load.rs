//! Many tasks alive at once: 100,000 tokio tasks through ranked locks on a 2-worker runtime are
//! never reported, tasks queued for a lock keep no record while they wait, and every held-lock
//! record they claimed is given back afterwards.
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

/// Tasks between their start and their end, and the most there were at once.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

#[test]
fn a_hundred_thousand_live_tasks_are_never_reported_and_give_every_record_back() {
    lock_rank::set_policy(Policy::callback(|violation| {
        REPORTS.fetch_add(1, Ordering::Relaxed);
        eprintln!("{violation}");
    }));
    let before = lock_rank::__private::records_in_use();

    let (done, finished) = mpsc::channel();
    let load = std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_time().build().unwrap();
        let total = runtime.block_on(async {
            // Closed until every task is alive: then all of them wait for it at once.
            let gate = SHARED.lock().await;
            let handles: Vec<_> = (0..TASKS)
                .map(|_| {
                    tokio::spawn(async {
                        PEAK.fetch_max(LIVE.fetch_add(1, Ordering::Relaxed) + 1, Ordering::Relaxed);
                        *LOCAL.lock().unwrap() += 1;
                        let mut shared = SHARED.lock().await;
                        tokio::task::yield_now().await;
                        *shared += 1;
                        drop(shared);
                        LIVE.fetch_sub(1, Ordering::Relaxed);
                    })
                })
                .collect();
            while LIVE.load(Ordering::Relaxed) < TASKS {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            drop(gate);
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
    assert_eq!(PEAK.load(Ordering::Relaxed), TASKS, "every task was alive at once");
    if CHECKS_ENABLED {
        // This thread's own record (claimed by the last `LOCAL.lock()`) may be new.
        let after = lock_rank::__private::records_in_use();
        assert!(after <= before + 1, "{before} records in use before the load, {after} after it");
        // The tasks queued for the shared lock holding nothing: their waits were shown by their
        // acquires, and their records went back while they waited, to be used by the next tasks.
        let made = lock_rank::__private::records_made();
        assert!(made < TASKS / 100, "{made} records were made for {TASKS} tasks alive at once");
    }
}
