//! The ways a lock gets (or does not get) a rank: `#[lock_rank(N)]` on statics, with a literal or
//! the path of a constant, `order!` tables, `#[lock_rank::ranked]` struct fields, class structs,
//! and unranked locks, which are checked for recursion only.

#[macro_use]
mod common;

use std::cell::Cell;
use std::sync::{Arc, LazyLock};

use common::{assert_report, assert_violation, catch, collecting, held, lock, FINISH, HANG};
use lock_rank::{
    class_of, lock_rank, order, ranked, LockClass, Mutex, RwLock, ViolationKind, CHECKS_ENABLED,
};

order! {
    /// The lock order of these tests.
    pub mod ranks {
        /// Account balances; taken first.
        ACCOUNTS = 10,
        /// The journal of transfers.
        JOURNAL = 20,
        METRICS = 30,
    }
}

/// Balances of the static accounts.
#[lock_rank(ranks::ACCOUNTS)]
static BALANCES: Mutex<Vec<u64>> = Mutex::new(Vec::new());
#[lock_rank(ranks::METRICS)]
static METRICS: RwLock<u64> = RwLock::new(0);

const CACHE_RANK: u32 = 15;

#[lock_rank(CACHE_RANK)]
static CACHE: Mutex<u32> = Mutex::new(0);

mod nested {
    use lock_rank::{lock_rank, Mutex};

    /// Lives in a module of its own.
    #[lock_rank(super::ranks::JOURNAL)]
    pub static NESTED: Mutex<u8> = Mutex::new(0);
}

/// A class shared by many locks, ranked by an `order!` constant.
#[lock_rank(ranks::JOURNAL)]
struct Page;

/// A bank whose lock fields carry their ranks.
#[ranked]
struct Bank {
    /// Balances by account.
    #[lock_rank(ranks::ACCOUNTS)]
    accounts: Mutex<Vec<u64>>,
    #[lock_rank(25)]
    ledger: RwLock<Vec<String>>,
    /// Not ranked: checked for recursion only.
    scratch: Mutex<u8>,
}

impl Bank {
    fn new() -> Self {
        // `scratch` is made on the next line.
        Bank { accounts: Mutex::new(vec![0; 2]), ledger: RwLock::new(Vec::new()), scratch: Mutex::new(0) }
    }
}

/// A wrapped lock behind a type alias, which the macro cannot read by name: the compiler finds
/// the lock inside and gives it the class.
type Shared<T> = Arc<RwLock<T>>;

#[lock_rank(5)]
static ROUTES: LazyLock<Shared<Vec<u32>>> = LazyLock::new(|| Arc::new(RwLock::new(Vec::new())));

#[ranked]
struct Registry<T> {
    #[lock_rank(40)]
    entries: Shared<Vec<T>>,
}

#[ranked]
struct Pair(#[lock_rank(1)] Mutex<u8>, #[lock_rank(2)] Mutex<u8>);

#[test]
fn order_declares_the_constants_and_the_whole_table() {
    assert_eq!((ranks::ACCOUNTS, ranks::JOURNAL, ranks::METRICS), (10, 20, 30));
    assert_eq!(ranks::ALL, &[("ACCOUNTS", 10), ("JOURNAL", 20), ("METRICS", 30)]);
    let statics = [class_of(&BALANCES), class_of(&nested::NESTED), class_of(&METRICS), class_of(&CACHE)];
    let statics = statics.map(|c| c.map(|c| (c.name(), c.rank())));
    assert_eq!(
        statics,
        [Some(("BALANCES", 10)), Some(("NESTED", 20)), Some(("METRICS", 30)), Some(("CACHE", CACHE_RANK))]
    );
    assert_eq!(Page::INFO.map(|c| (c.name(), c.rank())), Some(("Page", 20)));
}

#[test]
fn a_class_info_knows_where_and_what_it_was_declared() {
    let info = class_of(&BALANCES).unwrap();
    assert_eq!(info.file(), file!());
    // The declared line is the attribute's, the line above the item.
    assert_eq!(info.line(), line_of!("static BALANCES") - 1);
    assert_eq!(info.module_path(), "declarations");
    assert_eq!(info.summary(), "Balances of the static accounts.");
    let nested = class_of(&nested::NESTED).unwrap();
    assert_eq!(nested.module_path(), "declarations::nested");
    assert_eq!(nested.summary(), "Lives in a module of its own.");
    assert_eq!(nested.line(), line_of!("#[lock_rank(super::ranks::JOURNAL)]"));
    assert_eq!(class_of(&METRICS).unwrap().summary(), "");
    let bank = Bank::new();
    let accounts = class_of(&bank.accounts).unwrap();
    assert_eq!((accounts.name(), accounts.summary()), ("Bank::accounts", "Balances by account."));
    assert_eq!(accounts.line(), line_of!("    #[lock_rank(ranks::ACCOUNTS)]"));
    // Every ranked class is in the registry, by rank.
    let registered: Vec<(&str, u32)> =
        lock_rank::registry::classes().iter().map(|c| (c.name(), c.rank())).collect();
    for expected in [
        ("Pair::0", 1),
        ("BALANCES", 10),
        ("Bank::accounts", 10),
        ("CACHE", 15),
        ("Page", 20),
        ("Bank::ledger", 25),
    ] {
        assert!(registered.contains(&expected), "{expected:?} not in {registered:?}");
    }
    assert!(registered.windows(2).all(|w| w[0].1 <= w[1].1));
}

#[test]
fn struct_fields_are_named_type_colon_colon_field() {
    let bank = Bank::new();
    let lines = Cell::new((0, 0));
    let result = catch(|| {
        let (ledger_line, _ledger) = (line!(), bank.ledger.write().unwrap());
        lines.set((ledger_line, line!() + 1));
        let _accounts = bank.accounts.lock().unwrap();
    });
    assert!(held().is_empty());
    if !CHECKS_ENABLED {
        return assert_eq!(result, Ok(()));
    }
    let (ledger_line, accounts_line) = lines.get();
    let message = result.unwrap_err();
    assert_eq!(
        common::first_line(&message),
        "lock order violation: acquiring `Bank::accounts` (rank 10) while holding `Bank::ledger` (rank 25)"
    );
    assert_report(
        &message,
        ViolationKind::LockOrder,
        &lock("Bank::accounts", Some(10), site!(accounts_line, "bank.accounts.lock")),
        &lock("Bank::ledger", Some(25), site!(ledger_line, "bank.ledger.write")),
    );
    assert!(class_of(&bank.scratch).is_none());

    let pair = Pair(Mutex::new(0), Mutex::new(0));
    let (lines, violations) = collecting(|| {
        let (one, _b) = (line!(), pair.1.lock().unwrap());
        let (zero, _a) = (line!(), pair.0.lock().unwrap());
        (one, zero)
    });
    if CHECKS_ENABLED {
        assert_eq!(violations.len(), 1);
        assert_violation(
            &violations[0],
            ViolationKind::LockOrder,
            &lock("Pair::0", Some(1), site!(lines.1, "pair.0.lock")),
            &lock("Pair::1", Some(2), site!(lines.0, "pair.1.lock")),
        );
    }
}

#[test]
fn a_lock_behind_a_type_alias_is_checked_at_its_rank() {
    let registry = Registry::<String> { entries: Arc::new(RwLock::new(Vec::new())) };
    let (lines, violations) = collecting(|| {
        let (entries_line, _e) = (line!(), registry.entries.write().unwrap());
        let (routes_line, _r) = (line!(), ROUTES.read().unwrap());
        (entries_line, routes_line)
    });
    assert!(held().is_empty());
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    assert_eq!(violations.len(), 1);
    assert_violation(
        &violations[0],
        ViolationKind::LockOrder,
        &lock("ROUTES", Some(5), site!(lines.1, "ROUTES.read")),
        &lock("Registry::entries", Some(40), site!(lines.0, "registry.entries.write")),
    );
    // In the declared order, nothing to report.
    let ((), violations) = collecting(|| {
        let _r = ROUTES.read().unwrap();
        let _e = registry.entries.read().unwrap();
    });
    assert!(violations.is_empty());
}

#[test]
fn a_rank_given_by_a_constant_orders_like_a_literal() {
    let (lines, violations) = collecting(|| {
        let (cache_line, _c) = (line!(), CACHE.lock().unwrap());
        let (balances_line, _b) = (line!(), BALANCES.lock().unwrap());
        (cache_line, balances_line)
    });
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty());
    }
    assert_eq!(violations.len(), 1);
    assert_violation(
        &violations[0],
        ViolationKind::LockOrder,
        &lock("BALANCES", Some(10), site!(lines.1, "BALANCES.lock")),
        &lock("CACHE", Some(15), site!(lines.0, "CACHE.lock")),
    );
    // In the declared order, nothing to report.
    let ((), violations) = collecting(|| {
        let _b = BALANCES.lock().unwrap();
        let _c = CACHE.lock().unwrap();
    });
    assert!(violations.is_empty());
}

#[test]
fn unranked_locks_are_never_rank_checked_and_only_their_learned_cycles_are_reported() {
    let bank = Bank::new();
    let other: Mutex<u8> = Mutex::new(0);
    let ((), violations) = collecting(|| {
        {
            let _metrics = METRICS.write().unwrap(); // rank 30
            let _scratch = bank.scratch.lock().unwrap(); // unranked, after a high rank
            let _nested = other.lock().unwrap();
        }
        {
            let _scratch = bank.scratch.lock().unwrap();
            let (nested_line, _nested) = (line!(), nested::NESTED.lock().unwrap()); // ranked, after an unranked
            let _other = other.lock().unwrap();
            if CHECKS_ENABLED {
                let names = common::held_names();
                assert_eq!(names[0], scratch_name());
                assert_eq!(held()[1], lock("NESTED", Some(20), site!(nested_line, "nested::NESTED.lock")));
                assert_eq!(lock_rank::held_locks()[2].rank(), None);
            }
        }
        // Two unranked locks, in both orders.
        let a = other.lock().unwrap();
        let _b = bank.scratch.lock().unwrap();
        drop(a);
        let _a = other.lock().unwrap();
    });
    // No rank check fires; the orders learned close two cycles: `scratch` before `NESTED` (rank
    // 20) after `METRICS` (rank 30) before `scratch`, and `other` before `scratch` before `other`.
    let kinds: Vec<ViolationKind> = violations.iter().map(|v| v.kind).collect();
    let expected = if CHECKS_ENABLED { vec![ViolationKind::OrderCycle; 2] } else { Vec::new() };
    assert_eq!(kinds, expected, "{violations:#?}");
    if CHECKS_ENABLED {
        assert_eq!(violations[0].acquiring.name(), "NESTED");
        assert_eq!(violations[0].held.name(), scratch_name());
        assert_eq!(violations[1].acquiring.name(), scratch_name());
    }
}

/// How reports name `Bank::scratch`, an unranked lock: its type and where `Bank::new` made it.
fn scratch_name() -> String {
    let line = common::line_of(file!(), concat!("// `scratch` is made", " on the next line")) + 1;
    format!("Mutex<u8> created at {}", common::site_of(file!(), line, "Mutex::new(0)"))
}

#[test]
fn recursion_on_an_unranked_field_is_reported() {
    let bank = Arc::new(Bank::new());
    let b = Arc::clone(&bank);
    let outcome = common::run_bounded("scratch", if CHECKS_ENABLED { FINISH } else { HANG }, move || {
        let (first, _s) = (line!(), b.scratch.lock().unwrap());
        let (second, result) = (line!(), catch(|| b.scratch.lock().is_ok()));
        (first, second, result)
    });
    if !CHECKS_ENABLED {
        return outcome.assert_self_deadlocked();
    }
    let (first, second, result) = outcome.finished();
    let name = scratch_name();
    let message = result.unwrap_err();
    assert_eq!(
        common::first_line(&message),
        format!("recursive lock acquisition: acquiring `{name}` which this thread already holds")
    );
    assert_report(
        &message,
        ViolationKind::RecursiveAcquisition,
        &lock(&name, None, site!(second, "b.scratch.lock")),
        &lock(&name, None, site!(first, "b.scratch.lock")),
    );
}
