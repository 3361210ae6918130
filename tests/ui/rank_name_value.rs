use lock_rank::{lock_rank, Mutex};

#[lock_rank = 3]
static A: Mutex<u8> = Mutex::new(0);

fn main() {}
