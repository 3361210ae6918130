//! The learned order of unranked locks: an ABBA between two unranked locks, `transfer(a, b)`
//! then `transfer(b, a)` between two accounts made at one site, a cycle through three locks and
//! one through a ranked lock are each reported once, naming both locks by creation site and
//! both sites where the opposite order was established; consistent orders, from many threads,
//! in tokio tasks and a million times over, are not. Every scenario takes its locks on one
//! thread at a time, or in one order, so none can hang even if the checker were wrong.

#[macro_use]
mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::{collecting, first_line, headline, lock, run_bounded, Lock, FINISH};
use lock_rank::observed::{self, ObservedEdge};
use lock_rank::{lock_rank, Mutex, RwLock, Violation, ViolationKind, CHECKS_ENABLED};

/// `file:line:column` of the constructor call `needle` on `line`, as `#[track_caller]` gives it:
/// the column of the path's start.
fn created(line: u32, needle: &str) -> String {
    site!(line, needle)
}

/// The name reports give an unranked lock of value type `value` created at `at`.
fn named(kind: &str, value: &str, at: &str) -> String {
    format!("{kind}<{value}> created at {at}")
}

/// The line marked `// @name`.
fn line(name: &str) -> u32 {
    common::line_of(file!(), &format!("// @{name}"))
}

fn edge_sites(edge: &ObservedEdge) -> (String, String) {
    (
        edge.held_at.map(|s| s.to_string()).unwrap_or_default(),
        edge.acquired_at.map(|s| s.to_string()).unwrap_or_default(),
    )
}

fn only_cycle(violations: &[Violation]) -> &Violation {
    assert_eq!(violations.len(), 1, "exactly one report expected: {violations:#?}");
    assert_eq!(violations[0].kind, ViolationKind::OrderCycle, "{}", violations[0]);
    &violations[0]
}

struct Caches {
    cache: Mutex<Vec<u32>>,
    index: RwLock<u32>,
}

fn cache_then_index(c: &Caches) {
    let _cache = c.cache.lock().unwrap(); // @cache_then_index-cache
    let _index = c.index.write().unwrap(); // @cache_then_index-index
}

fn index_then_cache(c: &Caches) {
    let _index = c.index.write().unwrap(); // @index_then_cache-index
    let _cache = c.cache.lock().unwrap(); // @index_then_cache-cache
}

#[test]
fn abba_between_two_unranked_locks_is_reported_with_the_sites_that_established_the_order() {
    let caches = Caches {
        cache: Mutex::new(Vec::new()), // @make-cache
        index: RwLock::new(0),         // @make-index
    };
    let ((), violations) = collecting(|| {
        cache_then_index(&caches);
        cache_then_index(&caches);
        index_then_cache(&caches);
        index_then_cache(&caches);
    });
    if !CHECKS_ENABLED {
        assert!(violations.is_empty());
        return;
    }
    let cache = named("Mutex", "Vec<u32>", &created(line("make-cache"), "Mutex::new"));
    let index = named("RwLock", "u32", &created(line("make-index"), "RwLock::new"));
    let v = only_cycle(&violations);
    let acquiring = lock(&cache, None, site!(line("index_then_cache-cache"), ".lock"));
    let held = lock(&index, None, site!(line("index_then_cache-index"), ".write"));
    assert_eq!(Lock::from(&v.acquiring), acquiring);
    assert_eq!(Lock::from(&v.held), held);
    let text = v.to_string();
    assert_eq!(first_line(&text), headline(ViolationKind::OrderCycle, &acquiring, &held), "{text}");
    // Where the opposite order was established: `index` taken while `cache` was held.
    assert_eq!(v.cycle.len(), 1, "{text}");
    assert_eq!(v.cycle[0].from.name(), cache);
    assert_eq!(v.cycle[0].to.name(), index);
    let established =
        (site!(line("cache_then_index-cache"), ".lock"), site!(line("cache_then_index-index"), ".write"));
    assert_eq!(edge_sites(&v.cycle[0]), established);
    for site in [&established.0, &established.1, &acquiring.site, &held.site] {
        assert!(text.contains(site.as_str()), "report lacks {site}:\n{text}");
    }
}

struct Account {
    balance: Mutex<i64>,
}

impl Account {
    fn new(balance: i64) -> Account {
        Account { balance: Mutex::new(balance) } // @account-lock-made
    }
}

fn transfer(from: &Account, to: &Account, amount: i64) {
    let mut from = from.balance.lock().unwrap(); // @transfer-from
    let mut to = to.balance.lock().unwrap(); // @transfer-to
    *from -= amount;
    *to += amount;
}

#[test]
fn transfers_both_ways_between_two_accounts_of_one_site_are_reported() {
    let (a, b) = (Account::new(100), Account::new(100));
    let ((), violations) = collecting(|| {
        transfer(&a, &b, 10);
        transfer(&a, &b, 10);
        transfer(&b, &a, 5);
    });
    assert_eq!((*a.balance.lock().unwrap(), *b.balance.lock().unwrap()), (85, 115));
    if !CHECKS_ENABLED {
        assert!(violations.is_empty());
        return;
    }
    let account = named("Mutex", "i64", &created(line("account-lock-made"), "Mutex::new"));
    let (from, to) = (site!(line("transfer-from"), ".lock"), site!(line("transfer-to"), ".lock"));
    let v = only_cycle(&violations);
    assert_eq!(Lock::from(&v.acquiring), lock(&account, None, to.clone()));
    assert_eq!(Lock::from(&v.held), lock(&account, None, from.clone()));
    assert_eq!(v.acquiring.address, std::ptr::from_ref(&a.balance) as usize);
    assert_eq!(v.held.address, std::ptr::from_ref(&b.balance) as usize);
    assert_eq!(v.cycle.len(), 1);
    assert!(v.cycle[0].between_instances);
    assert_eq!(edge_sites(&v.cycle[0]), (from, to));
}

#[test]
fn accounts_of_one_site_always_nested_in_one_order_are_not_reported() {
    let accounts: Vec<Account> = (0..6).map(Account::new).collect();
    let ((), violations) = collecting(|| {
        for _ in 0..50 {
            for pair in accounts.windows(2) {
                transfer(&pair[0], &pair[1], 1);
            }
            transfer(&accounts[0], &accounts[5], 1);
        }
        // Fresh accounts each round, nested the same way.
        for _ in 0..50 {
            let fresh: Vec<Account> = (0..3).map(Account::new).collect();
            transfer(&fresh[0], &fresh[1], 1);
            transfer(&fresh[1], &fresh[2], 1);
        }
    });
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn a_cycle_through_three_locks_names_the_whole_chain() {
    let first: Mutex<u8> = Mutex::new(1); // @chain-first
    let second: Mutex<u16> = Mutex::new(2); // @chain-second
    let third: Mutex<u32> = Mutex::new(3); // @chain-third
    let ((), violations) = collecting(|| {
        {
            let _a = first.lock().unwrap(); // @chain-a-held
            let _b = second.lock().unwrap(); // @chain-b-after-a
        }
        {
            let _b = second.lock().unwrap(); // @chain-b-held
            let _c = third.lock().unwrap(); // @chain-c-after-b
        }
        {
            let _c = third.lock().unwrap(); // @chain-c-held
            let _a = first.lock().unwrap(); // @chain-a-after-c
        }
    });
    if !CHECKS_ENABLED {
        assert!(violations.is_empty());
        return;
    }
    let at = |needle| site!(line(needle), ".lock");
    let v = only_cycle(&violations);
    assert_eq!(
        Lock::from(&v.acquiring),
        lock(&named("Mutex", "u8", &created(line("chain-first"), "Mutex::new")), None, at("chain-a-after-c"))
    );
    assert_eq!(
        Lock::from(&v.held),
        lock(&named("Mutex", "u32", &created(line("chain-third"), "Mutex::new")), None, at("chain-c-held"))
    );
    let chain: Vec<(String, String)> = v.cycle.iter().map(edge_sites).collect();
    assert_eq!(
        chain,
        vec![(at("chain-a-held"), at("chain-b-after-a")), (at("chain-b-held"), at("chain-c-after-b")),]
    );
    let text = v.to_string();
    assert!(text.contains(&at("chain-b-after-a")) && text.contains(&at("chain-c-after-b")), "{text}");
}

#[lock_rank(40)]
static JOURNAL: Mutex<Vec<u8>> = Mutex::new(Vec::new());

#[test]
fn a_cycle_between_a_ranked_and_an_unranked_lock_is_reported() {
    let scratch: Mutex<u64> = Mutex::new(0); // @scratch-made
    let ((), violations) = collecting(|| {
        {
            let _journal = JOURNAL.lock().unwrap(); // @journal-first
            let _scratch = scratch.lock().unwrap(); // @scratch-second
        }
        {
            let _scratch = scratch.lock().unwrap(); // @scratch-first
            let _journal = JOURNAL.lock().unwrap(); // @journal-second
        }
    });
    if !CHECKS_ENABLED {
        assert!(violations.is_empty());
        return;
    }
    let at = |needle| site!(line(needle), ".lock");
    let v = only_cycle(&violations);
    assert_eq!(Lock::from(&v.acquiring), lock("JOURNAL", Some(40), at("journal-second")));
    let scratch = named("Mutex", "u64", &created(line("scratch-made"), "Mutex::new"));
    assert_eq!(Lock::from(&v.held), lock(&scratch, None, at("scratch-first")));
    assert_eq!(edge_sites(&v.cycle[0]), (at("journal-first"), at("scratch-second")));
    assert_eq!(v.cycle[0].from.class().map(|c| c.name()), Some("JOURNAL"));
}

#[lock_rank(41)]
static LEDGER: Mutex<u64> = Mutex::new(0);

/// A ranked lock taken under an unranked one, closing a cycle, while another thread holds it:
/// the cycle is reported once, before the acquire waits, and the acquire then waits for the
/// lock like any other and takes it once it is free. The other thread lets go of the lock once
/// the dump shows the acquire waiting for it, or after `FINISH`, so nothing can hang.
#[test]
fn a_cycle_closed_by_a_ranked_lock_held_elsewhere_is_reported_once_before_it_waits() {
    let scratch: Mutex<u64> = Mutex::new(0); // @ledger-scratch-made
    let ledger = std::ptr::from_ref(&LEDGER) as usize;
    let (saw_wait, violations) = collecting(|| {
        {
            let _ledger = LEDGER.lock().unwrap(); // @ledger-first
            let _scratch = scratch.lock().unwrap(); // @ledger-scratch-second
        }
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        thread::scope(|s| {
            let holder = s.spawn(move || {
                let mut ledger_guard = LEDGER.lock().unwrap();
                held_tx.send(()).unwrap();
                let waited_on = || {
                    lock_rank::dump()
                        .holders
                        .iter()
                        .any(|h| h.blocked_on.as_ref().is_some_and(|b| b.lock.address == ledger))
                };
                let began = std::time::Instant::now();
                let mut saw = false;
                while CHECKS_ENABLED && !saw && began.elapsed() < FINISH {
                    saw = waited_on();
                    thread::yield_now();
                }
                *ledger_guard += 1;
                saw
            });
            held_rx.recv_timeout(FINISH).expect("the other thread takes the ledger");
            let _scratch = scratch.lock().unwrap(); // @ledger-scratch-first
            let ledger_guard = LEDGER.lock().unwrap(); // @ledger-second
            assert_eq!(*ledger_guard, 1, "taken once the other thread let go of it");
            drop(ledger_guard);
            holder.join().unwrap()
        })
    });
    if !CHECKS_ENABLED {
        assert!(violations.is_empty());
        return;
    }
    assert!(saw_wait, "the acquire waited for the ledger, shown in the dump");
    let at = |needle| site!(line(needle), ".lock");
    let v = only_cycle(&violations);
    assert_eq!(Lock::from(&v.acquiring), lock("LEDGER", Some(41), at("ledger-second")));
    let scratch = named("Mutex", "u64", &created(line("ledger-scratch-made"), "Mutex::new"));
    assert_eq!(Lock::from(&v.held), lock(&scratch, None, at("ledger-scratch-first")));
    assert_eq!(edge_sites(&v.cycle[0]), (at("ledger-first"), at("ledger-scratch-second")));
}

#[test]
fn many_threads_a_million_nested_acquires_in_one_order_are_not_reported() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 125_000 / 2;
    let outer: Arc<Mutex<u64>> = Arc::new(Mutex::new(0));
    let middle: Arc<RwLock<u64>> = Arc::new(RwLock::new(0));
    let inner: Arc<Mutex<u64>> = Arc::new(Mutex::new(0));
    let start = Arc::new(Barrier::new(THREADS));
    let outcome = run_bounded("consistent order", FINISH * 6, move || {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (outer, middle, inner, start) =
                    (Arc::clone(&outer), Arc::clone(&middle), Arc::clone(&inner), Arc::clone(&start));
                thread::spawn(move || {
                    collecting(|| {
                        start.wait();
                        for _ in 0..ROUNDS {
                            let mut o = outer.lock().unwrap();
                            let m = middle.read().unwrap(); // nested acquire 1
                            *inner.lock().unwrap() += *m; // nested acquire 2
                            *o += 1;
                        }
                    })
                    .1
                })
            })
            .collect();
        let reports: Vec<Violation> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
        (reports, *outer.lock().unwrap())
    });
    let (reports, rounds) = outcome.finished();
    assert!(reports.is_empty(), "{reports:#?}");
    assert_eq!(rounds, (THREADS * ROUNDS) as u64);
    if CHECKS_ENABLED {
        let size = observed::size();
        assert!(size.locks <= observed::MAX_LOCKS && size.edges <= observed::MAX_EDGES);
    }
}

#[test]
fn the_suggestion_orders_every_learned_edge_and_names_the_cycles() {
    let left: Mutex<i8> = Mutex::new(0); // @suggest-left
    let right: Mutex<i16> = Mutex::new(0); // @suggest-right
    let last: Mutex<i32> = Mutex::new(0); // @suggest-last
    let ((), violations) = collecting(|| {
        drop((right.lock().unwrap(), last.lock().unwrap()));
        drop((left.lock().unwrap(), right.lock().unwrap()));
    });
    assert!(violations.is_empty(), "{violations:#?}");
    if !CHECKS_ENABLED {
        assert!(observed::suggest().ranks.is_empty());
        return;
    }
    let suggestion = observed::suggest();
    let rank_of = |needle| {
        let l = line(needle);
        suggestion
            .ranks
            .iter()
            .find(|(lock, _, _)| lock.created().is_some_and(|s| s.file() == file!() && s.line() == l))
            .map(|(_, name, rank)| (name.clone(), *rank))
            .unwrap_or_else(|| panic!("no rank for the lock of line {l}:\n{suggestion}"))
    };
    let (left, right, last) = (rank_of("suggest-left"), rank_of("suggest-right"), rank_of("suggest-last"));
    assert!(left.1 < right.1 && right.1 < last.1, "{suggestion}");
    let text = suggestion.to_string();
    assert!(text.contains("lock_rank::order! {"), "{text}");
    assert!(text.contains(&format!("        {} = {},", right.0, right.1)), "{text}");
    assert!(text.contains(&format!("#[lock_rank(ranks::{})]", left.0)), "{text}");
    let dot = observed::edges().to_dot();
    assert!(dot.contains(&site!(line("suggest-right"), "Mutex::new")), "{dot}");
}

/// Run as a child of the test below, with `LOCK_RANK_SUGGEST` set: takes two locks nested,
/// then lets the test harness exit.
#[test]
fn child_nests_two_locks_for_the_exit_hook() {
    if std::env::var_os("LOCK_RANK_SUGGEST").is_none() {
        return;
    }
    let outer: Mutex<u8> = Mutex::new(0); // @exit-outer
    let inner: Mutex<u8> = Mutex::new(0); // @exit-inner
    drop((outer.lock().unwrap(), inner.lock().unwrap()));
}

#[test]
fn a_test_run_with_lock_order_suggest_writes_the_suggestion_when_it_exits() {
    let dir = std::env::temp_dir().join(format!("lock-rank-suggest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_nests_two_locks_for_the_exit_hook", "--test-threads=1", "-q"])
        .env("LOCK_RANK_SUGGEST", dir.join("order-%p.rs"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let written: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    if !CHECKS_ENABLED {
        assert!(written.is_empty(), "{written:?}");
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    assert_eq!(written.len(), 1, "{written:?}");
    let name = written[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("order-") && !name.contains("%p"), "{name}");
    let text = std::fs::read_to_string(&written[0]).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let outer = text.find(&created(line("exit-outer"), "Mutex::new"));
    let inner = text.find(&created(line("exit-inner"), "Mutex::new"));
    assert!(text.contains("lock_rank::order! {"), "{text}");
    assert!(outer.is_some() && inner.is_some() && outer < inner, "{text}");
}

#[test]
fn timeouts_and_dumps_name_unranked_locks_by_creation_site() {
    let gate: Mutex<()> = Mutex::new(()); // @gate-made
    let _held = gate.lock().unwrap();
    let names: Vec<String> = lock_rank::held_locks().iter().map(|a| a.name()).collect();
    if CHECKS_ENABLED {
        let gate = named("Mutex", "()", &created(line("gate-made"), "Mutex::new"));
        assert_eq!(names, vec![gate.clone()]);
        let dump = lock_rank::dump().to_string();
        assert!(dump.contains(&gate), "{dump}");
        assert!(!dump.contains("unranked Mutex@0x"), "{dump}");
    } else {
        assert!(names.is_empty());
    }
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_tasks_nesting_in_one_order_are_not_reported() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_time().build().unwrap();
    let first: Arc<Mutex<u64>> = Arc::new(Mutex::new(0));
    let second: Arc<Mutex<u64>> = Arc::new(Mutex::new(0));
    let outcomes = runtime.block_on(async {
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (first, second) = (Arc::clone(&first), Arc::clone(&second));
                tokio::spawn(async move {
                    for _ in 0..1000 {
                        {
                            let _first = first.lock().unwrap();
                            *second.lock().unwrap() += 1;
                        }
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        // A panicking task (a false alarm, by the default policy) fails its join.
        tokio::time::timeout(FINISH, async {
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.map_err(|e| e.to_string()));
            }
            outcomes
        })
        .await
        .expect("the tasks finish")
    });
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(*second.lock().unwrap(), 16_000);
}
