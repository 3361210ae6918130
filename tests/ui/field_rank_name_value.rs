use lock_rank::Mutex;

#[lock_rank::ranked]
struct Bank {
    #[lock_rank = 3]
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
