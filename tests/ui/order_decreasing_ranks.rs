lock_order::order! {
    mod ranks {
        ACCOUNTS = 20,
        LOG = 10,
    }
}

fn main() {}
