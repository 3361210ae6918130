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

use std::fmt::{self, Write as _};
use std::panic::Location;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::class::ClassInfo;
use crate::track::acquisition::lock_type_name;
use crate::track::LockKind;

/// At most this many locks (creation sites and classes) are learned.
pub const MAX_LOCKS: usize = 4096;
/// At most this many edges between them are learned.
pub const MAX_EDGES: usize = 65_536;
/// The edges between two instances of one creation site kept at once; older ones are forgotten.
pub const MAX_INSTANCE_EDGES: usize = 4096;

/// One lock of the learned graph: a ranked class, or the creation site and type of unranked locks.
///
/// ```
/// # use lock_rank::Mutex;
/// let a: Mutex<u8> = Mutex::new(0);
/// let (line, b) = (line!(), Mutex::<u8>::new(0));
/// let _a = a.lock().unwrap();
/// drop(b.lock().unwrap());
/// if lock_rank::CHECKS_ENABLED {
///     let edges = lock_rank::observed::edges().edges;
///     let edge = edges.into_iter().find(|e| e.to.created().is_some_and(|s| s.line() == line)).unwrap();
///     assert_eq!(edge.to.type_name(), "Mutex<u8>");
///     assert!(edge.to.to_string().starts_with("`Mutex<u8> created at "));
/// }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ObservedLock {
    class: Option<&'static ClassInfo>,
    created: Option<&'static Location<'static>>,
    type_name: &'static str,
    kind: LockKind,
}

impl ObservedLock {
    /// The class of a ranked lock.
    pub fn class(&self) -> Option<&'static ClassInfo> {
        self.class
    }

    /// Where an unranked lock was created, when known.
    pub fn created(&self) -> Option<&'static Location<'static>> {
        self.created
    }

    /// The lock's kind and the type of its value, without module paths (`Mutex<Vec<u8>>`); the
    /// kind alone if the value's type is not known.
    pub fn type_name(&self) -> String {
        lock_type_name(self.kind, self.type_name)
    }

    /// The lock's name in reports: a class's name, else `Type created at file:line:column`.
    pub fn name(&self) -> String {
        match (self.class, self.created) {
            (Some(class), _) => class.name().to_owned(),
            (None, Some(site)) => format!("{} created at {site}", self.type_name()),
            (None, None) => format!("unranked {}", self.type_name()),
        }
    }

    fn same(&self, other: &ObservedLock) -> bool {
        key_of(self) == key_of(other)
    }
}

impl fmt::Display for ObservedLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.class, self.created) {
            (Some(class), _) => write!(f, "{class}"),
            (None, Some(site)) => write!(f, "`{} created at {site}`", self.type_name()),
            (None, None) => write!(f, "`unranked {}`", self.type_name()),
        }
    }
}

/// One learned edge: `to` was acquired while `from` was held.
///
/// A step of a cycle that comes from the declared ranks instead (`from` is ranked below `to`)
/// has no sites.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ObservedEdge {
    /// The lock held.
    pub from: ObservedLock,
    /// The lock acquired while it was held.
    pub to: ObservedLock,
    /// Where `from` was acquired, the first time this order was seen.
    pub held_at: Option<&'static Location<'static>>,
    /// Where `to` was acquired, the first time this order was seen.
    pub acquired_at: Option<&'static Location<'static>>,
    /// Whether the edge is between two instances of one creation site (not one lock to itself).
    pub between_instances: bool,
}

impl fmt::Display for ObservedEdge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let instances = if self.between_instances { " (another instance)" } else { "" };
        match (self.held_at, self.acquired_at) {
            (Some(held), Some(acquired)) => write!(
                f,
                "{}{instances} acquired at {acquired} while holding {} acquired at {held}",
                self.to, self.from
            ),
            _ => write!(f, "{} is declared before {} (by rank)", self.from, self.to),
        }
    }
}

/// The learned graph: every lock seen nested with another, and every order seen.
///
/// ```
/// let graph = lock_rank::observed::edges();
/// let dot = graph.to_dot();
/// assert!(dot.starts_with("digraph observed_lock_order {"));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Graph {
    /// Every lock learned, in the order first seen.
    pub locks: Vec<ObservedLock>,
    /// Every order learned, in the order first seen; edges between instances of one site last.
    pub edges: Vec<ObservedEdge>,
}

impl Graph {
    /// The graph in Graphviz's DOT language: one node per lock, one arrow per order, labelled
    /// with the two acquire sites of the first time it was seen.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph observed_lock_order {\n    node [shape=box];\n");
        let index = |lock: &ObservedLock| self.locks.iter().position(|l| l.same(lock)).unwrap_or(0);
        for (i, lock) in self.locks.iter().enumerate() {
            let _ = writeln!(out, "    n{i} [label=\"{}\"];", dot_escape(&lock.to_string()));
        }
        for edge in &self.edges {
            let label = match (edge.held_at, edge.acquired_at) {
                (Some(h), Some(a)) => format!("held at {h}\\nacquired at {a}"),
                _ => "by rank".to_owned(),
            };
            let style = if edge.between_instances { ", style=dashed" } else { "" };
            let _ = writeln!(
                out,
                "    n{} -> n{} [label=\"{}\"{style}];",
                index(&edge.from),
                index(&edge.to),
                dot_escape(&label).replace("\\\\n", "\\n")
            );
        }
        out.push_str("}\n");
        out
    }
}

fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// How big the learned graph is.
///
/// ```
/// let size = lock_rank::observed::size();
/// assert!(size.locks <= lock_rank::observed::MAX_LOCKS);
/// assert!(size.bytes >= size.edges * 16);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphSize {
    /// Locks (creation sites and classes) learned.
    pub locks: usize,
    /// Orders learned between them.
    pub edges: usize,
    /// Orders between instances of one site, kept now.
    pub instance_edges: usize,
    /// An estimate of the memory it takes, in bytes (capacities, not lengths).
    pub bytes: usize,
}
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Class(usize),
    Site { file: &'static str, line: u32, column: u32, type_name: &'static str },
    Unknown(&'static str),
}

fn key_of(lock: &ObservedLock) -> Key {
    match (lock.class, lock.created) {
        (Some(class), _) => Key::Class(std::ptr::from_ref(class) as usize),
        (None, Some(site)) => Key::Site {
            file: site.file(),
            line: site.line(),
            column: site.column(),
            type_name: lock.type_name,
        },
        (None, None) => Key::Unknown(lock.type_name),
    }
}

/// Whether blocking acquires learn the order: `LOCK_RANK_LEARN=0` turns it off, and so does
/// [`set_learning`]. Always `false` without checks.
///
/// ```
/// assert_eq!(lock_rank::observed::learning(), lock_rank::CHECKS_ENABLED
///     && std::env::var("LOCK_RANK_LEARN").map_or(true, |v| v != "0"));
/// ```
pub fn learning() -> bool {
    if !crate::CHECKS_ENABLED {
        return false;
    }
    match LEARNING.load(Ordering::Relaxed) {
        UNREAD => {
            let on = std::env::var_os("LOCK_RANK_LEARN").is_none_or(|v| v != "0");
            let _ = LEARNING.compare_exchange(
                UNREAD,
                if on { ON } else { OFF },
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            LEARNING.load(Ordering::Relaxed) == ON
        }
        state => state == ON,
    }
}

/// Turns learning on or off for the whole process; what was learned stays.
///
/// ```
/// use lock_rank::Mutex;
///
/// lock_rank::observed::set_learning(false);
/// assert!(!lock_rank::observed::learning());
/// let (a, b): (Mutex<u8>, Mutex<u8>) = (Mutex::new(0), Mutex::new(0));
/// drop((a.lock().unwrap(), b.lock().unwrap()));
/// drop((b.lock().unwrap(), a.lock().unwrap())); // not learned: not reported
/// lock_rank::observed::set_learning(true);
/// assert_eq!(lock_rank::observed::learning(), lock_rank::CHECKS_ENABLED);
/// ```
pub fn set_learning(on: bool) {
    LEARNING.store(if on { ON } else { OFF }, Ordering::Relaxed);
}

const UNREAD: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;
static LEARNING: AtomicU8 = AtomicU8::new(UNREAD);

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

#[cfg(lock_rank_checked)]
mod exit;
#[cfg(lock_rank_checked)]
mod learned;
mod suggest;

#[cfg(lock_rank_checked)]
pub(crate) use learned::{known, learn, lock_word, Endpoint};
use suggest::suggest_from;
pub use suggest::Suggestion;

#[cfg(all(test, lock_rank_checked))]
mod tests {
    mod graph {
        use super::super::*;
        use crate::observed::learned::Learned;

        static RANKED_LOW: ClassInfo = ClassInfo::__new("LOW", 1, file!(), line!(), module_path!(), "");
        static RANKED_HIGH: ClassInfo = ClassInfo::__new("HIGH", 9, file!(), line!(), module_path!(), "");

        /// An unranked lock made at `site`, instance `instance`, acquired at `at`.
        fn unranked(
            site: &'static Location<'static>,
            instance: usize,
            at: &'static Location<'static>,
        ) -> Endpoint {
            Endpoint::new(None, Some(site), Some(|| "u32"), LockKind::Mutex, instance, at)
        }

        fn ranked(class: &'static ClassInfo, at: &'static Location<'static>) -> Endpoint {
            Endpoint::new(Some(class), None, None, LockKind::Mutex, 1, at)
        }

        #[test]
        fn the_opposite_order_closes_a_cycle_with_the_sites_of_the_first() {
            let (a, b) = (Location::caller(), Location::caller());
            let (held_at, acquired_at, later) = (Location::caller(), Location::caller(), Location::caller());
            let mut graph = Learned::default();
            assert!(graph.learn(&unranked(a, 1, held_at), &unranked(b, 2, acquired_at), true).0.is_none());
            assert!(graph.learn(&unranked(a, 1, later), &unranked(b, 2, later), true).0.is_none(), "known");
            // Asked ahead of the acquire, the cycle is found and not learned; asked again, too.
            for commit in [false, true] {
                let chain = graph.learn(&unranked(b, 2, later), &unranked(a, 1, later), commit).0.unwrap();
                assert_eq!(chain.len(), 1);
                assert!(std::ptr::eq(chain[0].held_at.unwrap(), held_at));
                assert!(std::ptr::eq(chain[0].acquired_at.unwrap(), acquired_at));
            }
            assert!(
                graph.learn(&unranked(b, 2, later), &unranked(a, 1, later), true).0.is_none(),
                "reported once"
            );
            let suggestion = suggest_from(&graph.public());
            assert_eq!(suggestion.cycles.len(), 1);
        }

        #[test]
        fn a_chain_is_found_through_every_lock_and_through_the_declared_ranks() {
            let [a, b, c] = [Location::caller(), Location::caller(), Location::caller()];
            let at = Location::caller();
            let mut graph = Learned::default();
            graph.learn(&unranked(a, 1, at), &unranked(b, 2, at), true);
            graph.learn(&unranked(b, 2, at), &unranked(c, 3, at), true);
            let chain = graph.learn(&unranked(c, 3, at), &unranked(a, 1, at), true).0.unwrap();
            assert_eq!(chain.len(), 2);
            // HIGH held, then the unranked `u`; `u` held, then LOW: LOW is declared before HIGH.
            let u = Location::caller();
            assert!(graph.learn(&ranked(&RANKED_HIGH, at), &unranked(u, 9, at), true).0.is_none());
            let _ = graph.learn(&ranked(&RANKED_LOW, at), &unranked(a, 1, at), true);
            let chain = graph.learn(&unranked(u, 9, at), &ranked(&RANKED_LOW, at), true).0.unwrap();
            assert_eq!(chain.len(), 2, "LOW before HIGH by rank, HIGH before u: {chain:?}");
            assert!(chain[0].held_at.is_none() && chain[1].held_at.is_some());
            let suggestion = suggest_from(&graph.public());
            assert_eq!(suggestion.contradicted.len(), 1, "{suggestion}");
        }

        #[test]
        fn instances_of_one_site_in_both_orders_are_a_cycle_and_the_oldest_pairs_are_forgotten() {
            let (site, at) = (Location::caller(), Location::caller());
            let mut graph = Learned::default();
            assert!(graph.learn(&unranked(site, 10, at), &unranked(site, 20, at), true).0.is_none());
            assert!(graph.learn(&unranked(site, 20, at), &unranked(site, 30, at), true).0.is_none());
            let chain = graph.learn(&unranked(site, 20, at), &unranked(site, 10, at), true).0.unwrap();
            assert!(chain[0].between_instances);
            for i in 0..MAX_INSTANCE_EDGES * 2 {
                graph.learn(&unranked(site, 1000 + 2 * i, at), &unranked(site, 1001 + 2 * i, at), true);
            }
            assert_eq!(graph.size().instance_edges, MAX_INSTANCE_EDGES);
            assert_eq!(graph.size().locks, 1);
            assert!(
                graph.learn(&unranked(site, 30, at), &unranked(site, 20, at), true).0.is_none(),
                "forgotten"
            );
            let suggestion = suggest_from(&graph.public());
            assert_eq!(suggestion.nested_instances.len(), 1);
        }

        #[test]
        fn the_suggested_ranks_follow_every_edge() {
            let sites = [
                Location::caller(),
                Location::caller(),
                Location::caller(),
                Location::caller(),
                Location::caller(),
            ];
            let at = Location::caller();
            let mut graph = Learned::default();
            // 3 -> 1 -> 4 -> 0, 3 -> 2 -> 0.
            for (from, to) in [(3, 1), (1, 4), (4, 0), (3, 2), (2, 0)] {
                let (f, t) = (unranked(sites[from], from, at), unranked(sites[to], to, at));
                assert!(graph.learn(&f, &t, true).0.is_none());
            }
            let suggestion = suggest_from(&graph.public());
            let rank = |i: usize| {
                suggestion
                    .ranks
                    .iter()
                    .find(|(l, _, _)| l.created().is_some_and(|s| std::ptr::eq(s, sites[i])))
                    .unwrap()
                    .2
            };
            for (from, to) in [(3, 1), (1, 4), (4, 0), (3, 2), (2, 0)] {
                assert!(rank(from) < rank(to), "{suggestion}");
            }
            assert!(suggestion.cycles.is_empty());
        }
    }
}
