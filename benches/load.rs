//! What checking costs under load: many tokio tasks, or many threads, alive at once.
//!
//! The task shape: N tokio tasks on a 2-worker runtime, each taking a ranked std-shaped `Mutex`,
//! releasing it, then a ranked `lock_rank::tokio::Mutex` shared by all of them, held across one
//! `yield_now().await`; round after round. Every task waits for the shared lock at once, so N tasks
//! are alive, and (checked) N records are in use, at the peak. The thread shape: N threads alive
//! at once (they wait for each other on a barrier), each taking a ranked std-shaped `Mutex` of its
//! own, then one shared by all of them. The time reported is per task (or thread) of the median
//! round.
//!
//! Each size runs in a child process of its own, so its peak memory (`VmHWM`, Linux) is its own.
//! One build holds lock-rank in one mode only: `benches/load.sh` runs this in both modes, taking
//! turns, and prints one Markdown table. Run alone, it prints tab-separated rows on stdout (`load`,
//! mode, shape, N, ns per task or thread, peak resident kB, resident kB at the end) and a readable
//! line per size on stderr.
//!
//! Settings, from the environment:
//! - `LOAD_TASKS`: the task counts, comma-separated (default `1000,10000,100000`).
//! - `LOAD_THREADS`: the thread counts (default `1000,10000`).
//! - `LOAD_ROUNDS`: rounds per size (default: enough for about 200,000 tasks or 20,000 threads
//!   in all, and at least 5).
//! - `LOAD_TIMEOUT_S`: how long one size may take before it is stopped and reported as such
//!   (default 120).

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use lock_rank::lock_rank;

#[lock_rank(1)]
static LOCAL: lock_rank::Mutex<u64> = lock_rank::Mutex::new(0);

#[lock_rank(2)]
static SHARED: lock_rank::tokio::Mutex<u64> = lock_rank::tokio::Mutex::const_new(0);

#[lock_rank::ranked]
struct Own {
    #[lock_rank(1)]
    count: lock_rank::Mutex<u64>,
}

#[lock_rank(2)]
static SHARED_SYNC: lock_rank::Mutex<u64> = lock_rank::Mutex::new(0);

const MODE: &str = if lock_rank::CHECKS_ENABLED { "checked" } else { "unchecked" };

fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| match s.trim().parse() {
            Ok(0) | Err(_) => panic!("{name}: not a count of at least 1: {s}"),
            Ok(n) => n,
        })
        .collect()
}

/// Rounds for `n` at once: `LOAD_ROUNDS` (at least one), else enough for `total` in all, at least
/// five. A round of 1,000 tasks takes about a millisecond, where one late wake-up of a worker
/// moves the time by half: the median of many rounds is the cost, not the machine's mood.
fn rounds(n: usize, total: usize) -> usize {
    match std::env::var("LOAD_ROUNDS").ok().and_then(|s| s.parse::<usize>().ok()) {
        Some(rounds) => rounds.max(1),
        None => (total / n.max(1)).max(5),
    }
}

/// The median of the rounds' times (of the two middle ones for an even count), per task (or
/// thread) of a round.
fn per_one(mut times: Vec<Duration>, n: usize) -> Duration {
    times.sort_unstable();
    let middle = times.len() / 2;
    let median = if times.len() % 2 == 0 { (times[middle - 1] + times[middle]) / 2 } else { times[middle] };
    median / n as u32
}

/// A field of `/proc/self/status`, in kB (0 where there is none).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(field)?.strip_prefix(':')?;
                rest.trim().trim_end_matches("kB").trim().parse().ok()
            })
        })
        .unwrap_or(0)
}

/// N tasks at once, `rounds` times; the time per task of the median round.
fn tasks(n: usize, rounds: usize) -> Duration {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    let times = runtime.block_on(async {
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let began = Instant::now();
            let handles: Vec<_> = (0..n)
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
            times.push(began.elapsed());
        }
        times
    });
    drop(runtime);
    per_one(times, n)
}

/// N threads at once, `rounds` times; the time per thread of the median round.
fn threads(n: usize, rounds: usize) -> Duration {
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let began = Instant::now();
        let all_up = Arc::new(Barrier::new(n));
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let all_up = Arc::clone(&all_up);
                std::thread::Builder::new()
                    .stack_size(64 * 1024)
                    .spawn(move || {
                        let own = Own { count: lock_rank::Mutex::new(0) };
                        let mut count = own.count.lock().unwrap();
                        *SHARED_SYNC.lock().unwrap() += 1;
                        *count += 1;
                        drop(count);
                        all_up.wait();
                    })
                    .unwrap()
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        times.push(began.elapsed());
    }
    per_one(times, n)
}

/// Runs one size in this process and prints its row.
fn child(shape: &str, n: usize) {
    let per = match shape {
        "tasks" => tasks(n, rounds(n, 200_000)),
        "threads" => threads(n, rounds(n, 20_000)),
        _ => panic!("unknown shape {shape}"),
    };
    let (peak, end) = (status_kb("VmHWM"), status_kb("VmRSS"));
    println!("load\t{MODE}\t{shape}\t{n}\t{:.1}\t{peak}\t{end}", per.as_nanos() as f64);
}

/// Runs one size in a child process, stopped after `timeout`; its row, if it finished.
fn run_child(shape: &str, n: usize, timeout: Duration) -> Option<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("LOAD_CHILD", format!("{shape}:{n}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let began = Instant::now();
    loop {
        match child.try_wait().unwrap() {
            Some(status) if status.success() => break,
            Some(status) => panic!("{shape} {n}: the child failed: {status}"),
            None if began.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    out.lines().find(|line| line.starts_with("load\t")).map(str::to_owned)
}

fn main() {
    if let Ok(spec) = std::env::var("LOAD_CHILD") {
        let (shape, n) = spec.split_once(':').expect("LOAD_CHILD is shape:n");
        child(shape, n.parse().expect("LOAD_CHILD: n"));
        return;
    }
    let timeout =
        Duration::from_secs(std::env::var("LOAD_TIMEOUT_S").ok().and_then(|s| s.parse().ok()).unwrap_or(120));
    let sizes = env_list("LOAD_TASKS", "1000,10000,100000")
        .into_iter()
        .map(|n| ("tasks", n))
        .chain(env_list("LOAD_THREADS", "1000,10000").into_iter().map(|n| ("threads", n)));
    for (shape, n) in sizes {
        match run_child(shape, n, timeout) {
            Some(row) => {
                let fields: Vec<&str> = row.split('\t').collect();
                eprintln!(
                    "{MODE:>9} {n:>7} {shape:<7} {:>9} ns each, peak {:>7} kB, at the end {:>7} kB",
                    fields[4], fields[5], fields[6]
                );
                println!("{row}");
            }
            None => {
                eprintln!("{MODE:>9} {n:>7} {shape:<7} did not finish in {} s", timeout.as_secs());
                println!("load\t{MODE}\t{shape}\t{n}\ttimeout\t{}\t-", timeout.as_secs());
            }
        }
        let _ = std::io::stdout().flush();
    }
}
