use std::sync::{Arc, LazyLock};

use lock_order::{lock_rank, Mutex};

#[lock_rank(1)]
static ACCOUNTS: LazyLock<Mutex<Vec<u64>>> = LazyLock::new(|| Mutex::new(Vec::new()));

#[lock_order::ranked]
struct Bank {
    #[lock_rank(2)]
    ledger: Arc<Mutex<Vec<u64>>>,
    #[lock_rank(3)]
    shards: [Mutex<u64>; 4],
}

fn main() {}
