//! The declarations shown in docs/ranking.md ("Giving locks a rank"), as written there.

use lock_rank::{lock_rank, Mutex, RwLock};

#[lock_rank(1)]
static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
#[lock_rank(2)]
static AUDIT_LOG: RwLock<Vec<String>> = RwLock::new(Vec::new());

pub mod ranks {
    pub const LEDGER: u32 = 5;
}
#[lock_rank(ranks::LEDGER)]
static LEDGER_BOOK: Mutex<u64> = Mutex::new(0);

#[lock_rank::ranked]
struct Bank {
    #[lock_rank(10)]
    accounts: Mutex<Vec<u64>>,
    #[lock_rank(20)]
    journal: RwLock<Vec<String>>,
}

impl Bank {
    fn new() -> Self {
        Bank { accounts: Mutex::new(Vec::new()), journal: RwLock::new(Vec::new()) }
    }
}

#[lock_rank(5)]
struct Account;

fn transfer(from: &Mutex<i64, Account>, to: &Mutex<i64, Account>, amount: i64) {
    let mut both = Mutex::lock_all([from, to]).unwrap();
    *both[0] -= amount;
    *both[1] += amount;
}

lock_rank::order! {
    /// The lock order of the bank.
    pub mod order {
        /// Account balances.
        ACCOUNTS = 10,
        /// The audit log, written while balances are held.
        AUDIT_LOG = 20,
    }
}

fn main() {
    ACCOUNTS.lock().unwrap().push(1);
    AUDIT_LOG.write().unwrap().push("opened".into());
    *LEDGER_BOOK.lock().unwrap() += 1;
    let bank = Bank::new();
    let accounts = bank.accounts.lock().unwrap();
    bank.journal.write().unwrap().push(format!("{} accounts", accounts.len()));
    drop(accounts);
    let (a, b): (Mutex<i64, Account>, Mutex<i64, Account>) = (Mutex::new(10), Mutex::new(0));
    transfer(&a, &b, 3);
    assert_eq!(*a.lock().unwrap(), 7);
    assert_eq!(*b.lock().unwrap(), 3);
    assert_eq!(order::ALL, &[("ACCOUNTS", 10), ("AUDIT_LOG", 20)]);
}
