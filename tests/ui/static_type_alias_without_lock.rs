use std::sync::Arc;

use lock_order::lock_rank;

type Counts = Vec<u64>;
type Shared<T> = Arc<std::sync::RwLock<T>>;

#[lock_rank(1)]
static COUNTS: Counts = Vec::new();

#[lock_order::ranked]
struct Server {
    #[lock_rank(2)]
    config: Shared<String>,
}

fn main() {}
