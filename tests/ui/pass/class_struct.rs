//! A unit struct declared as a lock class, shared by many locks.

use lock_rank::{lock_rank, LockClass, Mutex, RwLock};

/// One rank for every shard of the table.
#[lock_rank(3)]
pub struct Shard;

#[lock_rank(4)]
struct Index;

fn main() {
    assert_eq!(Shard::INFO.unwrap().rank(), 3);
    assert_eq!(Shard::INFO.unwrap().summary(), "One rank for every shard of the table.");
    let shards: Vec<Mutex<u64, Shard>> = (0..4).map(|_| Mutex::new(0)).collect();
    let index: RwLock<Vec<u8>, Index> = RwLock::new(Vec::new());
    let _shard = shards[0].lock().unwrap();
    let _index = index.read().unwrap();
}
