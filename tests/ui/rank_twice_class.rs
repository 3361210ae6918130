use lock_rank::lock_rank;

#[lock_rank(1)]
#[lock_rank(2)]
struct Shard;

fn main() {}
