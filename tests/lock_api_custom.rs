//! `lock_rank::lock_api` over a raw lock written here: a tiny spin lock implementing
//! `lock_api::RawMutex`, ranked with `#[lock_rank]` on statics (`new` and `const_new`), struct
//! fields and classes, checked like every other lock; plus the generic `RwLock` and
//! `ReentrantMutex` over raw locks named by path.

#![cfg(feature = "lock_api")]

#[macro_use]
mod common;

use std::mem::size_of;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::{assert_report, assert_violation, catch, collecting, held, lock, run_bounded, FINISH};
use lock_rank::lock_api::{GetThreadId, GuardSend, Mutex, MutexGuard, RawMutex, ReentrantMutex};
use lock_rank::{lock_rank, LockClass, ViolationKind, CHECKS_ENABLED};

/// A spin lock: the smallest `RawMutex` there is. It gives up (panicking) after spinning for two
/// seconds, so a test that deadlocks on it without checks still ends.
struct Spin(AtomicBool);

// SAFETY: `try_lock` takes the flag with an acquiring compare-exchange, so at most one holder
// exists at a time, and `unlock` releases it with a releasing store.
unsafe impl RawMutex for Spin {
    #[allow(clippy::declare_interior_mutable_const)] // it is the initializer, as lock_api wants
    const INIT: Spin = Spin(AtomicBool::new(false));
    type GuardMarker = GuardSend;

    fn lock(&self) {
        let start = Instant::now();
        while !self.try_lock() {
            assert!(start.elapsed() < Duration::from_secs(2), "spin lock: waited too long, giving up");
            thread::yield_now();
        }
    }

    fn try_lock(&self) -> bool {
        self.0.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok()
    }

    unsafe fn unlock(&self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Thread ids for the reentrant mutex: the address of a thread-local, never zero.
struct ThreadAddress;

// SAFETY: a thread-local's address is unique among live threads and stable for a thread's life.
unsafe impl GetThreadId for ThreadAddress {
    const INIT: ThreadAddress = ThreadAddress;

    fn nonzero_thread_id(&self) -> NonZeroUsize {
        thread_local!(static ID: u8 = const { 0 });
        ID.with(|id| NonZeroUsize::new(std::ptr::from_ref(id) as usize).expect("non-null"))
    }
}

#[lock_rank(1)]
static LEDGER: Mutex<Spin, Vec<i64>> = Mutex::new(Vec::new());
#[lock_rank(3)]
static AUDIT: Mutex<Spin, u32> = Mutex::const_new(<Spin as RawMutex>::INIT, 0);
#[lock_rank(2)]
static INDEX: lock_rank::lock_api::RwLock<parking_lot::RawRwLock, Vec<u32>> =
    lock_rank::lock_api::RwLock::new(Vec::new());

/// Taken by every test that locks `LEDGER` and `AUDIT`: two of them take the pair out of order on
/// purpose (the report is collected and the acquire goes on), which would deadlock with a test
/// taking it in order at the same moment.
static LEDGER_AND_AUDIT: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn ledger_and_audit() -> std::sync::MutexGuard<'static, ()> {
    LEDGER_AND_AUDIT.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[lock_rank::ranked]
struct Account {
    #[lock_rank(5)]
    balance: Mutex<Spin, i64>,
    #[lock_rank(4)]
    history: ReentrantMutex<Spin, ThreadAddress, Vec<i64>>,
}

#[lock_rank(6)]
struct Shard;

#[test]
fn lock_rank_ranks_spin_locks_on_statics_fields_and_classes() {
    let _serial = ledger_and_audit();
    assert_eq!(lock_rank::class_of(&LEDGER).map(|c| (c.name(), c.rank())), Some(("LEDGER", 1)));
    assert_eq!(lock_rank::class_of(&AUDIT).map(|c| c.rank()), Some(3));
    assert_eq!(lock_rank::class_of(&INDEX).map(|c| c.rank()), Some(2));
    let account = Account { balance: Mutex::new(0), history: ReentrantMutex::new(Vec::new()) };
    assert_eq!(lock_rank::class_of(&account.balance).map(|c| c.name()), Some("Account::balance"));
    assert_eq!(lock_rank::class_of(&account.history).map(|c| c.rank()), Some(4));
    let shard: Mutex<Spin, u8, Shard> = Mutex::new(0);
    assert_eq!(Shard::INFO.map(|c| c.rank()), Some(6));
    assert_eq!(lock_rank::class_of(&shard).map(|c| c.rank()), Some(6));
    let unranked: Mutex<Spin, u8> = Mutex::new(0);
    assert!(lock_rank::class_of(&unranked).is_none());

    let (_, seen) = collecting(|| {
        LEDGER.lock().push(1);
        let _ledger = LEDGER.lock();
        INDEX.write().push(1);
        let _index = INDEX.read();
        *AUDIT.lock() += 1;
        let history = account.history.lock();
        let _again = account.history.lock();
        *account.balance.lock() += 5;
        *shard.lock() += 1;
        assert_eq!(held().len(), if CHECKS_ENABLED { 3 } else { 0 }, "LEDGER, INDEX, history once");
        drop(history);
    });
    assert!(seen.is_empty(), "all in order: {seen:#?}");
}

#[test]
fn a_spin_lock_out_of_order_is_reported_with_both_sites() {
    let _serial = ledger_and_audit();
    let (lines, seen) = collecting(|| {
        let audit_line = line!() + 1;
        let _audit = AUDIT.lock();
        let ledger_line = line!() + 1;
        LEDGER.lock().push(2);
        (audit_line, ledger_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    let acquiring = lock("LEDGER", Some(1), site!(lines.1, "LEDGER.lock"));
    let holding = lock("AUDIT", Some(3), site!(lines.0, "AUDIT.lock"));
    assert_violation(&seen[0], ViolationKind::LockOrder, &acquiring, &holding);
    assert_report(&seen[0].to_string(), ViolationKind::LockOrder, &acquiring, &holding);
    assert!(
        seen[0].to_string().contains("`LEDGER` rank 1, declared at tests/lock_api_custom.rs:"),
        "{}",
        seen[0]
    );
}

#[test]
fn relocking_a_held_spin_lock_is_reported_instead_of_spinning_forever() {
    let outcome = run_bounded("relock", if CHECKS_ENABLED { FINISH } else { Duration::from_secs(5) }, || {
        let m: Mutex<Spin, u8, Shard> = Mutex::new(0);
        let line = line!() + 1;
        let _first = m.lock();
        let message = catch(|| drop(m.lock())).expect_err("a relock must not return");
        (line, message)
    });
    let (line, message) = outcome.finished();
    if !CHECKS_ENABLED {
        assert!(message.contains("spin lock: waited too long"), "unchecked, it spins: {message}");
        return;
    }
    let held = lock("Shard", Some(6), site!(line, "m.lock"));
    let acquiring = lock("Shard", Some(6), site!(line + 1, "m.lock"));
    assert_report(&message, ViolationKind::RecursiveAcquisition, &acquiring, &held);
}

#[lock_rank(1)]
struct Low;
#[lock_rank(3)]
struct High;

#[test]
fn two_threads_in_opposite_orders_on_spin_locks_end_with_the_wrong_one_stopped() {
    let low: Arc<Mutex<Spin, u8, Low>> = Arc::new(Mutex::new(0));
    let high: Arc<Mutex<Spin, u8, High>> = Arc::new(Mutex::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let (done, results) = mpsc::channel();
    let spawn = |wrong: bool| {
        let (low, high, barrier, done) = (low.clone(), high.clone(), barrier.clone(), done.clone());
        thread::spawn(move || {
            // Without checks the second acquire spins until the spin lock gives up: the
            // deadlock ends as a panic, caught here.
            let result = catch(|| {
                if wrong {
                    let _high = high.lock();
                    barrier.wait();
                    thread::sleep(Duration::from_millis(20));
                    catch(|| drop(low.lock()))
                } else {
                    let _low = low.lock();
                    barrier.wait();
                    catch(|| drop(high.lock()))
                }
            });
            let _ = done.send((wrong, result));
        })
    };
    let threads = [spawn(false), spawn(true)];
    let mut ended = [results.recv_timeout(FINISH).unwrap(), results.recv_timeout(FINISH).unwrap()];
    ended.sort_by_key(|r| r.0);
    for thread in threads {
        thread.join().unwrap();
    }
    let [(_, in_order), (_, wrong_order)] = ended;
    let (in_order, wrong_order) = (in_order.unwrap(), wrong_order.unwrap());
    if CHECKS_ENABLED {
        assert_eq!(in_order, Ok(()), "the in-order thread finishes");
        let message = wrong_order.expect_err("the wrong-order thread is stopped");
        assert_eq!(
            common::first_line(&message),
            "lock order violation: acquiring `Low` (rank 1) while holding `High` (rank 3)"
        );
    } else {
        let gave_up = [&in_order, &wrong_order]
            .iter()
            .any(|r| r.as_ref().is_err_and(|m| m.contains("waited too long")));
        assert!(gave_up, "a real deadlock, ended by the spin limit: {in_order:?} {wrong_order:?}");
    }
}

#[test]
fn unlocked_and_map_work_over_the_spin_lock() {
    let _serial = ledger_and_audit();
    let (line, seen) = collecting(|| {
        let mut ledger = LEDGER.lock();
        let line = line!() + 1;
        let audit = MutexGuard::unlocked(&mut ledger, || AUDIT.lock()); // LEDGER again under AUDIT
        drop((audit, ledger));
        let all = MutexGuard::map(LEDGER.lock(), |entries| &mut entries[..]);
        assert_eq!(held().len(), usize::from(CHECKS_ENABLED));
        drop(all);
        line
    });
    assert!(lock_rank::held_locks().is_empty());
    if !CHECKS_ENABLED {
        assert!(seen.is_empty());
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_eq!(seen[0].acquiring.site().to_string(), site!(line, "MutexGuard::unlocked"));
    assert_eq!(seen[0].held.site().to_string(), site!(line, "AUDIT.lock"));
}

/// Guards are never `Send`, even over a raw lock whose guards may be (`GuardSend`): the record
/// of a held lock belongs to the thread that took it.
#[test]
fn guards_are_not_send_even_over_a_send_guard_raw_lock_and_unchecked_they_are_lock_apis() {
    struct IsSend<T: ?Sized>(std::marker::PhantomData<T>);
    trait NotSend {
        const SEND: bool = false;
    }
    impl<T: ?Sized> NotSend for IsSend<T> {}
    impl<T: ?Sized + Send> IsSend<T> {
        const SEND: bool = true;
    }
    const { assert!(IsSend::<parking_lot::lock_api::MutexGuard<'static, Spin, u8>>::SEND) };
    const { assert!(!IsSend::<MutexGuard<'static, Spin, u8>>::SEND) };
    const { assert!(IsSend::<Mutex<Spin, u8>>::SEND, "the lock itself is Send") };

    // With checks a lock also keeps its origin: class and creation site, two words.
    let origin = if CHECKS_ENABLED { 2 * size_of::<usize>() } else { 0 };
    assert_eq!(
        size_of::<Mutex<Spin, u64, Shard>>(),
        size_of::<parking_lot::lock_api::Mutex<Spin, u64>>() + origin
    );
    assert_eq!(
        size_of::<ReentrantMutex<Spin, ThreadAddress, u64>>(),
        size_of::<parking_lot::lock_api::ReentrantMutex<Spin, ThreadAddress, u64>>() + origin
    );
    if !CHECKS_ENABLED {
        assert_eq!(
            size_of::<MutexGuard<'_, Spin, u64, Shard>>(),
            size_of::<parking_lot::lock_api::MutexGuard<'_, Spin, u64>>()
        );
    }
}
