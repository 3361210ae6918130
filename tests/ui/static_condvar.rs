use lock_rank::{lock_rank, Condvar};

#[lock_rank(1)]
static READY: Condvar = Condvar::new();

fn main() {}
