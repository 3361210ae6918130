//! `#[lock_rank]` ranks a lock type it does not know by name through its `Rankable::Ranked`: one
//! with several parameters (the shape of `lock_api::Mutex<R, T>`) and one with no parameter but
//! the class (the shape of a semaphore). Two local lock types stand in for them.

use std::marker::PhantomData;

use lock_rank::__private::{LockClass, Rankable, RankedLock};
use lock_rank::{lock_rank, Unranked};

struct RawLock<R, T, C: LockClass = Unranked>(PhantomData<(R, fn() -> C)>, T);

impl<R, T, C: LockClass> RawLock<R, T, C> {
    const fn new(value: T) -> Self {
        RawLock(PhantomData, value)
    }
}

impl<R, T, C: LockClass> RankedLock for RawLock<R, T, C> {
    type Class = C;
}

impl<R, T> Rankable for RawLock<R, T> {
    type Ranked<C: LockClass> = RawLock<R, T, C>;
}

struct Permits<C: LockClass = Unranked>(PhantomData<fn() -> C>);

impl<C: LockClass> Permits<C> {
    const fn new() -> Self {
        Permits(PhantomData)
    }
}

impl<C: LockClass> RankedLock for Permits<C> {
    type Class = C;
}

impl Rankable for Permits {
    type Ranked<C: LockClass> = Permits<C>;
}

#[lock_rank(1)]
static RAW: RawLock<(), u8> = RawLock::new(0);

#[lock_rank(2)]
static PERMITS: Permits = Permits::new();

fn main() {
    assert_eq!(lock_rank::class_of(&RAW).unwrap().rank(), 1);
    assert_eq!(lock_rank::class_of(&PERMITS).unwrap().rank(), 2);
    assert_eq!(RAW.1, 0);
}
