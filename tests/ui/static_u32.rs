use lock_rank::lock_rank;

#[lock_rank(1)]
static A: u32 = 0;

fn main() {}
