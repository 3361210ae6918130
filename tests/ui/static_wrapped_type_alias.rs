use std::sync::{Arc, LazyLock};

use lock_order::{lock_rank, RwLock};

type Locked<T> = Arc<RwLock<T>>;

#[lock_rank(1)]
static ROUTES: LazyLock<Locked<Vec<String>>> = LazyLock::new(|| Arc::new(RwLock::new(Vec::new())));

fn main() {}
