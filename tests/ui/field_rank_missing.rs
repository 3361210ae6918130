use lock_order::Mutex;

#[lock_order::ranked]
struct Bank {
    #[lock_rank]
    accounts: Mutex<Vec<u64>>,
    #[lock_rank()]
    log: Mutex<Vec<String>>,
}

fn main() {}
