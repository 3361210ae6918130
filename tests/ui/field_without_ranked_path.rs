use lock_rank::Mutex;

struct Bank {
    #[lock_rank::lock_rank(1)]
    accounts: Mutex<Vec<u64>>,
}

struct Ledger {
    #[lock_rank(2)]
    entries: Mutex<Vec<u64>>,
}

fn main() {}
