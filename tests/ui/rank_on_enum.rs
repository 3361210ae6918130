use lock_rank::lock_rank;

#[lock_rank(1)]
enum Level {
    Low,
    High,
}

fn main() {}
