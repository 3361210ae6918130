use lock_rank::{lock_rank, Mutex};

#[lock_rank(1)]
type Accounts = Mutex<Vec<u64>>;

fn main() {}
