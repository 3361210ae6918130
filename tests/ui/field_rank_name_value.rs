use lock_order::Mutex;

#[lock_order::ranked]
struct Bank {
    #[lock_rank = 3]
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
