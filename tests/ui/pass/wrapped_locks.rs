//! `#[lock_rank]` ranks the one lock inside the usual wrappers, nested, for statics and for fields
//! of every lock family, with the constructors as written; a ranked lock goes wherever its plain
//! type is taken. Built with `-D warnings`: `lock_rank` imported for fields only is not unused.

#![deny(warnings)]

use std::cell::{LazyCell, OnceCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::{Arc, LazyLock, OnceLock};

use lock_rank::{class_of, lock_rank, Mutex, RwLock, CHECKS_ENABLED};

#[lock_rank(1)]
static CONFIG: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));
#[lock_rank(2)]
static LATE: OnceLock<Mutex<u32>> = OnceLock::new();
#[lock_rank(3)]
static SHARDS: LazyLock<Vec<Mutex<u64>>> = LazyLock::new(|| (0..4).map(|_| Mutex::new(0)).collect());
#[lock_rank(4)]
static SLOTS: [Mutex<u8>; 2] = [Mutex::new(0), Mutex::new(1)];
#[lock_rank(5)]
static ONCE_CELL_LAZY: once_cell::sync::Lazy<Mutex<u8>> = once_cell::sync::Lazy::new(|| Mutex::new(0));

mod fields_only {
    use std::collections::HashMap;
    use std::sync::Arc;

    // `lock_rank` is named only on fields, which `#[ranked]` reads.
    use lock_rank::{lock_rank, Mutex};

    #[lock_rank::ranked]
    pub struct AppState {
        #[lock_rank(10)]
        pub users: Arc<Mutex<HashMap<u32, String>>>,
    }
}

#[lock_rank::ranked]
struct Service {
    #[lock_rank(11)]
    shards: Vec<Mutex<u64>>,
    #[lock_rank(12)]
    boxed: Box<[RwLock<u8>]>,
    #[lock_rank(13)]
    maybe: Option<Arc<RwLock<u8>>>,
    #[lock_rank(14)]
    nested: Arc<Vec<Mutex<u8>>>,
    #[lock_rank(15)]
    by_name: HashMap<String, Mutex<u8>>,
    #[lock_rank(16)]
    by_id: BTreeMap<u32, Box<Mutex<u8>>>,
    #[lock_rank(17)]
    local: Rc<Mutex<u8>>,
    #[lock_rank(18)]
    cell: OnceCell<Mutex<u8>>,
    #[lock_rank(19)]
    lazy: LazyCell<Mutex<u8>>,
    #[lock_rank(20)]
    array: [Mutex<u8>; 3],
}

fn user_count(users: &Mutex<HashMap<u32, String>>) -> usize {
    users.lock().unwrap().len()
}

fn total(locks: &[&Mutex<u8>]) -> u32 {
    locks.iter().map(|m| u32::from(*m.lock().unwrap())).sum()
}

fn keep(users: Arc<Mutex<HashMap<u32, String>>>) -> usize {
    users.lock().unwrap().len()
}

fn rank_of<L: lock_rank::RankedLock + ?Sized>(lock: &L) -> Option<u32> {
    class_of(lock).map(|c| c.rank())
}

#[cfg(feature = "parking_lot")]
mod parking_lot_family {
    use std::sync::{Arc, LazyLock};

    use lock_rank::lock_rank;
    use lock_rank::parking_lot::{FairMutex, Mutex, ReentrantMutex, RwLock};

    #[lock_rank(40)]
    static TABLE: LazyLock<Vec<RwLock<u8>>> = LazyLock::new(|| vec![RwLock::new(1), RwLock::new(2)]);

    #[lock_rank::ranked]
    pub struct Pool {
        #[lock_rank(41)]
        pub conns: Arc<Mutex<Vec<u8>>>,
        #[lock_rank(42)]
        pub fair: Option<Box<FairMutex<u8>>>,
        #[lock_rank(43)]
        pub tree: Arc<ReentrantMutex<u8>>,
        #[lock_rank(44)]
        pub raw: Vec<lock_rank::lock_api::Mutex<parking_lot::RawMutex, u8>>,
    }

    fn read(lock: &RwLock<u8>) -> u8 {
        *lock.read()
    }

    pub fn run() {
        let pool = Pool {
            conns: Arc::new(Mutex::new(vec![1])),
            fair: Some(Box::new(FairMutex::new(2))),
            tree: Arc::new(ReentrantMutex::new(3)),
            raw: vec![lock_rank::lock_api::Mutex::new(4)],
        };
        assert_eq!(read(&TABLE[1]), 2);
        let conns = pool.conns.lock();
        let fair = pool.fair.as_ref().unwrap().lock();
        let tree = pool.tree.lock();
        let plain: &ReentrantMutex<u8> = &pool.tree;
        let again = plain.lock();
        assert_eq!(*pool.raw[0].lock() + *fair + *tree + *again, 12);
        assert_eq!(conns.len(), 1);
        assert_eq!(lock_rank::class_of(&*pool.conns).map(|c| c.rank()), Some(41));
        let plain: Arc<Mutex<Vec<u8>>> = Mutex::into_plain(pool.conns.clone());
        assert_eq!(lock_rank::class_of(&*plain).map(|c| c.rank()), lock_rank::CHECKS_ENABLED.then_some(41));
    }
}

#[cfg(feature = "tokio")]
mod tokio_family {
    use std::sync::Arc;

    use lock_rank::lock_rank;
    use lock_rank::tokio::{Mutex, RwLock, Semaphore};

    #[lock_rank(50)]
    static PERMITS: Semaphore = Semaphore::const_new(2);

    #[lock_rank::ranked]
    pub struct Jobs {
        #[lock_rank(51)]
        pub queue: Arc<Mutex<Vec<u32>>>,
        #[lock_rank(52)]
        pub workers: Vec<RwLock<u8>>,
        #[lock_rank(53)]
        pub slots: Arc<Semaphore>,
    }

    pub fn run() {
        let jobs = Jobs {
            queue: Arc::new(Mutex::new(vec![])),
            workers: (0..2).map(|_| RwLock::new(0)).collect(),
            slots: Arc::new(Semaphore::new(1)),
        };
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let _permit = PERMITS.acquire().await.unwrap();
            let mut queue = jobs.queue.lock().await;
            queue.push(1);
            let _worker = jobs.workers[1].read().await;
            let _slot = jobs.slots.acquire().await.unwrap();
        });
        assert_eq!(lock_rank::class_of(&*jobs.slots).map(|c| c.rank()), Some(53));

        // The plain types take the ranked tokio locks: references, `Arc`s and their owned guards.
        let queue: Arc<Mutex<Vec<u32>>> = Mutex::into_plain(Arc::clone(&jobs.queue));
        let workers: Vec<&RwLock<u8>> = jobs.workers.iter().map(|w| &**w).collect();
        let slots: Arc<Semaphore> = Semaphore::into_plain(Arc::clone(&jobs.slots));
        runtime.block_on(async {
            let _permit = permits(&PERMITS).await;
            assert_eq!(queue_len(&jobs.queue).await, 1);
            let queue = queue.lock_owned().await;
            let _worker = workers[0].write().await;
            let _slot = slots.acquire_owned().await.unwrap();
            assert_eq!(queue.len(), 1);
        });
        let plain: &RwLock<u8> = &jobs.workers[1];
        assert_eq!(lock_rank::class_of(plain).map(|c| c.rank()), lock_rank::CHECKS_ENABLED.then_some(52));
    }

    async fn queue_len(queue: &Mutex<Vec<u32>>) -> usize {
        queue.lock().await.len()
    }

    async fn permits(semaphore: &'static Semaphore) -> lock_rank::tokio::SemaphorePermit<'static> {
        semaphore.acquire().await.unwrap()
    }
}

fn main() {
    CONFIG.write().unwrap().push("verbose".into());
    LATE.get_or_init(|| Mutex::new(7));
    *SHARDS[2].lock().unwrap() += 1;
    let state = fields_only::AppState { users: Arc::new(Mutex::new(HashMap::new())) };
    state.users.lock().unwrap().insert(1, "ada".into());
    let service = Service {
        shards: (0..4).map(|_| Mutex::new(0)).collect(),
        boxed: vec![RwLock::new(1), RwLock::new(2)].into_boxed_slice(),
        maybe: Some(Arc::new(RwLock::new(3))),
        nested: Arc::new(vec![Mutex::new(4)]),
        by_name: HashMap::from([("a".to_owned(), Mutex::new(5))]),
        by_id: BTreeMap::from([(1, Box::new(Mutex::new(6)))]),
        local: Rc::new(Mutex::new(7)),
        cell: OnceCell::new(),
        lazy: LazyCell::new(|| Mutex::new(9)),
        array: [Mutex::new(1), Mutex::new(1), Mutex::new(1)],
    };
    service.cell.get_or_init(|| Mutex::new(8));

    // In rank order, through the plain types the helpers take.
    assert_eq!(CONFIG.read().unwrap().len(), 1);
    let _late = LATE.get().unwrap().lock().unwrap();
    assert_eq!(*SHARDS[2].lock().unwrap(), 1);
    assert_eq!(*SLOTS[1].lock().unwrap() + *ONCE_CELL_LAZY.lock().unwrap(), 1);
    assert_eq!(user_count(&state.users), 1);
    assert_eq!(keep(Mutex::into_plain(Arc::clone(&state.users))), 1);
    let _shard = service.shards[0].lock().unwrap();
    assert_eq!(*service.boxed[1].read().unwrap(), 2);
    assert_eq!(*service.maybe.as_ref().unwrap().read().unwrap(), 3);
    let mixed: Vec<&Mutex<u8>> = vec![
        &service.nested[0],
        &service.by_name["a"],
        &service.by_id[&1],
        &service.local,
        service.cell.get().unwrap(),
        &service.lazy,
    ];
    assert_eq!(total(&mixed), 4 + 5 + 6 + 7 + 8 + 9);
    assert_eq!(total(&[&service.array[0], &service.array[2]]), 2);

    assert_eq!(rank_of(&*CONFIG), Some(1));
    assert_eq!(rank_of(&service.shards[3]), Some(11));
    assert_eq!(class_of(&*state.users).map(|c| c.name()), Some("AppState::users"));
    let plain: &Mutex<u8> = &service.local;
    assert_eq!(rank_of(plain), CHECKS_ENABLED.then_some(17));

    #[cfg(feature = "parking_lot")]
    parking_lot_family::run();
    #[cfg(feature = "tokio")]
    tokio_family::run();
}
