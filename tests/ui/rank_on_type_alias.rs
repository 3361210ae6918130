use lock_order::{lock_rank, Mutex};

#[lock_rank(1)]
type Accounts = Mutex<Vec<u64>>;

fn main() {}
