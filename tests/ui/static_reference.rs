use lock_rank::{lock_rank, Mutex};

static INNER: Mutex<u8> = Mutex::new(0);

#[lock_rank(1)]
static A: &Mutex<u8> = &INNER;

fn main() {}
