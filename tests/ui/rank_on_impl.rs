use lock_rank::lock_rank;

struct Bank;

#[lock_rank(1)]
impl Bank {
    fn open(&self) {}
}

fn main() {}
