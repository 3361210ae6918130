use lock_order::{lock_rank, Mutex};

type Accounts = Mutex<Vec<u64>>;

#[lock_rank(1)]
static ACCOUNTS: Accounts = Mutex::new(Vec::new());

fn main() {}
