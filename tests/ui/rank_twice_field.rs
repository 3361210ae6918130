use lock_rank::Mutex;

#[lock_rank::ranked]
struct Bank {
    #[lock_rank(1)]
    #[lock_rank(2)]
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
