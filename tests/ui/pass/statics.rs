//! Ranked statics: literal and path ranks, visibility, two in one module, fully qualified types.

use lock_rank::{lock_rank, LockClass, Mutex, RwLock};

const LOG_RANK: u32 = 20;

mod ranks {
    pub const CONFIG: u32 = 30;
}

/// The accounts, lowest rank.
#[lock_rank(10)]
static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());

#[lock_rank(LOG_RANK)]
pub static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[lock_rank(ranks::CONFIG)]
pub(crate) static CONFIG: RwLock<String> = RwLock::new(String::new());

#[lock_rank(40u32)]
static STATS: lock_rank::Mutex<u64> = lock_rank::Mutex::new(0);

#[lock_rank::lock_rank(50)]
static CACHE: ::lock_rank::RwLock<Vec<u8>> = ::lock_rank::RwLock::new(Vec::new());

mod nested {
    use lock_rank::{lock_rank, Mutex};

    #[lock_rank(1)]
    pub static FIRST: Mutex<u8> = Mutex::new(0);
    #[lock_rank(2)]
    pub static SECOND: Mutex<u8> = Mutex::new(0);
}

fn rank<L: lock_rank::RankedLock>(_: &L) -> Option<u32> {
    <L::Class as LockClass>::INFO.map(|info| info.rank())
}

fn main() {
    assert_eq!(rank(&ACCOUNTS), Some(10));
    assert_eq!(rank(&LOG), Some(20));
    assert_eq!(rank(&CONFIG), Some(30));
    assert_eq!(rank(&STATS), Some(40));
    assert_eq!(rank(&CACHE), Some(50));
    assert_eq!(rank(&nested::FIRST), Some(1));
    assert_eq!(rank(&nested::SECOND), Some(2));
    assert_eq!(lock_rank::class_of(&ACCOUNTS).unwrap().summary(), "The accounts, lowest rank.");

    let _accounts = ACCOUNTS.lock().unwrap();
    let _log = LOG.lock().unwrap();
    let _config = CONFIG.read().unwrap();
    let _stats = STATS.lock().unwrap();
    let _cache = CACHE.write().unwrap();
}
