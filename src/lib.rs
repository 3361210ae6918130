//! # lock-rank
//!
//! Deadlocks from inconsistent lock ordering, caught on the first wrong-order acquire.
//!
//! A deadlock needs a cycle: one thread holds `A` and waits for `B` while another holds `B` and
//! waits for `A`. The classic cure is one global lock order, followed everywhere. lock-rank
//! makes that order code: `#[lock_rank(N)]` gives each lock its place, and in debug builds every
//! blocking acquire checks that the ranks the thread holds stay strictly increasing. The first
//! acquire that breaks the order is reported, naming both locks, their ranks and **both
//! acquisition sites**, long before the unlucky interleaving that would actually hang.
//!
//! ```
//! use lock_rank::{lock_rank, Mutex, RwLock};
//!
//! #[lock_rank(1)]
//! static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
//! #[lock_rank(2)]
//! static AUDIT_LOG: RwLock<Vec<String>> = RwLock::new(Vec::new());
//!
//! fn deposit(amount: u64) {
//!     let mut accounts = ACCOUNTS.lock().unwrap(); // rank 1
//!     accounts.push(amount);
//!     AUDIT_LOG.write().unwrap().push(format!("deposit {amount}")); // rank 2: in order
//! }
//! deposit(10);
//! ```
//!
//! Taking them the other way round is a bug even if it never hangs in testing. With checks on it
//! panics at once (the payload is a `String`):
//!
//! ```
//! # use lock_rank::{lock_rank, Mutex, RwLock};
//! # #[lock_rank(1)]
//! # static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
//! # #[lock_rank(2)]
//! # static AUDIT_LOG: RwLock<Vec<String>> = RwLock::new(Vec::new());
//! let caught = std::panic::catch_unwind(|| {
//!     let _log = AUDIT_LOG.read().unwrap();   // rank 2 ...
//!     let _acc = ACCOUNTS.lock().unwrap();    // ... then rank 1: wrong order
//! });
//! if lock_rank::CHECKS_ENABLED {
//!     let report = caught.unwrap_err().downcast::<String>().unwrap();
//!     assert!(report.starts_with(
//!         "lock order violation: acquiring `ACCOUNTS` (rank 1) while holding `AUDIT_LOG` (rank 2)"
//!     ));
//! }
//! ```
//!
//! The whole report reads:
//!
//! ```text
//! lock order violation: acquiring `ACCOUNTS` (rank 1) while holding `AUDIT_LOG` (rank 2)
//!   acquiring:     `ACCOUNTS` rank 1, declared at src/bank.rs:4
//!                  requested at src/bank.rs:31:38
//!   while holding: `AUDIT_LOG` (read) rank 2, declared at src/bank.rs:6
//!                  acquired at src/bank.rs:30:38
//!   by:            thread `teller-2` (ThreadId(3))
//!   help: locks must be acquired in strictly increasing rank order: take `ACCOUNTS` (rank 1)
//!         before `AUDIT_LOG` (rank 2), or release `AUDIT_LOG` (rank 2) first; ...
//! ```
//!
//! ## Giving locks a rank
//!
//! | What | How |
//! |---|---|
//! | a `static` | `#[lock_rank(1)] static A: Mutex<T> = Mutex::new(..);` |
//! | a struct field | `#[lock_rank::ranked]` on the struct, `#[lock_rank(10)]` on the field |
//! | many locks of one kind (shards, per-account locks) | a class: `#[lock_rank(5)] struct Shard;`, then `Mutex<T, Shard>` |
//! | a local lock | a class too: `let m: Mutex<T, Shard> = Mutex::new(..);` |
//! | a named rank | `order! { pub mod ranks { ACCOUNTS = 10, ... } }`, then `#[lock_rank(ranks::ACCOUNTS)]` |
//!
//! A rank is a `u32` literal or the path of a `u32` constant. Ranked statics and fields are built
//! with the plain `Mutex::new(..)`: the rank travels in the type (`Mutex<T, Class>`, a zero-sized
//! class), so a ranked lock needs no constructor of its own. Locks without a rank are
//! [`Unranked`]: not in the declared order, but checked builds learn their order as they are
//! used ([`observed`]) and report re-acquiring one you hold.
//!
//! ## The rules checked
//!
//! - A blocking acquire (`lock`, `read`, `write`, the re-acquire that ends a [`Condvar`] wait) of
//!   rank `r` while the thread holds any lock of rank `>= r` is a **lock order violation**. The
//!   check compares with the highest rank held, not only the latest lock.
//! - Acquiring a lock the thread already holds (also `read` after `read`) is a **recursive lock
//!   acquisition**, reported instead of hanging forever.
//! - `try_lock`, `try_read` and `try_write` never report (they cannot block), but a lock they take
//!   counts as held for later checks.
//! - Two locks of the same rank are held together only through [`Mutex::lock_all`], which takes
//!   them in one fixed (address) order.
//! - Guards may drop in any order; unwinding leaves the record right.
//!
//! What happens on a violation is the [`Policy`]: panic (the default), print and go on, or call
//! a function with the [`Violation`].
//!
//! ## Debug only, free otherwise
//!
//! Checks are compiled in with `debug_assertions`, or in any build with the `enforce` feature
//! ([`CHECKS_ENABLED`] tells). Otherwise every lock is std's lock: the same size, the same speed,
//! no thread-local touched. With checks on, the hot path takes no global lock, allocates nothing
//! and captures no backtrace.
//!
//! ## The declared order, readable
//!
//! [`order!`] declares the order as one documented table of rank constants. `#[lock_rank]` adds
//! the rank to each item's rustdoc (the value, or a link to the rank's constant, whose page gives
//! the value and the table) and registers it: [`registry::classes`] lists every ranked lock in
//! the program, [`registry::to_markdown`] and [`registry::to_dot`] render the order.
//!
//! A crate's docs can list all its ranked locks on one page, in rank order, each under the
//! `order!` constant of its rank. A macro sees one item at a time, so, as Go does for its lock
//! ranking, the page is generated from the registry into a file that the crate includes in its
//! docs, `#![doc = include_str!("../docs/lock-rank.md")]`, and a one-line test fails when the
//! file is stale, printing the difference and the command that refreshes it
//! (`LOCK_RANK_BLESS=1 cargo test lock_order_docs_are_fresh`):
//!
//! ```no_run
//! #[test]
//! fn lock_order_docs_are_fresh() {
//!     let order = lock_rank::registry::declared_in(env!("CARGO_CRATE_NAME"));
//!     lock_rank::registry::assert_fresh("docs/lock-rank.md", &order.to_markdown());
//! }
//! ```
//!
//! [`registry::DeclaredOrder::to_dot`] draws the same order for graphviz; the bank demo's
//! (`examples/bank.rs`, whose docs include its page), rendered with `dot -Tsvg`:
//!
//! <div class="lock-rank-graph">
#![doc = include_str!("../docs/bank-lock-order.svg")]
//! </div>
//!
//! ## Features
//!
//! - `enforce`: checks in release builds too.
//! - `tokio`: `lock_rank::tokio::{Mutex, RwLock, Semaphore}`, ranked async locks checked per
//!   task.

#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use lock_rank_runtime::{
    class_of, held_locks, observed, registry, set_policy, with_policy, Access, Acquisition, ClassInfo,
    Condvar, Holder, LockClass, LockKind, LockResult, Mutex, MutexGuard, PoisonError, Policy, RankedClass,
    RankedLock, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError, TryLockResult, Unranked, Violation,
    ViolationKind, WaitTimeoutResult, CHECKS_ENABLED,
};

// Diagnostics for a hung program: who holds what since where, who waits for what.
pub use lock_rank_runtime::{
    assert_no_locks_held, dump, watchdog, BlockedOn, Dump, HolderState, LockHolder, LockTimeout,
    TimedLockError, TimedLockResult,
};

#[cfg(all(unix, feature = "signal"))]
pub use lock_rank_runtime::signal;

#[cfg(feature = "tokio")]
pub use lock_rank_runtime::tokio;

#[cfg(feature = "lock_api")]
pub use lock_rank_runtime::lock_api;

#[cfg(feature = "parking_lot")]
pub use lock_rank_runtime::parking_lot;

#[doc(hidden)]
pub use lock_rank_runtime::__private;

/// Declares a lock's place in the global lock order.
///
/// The argument is the rank: a `u32` literal or the path of a `u32` constant. Blocking acquires
/// must come in strictly increasing rank order. The macro documents the rank on the item (the
/// value of a literal; for a path, a link to the constant, whose documentation gives the value)
/// and registers it in [`registry`].
///
/// The rank travels in the lock's type as a generated class, named after the lock:
/// `ACCOUNTS` gets `Mutex<Vec<u64>, AccountsClass>`, and the field `Bank::audit_log`
/// `RwLock<_, BankAuditLogClass>`. That is the type rustdoc shows in the lock's signature, with a
/// page of its own saying whose class it is, and the name to write where the lock is passed
/// around.
///
/// On a `static` lock:
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// pub mod ranks {
///     pub const LEDGER: u32 = 5;
/// }
///
/// /// Every account's balance.
/// #[lock_rank(1)]
/// static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
///
/// #[lock_rank(ranks::LEDGER)]
/// static LEDGER_BOOK: Mutex<u64> = Mutex::new(0);
///
/// fn open_accounts(accounts: &Mutex<Vec<u64>, AccountsClass>) -> usize {
///     accounts.lock().unwrap().len()
/// }
///
/// assert_eq!(open_accounts(&ACCOUNTS), 0);
/// let _accounts = ACCOUNTS.lock().unwrap();
/// *LEDGER_BOOK.lock().unwrap() += 1;
/// ```
///
/// On a unit struct, it declares a **lock class**: one rank shared by many locks, such as the
/// shards of a table. Hold two of them together with [`Mutex::lock_all`]:
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// /// One shard of the session table.
/// #[lock_rank(3)]
/// struct Shard;
///
/// let shards: Vec<Mutex<Vec<u32>, Shard>> = (0..8).map(|_| Mutex::new(Vec::new())).collect();
/// shards[2].lock().unwrap().push(7);
/// let mut both = Mutex::lock_all([&shards[1], &shards[6]]).unwrap();
/// both[0].push(1);
/// both[1].push(6);
/// ```
///
/// On struct fields, together with [`ranked`] on the struct (see there).
///
/// # Shapes
///
/// The declared type is the lock, or holds the one lock in wrappers, nested as deep as needed;
/// the constructor stays as written. Every lock of one declaration has its rank and name, so the
/// locks of a collection are one lock class: two of them together only through `lock_all`.
///
/// | Declared type | Example |
/// |---|---|
/// | the lock | `Mutex<T>`, `RwLock<T>`, `tokio::Mutex<T>`, `tokio::RwLock<T>`, `tokio::Semaphore`, `parking_lot::{Mutex, FairMutex, RwLock, ReentrantMutex}<T>`, `lock_api::{Mutex<R, T>, RwLock<R, T>, ReentrantMutex<R, G, T>}` |
/// | shared or boxed | `Arc<L>`, `Rc<L>`, `Weak<L>`, `Box<L>`, `Option<L>` |
/// | made later | `LazyLock<L>`, `OnceLock<L>`, `LazyCell<L>`, `OnceCell<L>`, `once_cell`'s `Lazy<L>` |
/// | many | `Vec<L>`, `[L; N]`, `Box<[L]>`, the values of `HashMap<K, L>` and `BTreeMap<K, L>` |
/// | nested | `Arc<Vec<L>>`, `Option<Arc<RwLock<T>>>`, `LazyLock<Vec<Mutex<T>>>`, ... |
/// | a type alias of any of these, or a lock imported under another name | `type Locked<T> = Arc<RwLock<T>>`, `use lock_rank::Mutex as Lock;` |
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::{Arc, LazyLock};
/// use lock_rank::{lock_rank, Mutex, RwLock};
///
/// #[lock_rank(1)]
/// static CONFIG: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));
///
/// #[lock_rank::ranked]
/// struct AppState {
///     #[lock_rank(10)]
///     users: Arc<Mutex<HashMap<u32, String>>>,
///     #[lock_rank(15)]
///     shards: Vec<Mutex<u64>>,
/// }
///
/// let state = AppState {
///     users: Arc::new(Mutex::new(HashMap::new())),
///     shards: (0..4).map(|_| Mutex::new(0)).collect(),
/// };
/// let _config = CONFIG.read().unwrap();
/// state.users.lock().unwrap().insert(1, "ada".into());
/// *state.shards[3].lock().unwrap() += 1;
///
/// type Locked<T> = Arc<RwLock<T>>;
///
/// #[lock_rank::ranked]
/// struct Cache<T> {
///     #[lock_rank(20)]
///     entries: Locked<Vec<T>>,
/// }
///
/// let cache = Cache { entries: Arc::new(RwLock::new(vec![1u8])) };
/// assert_eq!(lock_rank::class_of(&*cache.entries).map(|c| c.rank()), Some(20));
/// ```
///
/// A type the macro does not know by name (an alias, a renamed import) is ranked by the compiler,
/// which finds the lock inside it: the field's or static's type is then
/// `<Locked<T> as Rankable>::Ranked<Class>`, the same type with the class on the lock, and that
/// is how rustdoc shows it. An alias with a generic parameter in the lock's place
/// (`type Shared<L> = Arc<L>`) and `once_cell`'s `Lazy` behind an alias are not ranked this way:
/// write the lock in the declaration. The lock's value is sized: `Mutex<dyn Trait>` takes no rank.
///
/// Refused, each with a compile error that says what to write: a type with no lock of this crate
/// inside (`Arc<u32>`, a `std::sync::Mutex`, an alias of either), a tuple of locks
/// (`(Mutex<A>, Mutex<B>)`: rank each on its own, or give them a class), a reference and a
/// `Condvar`.
///
/// # A ranked lock is also of its plain type
///
/// `&Mutex<T, C>` coerces to `&Mutex<T>`, so helpers and collections written for the plain type
/// take ranked locks, and an acquire through the plain type is checked with the lock's own rank
/// and name (see [`RankedClass`]); `Mutex::into_plain` turns an `Arc<Mutex<T, C>>` into an
/// `Arc<Mutex<T>>`. The tokio locks have no plain view: their type keeps tokio's layout.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Arc;
/// use lock_rank::{lock_rank, Mutex};
///
/// fn user_count(users: &Mutex<HashMap<u32, String>>) -> usize {
///     users.lock().unwrap().len()
/// }
///
/// #[lock_rank::ranked]
/// struct AppState {
///     #[lock_rank(10)]
///     users: Arc<Mutex<HashMap<u32, String>>>,
/// }
///
/// let state = AppState { users: Arc::new(Mutex::new(HashMap::new())) };
/// assert_eq!(user_count(&state.users), 0); // checked as `AppState::users`, rank 10
/// let plain: Arc<Mutex<HashMap<u32, String>>> = Mutex::into_plain(Arc::clone(&state.users));
/// ```
///
/// # A lock shared by several structs
///
/// A lock made once and handed to several constructors (`Scheduler::new(stats.clone())`,
/// `Server::new(stats)`) should have one rank wherever it is kept: declare a lock class and name
/// it in the type every struct keeps, rather than ranking each field.
///
/// ```
/// use std::sync::Arc;
/// use lock_rank::{lock_rank, RwLock};
///
/// /// Request counters, shared by the scheduler and the server.
/// #[lock_rank(30)]
/// struct StatsLock;
/// type Stats = Arc<RwLock<u64, StatsLock>>;
///
/// struct Scheduler { stats: Stats }
/// struct Server { stats: Stats }
///
/// let stats: Stats = Arc::new(RwLock::new(0));
/// let scheduler = Scheduler { stats: stats.clone() };
/// let server = Server { stats };
/// *server.stats.write().unwrap() += 1;
/// assert_eq!(*scheduler.stats.read().unwrap(), 1);
/// assert_eq!(lock_rank::class_of(&*scheduler.stats).unwrap().rank(), 30);
/// ```
pub use lock_rank_macros::lock_rank;

/// What `#[ranked]` names a field's `#[lock_rank]` by when the user imported no `lock_rank`.
#[doc(hidden)]
pub mod __attributes {
    pub use crate::lock_rank;
}

/// Lets the lock fields of a struct carry `#[lock_rank(N)]`.
///
/// The struct is built as before, with plain `Mutex::new(..)`; each ranked field's lock gets
/// a class of its own, registered as `Type::field` and named after it (`BankAccountsClass` for
/// `Bank::accounts`), with the field's visibility.
///
/// A field's `#[lock_rank]` is read by this macro, not expanded on its own, so it needs no
/// `use lock_rank::lock_rank`. Without `#[lock_rank::ranked]` on the struct, rustc rejects it
/// with "expected non-macro attribute, found attribute macro `lock_rank`" (or "cannot find
/// attribute `lock_rank` in this scope"): add `#[lock_rank::ranked]` to the struct.
///
/// ```
/// use lock_rank::{Mutex, RwLock};
///
/// #[lock_rank::ranked]
/// struct Bank {
///     #[lock_rank(10)]
///     accounts: Mutex<Vec<u64>>,
///     #[lock_rank(20)]
///     journal: RwLock<Vec<String>>,
/// }
///
/// impl Bank {
///     fn new() -> Self {
///         Bank { accounts: Mutex::new(Vec::new()), journal: RwLock::new(Vec::new()) }
///     }
/// }
///
/// let bank = Bank::new();
/// let accounts = bank.accounts.lock().unwrap();
/// bank.journal.write().unwrap().push(format!("{} accounts", accounts.len()));
/// # drop(accounts);
/// assert_eq!(lock_rank::class_of(&bank.accounts).unwrap().name(), "Bank::accounts");
/// ```
pub use lock_rank_macros::ranked;

/// Declares the lock order in one place, as a module of documented rank constants.
///
/// Ranks must increase down the list and names must be unique; anything else is a compile
/// error. The module's documentation renders the whole order as a table linking each constant,
/// each constant's page gives its value, and `ALL` lists them. The constants are registered too:
/// [`registry::declared_in`] lists them with the locks of each rank, for a crate's one-page lock
/// order.
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// lock_rank::order! {
///     /// The lock order of the bank.
///     pub mod ranks {
///         /// Account balances.
///         ACCOUNTS = 10,
///         /// The audit log, written while balances are held.
///         AUDIT_LOG = 20,
///     }
/// }
///
/// #[lock_rank(ranks::ACCOUNTS)]
/// static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
///
/// assert_eq!(ranks::AUDIT_LOG, 20);
/// assert_eq!(ranks::ALL, &[("ACCOUNTS", 10), ("AUDIT_LOG", 20)]);
/// ```
pub use lock_rank_macros::order;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The guide pages' examples (`docs/*.md`), compiled and run as doc tests, each page with the
/// features its examples use.
#[cfg(doctest)]
pub mod guide_doctests {
    /// docs/ranking.md
    #[doc = include_str!("../docs/ranking.md")]
    pub struct Ranking;

    /// docs/migrating.md
    #[doc = include_str!("../docs/migrating.md")]
    pub struct Migrating;

    /// docs/checks.md
    #[doc = include_str!("../docs/checks.md")]
    pub struct Checks;

    /// docs/learned-order.md
    #[doc = include_str!("../docs/learned-order.md")]
    pub struct LearnedOrder;

    /// docs/async.md
    #[cfg(feature = "tokio")]
    #[doc = include_str!("../docs/async.md")]
    pub struct Async;

    /// docs/backends.md
    #[cfg(all(feature = "parking_lot", feature = "lock_api"))]
    #[doc = include_str!("../docs/backends.md")]
    pub struct Backends;

    /// docs/diagnostics.md
    #[doc = include_str!("../docs/diagnostics.md")]
    pub struct Diagnostics;

    /// docs/comparison.md
    #[doc = include_str!("../docs/comparison.md")]
    pub struct Comparison;
}
