use lock_rank::Mutex;

#[lock_rank::ranked]
struct Bank {
    #[lock_rank]
    accounts: Mutex<Vec<u64>>,
    #[lock_rank()]
    log: Mutex<Vec<String>>,
}

fn main() {}
