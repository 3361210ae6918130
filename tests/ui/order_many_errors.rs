lock_rank::order! {
    pub mod ranks {
        ACCOUNTS = -1,
        LOG 20,
        CACHE = 4294967296,
        INDEX = 30u64,
        SHARD = ranks::LOG,
        AUDIT = 40,
        JOURNAL = 35,
    }
}

fn main() {}
