use std::sync::{Arc, LazyLock};

use lock_rank::lock_rank;

#[lock_rank(1)]
static COUNTS: LazyLock<Vec<u64>> = LazyLock::new(Vec::new);

#[lock_rank::ranked]
struct Server {
    #[lock_rank(2)]
    config: Arc<std::sync::RwLock<String>>,
}

fn main() {}
