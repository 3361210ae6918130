use lock_order::{lock_rank, Mutex};

#[lock_rank(1)]
static mut A: Mutex<u8> = Mutex::new(0);

fn main() {}
