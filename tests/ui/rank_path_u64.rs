use lock_rank::{lock_rank, Mutex};

const ACCOUNTS: u64 = 10;

#[lock_rank(ACCOUNTS)]
static A: Mutex<u8> = Mutex::new(0);

fn main() {}
