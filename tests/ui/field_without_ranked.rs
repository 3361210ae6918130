use lock_rank::{lock_rank, Mutex};

struct Bank {
    #[lock_rank(1)]
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
