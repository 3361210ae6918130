lock_order::order! {
    ranks {
        ACCOUNTS = 10,
        LOG = 20,
    }
}

fn main() {}
