use lock_rank::{lock_rank, Mutex};

#[lock_rank(3u64)]
static A: Mutex<u8> = Mutex::new(0);

#[lock_rank(3i32)]
static B: Mutex<u8> = Mutex::new(0);

fn main() {}
