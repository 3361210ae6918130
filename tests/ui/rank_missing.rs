use lock_rank::{lock_rank, Mutex};

#[lock_rank]
static A: Mutex<u8> = Mutex::new(0);

#[lock_rank()]
static B: Mutex<u8> = Mutex::new(0);

fn main() {}
