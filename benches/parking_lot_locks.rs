//! What the checks cost a parking_lot mutex: `lock_rank::parking_lot::Mutex` against plain
//! `parking_lot::Mutex`, in one process.
//!
//! Two workloads, both uncontended: one lock and unlock, and two ranked mutexes locked nested (in
//! order) and unlocked. Every round times the plain and the ranked mutex back to back, in
//! alternating order, and takes their ratio, so load that comes and goes on the machine cancels
//! out; the report is the median of those per-round ratios, with their min and max. A sample is
//! the fastest of 3 batches of about `PL_BATCH_US` µs.
//!
//! Run with the checks on: `cargo bench --bench parking_lot_locks --features parking_lot,enforce`.
//! (Without `enforce` a release build has no checks, and the ratio shows that the ranked mutex
//! is then parking_lot's.) Settings: `PL_ROUNDS` (default 31), `PL_BATCH_US` (default 2000),
//! `PL_ITERS` (fixed operations per batch, for a profiler).

use std::hint::black_box;
use std::time::{Duration, Instant};

use lock_rank::lock_rank;

#[lock_rank(1)]
struct Outer;
#[lock_rank(2)]
struct Inner;

/// The ratio the checks should stay under, with checks on.
const TARGET: f64 = 1.3;

type Checked<C> = lock_rank::parking_lot::Mutex<u64, C>;
type Plain = parking_lot::Mutex<u64>;

/// One workload: `ops` operations on the plain mutexes, and on the ranked ones.
struct Workload {
    name: &'static str,
    plain: fn(&(Plain, Plain), u64),
    checked: fn(&(Checked<Outer>, Checked<Inner>), u64),
}

fn plain_single(locks: &(Plain, Plain), ops: u64) {
    let locks = black_box(locks);
    for _ in 0..ops {
        *locks.0.lock() += 1;
    }
}

fn checked_single(locks: &(Checked<Outer>, Checked<Inner>), ops: u64) {
    let locks = black_box(locks);
    for _ in 0..ops {
        *locks.0.lock() += 1;
    }
}

fn plain_nested(locks: &(Plain, Plain), ops: u64) {
    let locks = black_box(locks);
    for _ in 0..ops {
        let mut outer = locks.0.lock();
        let mut inner = locks.1.lock();
        *outer += 1;
        *inner += 1;
    }
}

fn checked_nested(locks: &(Checked<Outer>, Checked<Inner>), ops: u64) {
    let locks = black_box(locks);
    for _ in 0..ops {
        let mut outer = locks.0.lock();
        let mut inner = locks.1.lock();
        *outer += 1;
        *inner += 1;
    }
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The fastest of 3 batches of `ops` calls, in nanoseconds per operation.
fn sample(run: &dyn Fn(u64), ops: u64) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run(ops);
            start.elapsed().as_nanos() as f64 / ops as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// How many operations take about `batch`.
fn calibrate(run: &dyn Fn(u64), batch: Duration) -> u64 {
    let mut ops = 1_000;
    loop {
        let start = Instant::now();
        run(ops);
        let took = start.elapsed();
        if took >= batch / 4 || ops >= 1 << 30 {
            return ((ops as f64) * batch.as_secs_f64() / took.as_secs_f64().max(1e-9)).max(1.0) as u64;
        }
        ops *= 4;
    }
}

fn median(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

fn main() {
    let rounds = setting("PL_ROUNDS", 31).max(1);
    let batch = Duration::from_micros(setting("PL_BATCH_US", 2000));
    let fixed = std::env::var("PL_ITERS").ok().and_then(|v| v.parse().ok());
    let workloads = [
        Workload { name: "lock+unlock", plain: plain_single, checked: checked_single },
        Workload { name: "nested 2 deep", plain: plain_nested, checked: checked_nested },
    ];
    let plain_locks: (Plain, Plain) = (Plain::new(0), Plain::new(0));
    let checked_locks: (Checked<Outer>, Checked<Inner>) = (Checked::new(0), Checked::new(0));

    println!(
        "lock_rank::parking_lot::Mutex vs parking_lot::Mutex, checks {}, {rounds} rounds",
        if lock_rank::CHECKS_ENABLED { "on" } else { "off" }
    );
    println!("| workload | parking_lot ns/op | lock_rank ns/op | ratio (median) | min | max |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut missed = false;
    for workload in &workloads {
        let plain = |ops| (workload.plain)(&plain_locks, ops);
        let checked = |ops| (workload.checked)(&checked_locks, ops);
        let plain_ops = fixed.unwrap_or_else(|| calibrate(&plain, batch));
        let checked_ops = fixed.unwrap_or_else(|| calibrate(&checked, batch));
        let (mut ratios, mut plain_ns, mut checked_ns) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (p, c) = if round % 2 == 0 {
                let p = sample(&plain, plain_ops);
                (p, sample(&checked, checked_ops))
            } else {
                let c = sample(&checked, checked_ops);
                (sample(&plain, plain_ops), c)
            };
            ratios.push(c / p);
            plain_ns.push(p);
            checked_ns.push(c);
        }
        for v in [&mut ratios, &mut plain_ns, &mut checked_ns] {
            v.sort_by(f64::total_cmp);
        }
        let ratio = median(&ratios);
        missed |= lock_rank::CHECKS_ENABLED && ratio > TARGET;
        println!(
            "| {} | {:.2} | {:.2} | {:.3}x | {:.3}x | {:.3}x |",
            workload.name,
            median(&plain_ns),
            median(&checked_ns),
            ratio,
            ratios[0],
            ratios[ratios.len() - 1]
        );
    }
    black_box((*plain_locks.0.lock(), *checked_locks.0.lock()));
    if lock_rank::CHECKS_ENABLED {
        println!("target: at most {TARGET}x with checks on: {}", if missed { "MISSED" } else { "met" });
    }
}
