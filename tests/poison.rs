//! Poisoning is std's, unchanged: the same operations on a `lock_rank` lock and on a
//! `std::sync` lock give the same results. A recovered guard of a poisoned lock is a held lock.

#[macro_use]
mod common;

use std::sync::{Arc, PoisonError, TryLockError};

use common::{assert_violation, catch, collecting, held, lock, FINISH, HANG};
use lock_rank::{lock_rank, Mutex, RwLock, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct Low;
#[lock_rank(2)]
struct High;

/// Runs the same script against std's mutex and ours; every observation must match.
macro_rules! same_as_std {
    ($value:expr, |$m:ident| $script:block) => {{
        let ours: Mutex<Vec<u32>, High> = Mutex::new($value);
        let theirs: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new($value);
        let observe = |$m: &Mutex<Vec<u32>, High>| $script;
        let observe_std = |$m: &std::sync::Mutex<Vec<u32>>| $script;
        assert_eq!(observe(&ours), observe_std(&theirs));
        (ours, theirs)
    }};
}

#[test]
fn a_panic_while_holding_a_guard_poisons_and_recovery_works_as_in_std() {
    let (ours, theirs) = same_as_std!(vec![1], |m| {
        let mut seen = Vec::new();
        seen.push(format!("poisoned at start: {}", m.is_poisoned()));
        let panicked = catch(|| {
            let mut guard = m.lock().unwrap();
            guard.push(2);
            panic!("while holding");
        });
        seen.push(format!("{panicked:?} poisoned: {}", m.is_poisoned()));
        // lock(): Err, and the error gives the guard with the data as the panic left it.
        match m.lock() {
            Ok(_) => seen.push("lock: Ok".into()),
            Err(poisoned) => {
                let mut guard = poisoned.into_inner();
                guard.push(3);
                seen.push(format!("lock: Err {:?}", *guard));
            }
        }
        // try_lock(): Poisoned, also carrying a usable guard.
        match m.try_lock() {
            Err(TryLockError::Poisoned(p)) => seen.push(format!("try_lock: Poisoned {:?}", *p.get_ref())),
            Err(TryLockError::WouldBlock) => seen.push("try_lock: WouldBlock".into()),
            Ok(_) => seen.push("try_lock: Ok".into()),
        }
        // A panic in another thread poisons too.
        std::thread::scope(|s| {
            let _ = s
                .spawn(|| {
                    m.clear_poison();
                    let _g = m.lock().unwrap();
                    panic!("in another thread");
                })
                .join();
        });
        seen.push(format!("after a panicking thread: {}", m.is_poisoned()));
        m.clear_poison();
        seen.push(format!("cleared: {} lock ok: {}", m.is_poisoned(), m.lock().is_ok()));
        let _ = catch(|| {
            let _g = m.lock();
            panic!("again")
        });
        seen
    });
    // Consuming and `&mut` access report the poison as well, with the data inside.
    let (mut ours, mut theirs) = (ours, theirs);
    assert_eq!(
        ours.get_mut().map_err(|e| e.into_inner().clone()),
        theirs.get_mut().map_err(|e| e.into_inner().clone())
    );
    assert_eq!(ours.get_mut().unwrap_err().into_inner(), &vec![1, 2, 3]);
    let ours = ours.into_inner();
    let theirs = theirs.into_inner();
    assert_eq!(ours.as_ref().map_err(|e| e.get_ref()), theirs.as_ref().map_err(|e| e.get_ref()));
    assert_eq!(ours.unwrap_err().into_inner(), vec![1, 2, 3]);
    assert!(lock_rank::held_locks().is_empty());
}

#[test]
fn a_recovered_guard_of_a_poisoned_lock_still_counts_as_held() {
    let low: Mutex<u8, Low> = Mutex::new(0);
    let high: Mutex<u8, High> = Mutex::new(0);
    let _ = catch(|| {
        let _g = high.lock().unwrap();
        panic!("poison it");
    });
    assert!(high.is_poisoned());
    let (lines, violations) = collecting(|| {
        let (high_line, result) = (line!(), high.lock());
        let guard = result.unwrap_err().into_inner();
        let before = held();
        let (low_line, _low) = (line!(), low.lock().unwrap());
        drop(guard);
        // Recovered through `try_lock` it counts the same.
        let (try_line, result) = (line!(), high.try_lock());
        let Err(TryLockError::Poisoned(poisoned)) = result else { panic!("still poisoned") };
        let _guard = poisoned.into_inner();
        let after_try = held();
        (high_line, low_line, try_line, before, after_try)
    });
    let (high_line, low_line, try_line, before, after_try) = lines;
    if !CHECKS_ENABLED {
        return assert!(violations.is_empty() && before.is_empty());
    }
    let holding = lock("High", Some(2), site!(high_line, "high.lock"));
    assert_eq!(before, std::slice::from_ref(&holding));
    assert_eq!(violations.len(), 1);
    assert_violation(
        &violations[0],
        ViolationKind::LockOrder,
        &lock("Low", Some(1), site!(low_line, "low.lock")),
        &holding,
    );
    assert_eq!(
        after_try,
        [
            lock("Low", Some(1), site!(low_line, "low.lock")),
            lock("High", Some(2), site!(try_line, "high.try_lock"))
        ]
    );
}

#[test]
fn relocking_a_poisoned_lock_through_its_recovered_guard_is_still_recursive() {
    let m: Arc<Mutex<u8, High>> = Arc::new(Mutex::new(0));
    let _ = catch(|| {
        let _g = m.lock().unwrap();
        panic!("poison it");
    });
    let m2 = Arc::clone(&m);
    let outcome =
        common::run_bounded("relock-poisoned", if CHECKS_ENABLED { FINISH } else { HANG }, move || {
            let _g = m2.lock().unwrap_or_else(PoisonError::into_inner);
            catch(|| m2.lock().is_ok())
        });
    if !CHECKS_ENABLED {
        return outcome.assert_self_deadlocked();
    }
    let message = outcome.finished().expect_err("recursive");
    assert_eq!(
        common::first_line(&message),
        "recursive lock acquisition: acquiring `High` (rank 2) which this thread already holds"
    );
}

#[test]
fn rwlock_poisoning_is_std_s_only_writers_poison() {
    let ours: RwLock<u32, High> = RwLock::new(1);
    let theirs: std::sync::RwLock<u32> = std::sync::RwLock::new(1);
    let _ = catch(|| {
        let _r = ours.read().unwrap();
        panic!("reader")
    });
    let _ = catch(|| {
        let _r = theirs.read().unwrap();
        panic!("reader")
    });
    assert_eq!((ours.is_poisoned(), theirs.is_poisoned()), (false, false));
    let _ = catch(|| {
        let mut w = ours.write().unwrap();
        *w = 2;
        panic!("writer")
    });
    let _ = catch(|| {
        let mut w = theirs.write().unwrap();
        *w = 2;
        panic!("writer")
    });
    assert_eq!((ours.is_poisoned(), theirs.is_poisoned()), (true, true));
    assert_eq!(*ours.read().unwrap_err().into_inner(), *theirs.read().unwrap_err().into_inner());
    assert!(matches!(ours.try_write(), Err(TryLockError::Poisoned(_))));
    let low: RwLock<u8, Low> = RwLock::new(0);
    let (lines, violations) = collecting(|| {
        let (read_line, guard) = (line!(), ours.read().unwrap_or_else(PoisonError::into_inner));
        let (low_line, _low) = (line!(), low.read().unwrap());
        drop(guard);
        (read_line, low_line)
    });
    if CHECKS_ENABLED {
        assert_eq!(violations.len(), 1);
        assert_violation(
            &violations[0],
            ViolationKind::LockOrder,
            &lock("Low", Some(1), site!(lines.1, "low.read")),
            &lock("High", Some(2), site!(lines.0, "ours.read")),
        );
    } else {
        assert!(violations.is_empty());
    }
    ours.clear_poison();
    theirs.clear_poison();
    assert_eq!((*ours.read().unwrap(), ours.is_poisoned()), (*theirs.read().unwrap(), theirs.is_poisoned()));
    assert_eq!(ours.into_inner().unwrap(), theirs.into_inner().unwrap());
}

#[test]
fn a_violation_panic_poisons_exactly_the_locks_whose_guards_it_unwinds() {
    let low: Mutex<u8, Low> = Mutex::new(0);
    let high: Mutex<u8, High> = Mutex::new(0);
    let result = catch(|| {
        let _h = high.lock().unwrap();
        let _l = low.lock().unwrap(); // the report panics here with checks
    });
    assert_eq!(result.is_err(), CHECKS_ENABLED);
    // The report came before `low` was taken: only the held `high` is poisoned.
    assert_eq!((high.is_poisoned(), low.is_poisoned()), (CHECKS_ENABLED, false));
    assert!(lock_rank::held_locks().is_empty());
}
