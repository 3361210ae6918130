use lock_rank::{lock_rank, Mutex};

const BASE: u32 = 10;

#[lock_rank(BASE + 1)]
static A: Mutex<u8> = Mutex::new(0);

#[lock_rank(1.5)]
static B: Mutex<u8> = Mutex::new(0);

fn main() {}
