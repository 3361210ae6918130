//! Timed acquires of the tokio locks: a task really holds the lock across awaits, and the
//! timeout names the lock, its rank, and the holding task with the site where it took the lock.
//! Bounded by the timeouts themselves and by an outer `tokio::time::timeout`.
#![cfg(feature = "tokio")]

use std::time::Duration;

use lock_rank::tokio::{Mutex, RwLock, Semaphore};
use lock_rank::{lock_rank, CHECKS_ENABLED};
use tokio::sync::oneshot;

#[lock_rank(10)]
static POOL: Semaphore = Semaphore::const_new(1);
#[lock_rank(20)]
static LEDGER: Mutex<u64> = Mutex::const_new(0);
#[lock_rank(30)]
static JOURNAL: RwLock<Vec<u64>> = RwLock::const_new(Vec::new());

/// Pairs an acquire with the line it is written on.
macro_rules! at_line {
    ($acquire:expr) => {
        (line!(), $acquire)
    };
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Spawns a task that takes a lock with `take`, reports the line, and holds it until released.
async fn held_elsewhere<G: Send + 'static>(
    take: impl std::future::Future<Output = (u32, G)> + Send + 'static,
) -> (u32, u64, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (taken_tx, taken) = oneshot::channel();
    let (release, released) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let (line, guard) = take.await;
        let id = tokio::task::try_id().map(|id| id.to_string().parse::<u64>().unwrap()).unwrap();
        taken_tx.send((line, id)).unwrap();
        let _ = tokio::time::timeout(Duration::from_secs(10), released).await;
        drop(guard);
    });
    let (line, id) = taken.await.unwrap();
    (line, id, release, task)
}

fn check_timeout(timeout: &lock_rank::LockTimeout, name: &str, rank: u32, holder_line: u32, task: u64) {
    let text = timeout.to_string();
    assert!(
        text.starts_with(&format!("lock timeout: `{name}` (rank {rank}) not acquired within 30ms")),
        "{text}"
    );
    if CHECKS_ENABLED {
        assert_eq!(timeout.holders.len(), 1, "{text}");
        assert_eq!(timeout.holders[0].holder.task_id(), Some(task), "{text}");
        assert_eq!(timeout.holders[0].acquisition.site.line(), holder_line, "{text}");
        assert!(text.contains(&format!("held by task {task} on thread")), "{text}");
        assert!(text.contains(&format!("acquired at {}:{holder_line}:", file!())), "{text}");
    } else {
        assert!(timeout.holders.is_empty());
        assert!(text.contains("checks are off"), "{text}");
    }
}

#[test]
fn mutex_lock_timeout_names_the_holding_task() {
    runtime().block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            let (line, task, release, holder) = held_elsewhere(async { at_line!(LEDGER.lock().await) }).await;
            let (request_line, result) = at_line!(LEDGER.lock_timeout(Duration::from_millis(30)).await);
            let timeout = result.unwrap_err();
            assert_eq!(timeout.lock.site.line(), request_line);
            check_timeout(&timeout, "LEDGER", 20, line, task);
            release.send(()).unwrap();
            holder.await.unwrap();
            *LEDGER.lock_timeout(Duration::from_millis(30)).await.unwrap() += 1;
        })
        .await
        .expect("the scenario finishes");
    });
}

#[test]
fn rwlock_timeouts_name_the_writer() {
    runtime().block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            let (line, task, release, holder) =
                held_elsewhere(async { at_line!(JOURNAL.write().await) }).await;
            check_timeout(
                &JOURNAL.read_timeout(Duration::from_millis(30)).await.unwrap_err(),
                "JOURNAL",
                30,
                line,
                task,
            );
            check_timeout(
                &JOURNAL.write_timeout(Duration::from_millis(30)).await.unwrap_err(),
                "JOURNAL",
                30,
                line,
                task,
            );
            release.send(()).unwrap();
            holder.await.unwrap();
            assert!(JOURNAL.read_timeout(Duration::from_millis(30)).await.is_ok());
        })
        .await
        .expect("the scenario finishes");
    });
}

#[test]
fn semaphore_acquire_timeout_names_the_permit_holder() {
    runtime().block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            let (line, task, release, holder) =
                held_elsewhere(async { at_line!(POOL.acquire().await.unwrap()) }).await;
            check_timeout(
                &POOL.acquire_timeout(Duration::from_millis(30)).await.unwrap_err(),
                "POOL",
                10,
                line,
                task,
            );
            release.send(()).unwrap();
            holder.await.unwrap();
            assert!(POOL.acquire_timeout(Duration::from_millis(30)).await.unwrap().is_ok());
        })
        .await
        .expect("the scenario finishes");
    });
}

#[test]
fn a_timed_acquire_out_of_order_is_not_a_violation() {
    #[lock_rank(1)]
    struct Low;
    #[lock_rank(2)]
    struct High;
    runtime().block_on(async {
        tokio::spawn(async {
            let low: Mutex<u8, Low> = Mutex::new(0);
            let high: RwLock<u8, High> = RwLock::new(0);
            let _high = high.read().await;
            // Rank 1 while holding 2, but timed: it gives up instead of hanging, so no report.
            assert!(low.lock_timeout(Duration::from_millis(30)).await.is_ok());
        })
        .await
        .expect("no violation is reported");
    });
}
