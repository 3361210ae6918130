//! A small program whose locks have no ranks, as a codebase has just after switching its `use`
//! lines to lock-rank: the order it takes them in is learned as it runs, its inversion is
//! reported with both sites where the opposite order was established, and at the end the order
//! it follows is printed as a `lock_rank::order!` block to paste.
//!
//! Run: `cargo run --example learn_order`
//! (`LOCK_RANK_SUGGEST=order.rs cargo run --example learn_order` also writes the suggestion to
//! `order.rs` when the program exits.)

use std::collections::HashMap;
use std::process;
use std::sync::{Arc, Mutex as StdMutex};
use std::thread;

use lock_rank::{Mutex, Policy, RwLock, ViolationKind};

/// A store with three unranked locks.
struct Store {
    sessions: Mutex<HashMap<u32, String>>,
    cache: Mutex<HashMap<String, Vec<u8>>>,
    index: RwLock<Vec<String>>,
}

impl Store {
    fn new() -> Self {
        Store {
            sessions: Mutex::new(HashMap::new()),
            cache: Mutex::new(HashMap::new()),
            index: RwLock::new(Vec::new()),
        }
    }

    /// sessions, then cache, then index.
    fn insert(&self, session: u32, key: &str, value: &[u8]) {
        let mut sessions = self.sessions.lock().unwrap();
        sessions.insert(session, key.to_owned());
        let mut cache = self.cache.lock().unwrap();
        cache.insert(key.to_owned(), value.to_vec());
        self.index.write().unwrap().push(key.to_owned());
    }

    /// index, then cache: the other way round from `insert`. Two threads running `insert` and
    /// `evict` at once can deadlock, even if no test ever hit that interleaving.
    fn evict(&self, key: &str) {
        let mut index = self.index.write().unwrap();
        index.retain(|k| k != key);
        self.cache.lock().unwrap().remove(key);
    }
}

fn main() {
    if !lock_rank::CHECKS_ENABLED {
        eprintln!("lock-rank checks are off in this build, so no order is learned.");
        process::exit(2);
    }
    // Print each report and go on, rather than panicking at the first.
    let reports = Arc::new(StdMutex::new(Vec::new()));
    let sink = Arc::clone(&reports);
    lock_rank::set_policy(Policy::callback(move |v| {
        println!("{v}\n");
        sink.lock().unwrap().push(v.kind);
    }));

    let store = Arc::new(Store::new());
    // One thread after the other: the inversion is caught without the unlucky interleaving
    // that would hang.
    for (i, key) in ["alpha", "beta"].into_iter().enumerate() {
        let store = Arc::clone(&store);
        thread::spawn(move || store.insert(i as u32, key, b"payload")).join().unwrap();
    }
    let evicting = Arc::clone(&store);
    thread::spawn(move || evicting.evict("alpha")).join().unwrap();

    let caught = reports.lock().unwrap().iter().filter(|&&k| k == ViolationKind::OrderCycle).count();
    println!("{}", lock_rank::observed::suggest());
    if caught != 1 {
        eprintln!("expected the one inversion to be reported, got {caught} reports");
        process::exit(1);
    }
}
