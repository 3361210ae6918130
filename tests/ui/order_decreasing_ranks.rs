lock_rank::order! {
    mod ranks {
        ACCOUNTS = 20,
        LOG = 10,
    }
}

fn main() {}
