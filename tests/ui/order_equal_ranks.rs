lock_rank::order! {
    mod ranks {
        ACCOUNTS = 10,
        LOG = 10,
    }
}

fn main() {}
