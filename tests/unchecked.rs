//! What each build promises: without checks (release without `enforce`) the locks are std's in
//! size and behaviour and nothing is reported; with checks (debug, or `enforce` in release) the
//! same code is reported. Every test asserts one side or the other, so this file means something
//! in all three builds.

#[macro_use]
mod common;

use std::mem::size_of;

use common::{assert_report, catch, collecting, lock};
use lock_rank::CHECKS_ENABLED;
use lock_rank::{
    lock_rank, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, ViolationKind,
};

#[lock_rank(1)]
struct First;
#[lock_rank(2)]
struct Second;

#[test]
fn checks_are_on_exactly_with_debug_assertions_or_enforce() {
    assert_eq!(CHECKS_ENABLED, cfg!(debug_assertions) || cfg!(feature = "enforce"));
}

/// `size_of` of one type under `lock_rank` and under `std`.
macro_rules! sizes {
    ($ours:ty, $std:ty) => {
        (size_of::<$ours>(), size_of::<$std>())
    };
}

#[test]
fn a_rank_costs_no_space_in_any_build() {
    assert_eq!(size_of::<Mutex<u64, First>>(), size_of::<Mutex<u64>>());
    assert_eq!(size_of::<RwLock<[u8; 3], Second>>(), size_of::<RwLock<[u8; 3]>>());
    assert_eq!(size_of::<MutexGuard<'static, u64, First>>(), size_of::<MutexGuard<'static, u64>>());
    // The lock itself is std's plus a zero-sized class, and with checks its origin (its class
    // and where it was made): two words, the same for every class.
    let origin = if CHECKS_ENABLED { 2 * size_of::<usize>() } else { 0 };
    let (ours, std) = sizes!(Mutex<u64, First>, std::sync::Mutex<u64>);
    assert_eq!(ours, std + origin);
}

#[test]
fn the_plain_view_of_a_ranked_lock_is_the_same_lock_and_costs_no_space() {
    let ranked: Mutex<u64, First> = Mutex::new(0);
    let plain: &Mutex<u64> = &ranked;
    assert!(std::ptr::eq(std::ptr::from_ref(plain).cast::<u8>(), std::ptr::from_ref(&ranked).cast::<u8>()));
    *plain.lock().unwrap() += 1;
    assert_eq!(size_of::<RwLock<u8, Second>>(), size_of::<RwLock<u8>>());
    if !CHECKS_ENABLED {
        let (ours, std) = sizes!(RwLock<u8, Second>, std::sync::RwLock<u8>);
        assert_eq!(ours, std, "without checks the origin is zero-sized");
    }
    assert_eq!(ranked.into_inner().unwrap(), 1);
}

#[test]
fn without_checks_locks_and_guards_are_exactly_std_sized() {
    let pairs = [
        sizes!(Mutex<()>, std::sync::Mutex<()>),
        sizes!(Mutex<u8, First>, std::sync::Mutex<u8>),
        sizes!(Mutex<[u64; 4]>, std::sync::Mutex<[u64; 4]>),
        sizes!(RwLock<u32, Second>, std::sync::RwLock<u32>),
        sizes!(RwLock<String>, std::sync::RwLock<String>),
        sizes!(Condvar, std::sync::Condvar),
        sizes!(Option<Mutex<u8>>, Option<std::sync::Mutex<u8>>),
    ];
    for (ours, std) in pairs {
        if CHECKS_ENABLED {
            // With checks a lock keeps its origin: two words, plus the padding to align them.
            assert!(ours >= std && ours <= std + 4 * size_of::<usize>(), "{ours} vs {std}");
        } else {
            assert_eq!(ours, std);
        }
    }
    let guards = [
        sizes!(MutexGuard<'static, u8, First>, std::sync::MutexGuard<'static, u8>),
        sizes!(RwLockReadGuard<'static, u8, First>, std::sync::RwLockReadGuard<'static, u8>),
        sizes!(RwLockWriteGuard<'static, u8>, std::sync::RwLockWriteGuard<'static, u8>),
        sizes!(Option<MutexGuard<'static, u8>>, Option<std::sync::MutexGuard<'static, u8>>),
    ];
    for (ours, std) in guards {
        if CHECKS_ENABLED {
            // With checks a guard carries the record of its acquisition.
            assert!(ours > std, "{ours} vs {std}");
        } else {
            assert_eq!(ours, std);
        }
    }
}

#[test]
fn locks_are_send_and_sync_like_std() {
    fn send_sync<T: Send + Sync>() {}
    fn sync<T: Sync>() {}
    send_sync::<Mutex<Vec<u8>, First>>();
    send_sync::<RwLock<Vec<u8>>>();
    send_sync::<Condvar>();
    sync::<MutexGuard<'static, u8, First>>();
    sync::<RwLockReadGuard<'static, u8>>();
}

#[test]
fn an_out_of_order_acquire_is_reported_exactly_when_checks_are_on() {
    let first: Mutex<u8, First> = Mutex::new(0);
    let second: Mutex<u8, Second> = Mutex::new(0);
    let (lines, violations) = collecting(|| {
        let (second_line, _s) = (line!(), second.lock().unwrap());
        let (first_line, _f) = (line!(), first.lock().unwrap());
        (second_line, first_line)
    });
    assert_eq!(violations.len(), usize::from(CHECKS_ENABLED), "{violations:?}");
    if let Some(v) = violations.first() {
        assert_report(
            &v.to_string(),
            ViolationKind::LockOrder,
            &lock("First", Some(1), site!(lines.1, "first.lock")),
            &lock("Second", Some(2), site!(lines.0, "second.lock")),
        );
    }
    // With the default policy: a panic with checks, nothing at all without.
    let result = catch(|| {
        let _s = second.lock().unwrap();
        let _f = first.lock().unwrap();
    });
    assert_eq!(result.is_err(), CHECKS_ENABLED);
    assert_eq!(first.is_poisoned() || second.is_poisoned(), CHECKS_ENABLED);
}

#[test]
fn held_locks_tracks_exactly_when_checks_are_on() {
    let first: Mutex<u8, First> = Mutex::new(0);
    let second: RwLock<u8, Second> = RwLock::new(0);
    let _f = first.lock().unwrap();
    let _s = second.read().unwrap();
    let names = common::held_names();
    if CHECKS_ENABLED {
        assert_eq!(names, ["First", "Second"]);
    } else {
        assert!(names.is_empty());
    }
}

#[test]
fn try_lock_and_blocking_locks_behave_as_std_in_every_build() {
    let m: Mutex<u8, First> = Mutex::new(1);
    let g = m.lock().unwrap();
    assert!(matches!(m.try_lock(), Err(std::sync::TryLockError::WouldBlock)));
    drop(g);
    *m.try_lock().unwrap() += 1;
    assert_eq!(m.into_inner().unwrap(), 2);
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_locks_are_tokios_size_without_checks_and_three_words_more_with_them() {
    use lock_rank::tokio::{Mutex, RwLock, Semaphore};

    // With checks the lock keeps its origin (its class and where it was made):
    // two words, which tokio's word alignment takes without padding.
    let origin = if CHECKS_ENABLED { 2 * size_of::<usize>() } else { 0 };
    let pairs = [
        sizes!(Mutex<u64, First>, tokio::sync::Mutex<u64>),
        sizes!(Mutex<()>, tokio::sync::Mutex<()>),
        sizes!(Mutex<[u64; 4]>, tokio::sync::Mutex<[u64; 4]>),
        sizes!(RwLock<u8, Second>, tokio::sync::RwLock<u8>),
        sizes!(RwLock<String>, tokio::sync::RwLock<String>),
        sizes!(Semaphore<First>, tokio::sync::Semaphore),
        sizes!(Semaphore, tokio::sync::Semaphore),
    ];
    for (ours, tokio) in pairs {
        assert_eq!(ours, tokio + origin);
    }
    // The plain view is the same lock: one size, one address.
    assert_eq!(size_of::<Mutex<u64, First>>(), size_of::<Mutex<u64>>());
    let ranked: Semaphore<First> = Semaphore::new(1);
    let plain: &Semaphore = &ranked;
    assert!(std::ptr::eq(std::ptr::from_ref(plain).cast::<u8>(), std::ptr::from_ref(&ranked).cast::<u8>()));
}

#[cfg(feature = "tokio")]
#[test]
fn tokio_owned_guards_keep_the_lock_s_arc_next_to_tokio_s_borrowed_guard() {
    use lock_rank::tokio::{
        OwnedMappedMutexGuard, OwnedMutexGuard, OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard,
        OwnedRwLockWriteGuard, OwnedSemaphorePermit,
    };

    // One word more than tokio's in every build: tokio's owned guard is its borrowed guard with an
    // `Arc` in place of the reference; ours keeps both.
    let pairs = [
        sizes!(OwnedMutexGuard<u64, First>, tokio::sync::OwnedMutexGuard<u64>),
        sizes!(OwnedMappedMutexGuard<(u8, u64), u64>, tokio::sync::OwnedMappedMutexGuard<(u8, u64), u64>),
        sizes!(OwnedRwLockReadGuard<u64>, tokio::sync::OwnedRwLockReadGuard<u64>),
        sizes!(OwnedRwLockWriteGuard<u64, Second>, tokio::sync::OwnedRwLockWriteGuard<u64>),
        sizes!(OwnedRwLockMappedWriteGuard<u64>, tokio::sync::OwnedRwLockMappedWriteGuard<u64>),
        sizes!(OwnedSemaphorePermit<First>, tokio::sync::OwnedSemaphorePermit),
    ];
    for (ours, tokio) in pairs {
        assert_eq!(ours, tokio + size_of::<usize>());
    }
}
