use lock_rank::lock_rank;
use std::sync::Mutex as StdMutex;

#[lock_rank(1)]
static A: StdMutex<u8> = StdMutex::new(0);

fn main() {}
