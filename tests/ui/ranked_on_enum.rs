#[lock_rank::ranked]
enum Level {
    Low,
    High,
}

fn main() {}
