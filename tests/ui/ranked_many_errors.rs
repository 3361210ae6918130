use lock_rank::Mutex;

#[lock_rank::ranked]
struct Bank<'a> {
    #[lock_rank("high")]
    accounts: Mutex<Vec<u64>>,
    #[lock_rank(2)]
    ledger: std::sync::Mutex<Vec<u64>>,
    #[lock_rank(3)]
    log: &'a Mutex<Vec<String>>,
    #[lock_rank(4)]
    cache: Mutex<u64>,
}

fn main() {}
