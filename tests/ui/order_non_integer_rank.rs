lock_rank::order! {
    mod ranks {
        ACCOUNTS = "10",
        LOG = 20,
    }
}

fn main() {}
