// A misused `#[lock_rank]` is the only error: the items it was on still exist, so the code
// using them reports nothing more.
use lock_rank::{lock_rank, Mutex};

#[lock_rank("3")]
struct Shard;

#[lock_rank(-1)]
static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());

#[lock_rank::ranked]
struct Bank {
    #[lock_rank(1.5)]
    ledger: Mutex<Vec<u64>>,
}

fn main() {
    let shard: Mutex<u8, Shard> = Mutex::new(0);
    let bank = Bank { ledger: Mutex::new(Vec::new()) };
    bank.ledger.lock().unwrap().push(*shard.lock().unwrap() as u64);
    ACCOUNTS.lock().unwrap().push(1);
}
