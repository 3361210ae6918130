lock_rank::order! {
    mod ranks {
        ACCOUNTS = 10,
        ALL = 20,
    }
}

fn main() {}
