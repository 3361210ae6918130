use std::sync::Arc;

use lock_rank::lock_rank;

type Counts = Vec<u64>;
type Shared<T> = Arc<std::sync::RwLock<T>>;

#[lock_rank(1)]
static COUNTS: Counts = Vec::new();

#[lock_rank::ranked]
struct Server {
    #[lock_rank(2)]
    config: Shared<String>,
}

fn main() {}
