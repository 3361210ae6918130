use lock_rank::lock_rank;

#[lock_rank(1)]
fn acquire() {}

fn main() {}
