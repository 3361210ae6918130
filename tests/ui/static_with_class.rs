use lock_rank::{lock_rank, Mutex};

#[lock_rank(1)]
struct Shard;

#[lock_rank(2)]
static A: Mutex<u8, Shard> = Mutex::new(0);

fn main() {}
