use lock_order::Mutex;

#[lock_order::ranked(1)]
struct Bank {
    #[lock_rank(1)]
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
