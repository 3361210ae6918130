use std::sync::Arc;

use lock_rank::Mutex;

#[lock_rank::ranked]
struct Bank {
    #[lock_rank(1)]
    accounts: Arc<(Mutex<u64>, Mutex<u64>)>,
}

fn main() {}
