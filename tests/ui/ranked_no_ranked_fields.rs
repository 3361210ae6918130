use lock_rank::Mutex;

#[lock_rank::ranked]
struct Bank {
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
