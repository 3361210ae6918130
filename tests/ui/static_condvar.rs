use lock_order::{lock_rank, Condvar};

#[lock_rank(1)]
static READY: Condvar = Condvar::new();

fn main() {}
