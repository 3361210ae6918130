//! Less common but valid forms: rank constants whose names the expansion also uses, type
//! aliases that take the class, `macro_rules!` fragments, raw identifiers and lifetimes.

use lock_rank::{lock_rank, Mutex, RwLock, Unranked};

const INFO: u32 = 1;
const RANK: u32 = 2;

#[lock_rank(INFO)]
static FIRST: Mutex<u8> = Mutex::new(0);

#[lock_rank(RANK)]
static SECOND: Mutex<u8> = Mutex::new(0);

/// An alias that passes the class on, so that `#[lock_rank]` can add it.
type Journal<C = Unranked> = RwLock<Vec<String>, C>;

#[lock_rank(3)]
static JOURNAL: Journal = RwLock::new(Vec::new());

macro_rules! ranked_static {
    ($name:ident: $ty:ty = $init:expr, rank $rank:expr) => {
        #[lock_rank($rank)]
        static $name: $ty = $init;
    };
}

ranked_static!(FROM_MACRO: Mutex<u64> = Mutex::new(0), rank 4);

#[lock_rank::ranked]
struct Keywords {
    #[lock_rank(5)]
    r#type: Mutex<u8>,
}

#[lock_rank::ranked]
struct View<'a> {
    #[lock_rank(6)]
    current: Mutex<&'a str>,
}

fn main() {
    let _first = FIRST.lock().unwrap();
    let _second = SECOND.lock().unwrap();
    assert_eq!(lock_rank::class_of(&FIRST).unwrap().rank(), 1);
    assert_eq!(lock_rank::class_of(&SECOND).unwrap().rank(), 2);
    assert_eq!(lock_rank::class_of(&JOURNAL).unwrap().name(), "JOURNAL");
    assert_eq!(lock_rank::class_of(&FROM_MACRO).unwrap().rank(), 4);
    let keywords = Keywords { r#type: Mutex::new(0) };
    assert_eq!(lock_rank::class_of(&keywords.r#type).unwrap().name(), "Keywords::type");
    let text = String::from("view");
    let view = View { current: Mutex::new(&text) };
    assert_eq!(*view.current.lock().unwrap(), "view");
}
