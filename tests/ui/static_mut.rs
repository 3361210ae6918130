use lock_rank::{lock_rank, Mutex};

#[lock_rank(1)]
static mut A: Mutex<u8> = Mutex::new(0);

fn main() {}
