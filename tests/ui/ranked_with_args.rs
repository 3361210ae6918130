use lock_rank::Mutex;

#[lock_rank::ranked(1)]
struct Bank {
    #[lock_rank(1)]
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
