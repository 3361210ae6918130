use lock_rank::lock_rank;

#[lock_rank(1)]
static A: std::sync::Mutex<u8> = std::sync::Mutex::new(0);

fn main() {}
