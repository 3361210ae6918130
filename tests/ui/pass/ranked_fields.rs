//! `#[lock_rank::ranked]` structs: named, tuple and generic, with and without `pub` fields.

use std::collections::HashMap;
use std::hash::Hash;

use lock_rank::{Mutex, RwLock};

#[lock_rank::ranked]
pub struct Bank {
    /// Balances by account number.
    #[lock_rank(1)]
    pub accounts: Mutex<Vec<u64>>,
    #[lock_rank(2)]
    log: RwLock<Vec<String>>,
    name: &'static str,
}

#[lock_rank::ranked]
struct Pair(#[lock_rank(5)] Mutex<u8>, #[lock_rank(6)] pub Mutex<u8>, u32);

#[lock_rank::ranked]
struct Cache<K, V> {
    #[lock_rank(3)]
    map: Mutex<HashMap<K, V>>,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    fn get(&self, key: &K) -> Option<V> {
        self.map.lock().unwrap().get(key).cloned()
    }
}

#[lock_rank::ranked]
struct Bounded<T: Send + 'static>
where
    T: Clone,
{
    #[lock_rank(4)]
    items: lock_rank::Mutex<Vec<T>>,
}

fn main() {
    let bank = Bank { accounts: Mutex::new(vec![100]), log: RwLock::new(Vec::new()), name: "main" };
    let accounts = bank.accounts.lock().unwrap();
    bank.log.write().unwrap().push(format!("{} opened with {}", bank.name, accounts[0]));
    drop(accounts);
    assert_eq!(lock_rank::class_of(&bank.accounts).unwrap().name(), "Bank::accounts");
    assert_eq!(lock_rank::class_of(&bank.accounts).unwrap().summary(), "Balances by account number.");
    assert_eq!(lock_rank::class_of(&bank.log).unwrap().rank(), 2);

    let pair = Pair(Mutex::new(1), Mutex::new(2), 3);
    let first = pair.0.lock().unwrap();
    let second = pair.1.lock().unwrap();
    assert_eq!(*first + *second, pair.2 as u8);
    drop((second, first));
    assert_eq!(lock_rank::class_of(&pair.1).unwrap().name(), "Pair::1");

    let cache = Cache { map: Mutex::new(HashMap::from([(1, "one")])) };
    assert_eq!(cache.get(&1), Some("one"));
    assert_eq!(lock_rank::class_of(&cache.map).unwrap().rank(), 3);

    let bounded = Bounded { items: Mutex::new(vec![1u8]) };
    assert_eq!(bounded.items.lock().unwrap().len(), 1);
}
