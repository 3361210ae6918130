use lock_rank::{lock_rank, Mutex};

#[lock_rank(1)]
struct Bank {
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
