//! `order!`: a documented table of ranks, used by statics, fields and classes.

use lock_rank::{lock_rank, Mutex};

lock_rank::order! {
    /// The lock order of the bank.
    pub mod ranks {
        /// Balances.
        ACCOUNTS = 10,
        /// The audit log; taken while holding accounts.
        LOG = 20,
        SHARD = 30
    }
}

mod private {
    lock_rank::order! {
        mod inner {
            ONLY = 1,
        }
    }

    pub fn only() -> u32 {
        inner::ONLY
    }
}

#[lock_rank(ranks::ACCOUNTS)]
static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());

#[lock_rank::ranked]
struct Audit {
    #[lock_rank(ranks::LOG)]
    log: Mutex<Vec<String>>,
}

#[lock_rank(ranks::SHARD)]
struct Shard;

fn main() {
    assert_eq!(ranks::ALL, &[("ACCOUNTS", 10), ("LOG", 20), ("SHARD", 30)]);
    assert_eq!(private::only(), 1);
    let audit = Audit { log: Mutex::new(Vec::new()) };
    let _accounts = ACCOUNTS.lock().unwrap();
    let _log = audit.log.lock().unwrap();
    let shard: Mutex<u8, Shard> = Mutex::new(0);
    let _shard = shard.lock().unwrap();
    assert_eq!(lock_rank::class_of(&ACCOUNTS).unwrap().rank(), ranks::ACCOUNTS);
    assert_eq!(lock_rank::class_of(&audit.log).unwrap().rank(), ranks::LOG);
    assert_eq!(lock_rank::class_of(&shard).unwrap().rank(), ranks::SHARD);
}
