//! A type alias that names the class parameter of the lock it wraps takes a rank: the macro
//! appends the class to the alias, which passes it on to the lock.

use std::sync::{Arc, LazyLock};

use lock_rank::{lock_rank, RwLock, Unranked};

type Locked<T, C = Unranked> = Arc<RwLock<T, C>>;

#[lock_rank(1)]
static ROUTES: LazyLock<Locked<Vec<String>>> = LazyLock::new(|| Arc::new(RwLock::new(Vec::new())));

#[lock_rank::ranked]
struct Router {
    #[lock_rank(2)]
    table: Locked<u32>,
}

fn main() {
    let router = Router { table: Arc::new(RwLock::new(0)) };
    let routes = ROUTES.read().unwrap();
    *router.table.write().unwrap() += 1; // rank 2 while holding 1: in order
    assert_eq!(routes.len(), 0);
    assert_eq!(lock_rank::class_of(&**ROUTES).map(|c| c.rank()), Some(1));
    assert_eq!(lock_rank::class_of(&*router.table).map(|c| c.name()), Some("Router::table"));
}
