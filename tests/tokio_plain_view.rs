//! The tokio locks seen through their plain types: `&tokio::Mutex<T, C>` as `&tokio::Mutex<T>`,
//! `Arc`s from `into_plain` and their owned guards, a `&Semaphore`. Every acquire through the
//! plain view is checked with the lock's own rank and name, and the owned guards (which keep the
//! lock's `Arc` next to tokio's borrowed guard) behave as tokio's and are `Send`/`Sync` exactly
//! when tokio's are.

#![cfg(feature = "tokio")]

#[macro_use]
mod common;

use std::cell::Cell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use common::{assert_violation, collecting, lock};
use lock_rank::tokio::{
    Mutex, OwnedMappedMutexGuard, OwnedMutexGuard, OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard,
    OwnedRwLockWriteGuard, OwnedSemaphorePermit, RwLock, Semaphore,
};
use lock_rank::{class_of, lock_rank, ViolationKind, CHECKS_ENABLED};

#[lock_rank::ranked]
struct AppState {
    #[lock_rank(10)]
    users: Arc<Mutex<HashMap<u32, String>>>,
    #[lock_rank(20)]
    audit: Mutex<Vec<String>>,
}

/// The ledger: taken second.
#[lock_rank(20)]
struct Ledger;
/// The journal: taken last.
#[lock_rank(30)]
struct Journal;
/// The connection pool: taken first.
#[lock_rank(5)]
struct Pool;

/// Runs `scenario` on a current-thread runtime as the root future: its locks are this thread's,
/// and `collecting` sees what they report.
fn block_on<F: std::future::Future>(scenario: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(scenario)
}

/// A helper written for the plain type, as real code has them.
async fn user_count(users: &Mutex<HashMap<u32, String>>) -> usize {
    users.lock().await.len() // the helper's acquire
}

#[test]
fn a_violation_through_a_plain_typed_helper_names_the_real_lock_its_rank_and_both_sites() {
    let state = AppState {
        users: Arc::new(Mutex::new(HashMap::from([(1, "ada".into())]))),
        audit: Mutex::new(vec![]),
    };
    let audit_line = line_of!("// the audit trail first");
    let helper_line = line_of!("// the helper's acquire");
    let (count, seen) = collecting(|| {
        block_on(async {
            let _audit = state.audit.lock().await; // the audit trail first
            user_count(&state.users).await // rank 10 while holding 20
        })
    });
    assert_eq!(count, 1);
    if !CHECKS_ENABLED {
        assert!(seen.is_empty(), "{seen:#?}");
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("AppState::users", Some(10), site!(helper_line, "users.lock")),
        &lock("AppState::audit", Some(20), site!(audit_line, "state.audit.lock")),
    );
}

#[test]
fn in_order_through_the_plain_view_is_no_violation() {
    let state = AppState { users: Arc::new(Mutex::new(HashMap::new())), audit: Mutex::new(vec![]) };
    let (count, seen) = collecting(|| {
        block_on(async {
            let plain: &Mutex<HashMap<u32, String>> = &state.users;
            let users = plain.lock().await; // rank 10
            state.audit.lock().await.push("counted".into()); // 20 after 10: in order
            users.len()
        })
    });
    assert_eq!(count, 0);
    assert!(seen.is_empty(), "in order: {seen:#?}");
    assert_eq!(class_of(&*state.users).map(|c| c.name()), Some("AppState::users"));
    let plain: &Mutex<HashMap<u32, String>> = &state.users;
    assert_eq!(class_of(plain).map(|c| c.rank()), CHECKS_ENABLED.then_some(10));
}

#[test]
fn owned_guards_of_into_plain_arcs_are_checked_with_the_locks_own_rank() {
    let ledger: Arc<Mutex<u64, Ledger>> = Arc::new(Mutex::new(100));
    let journal: Arc<RwLock<Vec<u64>, Journal>> = Arc::new(RwLock::new(vec![]));
    let plain_ledger: Arc<Mutex<u64>> = Mutex::into_plain(Arc::clone(&ledger));
    let plain_journal: Arc<RwLock<Vec<u64>>> = RwLock::into_plain(Arc::clone(&journal));
    assert!(std::ptr::eq(Arc::as_ptr(&plain_ledger).cast::<u8>(), Arc::as_ptr(&ledger).cast::<u8>()));

    let journal_line = line_of!("// the journal first");
    let owned_line = line_of!("// the plain ledger's owned lock");
    let (balance, seen) = collecting(|| {
        block_on(async {
            let _trail = journal.read().await; // the journal first
            let guard = Arc::clone(&plain_ledger).lock_owned().await; // the plain ledger's owned lock
            *guard
        })
    });
    assert_eq!(balance, 100);
    if CHECKS_ENABLED {
        assert_eq!(seen.len(), 1, "{seen:#?}");
        assert_violation(
            &seen[0],
            ViolationKind::LockOrder,
            &lock("Ledger", Some(20), site!(owned_line, "lock_owned")),
            &lock("Journal", Some(30), site!(journal_line, "journal.read")),
        );
    } else {
        assert!(seen.is_empty(), "{seen:#?}");
    }

    // In order, and the guards work as tokio's: they outlive every other `Arc` of their lock,
    // narrow, downgrade, and release the lock when they drop.
    let (_, seen) = collecting(|| {
        block_on(async {
            let mut guard: OwnedMutexGuard<u64> = Arc::clone(&plain_ledger).lock_owned().await;
            *guard -= 30;
            let write: OwnedRwLockWriteGuard<Vec<u64>> = Arc::clone(&plain_journal).write_owned().await;
            let mut entries: OwnedRwLockMappedWriteGuard<Vec<u64>> =
                OwnedRwLockWriteGuard::into_mapped(write);
            entries.push(30);
            drop(entries);
            let write = Arc::clone(&plain_journal).write_owned().await;
            let read: OwnedRwLockReadGuard<Vec<u64>, u64> =
                OwnedRwLockWriteGuard::downgrade_map(write, |entries| &entries[0]);
            assert_eq!(*read, 30);
            assert!(plain_journal.try_write().is_err(), "the downgraded guard still reads");
            assert!(plain_journal.try_read().is_ok());
            drop(read);
            let mapped: OwnedMappedMutexGuard<u64, u64> = OwnedMutexGuard::map(guard, |balance| balance);
            assert!(plain_ledger.try_lock().is_err(), "the mapped guard still holds the mutex");
            drop(mapped);
        })
    });
    assert!(seen.is_empty(), "in order: {seen:#?}");
    assert_eq!(ledger.try_lock().map(|g| *g).ok(), Some(70));

    // A guard keeps its lock alive by itself.
    let guard = block_on(Mutex::into_plain(Arc::new(Mutex::<_, Ledger>::new(7))).lock_owned());
    drop((ledger, plain_ledger));
    assert_eq!(*guard, 7);
    assert_eq!(class_of(OwnedMutexGuard::mutex(&guard)).map(|c| c.rank()), CHECKS_ENABLED.then_some(20));
}

/// A helper that takes the plain semaphore type.
async fn connect(pool: &Semaphore) -> usize {
    let _permit = pool.acquire().await.unwrap(); // the helper's permit
    pool.available_permits()
}

#[test]
fn a_semaphore_through_its_plain_view_is_checked_as_itself() {
    let pool: Semaphore<Pool> = Semaphore::new(2);
    let ledger: Mutex<u64, Ledger> = Mutex::new(0);
    assert_eq!(class_of(&*pool).map(|c| c.rank()), CHECKS_ENABLED.then_some(5));

    let (left, seen) = collecting(|| block_on(connect(&pool)));
    assert_eq!(left, 1);
    assert!(seen.is_empty(), "{seen:#?}");

    let ledger_line = line_of!("// the ledger before the pool");
    let helper_line = line_of!("// the helper's permit");
    let (left, seen) = collecting(|| {
        block_on(async {
            let _balance = ledger.lock().await; // the ledger before the pool
            connect(&pool).await
        })
    });
    assert_eq!(left, 1);
    if !CHECKS_ENABLED {
        assert!(seen.is_empty(), "{seen:#?}");
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("Pool", Some(5), site!(helper_line, "pool.acquire")),
        &lock("Ledger", Some(20), site!(ledger_line, "ledger.lock")),
    );
}

#[test]
fn owned_permits_of_an_into_plain_arc_merge_split_and_keep_the_semaphore_alive() {
    let pool: Arc<Semaphore<Pool>> = Arc::new(Semaphore::new(3));
    let plain: Arc<Semaphore> = Semaphore::into_plain(Arc::clone(&pool));
    let (mut permit, seen) = collecting(|| {
        block_on(async {
            let _held = pool.acquire().await.unwrap();
            // Asked for again while this thread holds one: a recursive acquisition of `Pool`.
            Arc::clone(&plain).acquire_owned().await.unwrap() // the plain pool's owned permit
        })
    });
    if CHECKS_ENABLED {
        assert_eq!(seen.len(), 1, "{seen:#?}");
        assert_eq!(seen[0].kind, ViolationKind::RecursiveAcquisition);
        assert_eq!(seen[0].acquiring.name(), "Pool");
        assert_eq!(seen[0].acquiring.rank(), Some(5));
        assert_eq!(
            seen[0].acquiring.site().to_string(),
            site!(line_of!("// the plain pool's owned permit"), "acquire_owned")
        );
    } else {
        assert!(seen.is_empty(), "{seen:#?}");
    }
    permit.merge(Arc::clone(&plain).try_acquire_many_owned(2).unwrap());
    assert_eq!((permit.num_permits(), plain.available_permits()), (3, 0));
    let part: OwnedSemaphorePermit = permit.split(1).unwrap();
    drop((pool, plain));
    assert_eq!(part.semaphore().available_permits(), 0);
    drop(permit);
    assert_eq!(part.semaphore().available_permits(), 2, "the merged and split permits give theirs back");
    assert_eq!(class_of(part.semaphore()).map(|c| c.rank()), CHECKS_ENABLED.then_some(5));
}

/// Whether a type is `Send` / `Sync`, by method resolution: the inherent method applies only
/// when the bound holds, the trait's otherwise.
struct SendProbe<T: ?Sized>(PhantomData<T>);
struct SyncProbe<T: ?Sized>(PhantomData<T>);
trait Fallback {
    fn is_send(&self) -> bool {
        false
    }
    fn is_sync(&self) -> bool {
        false
    }
}
impl<T: ?Sized> Fallback for SendProbe<T> {}
impl<T: ?Sized> Fallback for SyncProbe<T> {}
impl<T: ?Sized + Send> SendProbe<T> {
    fn is_send(&self) -> bool {
        true
    }
}
impl<T: ?Sized + Sync> SyncProbe<T> {
    fn is_sync(&self) -> bool {
        true
    }
}

/// `(Send, Sync)` of a type.
macro_rules! auto_traits {
    ($ty:ty) => {
        (SendProbe::<$ty>(PhantomData).is_send(), SyncProbe::<$ty>(PhantomData).is_sync())
    };
}

/// Values that are `Send` only, `Sync` only, and neither.
type OnlySend = Cell<u8>;
type OnlySync = std::sync::MutexGuard<'static, u8>;
type Neither = Rc<u8>;

/// Asserts our guard type and tokio's agree on `Send` and `Sync` for each list of parameters.
macro_rules! same_auto_traits {
    ($ours:ident, $tokio:ident; $([$($param:ty),*]);*) => {$(
        assert_eq!(
            auto_traits!($ours<$($param),*>),
            auto_traits!(tokio::sync::$tokio<$($param),*>),
            "{}<{}>",
            stringify!($ours),
            stringify!($($param),*)
        );
    )*};
}

#[test]
fn owned_guards_are_send_and_sync_exactly_when_tokios_are() {
    assert_eq!(auto_traits!(OnlySend), (true, false));
    assert_eq!(auto_traits!(OnlySync), (false, true));
    assert_eq!(auto_traits!(Neither), (false, false));
    same_auto_traits!(OwnedMutexGuard, OwnedMutexGuard; [u8]; [OnlySend]; [OnlySync]; [Neither]);
    same_auto_traits!(OwnedRwLockWriteGuard, OwnedRwLockWriteGuard; [u8]; [OnlySend]; [OnlySync]; [Neither]);
    same_auto_traits!(
        OwnedMappedMutexGuard, OwnedMappedMutexGuard;
        [u8, u8]; [OnlySend, u8]; [u8, OnlySend]; [OnlySync, u8]; [u8, OnlySync]; [Neither, u8]; [u8, Neither]
    );
    same_auto_traits!(
        OwnedRwLockReadGuard, OwnedRwLockReadGuard;
        [u8, u8]; [OnlySend, u8]; [u8, OnlySend]; [OnlySync, u8]; [u8, OnlySync]; [Neither, u8]; [u8, Neither]
    );
    same_auto_traits!(
        OwnedRwLockMappedWriteGuard, OwnedRwLockMappedWriteGuard;
        [u8, u8]; [OnlySend, u8]; [u8, OnlySend]; [OnlySync, u8]; [u8, OnlySync]; [Neither, u8]; [u8, Neither]
    );
    assert_eq!(auto_traits!(OwnedSemaphorePermit<Pool>), auto_traits!(tokio::sync::OwnedSemaphorePermit));
    // The guard of a `Send` value moves to another task, as tokio's.
    assert_eq!(auto_traits!(OwnedMutexGuard<u64, Ledger>), (true, true));
}
