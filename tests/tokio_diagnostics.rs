//! The watchdog and dumps with tokio tasks that really wait: a task queued for a lock while
//! holding nothing (its wait is shown by its acquire), tasks waiting for each other in a cycle
//! (their waits are shown next to what they hold), and a task that began to wait holding nothing
//! and took a lock since, in another branch of a `join!`.
//!
//! Every test ends by itself: the waits are timed, or released by the test.

#![cfg(feature = "tokio")]

mod tokio_support;

use std::sync::mpsc;
use std::time::Duration;

use lock_rank::tokio::Mutex;
use lock_rank::watchdog::{Deadlock, Finding, LongWait};
use lock_rank::{lock_rank, CHECKS_ENABLED};
use tokio::sync::oneshot;
use tokio_support::{outcome, run, Flavor};

/// How long a deadlocked task waits before it gives up, ending the test.
const GIVE_UP: Duration = Duration::from_secs(2);

/// How long a test waits for a finding: without checks no watchdog runs, and none comes.
fn finding_within() -> Duration {
    if CHECKS_ENABLED {
        Duration::from_secs(5)
    } else {
        Duration::from_millis(200)
    }
}

fn site_line(site: &std::panic::Location<'_>) -> u32 {
    assert_eq!(site.file(), file!());
    site.line()
}

/// The task id of a finding's holder, as a string (tokio's `Id` displays as the same number).
fn task_of(holder: &lock_rank::Holder) -> Option<String> {
    holder.task_id().map(|id| id.to_string())
}

#[lock_rank(10)]
static QUEUE: Mutex<u64> = Mutex::const_new(0);

#[test]
fn the_watchdog_names_a_task_queued_while_holding_nothing_and_the_task_holding_the_lock() {
    let (tx, findings) = mpsc::channel::<LongWait>();
    let watchdog = lock_rank::watchdog::start_with(Duration::from_millis(50), move |finding| {
        if let Finding::LongWait(wait) = finding {
            if wait.blocked_on.lock.name() == "QUEUE" {
                let _ = tx.send(wait.clone());
            }
        }
    });
    run(Flavor::MultiThread, async {
        let (holding, until_holding) = oneshot::channel();
        let (release, until_release) = oneshot::channel::<()>();
        let hold_line = line!() + 2;
        let holder = tokio::spawn(async move {
            let _queue = QUEUE.lock().await;
            holding.send(()).unwrap();
            let _ = until_release.await;
        });
        until_holding.await.unwrap();
        let wait_line = line!() + 2;
        let waiter = tokio::spawn(async move {
            *QUEUE.lock().await += 1;
        });
        let (holder_id, waiter_id) = (holder.id().to_string(), waiter.id().to_string());
        let found =
            tokio::task::spawn_blocking(move || findings.recv_timeout(finding_within())).await.unwrap();
        let dump = lock_rank::dump();
        drop(release);
        assert_eq!(outcome(waiter).await, Ok(()));
        assert_eq!(outcome(holder).await, Ok(()));
        if !CHECKS_ENABLED {
            assert!(found.is_err(), "no watchdog runs without checks");
            return;
        }
        let wait = found.expect("the watchdog reports the queued task");
        assert_eq!(task_of(&wait.waiter).as_deref(), Some(waiter_id.as_str()));
        assert_eq!(site_line(wait.blocked_on.lock.site), wait_line);
        assert!(wait.blocked_on.blocked_for >= Duration::from_millis(50));
        let holders: Vec<_> = wait.blocked_on.holders.iter().map(|h| task_of(&h.holder)).collect();
        assert_eq!(holders, [Some(holder_id)]);
        assert_eq!(site_line(wait.blocked_on.holders[0].acquisition.site), hold_line);
        let text = Finding::LongWait(wait).to_string();
        for line in [hold_line, wait_line] {
            assert!(text.contains(&format!("{}:{line}:", file!())), "line {line} missing from\n{text}");
        }
        // The dump shows the waiting task once, holding nothing.
        let shown: Vec<_> = dump
            .holders
            .iter()
            .filter(|h| task_of(&h.holder).as_deref() == Some(waiter_id.as_str()))
            .collect();
        assert_eq!(shown.len(), 1, "{dump}");
        assert!(shown[0].held.is_empty());
        assert_eq!(shown[0].blocked_on.as_ref().map(|b| site_line(b.lock.site)), Some(wait_line));
    });
    watchdog.stop();
}

/// Starts a watchdog that sends the deadlocks involving the lock named `name`.
fn deadlocks_of(name: &'static str) -> (lock_rank::watchdog::Watchdog, mpsc::Receiver<Deadlock>) {
    let (tx, findings) = mpsc::channel();
    let watchdog = lock_rank::watchdog::start_with(Duration::from_millis(20), move |finding| {
        if let Finding::Deadlock(deadlock) = finding {
            if deadlock.cycle.iter().any(|step| step.holds.name() == name) {
                let _ = tx.send(deadlock.clone());
            }
        }
    });
    (watchdog, findings)
}

/// The holder's task id, the line of what it holds and the line of what it waits for, of each
/// step of `deadlock`, sorted by task.
fn steps(deadlock: &Deadlock) -> Vec<(Option<String>, u32, u32)> {
    let mut steps: Vec<_> = deadlock
        .cycle
        .iter()
        .map(|step| (task_of(&step.holder), site_line(step.holds.site), site_line(step.waits_for.site)))
        .collect();
    steps.sort();
    steps
}

/// One task of a cycle the watchdog is expected to find: the task, the line where it takes the lock
/// it holds, and the line where it waits for the next one's.
type CycleTask = (tokio::task::JoinHandle<()>, u32, u32);

/// Waits for the watchdog to report the cycle between `a` and `b`, lets both finish (each gives up
/// its wait after `GIVE_UP`), and checks every step of the cycle: each task, what it holds and
/// what it waits for, with their sites. Without checks, that nothing was found.
async fn assert_cycle_found(deadlocks: mpsc::Receiver<Deadlock>, a: CycleTask, b: CycleTask) {
    let mut expected: Vec<_> =
        [&a, &b].iter().map(|(task, hold, wait)| (Some(task.id().to_string()), *hold, *wait)).collect();
    expected.sort();
    let found = tokio::task::spawn_blocking(move || deadlocks.recv_timeout(finding_within())).await.unwrap();
    assert_eq!(outcome(a.0).await, Ok(()));
    assert_eq!(outcome(b.0).await, Ok(()));
    if !CHECKS_ENABLED {
        assert!(found.is_err());
        return;
    }
    let deadlock = found.expect("the watchdog finds the cycle");
    assert_eq!(steps(&deadlock), expected, "{}", Finding::Deadlock(deadlock.clone()));
}

#[lock_rank(20)]
static LEFT: Mutex<u64> = Mutex::const_new(0);
#[lock_rank(21)]
static RIGHT: Mutex<u64> = Mutex::const_new(0);

#[test]
fn the_watchdog_finds_two_tasks_waiting_for_each_other_with_every_site() {
    let (watchdog, deadlocks) = deadlocks_of("LEFT");
    run(Flavor::MultiThread, async {
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let b = std::sync::Arc::clone(&barrier);
        let (first_hold, first_wait) = (line!() + 2, line!() + 4);
        let first = tokio::spawn(async move {
            let _left = LEFT.lock().await;
            b.wait().await;
            let _ = RIGHT.lock_timeout(GIVE_UP).await;
        });
        let (second_hold, second_wait) = (line!() + 2, line!() + 4);
        let second = tokio::spawn(async move {
            let _right = RIGHT.lock().await;
            barrier.wait().await;
            let _ = LEFT.lock_timeout(GIVE_UP).await;
        });
        assert_cycle_found(deadlocks, (first, first_hold, first_wait), (second, second_hold, second_wait))
            .await;
    });
    watchdog.stop();
}

#[lock_rank(30)]
static FIRST: Mutex<u64> = Mutex::const_new(0);
#[lock_rank(31)]
static SECOND: Mutex<u64> = Mutex::const_new(0);

#[test]
fn a_cycle_through_a_task_that_began_to_wait_holding_nothing_and_then_took_a_lock_is_found() {
    let (watchdog, deadlocks) = deadlocks_of("FIRST");
    run(Flavor::MultiThread, async {
        let (second_held, until_second_held) = oneshot::channel();
        let (first_held, until_first_held) = oneshot::channel();
        let (joined_hold, joined_wait) = (line!() + 9, line!() + 5);
        let joined = tokio::spawn(async move {
            until_second_held.await.unwrap();
            tokio::join!(
                // Polled first: waits holding nothing, so its acquire shows the wait.
                async { drop(SECOND.lock_timeout(GIVE_UP).await) },
                async {
                    // Then, in the same task, a lock is taken and held while the wait goes on.
                    tokio::task::yield_now().await;
                    let _first = FIRST.lock().await;
                    first_held.send(()).unwrap();
                    tokio::time::sleep(GIVE_UP).await;
                },
            );
        });
        let (other_hold, other_wait) = (line!() + 2, line!() + 5);
        let other = tokio::spawn(async move {
            let _second = SECOND.lock().await;
            second_held.send(()).unwrap();
            until_first_held.await.unwrap();
            let _ = FIRST.lock_timeout(GIVE_UP).await;
        });
        assert_cycle_found(deadlocks, (joined, joined_hold, joined_wait), (other, other_hold, other_wait))
            .await;
    });
    watchdog.stop();
}
