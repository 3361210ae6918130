//! The cost of the checked async locks against plain `tokio::sync`, in one process.
//!
//! Uncontended `lock().await` + drop of a `Mutex` and `acquire().await` + drop of a
//! `Semaphore` permit, inside a spawned task (where the held locks are the task's) and in
//! `block_on`'s root future (where they are the thread's). Rounds interleave the checked and the
//! plain lock, alternating which goes first, and the result is the median of the per-round
//! ratios, so drift in clock speed or load hits both sides alike.
//!
//! Run with checks on: `cargo bench --bench tokio_locks --features tokio,enforce`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lock_rank::lock_rank;

/// The ledger: a ranked async mutex.
#[lock_rank(20)]
struct Ledger;
/// The connection pool: a ranked semaphore.
#[lock_rank(10)]
struct Conns;

const ROUNDS: usize = 31;
const OPS: u32 = 20_000;

/// One timed run of `OPS` operations.
type Run<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Duration> + Send + 'a>>;
type Op = fn(&Locks) -> Run<'_>;

struct Locks {
    checked_mutex: lock_rank::tokio::Mutex<u64, Ledger>,
    plain_mutex: tokio::sync::Mutex<u64>,
    checked_semaphore: lock_rank::tokio::Semaphore<Conns>,
    plain_semaphore: tokio::sync::Semaphore,
}

fn checked_mutex(locks: &Locks) -> Run<'_> {
    Box::pin(async move {
        let start = Instant::now();
        for _ in 0..OPS {
            let mut guard = black_box(&locks.checked_mutex).lock().await;
            *guard += 1;
        }
        start.elapsed()
    })
}

fn plain_mutex(locks: &Locks) -> Run<'_> {
    Box::pin(async move {
        let start = Instant::now();
        for _ in 0..OPS {
            let mut guard = black_box(&locks.plain_mutex).lock().await;
            *guard += 1;
        }
        start.elapsed()
    })
}

fn checked_semaphore(locks: &Locks) -> Run<'_> {
    Box::pin(async move {
        let start = Instant::now();
        for _ in 0..OPS {
            drop(black_box(black_box(&locks.checked_semaphore).acquire().await.unwrap()));
        }
        start.elapsed()
    })
}

fn plain_semaphore(locks: &Locks) -> Run<'_> {
    Box::pin(async move {
        let start = Instant::now();
        for _ in 0..OPS {
            drop(black_box(black_box(&locks.plain_semaphore).acquire().await.unwrap()));
        }
        start.elapsed()
    })
}

/// Median ns/op of each side and median of the per-round ratios checked / plain.
async fn compare(locks: &Locks, checked: Op, plain: Op) -> (f64, f64, f64) {
    // Warm-up: first use claims the held set, faults in pages, trains branches.
    checked(locks).await;
    plain(locks).await;
    let (mut ratios, mut checked_ns, mut plain_ns) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (c, p) = if round % 2 == 0 {
            let c = checked(locks).await;
            (c, plain(locks).await)
        } else {
            let p = plain(locks).await;
            (checked(locks).await, p)
        };
        let per_op = |d: Duration| d.as_nanos() as f64 / f64::from(OPS);
        checked_ns.push(per_op(c));
        plain_ns.push(per_op(p));
        ratios.push(c.as_secs_f64() / p.as_secs_f64());
    }
    (median(checked_ns), median(plain_ns), median(ratios))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    let locks = Arc::new(Locks {
        checked_mutex: lock_rank::tokio::Mutex::new(0),
        plain_mutex: tokio::sync::Mutex::new(0),
        checked_semaphore: lock_rank::tokio::Semaphore::new(8),
        plain_semaphore: tokio::sync::Semaphore::new(8),
    });
    let cases: [(&str, Op, Op); 2] = [
        ("Mutex lock + unlock", checked_mutex, plain_mutex),
        ("Semaphore acquire + release", checked_semaphore, plain_semaphore),
    ];
    println!(
        "lock_rank::tokio vs tokio::sync, uncontended, checks {} ({ROUNDS} rounds of {OPS} ops, median)",
        if lock_rank::CHECKS_ENABLED { "on" } else { "off" }
    );
    println!("{:<30} {:<12} {:>12} {:>12} {:>8}", "operation", "held by", "checked ns", "tokio ns", "ratio");
    for (name, checked, plain) in cases {
        let in_task = {
            let locks = Arc::clone(&locks);
            rt.block_on(
                async move { tokio::spawn(async move { compare(&locks, checked, plain).await }).await },
            )
            .expect("the bench task")
        };
        let in_root = rt.block_on(compare(&locks, checked, plain));
        for (holder, (c, p, ratio)) in [("a task", in_task), ("the thread", in_root)] {
            println!("{name:<30} {holder:<12} {c:>12.1} {p:>12.1} {ratio:>7.2}x");
        }
    }
}
