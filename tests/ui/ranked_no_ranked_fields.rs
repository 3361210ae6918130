use lock_order::Mutex;

#[lock_order::ranked]
struct Bank {
    accounts: Mutex<Vec<u64>>,
}

fn main() {}
