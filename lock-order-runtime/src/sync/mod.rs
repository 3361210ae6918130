//! The std-shaped ranked locks: [`Mutex`](mutex::Mutex), [`RwLock`](rwlock::RwLock) and
//! [`Condvar`](condvar::Condvar) over std's, with std's poisoning and timed acquires.

pub(crate) mod condvar;
pub(crate) mod mutex;
pub(crate) mod poison;
pub(crate) mod rwlock;
pub(crate) mod timed;
