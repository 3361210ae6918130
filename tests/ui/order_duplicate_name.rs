lock_rank::order! {
    mod ranks {
        ACCOUNTS = 10,
        LOG = 20,
        ACCOUNTS = 30,
    }
}

fn main() {}
