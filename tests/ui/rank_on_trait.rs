use lock_rank::lock_rank;

#[lock_rank(1)]
trait Account {}

fn main() {}
