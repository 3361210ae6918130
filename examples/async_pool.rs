//! An async service that deadlocks under load, caught on its first run, then fixed.
//!
//! The service keeps balances in memory (`ledger`) and persists through a small pool of database
//! connections (`conns`). `audit` takes a connection, then reads the ledger. `transfer` updates
//! the ledger, then asks the pool for a connection to persist the change, *while still holding
//! the ledger*. When audits hold every connection and wait for the ledger while a transfer holds
//! the ledger and waits for a connection, the process hangs at 0% CPU, with no error.
//!
//! With checks on (debug builds, or `--features enforce`), the transfer's `conns.acquire()` is
//! reported at the call, naming both locks and both lines, the first time it runs, however the
//! tasks interleave. Run it with:
//!
//! ```text
//! cargo run --example async_pool --features tokio
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use lock_rank::tokio::{Mutex, RwLock, Semaphore};
use tokio::sync::Barrier;

#[lock_rank::ranked]
struct Service {
    /// Database connections: taken first.
    #[lock_rank(10)]
    conns: Semaphore,
    /// Balances by account.
    #[lock_rank(20)]
    ledger: Mutex<HashMap<&'static str, i64>>,
    /// What was persisted, in order: taken last.
    #[lock_rank(30)]
    journal: RwLock<Vec<String>>,
}

impl Service {
    fn new() -> Arc<Service> {
        let ledger = HashMap::from([("alice", 100), ("bob", 50)]);
        Arc::new(Service {
            conns: Semaphore::new(1),
            ledger: Mutex::new(ledger),
            journal: RwLock::new(vec![]),
        })
    }

    /// Reads every balance on a connection: connection (10), then ledger (20). In order.
    async fn audit(&self, ready: &Barrier) -> i64 {
        let _conn = self.conns.acquire().await.expect("pool open");
        ready.wait().await;
        let total = self.ledger.lock().await.values().sum();
        self.journal.write().await.push(format!("audit: total {total}"));
        total
    }

    /// BROKEN: updates the ledger, then persists while still holding it: ledger (20), then
    /// connection (10).
    async fn transfer_broken(&self, ready: &Barrier, from: &'static str, to: &'static str, amount: i64) {
        let mut ledger = self.ledger.lock().await;
        ready.wait().await;
        *ledger.entry(from).or_default() -= amount;
        *ledger.entry(to).or_default() += amount;
        let _conn = self.conns.acquire().await.expect("pool open"); // persist the change
        self.journal.write().await.push(format!("transfer {amount} {from} -> {to}"));
    }

    /// FIXED: the connection first, then the ledger, as the declared order says.
    async fn transfer(&self, ready: &Barrier, from: &'static str, to: &'static str, amount: i64) {
        let _conn = self.conns.acquire().await.expect("pool open");
        ready.wait().await;
        let mut ledger = self.ledger.lock().await;
        *ledger.entry(from).or_default() -= amount;
        *ledger.entry(to).or_default() += amount;
        self.journal.write().await.push(format!("transfer {amount} {from} -> {to}"));
    }
}

/// Runs one audit and one transfer at the same time, on a multi-thread runtime, for at most two
/// seconds. Returns how each ended.
fn run(fixed: bool) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_time().build().unwrap();
    let outcomes = rt.block_on(async move {
        let service = Service::new();
        // Lines both requests up at the point where the broken version deadlocks. (The fixed
        // transfer waits for the pool's one connection, so the audit has nobody to meet.)
        let ready = Arc::new(Barrier::new(if fixed { 1 } else { 2 }));
        let (s, r) = (Arc::clone(&service), Arc::clone(&ready));
        let audit = tokio::spawn(async move { format!("audit saw a total of {}", s.audit(&r).await) });
        let (s, r) = (Arc::clone(&service), Arc::clone(&ready));
        let transfer = tokio::spawn(async move {
            if fixed {
                s.transfer(&r, "alice", "bob", 30).await;
            } else {
                s.transfer_broken(&r, "alice", "bob", 30).await;
            }
            "transfer done".to_owned()
        });
        let mut outcomes = Vec::new();
        for (name, task) in [("audit", audit), ("transfer", transfer)] {
            outcomes.push(match tokio::time::timeout(Duration::from_secs(2), task).await {
                Ok(Ok(done)) => format!("{name}: {done}"),
                Ok(Err(failed)) => match failed.try_into_panic() {
                    Ok(payload) => format!("{name}: stopped by lock-rank:\n\n{}\n", message(payload)),
                    Err(failed) => format!("{name}: {failed}"),
                },
                Err(_) => format!("{name}: HUNG for 2s: a deadlock, at 0% CPU, with no error"),
            });
        }
        outcomes.push(format!("journal: {:?}", service.journal.read().await));
        outcomes
    });
    rt.shutdown_timeout(Duration::from_millis(100));
    outcomes
}

fn message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload.downcast::<String>().map(|s| *s).unwrap_or_else(|_| "a panic".to_owned())
}

fn main() {
    // The reports are printed below as part of the story; keep the default hook for anything else.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info.payload().downcast_ref::<String>().map_or("", String::as_str);
        if !text.starts_with("lock order violation") {
            default_hook(info);
        }
    }));

    println!("The declared lock order:\n\n{}", lock_rank::registry::to_markdown());
    println!("== The broken service: transfer persists while holding the ledger ==\n");
    for line in run(false) {
        println!("{line}");
    }
    if !lock_rank::CHECKS_ENABLED {
        println!("\n(checks are off in this build: run a debug build, or add `--features enforce`)");
    }
    println!("\n== The fixed service: connection first, then ledger ==\n");
    for line in run(true) {
        println!("{line}");
    }
}
