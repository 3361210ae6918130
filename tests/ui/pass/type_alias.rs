//! A type alias that hides the lock, and a lock imported under another name, take a rank: the
//! macro cannot read the lock by name, so it asks the compiler for the alias with the class on
//! the lock inside. The constructors stay as written.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use lock_rank::{lock_rank, Mutex as Lock, RwLock};

type Locked<T> = Arc<RwLock<T>>;
type Config = LazyLock<RwLock<String>>;
type Shards = Vec<Lock<u64>>;
type Accounts = Lock<Vec<u64>>;

#[lock_rank(1)]
static ROUTES: LazyLock<Locked<Vec<String>>> = LazyLock::new(|| Arc::new(RwLock::new(Vec::new())));

#[lock_rank(2)]
static CONFIG: Config = LazyLock::new(|| RwLock::new(String::new()));

#[lock_rank(3)]
static COUNT: Lock<u32> = Lock::new(0);

#[lock_rank(7)]
static ACCOUNTS: Accounts = Lock::new(Vec::new());

#[lock_rank::ranked]
struct Router {
    #[lock_rank(4)]
    table: Locked<HashMap<u32, String>>,
    #[lock_rank(5)]
    shards: Shards,
}

#[lock_rank::ranked]
struct Cache<T> {
    #[lock_rank(6)]
    entries: Locked<Vec<T>>,
}

impl<T> Cache<T> {
    fn new() -> Self {
        Cache { entries: Arc::new(RwLock::new(Vec::new())) }
    }
}

fn main() {
    let router = Router {
        table: Arc::new(RwLock::new(HashMap::new())),
        shards: (0..4).map(|_| Lock::new(0)).collect(),
    };
    let cache = Cache::<u8>::new();
    let routes = ROUTES.read().unwrap();
    let config = CONFIG.read().unwrap();
    let mut count = COUNT.lock().unwrap();
    router.table.write().unwrap().insert(1, "one".to_owned());
    *router.shards[0].lock().unwrap() += 1;
    cache.entries.write().unwrap().push(7);
    *count += 1;
    assert_eq!((routes.len(), config.len()), (0, 0));

    let rank = |info: Option<&lock_rank::ClassInfo>| info.map(|c| (c.name(), c.rank()));
    assert_eq!(rank(lock_rank::class_of(&**ROUTES)), Some(("ROUTES", 1)));
    assert_eq!(rank(lock_rank::class_of(&*CONFIG)), Some(("CONFIG", 2)));
    assert_eq!(rank(lock_rank::class_of(&COUNT)), Some(("COUNT", 3)));
    assert_eq!(rank(lock_rank::class_of(&*router.table)), Some(("Router::table", 4)));
    assert_eq!(rank(lock_rank::class_of(&router.shards[3])), Some(("Router::shards", 5)));
    assert_eq!(rank(lock_rank::class_of(&*cache.entries)), Some(("Cache::entries", 6)));
    assert_eq!(rank(lock_rank::class_of(&ACCOUNTS)), Some(("ACCOUNTS", 7)));
}
