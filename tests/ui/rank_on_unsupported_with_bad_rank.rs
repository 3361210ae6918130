use lock_order::lock_rank;

#[lock_rank(-3)]
fn acquire() {}

fn main() {
    acquire();
}
