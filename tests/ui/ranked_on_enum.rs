#[lock_order::ranked]
enum Level {
    Low,
    High,
}

fn main() {}
