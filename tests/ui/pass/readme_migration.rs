//! The example of docs/migrating.md ("Migrating an existing codebase"), before and after, as
//! written there: only the `use` lines and the attributes differ. Built with `-D warnings`.

#![deny(warnings)]

mod before {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex, RwLock};

    pub struct Config {
        pub greeting: String,
    }

    pub static CONFIG: LazyLock<RwLock<Config>> =
        LazyLock::new(|| RwLock::new(Config { greeting: "hello".into() }));

    pub struct AppState {
        pub users: Arc<Mutex<HashMap<u32, String>>>,
        pub shards: Vec<Mutex<u64>>,
    }

    impl AppState {
        pub fn new(shards: usize) -> Self {
            AppState {
                users: Arc::new(Mutex::new(HashMap::new())),
                shards: (0..shards).map(|_| Mutex::new(0)).collect(),
            }
        }

        pub fn greet(&self, id: u32) -> String {
            let config = CONFIG.read().unwrap();
            let users = self.users.lock().unwrap();
            *self.shards[id as usize % self.shards.len()].lock().unwrap() += 1;
            let name = users.get(&id).map_or("stranger", String::as_str);
            format!("{}, {name}", config.greeting)
        }
    }

    pub fn user_count(users: &Mutex<HashMap<u32, String>>) -> usize {
        users.lock().unwrap().len()
    }

    pub fn hits(shard: &Mutex<u64>) -> u64 {
        *shard.lock().unwrap()
    }
}

mod after {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock};

    use lock_rank::{lock_rank, Mutex, RwLock};

    pub struct Config {
        pub greeting: String,
    }

    #[lock_rank(1)]
    pub static CONFIG: LazyLock<RwLock<Config>> =
        LazyLock::new(|| RwLock::new(Config { greeting: "hello".into() }));

    #[lock_rank::ranked]
    pub struct AppState {
        #[lock_rank(10)]
        pub users: Arc<Mutex<HashMap<u32, String>>>,
        #[lock_rank(15)]
        pub shards: Vec<Mutex<u64>>,
    }

    impl AppState {
        pub fn new(shards: usize) -> Self {
            AppState {
                users: Arc::new(Mutex::new(HashMap::new())),
                shards: (0..shards).map(|_| Mutex::new(0)).collect(),
            }
        }

        pub fn greet(&self, id: u32) -> String {
            let config = CONFIG.read().unwrap();
            let users = self.users.lock().unwrap();
            *self.shards[id as usize % self.shards.len()].lock().unwrap() += 1;
            let name = users.get(&id).map_or("stranger", String::as_str);
            format!("{}, {name}", config.greeting)
        }
    }

    pub fn user_count(users: &Mutex<HashMap<u32, String>>) -> usize {
        users.lock().unwrap().len()
    }

    pub fn hits(shard: &Mutex<u64>) -> u64 {
        *shard.lock().unwrap()
    }
}

fn main() {
    let plain = before::AppState::new(4);
    let ranked = after::AppState::new(4);
    plain.users.lock().unwrap().insert(7, "ada".into());
    ranked.users.lock().unwrap().insert(7, "ada".into());
    assert_eq!(plain.greet(7), "hello, ada");
    assert_eq!(ranked.greet(7), "hello, ada");
    assert_eq!(before::user_count(&plain.users), after::user_count(&ranked.users));
    assert_eq!(before::hits(&plain.shards[3]), after::hits(&ranked.shards[3]));
    let _config = after::CONFIG.read().unwrap();
    assert_eq!(after::user_count(&ranked.users), 1); // rank 10 while holding 1: in order
}
