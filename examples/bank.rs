//! A bank with the classic inconsistent-lock-order bug, caught on its first run.
//!
//! A teller locks the accounts, then appends to the audit log. An auditor reads the audit log,
//! then locks the accounts to check them. Run together, each can end up holding the lock the
//! other waits for: a deadlock that strikes only on an unlucky interleaving. The ranks declare
//! the order (accounts before the log), so the auditor's wrong-order acquire is reported the first
//! time it happens, with both acquisition sites, before it can hang. Then the fixed auditor runs.
//!
//! Run: `cargo run --example bank`
#![doc = include_str!("../docs/bank-lock-order.md")]
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use lock_rank::{Mutex, RwLock};

#[lock_rank::ranked]
struct Bank {
    /// Balances, by account number.
    #[lock_rank(ranks::ACCOUNTS)]
    accounts: Mutex<Vec<i64>>,
    /// One line per operation; written while the balances are held.
    #[lock_rank(ranks::AUDIT_LOG)]
    audit_log: RwLock<Vec<String>>,
}

impl Bank {
    fn new() -> Self {
        Bank { accounts: Mutex::new(vec![100, 50]), audit_log: RwLock::new(Vec::new()) }
    }

    /// Moves money, then logs it: accounts (rank 1), then the log (rank 2). In order.
    fn transfer(&self, from: usize, to: usize, amount: i64) {
        let mut accounts = self.accounts.lock().unwrap();
        accounts[from] -= amount;
        accounts[to] += amount;
        thread::sleep(Duration::from_millis(100)); // widen the window, as a slow disk would
        self.audit_log.write().unwrap().push(format!("moved {amount} from {from} to {to}"));
    }

    /// The bug: reads the log (rank 2), then locks the accounts (rank 1) while still reading.
    fn audit_buggy(&self) -> i64 {
        let log = self.audit_log.read().unwrap();
        thread::sleep(Duration::from_millis(50));
        let accounts = self.accounts.lock().unwrap();
        Self::check(&accounts, &log)
    }

    /// The fix: take the locks in the declared order, accounts first.
    fn audit_fixed(&self) -> i64 {
        let accounts = self.accounts.lock().unwrap();
        let log = self.audit_log.read().unwrap();
        Self::check(&accounts, &log)
    }

    /// The total, which every logged transfer preserves.
    fn check(accounts: &[i64], log: &[String]) -> i64 {
        let total = accounts.iter().sum();
        assert!(log.len() <= 1 && total == 150, "money appeared or vanished");
        total
    }
}

lock_rank::order! {
    /// The bank's lock order: the balances before the audit log.
    ///
    /// The order as a graph, rendered from `docs/bank-lock-order.dot` by graphviz:
    ///
    /// <div class="lock-rank-graph">
    #[doc = include_str!("../docs/bank-lock-order.svg")]
    /// </div>
    pub mod ranks {
        /// Account balances: a transfer holds them while it writes the audit log.
        ACCOUNTS = 1,
        /// The audit log, read by the auditor.
        AUDIT_LOG = 2,
    }
}

/// Runs the teller and an auditor side by side; returns each thread's outcome, or exits if they
/// hang (which is what this program would do without lock-rank's checks).
fn run(bank: &Arc<Bank>, audit: fn(&Bank) -> i64) -> Vec<Result<String, String>> {
    let (done, finished) = mpsc::channel();
    let teller = {
        let (bank, done) = (Arc::clone(bank), done.clone());
        thread::Builder::new().name("teller".into()).spawn(move || {
            bank.transfer(0, 1, 30);
            done.send(()).ok();
            "transfer done".to_owned()
        })
    };
    let auditor = {
        let bank = Arc::clone(bank);
        thread::Builder::new().name("auditor".into()).spawn(move || {
            let total = audit(&bank);
            done.send(()).ok();
            format!("audit done, total {total}")
        })
    };
    let threads = [teller.expect("spawn teller"), auditor.expect("spawn auditor")];
    for _ in &threads {
        match finished.recv_timeout(Duration::from_secs(5)) {
            Ok(()) => {}
            // Every sender is gone: each thread finished or panicked (a thread that panicked
            // sends nothing), though it may not have quite ended yet. `join` below waits for it.
            Err(RecvTimeoutError::Disconnected) => break,
            // Nothing for 5 s: a thread that panicked sent nothing, one that hangs never will.
            Err(RecvTimeoutError::Timeout) => {
                if threads.iter().any(|t| !t.is_finished()) {
                    eprintln!("deadlock: the threads are still blocked after 5 s");
                    std::process::exit(1);
                }
            }
        }
    }
    threads
        .into_iter()
        .map(|t| {
            t.join().map_err(|payload| {
                payload.downcast::<String>().map(|s| *s).unwrap_or_else(|_| "non-string panic".to_owned())
            })
        })
        .collect()
}

fn main() {
    if !lock_rank::CHECKS_ENABLED {
        eprintln!(
            "lock-rank checks are off in this build (release without the `enforce` feature);\n\
             the buggy auditor would really deadlock. Run `cargo run --example bank`, or add \
             `--features enforce` to a release build."
        );
        std::process::exit(2);
    }
    // The reports are printed below, from the panic payloads; keep the default hook quiet.
    std::panic::set_hook(Box::new(|_| {}));

    println!("== the buggy auditor ==");
    let bank = Arc::new(Bank::new());
    for outcome in run(&bank, Bank::audit_buggy) {
        match outcome {
            Ok(message) => println!("ok: {message}"),
            Err(report) => println!("caught:\n{report}\n"),
        }
    }

    println!("== the fixed auditor ==");
    let bank = Arc::new(Bank::new());
    for outcome in run(&bank, Bank::audit_fixed) {
        match outcome {
            Ok(message) => println!("ok: {message}"),
            Err(report) => {
                println!("unexpected report:\n{report}");
                std::process::exit(1);
            }
        }
    }
    println!("no violation: every thread took the locks in rank order");
}

/// The example's docs include its lock order, generated from the declarations above; this test
/// fails when the page or the graph is stale (`cargo test --example bank`), and
/// `LOCK_RANK_BLESS=1 cargo test --example bank` rewrites them.
#[cfg(test)]
mod tests {
    use std::process::Command;

    const GRAPH: &str = "docs/bank-lock-order.dot";
    const PICTURE: &str = "docs/bank-lock-order.svg";

    #[test]
    fn lock_order_docs_are_fresh() {
        let order = lock_rank::registry::declared_in(env!("CARGO_CRATE_NAME"));
        lock_rank::registry::assert_fresh("docs/bank-lock-order.md", &order.to_markdown());
        let dot = order.to_dot();
        lock_rank::registry::assert_fresh(GRAPH, &dot);
        if lock_rank::registry::blessing() {
            let rendered = Command::new("dot").args(["-Tsvg", GRAPH, "-o", PICTURE]).status();
            assert!(
                rendered.is_ok_and(|status| status.success()),
                "could not render {PICTURE}: install graphviz (`apt-get install graphviz`) and rerun"
            );
        }
        // The picture is graphviz's, whose bytes vary with its version; it is fresh when it
        // draws the nodes, labels and edges of the fresh graph, and no others.
        let svg = std::fs::read_to_string(PICTURE).expect("the rendered lock order");
        let stale = |what: String| {
            format!("{PICTURE} is stale ({what}): refresh it with `LOCK_RANK_BLESS=1 cargo test --example bank`, which runs graphviz's `dot`")
        };
        let nodes: Vec<(&str, &str)> = dot
            .split("; ")
            .filter_map(|statement| statement.split_once(" [label=\""))
            .map(|(id, label)| (id.trim().trim_matches('"'), label.trim_end_matches("\"]")))
            .collect();
        assert!(!nodes.is_empty());
        for (id, label) in &nodes {
            assert!(svg.contains(&format!("<title>{id}</title>")), "{}", stale(format!("no node {id}")));
            for line in label.split("\\n") {
                assert!(svg.contains(&format!(">{line}</text>")), "{}", stale(format!("no label {line}")));
            }
        }
        let edges = dot.lines().filter(|line| line.contains(" -> ")).count();
        assert_eq!(svg.matches("class=\"node\"").count(), nodes.len(), "{}", stale("other nodes".into()));
        assert_eq!(svg.matches("class=\"edge\"").count(), edges, "{}", stale("other edges".into()));
    }
}
