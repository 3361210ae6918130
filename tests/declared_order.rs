//! The declared order as documentation: `registry::declared_in` renders one crate's ranked locks
//! as a Markdown page and a Graphviz graph, grouped under the `order!` constants, linking what
//! rustdoc documents; `registry::assert_fresh` fails on a stale generated file, printing the
//! difference and the refresh command, and rewrites it under `LOCK_RANK_BLESS=1`. The locks
//! below are the only ones in this test binary, so the renderings are asserted whole.

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

use lock_rank::{lock_rank, Mutex, RwLock};

lock_rank::order! {
    /// The order of this test's locks.
    pub mod ranks {
        /// Account balances | by id.
        ACCOUNTS = 10,
        /// The audit log.
        AUDIT_LOG = 20,
        /// Declared, not used yet.
        SPARE = 50,
    }
}

mod private_order {
    lock_rank::order! {
        mod ranks {
            /// Counters, in a private table.
            METRICS = 30,
        }
    }
    pub const METRICS: u32 = ranks::METRICS;
}

pub const LOOSE: u32 = 40;

/// Every account.
#[lock_rank(ranks::ACCOUNTS)]
pub static ACCOUNTS_LOCK: Mutex<Vec<u64>> = Mutex::new(Vec::new());

/// Not public, so not linked.
#[lock_rank(10)]
static ALSO_TEN: Mutex<u8> = Mutex::new(0);

#[lock_rank::ranked]
pub struct Bank {
    /// The audit log.
    #[lock_rank(ranks::AUDIT_LOG)]
    pub audit: RwLock<Vec<String>>,
    /// A private field: rustdoc does not show it.
    #[lock_rank(private_order::METRICS)]
    metrics: Mutex<u64>,
}

/// One shard.
#[lock_rank(LOOSE)]
pub struct Shard;

const HERE: &str = file!();

/// The line of this file that contains `text`.
fn line_of(text: &str) -> usize {
    include_str!("declared_order.rs").lines().position(|l| l.contains(text)).unwrap() + 1
}

#[test]
fn markdown_page_lists_every_lock_in_rank_order_under_its_constant() {
    let page = lock_rank::registry::declared_in("declared_order").to_markdown();
    let at = |text: &str| format!("`{HERE}:{}`", line_of(text));
    let expected = format!(
        "# The lock order of `declared_order`\n\
         \n\
         Every ranked lock of `declared_order`, lowest rank first. A lock may be acquired only while every \
         lock the thread (or task) holds is above it in this table, at a lower rank; two locks of one rank \
         are held together only through `Mutex::lock_all`. A row in bold is a constant of `order!`, followed \
         by the locks of its rank.\n\
         \n\
         | Rank | Lock | Declared at | Description |\n\
         |---:|---|---|---|\n\
         | **10** | **[`ranks::ACCOUNTS`](crate::ranks::ACCOUNTS)** | {} | **Account balances \\| by id.** |\n\
         | 10 | [`ACCOUNTS_LOCK`](crate::ACCOUNTS_LOCK) | {} | Every account. |\n\
         | 10 | `ALSO_TEN` | {} | Not public, so not linked. |\n\
         | **20** | **[`ranks::AUDIT_LOG`](crate::ranks::AUDIT_LOG)** | {} | **The audit log.** |\n\
         | 20 | [`Bank::audit`](crate::Bank::audit) | {} | The audit log. |\n\
         | **30** | **`private_order::ranks::METRICS`** | {} | **Counters, in a private table.** |\n\
         | 30 | `Bank::metrics` | {} | A private field: rustdoc does not show it. |\n\
         | 40 (`LOOSE`) | [`Shard`](crate::Shard) | {} | One shard. |\n\
         | **50** | **[`ranks::SPARE`](crate::ranks::SPARE)** | {} | **Declared, not used yet.** |\n\
         \n\
         Generated from the `#[lock_rank]` declarations by `lock_rank::registry`; a test fails when this \
         page is stale, and `LOCK_RANK_BLESS=1 cargo test` rewrites it.\n",
        at("ACCOUNTS = 10"),
        at("#[lock_rank(ranks::ACCOUNTS)]"),
        at("#[lock_rank(10)]"),
        at("AUDIT_LOG = 20"),
        at("#[lock_rank(ranks::AUDIT_LOG)]"),
        at("METRICS = 30"),
        at("#[lock_rank(private_order::METRICS)]"),
        at("#[lock_rank(LOOSE)]"),
        at("SPARE = 50"),
    );
    assert_eq!(page, expected);
}

#[test]
fn a_module_path_selects_the_locks_inside_it() {
    let inner = lock_rank::registry::declared_in("declared_order::private_order");
    assert!(inner.classes().is_empty());
    let names: Vec<_> = inner.constants().iter().map(|c| (c.name(), c.rank(), c.module_path())).collect();
    assert_eq!(names, [("METRICS", 30, "declared_order::private_order::ranks")]);
    // A crate whose name starts like this one's is another crate.
    assert!(lock_rank::registry::declared_in("declared_ord").classes().is_empty());
    assert_eq!(lock_rank::registry::declared_in("declared_order").classes().len(), 5);
}

#[test]
fn dot_graph_is_titled_and_labels_each_lock_with_its_constant() {
    let dot = lock_rank::registry::declared_in("declared_order").to_dot();
    let node = |name: &str, text: &str| format!("\"{name} ({HERE}:{})\"", line_of(text));
    assert!(dot.starts_with(
        "digraph lock_rank {\n    rankdir=TB;\n    node [shape=box];\n    labelloc=t;\n    label=\"The lock order of declared_order\";\n"
    ));
    let row = |rank: u32| {
        dot.lines().find(|l| l.contains("rank=same") && l.contains(&format!("\\nrank {rank}"))).unwrap()
    };
    assert_eq!(
        row(10),
        format!(
            "    {{ rank=same; {} [label=\"ACCOUNTS_LOCK\\nrank 10 (ranks::ACCOUNTS)\"]; {} [label=\"ALSO_TEN\\nrank 10 (ranks::ACCOUNTS)\"]; }}",
            node("ACCOUNTS_LOCK", "#[lock_rank(ranks::ACCOUNTS)]"),
            node("ALSO_TEN", "#[lock_rank(10)]")
        )
    );
    assert!(row(40).contains("[label=\"Shard\\nrank 40\"]"), "no constant of rank 40: {}", row(40));
    let edges = dot.lines().filter(|l| l.contains(" -> ")).count();
    // 10 -> 20 (two locks to one), 20 -> 30, 30 -> 40; the spare rank 50 has no lock.
    assert_eq!(edges, 4);
}

#[test]
fn rank_paths_and_constants_are_registered() {
    let class = lock_rank::class_of(&ACCOUNTS_LOCK).unwrap();
    assert_eq!(class.rank_path(), Some("ranks::ACCOUNTS"));
    assert_eq!(lock_rank::class_of(&ALSO_TEN).unwrap().rank_path(), None);
    let constants: Vec<_> = lock_rank::registry::rank_constants()
        .iter()
        .map(|c| (c.rank(), c.name(), c.file(), c.line() as usize, c.summary()))
        .collect();
    assert_eq!(
        constants,
        [
            (10, "ACCOUNTS", HERE, line_of("ACCOUNTS = 10"), "Account balances | by id."),
            (20, "AUDIT_LOG", HERE, line_of("AUDIT_LOG = 20"), "The audit log."),
            (30, "METRICS", HERE, line_of("METRICS = 30"), "Counters, in a private table."),
            (50, "SPARE", HERE, line_of("SPARE = 50"), "Declared, not used yet."),
        ]
    );
}

/// The generated class types have names that say whose they are, so code can name a ranked
/// lock's type.
#[test]
fn generated_classes_are_named_after_their_locks() {
    fn total(accounts: &Mutex<Vec<u64>, AccountsLockClass>) -> u64 {
        accounts.lock().unwrap().iter().sum()
    }
    fn log(bank: &Bank) -> &RwLock<Vec<String>, BankAuditClass> {
        &bank.audit
    }
    ACCOUNTS_LOCK.lock().unwrap().push(5);
    assert_eq!(total(&ACCOUNTS_LOCK), 5);
    let bank = Bank { audit: RwLock::new(Vec::new()), metrics: Mutex::new(0) };
    log(&bank).write().unwrap().push("opened".to_owned());
    *bank.metrics.lock().unwrap() += 1;
    let _: Option<BankMetricsClass> = None;
    *ALSO_TEN.lock().unwrap() += 1;
}

/// A scratch file for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lock-rank-declared-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn panic_message(f: impl FnOnce()) -> String {
    let payload = panic::catch_unwind(AssertUnwindSafe(f)).expect_err("assert_fresh passed");
    payload.downcast::<String>().map(|s| *s).unwrap()
}

// One test sets and clears `LOCK_RANK_BLESS`, so no other test in this binary reads it.
#[test]
fn assert_fresh_fails_on_a_stale_file_and_blesses_it_on_request() {
    let bless = lock_rank::registry::BLESS_VAR;
    assert_eq!(bless, "LOCK_RANK_BLESS");
    let saved = std::env::var_os(bless);
    std::env::remove_var(bless);
    let path = scratch("order.md");
    std::fs::write(&path, "| Rank | Lock |\n| 1 | `A` |\n| 2 | `B` |\n| 3 | `C` |\n").unwrap();
    let fresh = "| Rank | Lock |\n| 1 | `A` |\n| 2 | `B2` |\n| 3 | `C` |\n";

    let message = panic_message(|| lock_rank::registry::assert_fresh(&path, fresh));
    let command = "LOCK_RANK_BLESS=1 cargo test assert_fresh_fails_on_a_stale_file_and_blesses_it_on_request";
    assert_eq!(
        message,
        format!(
            "{0} is stale: it differs from the declared lock order.\n--- {0} (committed)\n+++ generated\n \
             | Rank | Lock |\n | 1 | `A` |\n-| 2 | `B` |\n+| 2 | `B2` |\n | 3 | `C` |\nrefresh it with: {command}",
            path.display()
        )
    );
    assert!(std::fs::read_to_string(&path).unwrap().contains("`B` |"), "not rewritten without the variable");

    let missing = scratch("missing.md");
    let _ = std::fs::remove_file(&missing);
    let message = panic_message(|| lock_rank::registry::assert_fresh(&missing, fresh));
    assert_eq!(
        message,
        format!(
            "{} does not exist: it is generated from the declared lock order.\ncreate it with: {command}",
            missing.display()
        )
    );

    std::env::set_var(bless, "1");
    lock_rank::registry::assert_fresh(&path, fresh);
    let nested = scratch("docs").join("lock-rank.md");
    lock_rank::registry::assert_fresh(&nested, fresh);
    std::env::remove_var(bless);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), fresh);
    assert_eq!(std::fs::read_to_string(&nested).unwrap(), fresh);
    // Fresh now: passes without the variable.
    lock_rank::registry::assert_fresh(&path, fresh);

    if let Some(saved) = saved {
        std::env::set_var(bless, saved);
    }
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
