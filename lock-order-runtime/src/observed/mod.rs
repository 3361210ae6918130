//! The lock order learned at run time: which lock was taken while which was held.
//!
//! With checks on, every blocking acquire of a lock while another is held teaches one edge,
//! `held -> acquiring`, as long as one of the two is unranked (two ranked locks are checked by
//! their ranks instead). An unranked lock is known by where it was created and its type (the
//! call of `Mutex::new` and the like, as the kernel's lockdep knows a lock class by its
//! initialization site); a ranked one by its class. An acquire whose edge closes a cycle (the
//! opposite order was seen before, directly or through a chain of locks, or against the declared
//! ranks) is reported as a [`ViolationKind::OrderCycle`](crate::ViolationKind::OrderCycle),
//! through the same [`Policy`](crate::Policy) as a rank violation, naming where the opposite
//! order was established.
//!
//! Locks made at one site (the accounts of a bank, the shards of a table) are told apart by
//! instance where they nest within one another: `transfer(a, b)` after `transfer(b, a)` is a
//! cycle; nesting them in one consistent order is not.
//!
//! What was learned is there to be read: [`edges`] is the graph (with a Graphviz rendering),
//! [`suggest`] a `lock_rank::order! { .. }` block consistent with every learned edge, to paste,
//! with the `#[lock_rank(..)]` each lock needs. Set `LOCK_RANK_SUGGEST=path` and any process, a
//! `cargo test` run included, writes that suggestion to `path` when it exits (`%p` in the path
//! becomes the process id, so that the test binaries of one run write one file each).
//!
//! Learning is on by default wherever checks are: it is what makes switching the `use` lines
//! enough to catch an ABBA deadlock among unranked locks, and it costs an acquire that takes an
//! already known order one lookup in a per-thread table, with no global lock. Turn it off with
//! `LOCK_RANK_LEARN=0` in the environment or [`set_learning`]`(false)`; without checks it
//! does not exist.
//!
//! Memory is bounded however many locks come and go: the graph has one node per creation site
//! and type (bounded by the program's text) or ranked class, at most [`MAX_LOCKS`] of them and
//! [`MAX_EDGES`] edges between them; the edges between instances of one site are kept for the
//! last [`MAX_INSTANCE_EDGES`] pairs, older ones forgotten first. Beyond the bounds nothing new
//! is learned (one warning says so), which can miss a cycle, never invent one.
//!
//! ```
//! use lock_rank::Mutex;
//!
//! let (line, cache) = (line!(), Mutex::<u32>::new(0));
//! let index: Mutex<u32> = Mutex::new(0);
//! {
//!     let _c = cache.lock().unwrap();
//!     let _i = index.lock().unwrap(); // cache -> index, learned
//! }
//! if lock_rank::CHECKS_ENABLED {
//!     let graph = lock_rank::observed::edges();
//!     let made_on = |l: &lock_rank::observed::ObservedLock, n| l.created().is_some_and(|s| s.line() == n);
//!     assert!(graph.edges.iter().any(|e| made_on(&e.from, line) && made_on(&e.to, line + 1)));
//!     let text = lock_rank::observed::suggest().to_string();
//!     assert!(text.contains("lock_rank::order! {"));
//! }
//! ```

mod graph;
#[cfg(lock_rank_checked)]
mod learned;
mod suggest;
mod switch;

pub use graph::{Graph, GraphSize, ObservedEdge, ObservedLock, MAX_EDGES, MAX_INSTANCE_EDGES, MAX_LOCKS};
#[cfg(lock_rank_checked)]
pub(crate) use learned::{known, learn, lock_word, Endpoint};
use suggest::suggest_from;
pub use suggest::Suggestion;
#[cfg(lock_rank_checked)]
pub(crate) use switch::learning_now;
pub use switch::{learning, set_learning};

/// The learned graph; empty without checks.
pub fn edges() -> Graph {
    #[cfg(lock_rank_checked)]
    {
        learned::graph().lock().unwrap_or_else(|e| e.into_inner()).public()
    }
    #[cfg(not(lock_rank_checked))]
    {
        Graph::default()
    }
}

/// The learned graph's size; zero without checks.
pub fn size() -> GraphSize {
    #[cfg(lock_rank_checked)]
    {
        learned::graph().lock().unwrap_or_else(|e| e.into_inner()).size()
    }
    #[cfg(not(lock_rank_checked))]
    {
        GraphSize::default()
    }
}

/// A lock order consistent with every learned edge and the declared ranks, as a
/// `lock_rank::order! { .. }` block to paste (its `Display`), with the `#[lock_rank(..)]` to put
/// on each lock, the cycles no order satisfies, and the declared ranks the learned order
/// contradicts.
///
/// ```
/// use lock_rank::Mutex;
///
/// let (line, outer) = (line!(), Mutex::<()>::new(()));
/// let inner: Mutex<()> = Mutex::new(());
/// drop((outer.lock().unwrap(), inner.lock().unwrap()));
/// let suggestion = lock_rank::observed::suggest();
/// if lock_rank::CHECKS_ENABLED {
///     let made_on = |l: &lock_rank::observed::ObservedLock| l.created().map(|s| s.line());
///     let rank = |n| suggestion.ranks.iter().find(|(l, _, _)| made_on(l) == Some(n)).unwrap().2;
///     assert!(rank(line) < rank(line + 1));
/// }
/// println!("{suggestion}");
/// ```
pub fn suggest() -> Suggestion {
    suggest_from(&edges())
}
