use lock_rank::lock_rank;

#[lock_rank(-3)]
fn acquire() {}

fn main() {
    acquire();
}
