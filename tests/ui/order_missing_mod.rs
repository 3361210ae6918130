lock_rank::order! {
    ranks {
        ACCOUNTS = 10,
        LOG = 20,
    }
}

fn main() {}
