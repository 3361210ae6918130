use lock_rank::lock_rank;

#[lock_rank(1)]
mod bank {}

fn main() {}
