//! Ranked items declared inside a function body.

use lock_rank::{lock_rank, Mutex};

fn main() {
    #[lock_rank(1)]
    static LOCAL: Mutex<u8> = Mutex::new(0);

    #[lock_rank(2)]
    struct Local;

    #[lock_rank::ranked]
    struct Holder {
        #[lock_rank(3)]
        inner: Mutex<u8>,
    }

    let holder = Holder { inner: Mutex::new(0) };
    let local: Mutex<u8, Local> = Mutex::new(0);
    let _a = LOCAL.lock().unwrap();
    let _b = local.lock().unwrap();
    let _c = holder.inner.lock().unwrap();
    assert_eq!(lock_rank::class_of(&LOCAL).unwrap().rank(), 1);
    assert_eq!(lock_rank::class_of(&holder.inner).unwrap().rank(), 3);
}
