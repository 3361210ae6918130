use lock_rank::lock_rank;

#[lock_rank(1)]
struct Shard<const N: usize>;

fn main() {}
