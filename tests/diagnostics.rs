//! Diagnostics for hung programs, with threads that are really blocked: `dump()`, timed acquires
//! that name the holder, the watchdog's long-wait and deadlock findings, `held_locks()`,
//! `assert_no_locks_held()`, backtraces on request, and reading other threads' records while
//! they lock and unlock.
//!
//! Every test ends by itself: blocked threads are released by the test, or block only through
//! timed acquires that give up.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use lock_rank::watchdog::Finding;
use lock_rank::{lock_rank, Mutex, RwLock, TimedLockError, CHECKS_ENABLED};

#[lock_rank(10)]
static JOURNAL: Mutex<Vec<u32>> = Mutex::new(Vec::new());
#[lock_rank(20)]
static INDEX: RwLock<Vec<u32>> = RwLock::new(Vec::new());
#[lock_rank(30)]
static CACHE: Mutex<u32> = Mutex::new(0);

/// Evaluates an acquire and gives back the line it is written on, for comparing with sites.
macro_rules! at_line {
    ($acquire:expr) => {
        (line!(), $acquire)
    };
}

/// Polls `condition` until it holds or `limit` passes.
fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    condition()
}

fn site_line(site: &std::panic::Location<'_>) -> u32 {
    assert_eq!(site.file(), file!());
    site.line()
}

#[test]
fn dump_shows_a_thread_blocked_in_lock_and_who_holds_the_lock() {
    let local: Mutex<u32> = Mutex::new(0);
    let (held_line, guard) = at_line!(local.lock().unwrap());
    let (done_tx, done) = mpsc::channel();
    let (line_tx, line_rx) = mpsc::channel();
    thread::scope(|s| {
        let local = &local;
        thread::Builder::new()
            .name("blocked-reader".into())
            .spawn_scoped(s, move || {
                line_tx.send(line!() + 1).unwrap();
                let (_, mut guard) = at_line!(local.lock().unwrap());
                *guard += 1;
                done_tx.send(()).unwrap();
            })
            .unwrap();
        let wait_line = line_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        let found = eventually(Duration::from_secs(5), || {
            lock_rank::dump().holders.iter().any(|h| h.holder.thread_name() == Some("blocked-reader"))
        });
        let dump = lock_rank::dump();
        if CHECKS_ENABLED {
            assert!(found, "the blocked thread never showed up:\n{dump}");
            let blocked =
                dump.holders.iter().find(|h| h.holder.thread_name() == Some("blocked-reader")).unwrap();
            let on = blocked.blocked_on.as_ref().expect("blocked on the local mutex");
            assert_eq!(on.lock.address, std::ptr::from_ref(local) as usize);
            assert_eq!(site_line(on.lock.site), wait_line);
            assert_eq!(on.holders.len(), 1);
            assert_eq!(on.holders[0].holder.thread_id(), Some(thread::current().id()));
            assert_eq!(site_line(on.holders[0].acquisition.site), held_line);
            let text = dump.to_string();
            assert!(text.contains("thread `blocked-reader`"), "{text}");
            assert!(text.contains("BLOCKED for"), "{text}");
            assert!(text.contains(&format!("requested at {}:{wait_line}:", file!())), "{text}");
            assert!(text.contains(&format!("acquired at {}:{held_line}:", file!())), "{text}");
        } else {
            assert!(dump.holders.is_empty());
            assert!(dump.to_string().contains("checks are off"));
        }
        drop(guard);
        done.recv_timeout(Duration::from_secs(5)).expect("the blocked thread finishes once released");
    });
    if CHECKS_ENABLED {
        // Once released, the thread no longer shows as blocked.
        assert!(lock_rank::dump().holders.iter().all(|h| h.holder.thread_name() != Some("blocked-reader")));
    }
}

#[test]
fn timed_lock_names_the_lock_its_rank_and_the_holder_with_its_site() {
    let (ready_tx, ready) = mpsc::channel();
    let (release_tx, release) = mpsc::channel::<()>();
    let holder = thread::Builder::new()
        .name("journal-writer".into())
        .spawn(move || {
            let (held_line, _journal) = at_line!(JOURNAL.lock().unwrap());
            ready_tx.send(held_line).unwrap();
            release.recv_timeout(Duration::from_secs(10)).ok();
        })
        .unwrap();
    let held_line = ready.recv_timeout(Duration::from_secs(5)).unwrap();
    let (request_line, result) = at_line!(JOURNAL.try_lock_for(Duration::from_millis(50)));
    let Err(TimedLockError::Timeout(timeout)) = result else { panic!("the journal is held elsewhere") };
    assert_eq!(timeout.lock.name(), "JOURNAL");
    assert_eq!(timeout.lock.rank(), Some(10));
    assert_eq!(site_line(timeout.lock.site), request_line);
    let text = timeout.to_string();
    assert!(text.starts_with("lock timeout: `JOURNAL` (rank 10) not acquired within 50ms\n"), "{text}");
    if CHECKS_ENABLED {
        assert_eq!(timeout.holders.len(), 1);
        assert_eq!(timeout.holders[0].holder.thread_name(), Some("journal-writer"));
        assert_eq!(site_line(timeout.holders[0].acquisition.site), held_line);
        assert!(text.contains("held by thread `journal-writer`"), "{text}");
        assert!(text.contains(&format!("acquired at {}:{held_line}:", file!())), "{text}");
    } else {
        assert!(timeout.holders.is_empty());
        assert!(text.contains("checks are off"), "{text}");
    }
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    // Free again: the timed acquire succeeds and is recorded like any acquire.
    let guard = JOURNAL.try_lock_for(Duration::from_millis(50)).unwrap();
    assert_eq!(lock_rank::held_locks().len(), usize::from(CHECKS_ENABLED));
    drop(guard);
}

#[test]
fn timed_rwlock_acquires_name_every_reader() {
    let local: RwLock<u32> = RwLock::new(0);
    let release = std::sync::atomic::AtomicBool::new(false);
    let (ready_tx, ready) = mpsc::channel();
    thread::scope(|s| {
        for name in ["reader-1", "reader-2"] {
            let (local, ready_tx, release) = (&local, ready_tx.clone(), &release);
            thread::Builder::new()
                .name(name.into())
                .spawn_scoped(s, move || {
                    let _r = local.read().unwrap();
                    ready_tx.send(()).unwrap();
                    eventually(Duration::from_secs(5), || release.load(std::sync::atomic::Ordering::Relaxed));
                })
                .unwrap();
        }
        ready.recv_timeout(Duration::from_secs(5)).unwrap();
        ready.recv_timeout(Duration::from_secs(5)).unwrap();
        let Err(TimedLockError::Timeout(timeout)) = local.try_write_for(Duration::from_millis(30)) else {
            panic!("two readers hold the lock")
        };
        if CHECKS_ENABLED {
            let mut names: Vec<_> = timeout.holders.iter().filter_map(|h| h.holder.thread_name()).collect();
            names.sort_unstable();
            assert_eq!(names, ["reader-1", "reader-2"]);
        } else {
            assert!(timeout.holders.is_empty());
        }
        // Reading is still possible alongside the readers.
        assert!(local.try_read_for(Duration::from_millis(30)).is_ok());
        release.store(true, std::sync::atomic::Ordering::Relaxed);
    });
}

#[test]
fn watchdog_reports_a_long_wait_with_waiter_and_holder() {
    let local: Mutex<u32> = Mutex::new(0);
    let (findings_tx, findings) = mpsc::channel();
    let watchdog = lock_rank::watchdog::start_with(Duration::from_millis(50), move |finding| {
        // Findings are process-wide: keep this test's waiter only.
        if let Finding::LongWait(wait) = finding {
            if wait.waiter.thread_name() == Some("slow-waiter") {
                let _ = findings_tx.send((wait.clone(), finding.to_string()));
            }
        }
    });
    let (held_line, guard) = at_line!(local.lock().unwrap());
    let (line_tx, line_rx) = mpsc::channel();
    thread::scope(|s| {
        let local = &local;
        thread::Builder::new()
            .name("slow-waiter".into())
            .spawn_scoped(s, move || {
                line_tx.send(line!() + 1).unwrap();
                let (_, guard) = at_line!(local.lock().unwrap());
                drop(guard);
            })
            .unwrap();
        let wait_line = line_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        let finding = findings.recv_timeout(Duration::from_secs(5));
        drop(guard);
        if CHECKS_ENABLED {
            let (wait, text) = finding.expect("the watchdog reports the blocked acquire");
            assert_eq!(wait.waiter.thread_name(), Some("slow-waiter"));
            assert!(wait.blocked_on.blocked_for >= Duration::from_millis(50));
            assert_eq!(site_line(wait.blocked_on.lock.site), wait_line);
            assert_eq!(wait.blocked_on.holders.len(), 1);
            assert_eq!(site_line(wait.blocked_on.holders[0].acquisition.site), held_line);
            assert!(text.starts_with("lock wait: thread `slow-waiter`"), "{text}");
            assert!(text.contains(&format!("acquired at {}:{held_line}:", file!())), "{text}");
        } else {
            assert!(finding.is_err(), "no watchdog runs without checks");
        }
    });
    watchdog.stop();
}

#[test]
fn watchdog_finds_a_real_deadlock_cycle_with_every_site() {
    // Unranked locks: the order checks cannot see this ABBA; the watchdog sees the cycle. The
    // threads block in timed acquires, so they give up and the test ends by itself.
    let a: Mutex<&str> = Mutex::new("a");
    let b: Mutex<&str> = Mutex::new("b");
    let (findings_tx, findings) = mpsc::channel();
    let watchdog = lock_rank::watchdog::start_with(Duration::from_millis(20), move |finding| {
        // Findings are process-wide: keep this test's cycle only.
        if let Finding::Deadlock(deadlock) = finding {
            if deadlock.cycle.iter().any(|step| step.holder.thread_name() == Some("first")) {
                let _ = findings_tx.send((deadlock.clone(), finding.to_string()));
            }
        }
    });
    let barrier = std::sync::Barrier::new(2);
    let lines = thread::scope(|s| {
        let (a, b, barrier) = (&a, &b, &barrier);
        let (first_hold, first_wait) = (line!() + 4, line!() + 6);
        let first = thread::Builder::new()
            .name("first".into())
            .spawn_scoped(s, move || {
                let _a = a.lock().unwrap();
                barrier.wait();
                let _ = b.try_lock_for(Duration::from_secs(3));
            })
            .unwrap();
        let (second_hold, second_wait) = (line!() + 4, line!() + 6);
        let second = thread::Builder::new()
            .name("second".into())
            .spawn_scoped(s, move || {
                let _b = b.lock().unwrap();
                barrier.wait();
                let _ = a.try_lock_for(Duration::from_secs(3));
            })
            .unwrap();
        let finding = findings.recv_timeout(Duration::from_secs(5));
        first.join().unwrap();
        second.join().unwrap();
        (finding, [first_hold, first_wait, second_hold, second_wait])
    });
    watchdog.stop();
    let (finding, [first_hold, first_wait, second_hold, second_wait]) = lines;
    if !CHECKS_ENABLED {
        assert!(finding.is_err());
        return;
    }
    let (deadlock, text) = finding.expect("the watchdog reports the cycle");
    assert_eq!(deadlock.cycle.len(), 2, "{text}");
    for step in &deadlock.cycle {
        let (hold, wait) = match step.holder.thread_name() {
            Some("first") => (first_hold, first_wait),
            Some("second") => (second_hold, second_wait),
            other => panic!("unexpected member {other:?}"),
        };
        assert_eq!(site_line(step.holds.site), hold, "{text}");
        assert_eq!(site_line(step.waits_for.site), wait, "{text}");
    }
    assert!(text.starts_with("deadlock: 2 threads or tasks wait for each other in a cycle"), "{text}");
    for line in [first_hold, first_wait, second_hold, second_wait] {
        assert!(text.contains(&format!("{}:{line}:", file!())), "line {line} missing from\n{text}");
    }
}

#[test]
fn held_locks_lists_ranks_and_sites_in_acquisition_order() {
    let (journal_line, journal) = at_line!(JOURNAL.lock().unwrap());
    let (index_line, index) = at_line!(INDEX.read().unwrap());
    let held = lock_rank::held_locks();
    if CHECKS_ENABLED {
        let summary: Vec<_> = held.iter().map(|a| (a.name(), a.rank(), site_line(a.site))).collect();
        assert_eq!(
            summary,
            [("JOURNAL".to_owned(), Some(10), journal_line), ("INDEX".to_owned(), Some(20), index_line)]
        );
        assert_eq!(held[1].access, lock_rank::Access::Shared);
    } else {
        assert!(held.is_empty());
    }
    drop((journal, index));
    assert!(lock_rank::held_locks().is_empty());
}

#[test]
fn assert_no_locks_held_lists_what_is_held() {
    lock_rank::assert_no_locks_held();
    let (line, cache) = at_line!(CACHE.lock().unwrap());
    let caught = std::panic::catch_unwind(|| lock_rank::assert_no_locks_held());
    drop(cache);
    if CHECKS_ENABLED {
        let message = *caught.unwrap_err().downcast::<String>().unwrap();
        assert!(message.starts_with("locks held where none may be: 1 lock(s) held at"), "{message}");
        assert!(
            message.contains(&format!("holds `CACHE` (rank 30) acquired at {}:{line}:", file!())),
            "{message}"
        );
    } else {
        assert!(caught.is_ok());
    }
    lock_rank::assert_no_locks_held();
}

/// Other threads lock and unlock as fast as they can while this thread reads their records: every
/// snapshot must be well-formed (known locks, ranks matching names, increasing within a thread).
#[test]
fn dumps_read_other_threads_consistently_while_they_lock_and_unlock() {
    const ROUNDS: usize = 20_000;
    let (done_tx, done) = mpsc::channel();
    thread::scope(|s| {
        for n in 0..3 {
            let done_tx = done_tx.clone();
            thread::Builder::new()
                .name(format!("churn-{n}"))
                .spawn_scoped(s, move || {
                    for i in 0..ROUNDS {
                        let journal = JOURNAL.lock().unwrap();
                        if i % 2 == 0 {
                            let _index = INDEX.read().unwrap();
                            *CACHE.lock().unwrap() += 1;
                        } else {
                            drop(journal);
                            let _index = INDEX.write().unwrap();
                        }
                    }
                    done_tx.send(()).unwrap();
                })
                .unwrap();
        }
        drop(done_tx);
        let mut snapshots = 0;
        let mut seen_locks = 0;
        loop {
            let dump = lock_rank::dump();
            snapshots += 1;
            for state in
                dump.holders.iter().filter(|h| h.holder.thread_name().is_some_and(|n| n.starts_with("churn")))
            {
                let ranks: Vec<u32> =
                    state.held.iter().map(|a| a.rank().expect("only ranked locks here")).collect();
                assert!(ranks.windows(2).all(|w| w[0] < w[1]), "ranks out of order in {state:?}");
                for held in &state.held {
                    let expected = match held.name().as_str() {
                        "JOURNAL" => 10,
                        "INDEX" => 20,
                        "CACHE" => 30,
                        other => panic!("unknown lock {other}"),
                    };
                    assert_eq!(held.rank(), Some(expected));
                    assert_eq!(held.site.file(), file!());
                    seen_locks += 1;
                }
            }
            match done.recv_timeout(Duration::ZERO) {
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                _ if snapshots > 1_000_000 => panic!("the churning threads never finished"),
                _ => {}
            }
        }
        assert!(snapshots > 0);
        if !CHECKS_ENABLED {
            assert_eq!(seen_locks, 0);
        }
    });
}

/// Runs this test binary again, only `test`, with extra environment; returns its output.
fn rerun(test: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child.args(["--exact", test, "--nocapture", "--test-threads=1"]).env("LOCK_RANK_DIAGNOSTICS_CHILD", test);
    for (key, value) in env {
        child.env(key, value);
    }
    child.output().expect("rerun the test binary")
}

fn is_child(test: &str) -> bool {
    std::env::var("LOCK_RANK_DIAGNOSTICS_CHILD").is_ok_and(|t| t == test)
}

/// The child half of `backtraces_are_added_on_request` (does nothing when run on its own).
#[test]
fn child_reports_with_backtraces() {
    if !is_child("child_reports_with_backtraces") {
        return;
    }
    let _cache = CACHE.lock().unwrap();
    lock_rank::with_policy(lock_rank::Policy::Report, || drop(JOURNAL.lock().unwrap()));
    eprintln!("{}", lock_rank::dump());
}

#[test]
fn backtraces_are_added_on_request() {
    let output = rerun("child_reports_with_backtraces", &[("LOCK_RANK_BACKTRACE", "1")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    if CHECKS_ENABLED {
        assert!(stderr
            .contains("lock order violation: acquiring `JOURNAL` (rank 10) while holding `CACHE` (rank 30)"));
        // The requested lock, the held one (in the report) and the held one (in the dump) each
        // carry the stack that took them: three backtraces, each starting at frame 0.
        let backtraces =
            stderr.lines().filter(|l| l.trim_start().starts_with("| ") && l.contains(" 0: ")).count();
        assert!(backtraces >= 3, "expected three backtraces:\n{stderr}");
    }
    let plain = rerun("child_reports_with_backtraces", &[("LOCK_RANK_BACKTRACE", "0")]);
    let plain = String::from_utf8_lossy(&plain.stderr);
    assert!(!plain.lines().any(|l| l.trim_start().starts_with("| ")), "no backtraces unless asked:\n{plain}");
}

#[cfg(all(unix, feature = "signal"))]
mod signal {
    use super::*;

    /// The child half of `sigusr1_prints_the_dump` (does nothing when run on its own).
    #[test]
    fn child_waits_for_sigusr1() {
        if !is_child("signal::child_waits_for_sigusr1") {
            return;
        }
        lock_rank::signal::dump_on_sigusr1().unwrap();
        let _journal = JOURNAL.lock().unwrap();
        signal_hook::low_level::raise(signal_hook::consts::SIGUSR1).unwrap();
        thread::sleep(Duration::from_millis(500));
    }

    #[test]
    fn sigusr1_prints_the_dump() {
        let output = rerun("signal::child_waits_for_sigusr1", &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        if CHECKS_ENABLED {
            assert!(stderr.contains("lock-rank dump:"), "{stderr}");
            assert!(
                stderr.contains("holds `JOURNAL` (rank 10) acquired at tests/diagnostics.rs:"),
                "{stderr}"
            );
        } else {
            assert!(stderr.contains("checks are off"), "{stderr}");
        }
    }
}

#[cfg(feature = "tracing")]
mod tracing_events {
    use super::*;
    use std::sync::{Arc, Mutex as StdMutex};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// Keeps the message and target of every event.
    #[derive(Clone, Default)]
    struct Collect(Arc<StdMutex<Vec<(String, String)>>>);

    struct Message<'a>(&'a mut String);

    impl Visit for Message<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                *self.0 = format!("{value:?}");
            }
        }
    }

    impl Subscriber for Collect {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut message = String::new();
            event.record(&mut Message(&mut message));
            self.0.lock().unwrap().push((event.metadata().target().to_owned(), message));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    #[test]
    fn violations_are_emitted_as_tracing_events() {
        let collect = Collect::default();
        tracing::subscriber::with_default(collect.clone(), || {
            let _cache = CACHE.lock().unwrap();
            lock_rank::with_policy(lock_rank::Policy::callback(|_| {}), || drop(JOURNAL.lock().unwrap()));
        });
        let events = collect.0.lock().unwrap();
        if CHECKS_ENABLED {
            assert_eq!(events.len(), 1, "{events:?}");
            assert_eq!(events[0].0, "lock_rank");
            assert!(events[0].1.starts_with(
                "lock order violation: acquiring `JOURNAL` (rank 10) while holding `CACHE` (rank 30)"
            ));
        } else {
            assert!(events.is_empty());
        }
    }
}

#[test]
fn a_thread_blocked_inside_lock_all_shows_the_lock_it_waits_for() {
    #[lock_rank(40)]
    struct Shard;
    let shards: [Mutex<u32, Shard>; 2] = [Mutex::new(0), Mutex::new(0)];
    // `lock_all` takes the lower address first: hold the higher one, so it blocks on its second.
    let (low, high) = if std::ptr::from_ref(&shards[0]) < std::ptr::from_ref(&shards[1]) {
        (&shards[0], &shards[1])
    } else {
        (&shards[1], &shards[0])
    };
    let held = high.lock().unwrap();
    let (done_tx, done) = mpsc::channel();
    thread::scope(|s| {
        thread::Builder::new()
            .name("group-locker".into())
            .spawn_scoped(s, move || {
                let guards = Mutex::lock_all([low, high]).unwrap();
                done_tx.send(guards.len()).unwrap();
            })
            .unwrap();
        let blocked_on = |dump: &lock_rank::Dump| {
            dump.holders
                .iter()
                .find(|h| h.holder.thread_name() == Some("group-locker"))
                .and_then(|h| h.blocked_on.as_ref().map(|b| (b.lock.address, h.held.len())))
        };
        let found = eventually(Duration::from_secs(5), || blocked_on(&lock_rank::dump()).is_some());
        if CHECKS_ENABLED {
            assert!(found, "the blocked thread never showed up");
            let (address, held_count) = blocked_on(&lock_rank::dump()).unwrap();
            assert_eq!(address, std::ptr::from_ref(high) as usize, "blocked on the second lock of the group");
            assert_eq!(held_count, 1, "the first lock of the group is held meanwhile");
        } else {
            assert!(!found);
        }
        drop(held);
        assert_eq!(done.recv_timeout(Duration::from_secs(5)).expect("lock_all finishes once released"), 2);
    });
}
