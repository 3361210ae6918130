use std::sync::Arc;

use lock_rank::Mutex;

fn main() {
    // An unranked lock is already of its plain type: it has no plain view to convert to.
    let plain: Arc<Mutex<u8>> = Arc::new(Mutex::new(0));
    let _same = Mutex::into_plain(plain);
}
