//! A ranked lock seen through its plain type: `&Mutex<T, C>` as `&Mutex<T>`, an `Arc<Mutex<T>>`
//! from `into_plain`, the plain `&RwLock<T>`s of a slice. Code written for the plain types
//! (helpers, collections) takes ranked locks, and every acquire through them is checked with the
//! lock's own rank and name; the reports name the real lock, its rank and both sites.

#[macro_use]
mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::{assert_violation, collecting, lock};
use lock_rank::{class_of, lock_rank, Mutex, RwLock, ViolationKind, CHECKS_ENABLED};

#[lock_rank::ranked]
struct AppState {
    #[lock_rank(10)]
    users: Arc<Mutex<HashMap<u32, String>>>,
    #[lock_rank(20)]
    audit: Mutex<Vec<String>>,
}

impl AppState {
    fn new() -> Self {
        AppState { users: Arc::new(Mutex::new(HashMap::new())), audit: Mutex::new(Vec::new()) }
    }
}

/// A helper written for the plain type, as real code has them.
fn user_count(users: &Mutex<HashMap<u32, String>>) -> usize {
    users.lock().unwrap().len() // the helper's acquire
}

#[test]
fn a_violation_through_a_plain_typed_helper_names_the_real_lock_and_both_sites() {
    let state = AppState::new();
    let audit_line = line!() + 3;
    let helper_line = line_of!("the helper's acquire");
    let (_, seen) = collecting(|| {
        let _audit = state.audit.lock().unwrap(); // rank 20
        user_count(&state.users) // rank 10 while holding 20
    });
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
fn a_lock_held_through_its_plain_view_counts_with_its_rank() {
    let state = AppState::new();
    let plain: &Mutex<HashMap<u32, String>> = &state.users;
    let (_, seen) = collecting(|| {
        let _users = plain.lock().unwrap(); // rank 10, through the plain view
        let _audit = state.audit.lock().unwrap(); // 20 after 10: in order
    });
    assert!(seen.is_empty(), "in order: {seen:#?}");

    let (lines, seen) = collecting(|| {
        let users_line = line!() + 1;
        let _users = plain.lock().unwrap();
        let config_line = line!() + 1;
        let _config = CONFIG.lock().unwrap(); // 5 while holding 10
        (users_line, config_line)
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty(), "{seen:#?}");
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("CONFIG", Some(5), site!(lines.1, "CONFIG.lock")),
        &lock("AppState::users", Some(10), site!(lines.0, "plain.lock")),
    );
}

#[lock_rank(5)]
static CONFIG: Mutex<u8> = Mutex::new(0);

#[lock_rank(1)]
static ROUTES: RwLock<Vec<String>> = RwLock::new(Vec::new());
#[lock_rank(2)]
static SESSIONS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Reads each lock in turn, holding all of them: in rank order only if the caller gave them so.
fn read_all(locks: &[&RwLock<Vec<String>>]) -> usize {
    let guards: Vec<_> = locks.iter().map(|l| l.read().unwrap()).collect();
    guards.iter().map(|g| g.len()).sum()
}

#[test]
fn a_slice_of_plain_references_holds_locks_of_different_ranks_and_checks_each() {
    let (_, seen) = collecting(|| read_all(&[&ROUTES, &SESSIONS]));
    assert!(seen.is_empty(), "in rank order: {seen:#?}");
    let read_line = line_of!("l.read().unwrap()).collect()");
    let (_, seen) = collecting(|| read_all(&[&SESSIONS, &ROUTES]));
    if !CHECKS_ENABLED {
        assert!(seen.is_empty(), "{seen:#?}");
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("ROUTES", Some(1), site!(read_line, "l.read")),
        &lock("SESSIONS", Some(2), site!(read_line, "l.read")),
    );
}

/// Keeps the plain `Arc` a library API asks for.
struct Reporter {
    users: Arc<Mutex<HashMap<u32, String>>>,
}

impl Reporter {
    fn count(&self) -> usize {
        self.users.lock().unwrap().len()
    }
}

#[test]
fn an_arc_made_plain_is_the_same_lock_and_still_checked_with_its_rank() {
    let state = AppState::new();
    let reporter = Reporter { users: Mutex::into_plain(Arc::clone(&state.users)) };
    assert!(std::ptr::eq(Arc::as_ptr(&reporter.users).cast::<u8>(), Arc::as_ptr(&state.users).cast::<u8>()));
    state.users.lock().unwrap().insert(1, "ada".into());
    assert_eq!(reporter.count(), 1, "the same lock, the same data");
    assert_eq!(Arc::strong_count(&state.users), 2, "the same allocation, counted once more");

    let count_line = line_of!("self.users.lock().unwrap().len()");
    let audit_line = line!() + 2;
    let (_, seen) = collecting(|| {
        let _audit = state.audit.lock().unwrap();
        reporter.count()
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty(), "{seen:#?}");
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("AppState::users", Some(10), site!(count_line, "users.lock")),
        &lock("AppState::audit", Some(20), site!(audit_line, "state.audit.lock")),
    );
}

#[test]
fn class_of_knows_the_class_through_the_plain_view_with_checks_only() {
    let state = AppState::new();
    assert_eq!(class_of(&*state.users).map(|c| c.rank()), Some(10), "the ranked type always");
    let plain: &Mutex<HashMap<u32, String>> = &state.users;
    let through_plain = class_of(plain).map(|c| (c.name(), c.rank()));
    if CHECKS_ENABLED {
        assert_eq!(through_plain, Some(("AppState::users", 10)));
    } else {
        assert_eq!(through_plain, None, "without checks the plain view keeps nothing");
    }
    let unranked: Mutex<u8> = Mutex::new(0);
    assert_eq!(class_of(&unranked).map(|c| c.rank()), None);
}

/// The shared-lock guidance: a lock made once by a caller and kept by several structs gets its
/// rank from a lock class, which every struct's field type names.
mod shared {
    use std::sync::Arc;

    use lock_rank::{lock_rank, Mutex, RwLock};

    /// Request counters, shared by the scheduler and the server.
    #[lock_rank(30)]
    pub struct StatsLock;

    pub type Stats = Arc<RwLock<u64, StatsLock>>;

    pub struct Scheduler {
        pub stats: Stats,
        pub queue: Mutex<Vec<u32>, QueueLock>,
    }

    #[lock_rank(40)]
    pub struct QueueLock;

    pub struct Server {
        pub stats: Stats,
    }

    impl Scheduler {
        pub fn new(stats: Stats) -> Self {
            Scheduler { stats, queue: Mutex::new(Vec::new()) }
        }
    }

    impl Server {
        pub fn new(stats: Stats) -> Self {
            Server { stats }
        }
    }
}

#[test]
fn a_lock_shared_by_several_structs_has_one_rank_from_its_class() {
    use shared::{Scheduler, Server};

    let stats: shared::Stats = Arc::new(RwLock::new(0));
    let scheduler = Scheduler::new(stats.clone());
    let server = Server::new(stats);
    assert!(Arc::ptr_eq(&scheduler.stats, &server.stats));
    assert_eq!(class_of(&*server.stats).map(|c| (c.name(), c.rank())), Some(("StatsLock", 30)));

    let (_, seen) = collecting(|| {
        *server.stats.write().unwrap() += 1;
        let _stats = scheduler.stats.read().unwrap();
        scheduler.queue.lock().unwrap().push(1); // 40 after 30: in order
    });
    assert!(seen.is_empty(), "{seen:#?}");

    let queue_line = line!() + 3;
    let stats_line = line!() + 3;
    let (_, seen) = collecting(|| {
        let _queue = scheduler.queue.lock().unwrap();
        *server.stats.write().unwrap() += 1; // 30 while holding 40
    });
    if !CHECKS_ENABLED {
        assert!(seen.is_empty(), "{seen:#?}");
        return;
    }
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_violation(
        &seen[0],
        ViolationKind::LockOrder,
        &lock("StatsLock", Some(30), site!(stats_line, "server.stats.write")),
        &lock("QueueLock", Some(40), site!(queue_line, "scheduler.queue.lock")),
    );
}

#[cfg(feature = "parking_lot")]
mod parking_lot_view {
    use super::common::{assert_violation, collecting, lock};
    use lock_rank::parking_lot::{Mutex, MutexGuard, RwLock};
    use lock_rank::{ViolationKind, CHECKS_ENABLED};

    #[lock_rank::ranked]
    struct Pool {
        #[lock_rank(5)]
        conns: Mutex<Vec<u8>>,
        #[lock_rank(7)]
        stats: RwLock<u64>,
    }

    fn first_conn(conns: &Mutex<Vec<u8>>) -> Option<u8> {
        conns.lock().first().copied()
    }

    #[test]
    fn a_parking_lot_violation_through_a_plain_typed_helper_names_the_real_lock() {
        let pool = Pool { conns: Mutex::new(vec![3]), stats: RwLock::new(0) };
        let helper_line = line_of!("conns.lock().first()");
        let stats_line = line!() + 2;
        let (_, seen) = collecting(|| {
            let _stats = pool.stats.read();
            first_conn(&pool.conns)
        });
        if !CHECKS_ENABLED {
            assert!(seen.is_empty(), "{seen:#?}");
            return;
        }
        assert_eq!(seen.len(), 1, "{seen:#?}");
        assert_violation(
            &seen[0],
            ViolationKind::LockOrder,
            &lock("Pool::conns", Some(5), site!(helper_line, "conns.lock")),
            &lock("Pool::stats", Some(7), site!(stats_line, "pool.stats.read")),
        );
    }

    #[test]
    fn a_re_acquire_through_a_plain_view_guard_keeps_the_rank() {
        let pool = Pool { conns: Mutex::new(vec![3]), stats: RwLock::new(0) };
        let plain: &Mutex<Vec<u8>> = &pool.conns;
        let (lines, seen) = collecting(|| {
            let mut conns = plain.lock();
            let unlocked_line = line!() + 1;
            let stats = MutexGuard::unlocked(&mut conns, || pool.stats.read()); // re-takes 5 holding 7
            drop(stats);
            unlocked_line
        });
        if !CHECKS_ENABLED {
            assert!(seen.is_empty(), "{seen:#?}");
            return;
        }
        assert_eq!(seen.len(), 1, "{seen:#?}");
        assert_eq!(seen[0].kind, ViolationKind::LockOrder, "{}", seen[0]);
        assert_eq!((seen[0].acquiring.name(), seen[0].acquiring.rank()), ("Pool::conns".to_owned(), Some(5)));
        assert_eq!(seen[0].acquiring.site().to_string(), site!(lines, "MutexGuard::unlocked"));
        assert_eq!((seen[0].held.name(), seen[0].held.rank()), ("Pool::stats".to_owned(), Some(7)));
    }
}
