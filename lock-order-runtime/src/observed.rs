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

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::panic::Location;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::class::ClassInfo;
use crate::report::LockKind;

/// Where an unranked lock was created and the function naming its value's type, when known: how
/// held sets and requests keep its [`Creation`](crate::class::Creation) apart.
pub(crate) type CreationParts = (Option<&'static Location<'static>>, Option<fn() -> &'static str>);

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

/// A lock's kind with its value's type, `Mutex<Vec<u8>>`: how reports name an unranked lock's type.
pub(crate) fn lock_type_name(kind: LockKind, value: &str) -> String {
    // A semaphore guards no value: its name is the kind alone.
    if value.is_empty() || matches!(kind, LockKind::Semaphore) {
        kind.name().to_owned()
    } else {
        format!("{}<{}>", kind.name(), short_type_name(value))
    }
}

/// A type's name without module paths: `alloc::vec::Vec<core::option::Option<u8>>` as
/// `Vec<Option<u8>>`.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut word = String::new();
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            word.clear();
        } else {
            out.push_str(&word);
            word.clear();
            out.push(c);
        }
    }
    out.push_str(&word);
    out
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

/// A lock order consistent with everything learned, to paste: see [`suggest`].
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Suggestion {
    /// Every lock learned, with the name and rank suggested for it, in rank order.
    pub ranks: Vec<(ObservedLock, String, u32)>,
    /// Cycles among the learned orders (and the declared ranks): no rank order satisfies them.
    pub cycles: Vec<Vec<ObservedLock>>,
    /// Pairs of ranked locks taken the other way round from their ranks, through unranked ones:
    /// each chain starts at the lock with the higher (or equal) rank.
    pub contradicted: Vec<Vec<ObservedEdge>>,
    /// Creation sites whose instances were nested within one another.
    pub nested_instances: Vec<ObservedLock>,
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "// The lock order learned at run time (lock_rank::observed::suggest()).")?;
        writeln!(f, "lock_rank::order! {{")?;
        writeln!(f, "    /// The lock order, learned from the orders the program took its locks in.")?;
        writeln!(f, "    pub mod ranks {{")?;
        for (lock, name, rank) in &self.ranks {
            writeln!(f, "        /// {}", lock.to_string().replace('`', "'"))?;
            writeln!(f, "        {name} = {rank},")?;
        }
        writeln!(f, "    }}")?;
        writeln!(f, "}}")?;
        if !self.ranks.is_empty() {
            writeln!(f, "// Give each lock its rank:")?;
        }
        for (lock, name, _) in &self.ranks {
            match (lock.class, lock.created) {
                (Some(class), _) => writeln!(
                    f,
                    "//   `{}` (declared at {}:{}): #[lock_rank(ranks::{name})] instead of #[lock_rank({})]",
                    class.name(),
                    class.file(),
                    class.line(),
                    class.rank()
                )?,
                (None, Some(site)) => writeln!(
                    f,
                    "//   the `{}` created at {site}: #[lock_rank(ranks::{name})] on the static or field it \
                     initializes, or on a class struct for every lock made there",
                    lock.type_name()
                )?,
                (None, None) => writeln!(f, "//   {lock}: #[lock_rank(ranks::{name})]")?,
            }
        }
        for lock in &self.nested_instances {
            writeln!(
                f,
                "//   the locks created at {} nest within one another: give them one class and take \
                 them together with `lock_all`",
                lock.created.map_or_else(|| lock.name(), |s| s.to_string())
            )?;
        }
        for cycle in &self.cycles {
            let names: Vec<String> = cycle.iter().map(|l| format!("`{}`", l.name())).collect();
            writeln!(
                f,
                "// cycle, no order satisfies it (the ranks above break it somewhere): {} -> `{}`",
                names.join(" -> "),
                cycle[0].name()
            )?;
        }
        for chain in &self.contradicted {
            if let (Some(first), Some(last)) = (chain.first(), chain.last()) {
                writeln!(
                    f,
                    "// contradicts the declared ranks: {} is held while {} is acquired:",
                    first.from, last.to
                )?;
                for edge in chain {
                    writeln!(f, "//     {edge}")?;
                }
            }
        }
        Ok(())
    }
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

/// [`learning`] inline, for the hot path: one load and one compare once the setting is read.
#[cfg(lock_rank_checked)]
#[inline(always)]
pub(crate) fn learning_now() -> bool {
    match LEARNING.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => learning(),
    }
}

const UNREAD: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;
static LEARNING: AtomicU8 = AtomicU8::new(UNREAD);

/// The learned graph; empty without checks.
pub fn edges() -> Graph {
    #[cfg(lock_rank_checked)]
    {
        imp::graph().lock().unwrap_or_else(|e| e.into_inner()).public()
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
        imp::graph().lock().unwrap_or_else(|e| e.into_inner()).size()
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

fn suggest_from(graph: &Graph) -> Suggestion {
    let n = graph.locks.len();
    let index = |lock: &ObservedLock| graph.locks.iter().position(|l| l.same(lock));
    let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut nested_instances = Vec::new();
    for edge in &graph.edges {
        let (Some(a), Some(b)) = (index(&edge.from), index(&edge.to)) else { continue };
        if a == b {
            if !nested_instances.iter().any(|l: &ObservedLock| l.same(&edge.from)) {
                nested_instances.push(edge.from);
            }
        } else if !adjacent[a].contains(&b) {
            adjacent[a].push(b);
        }
    }
    let learned = adjacent.clone();
    // The declared order among the ranked locks: each before the next higher rank.
    let mut ranked: Vec<usize> = (0..n).filter(|&i| graph.locks[i].class.is_some()).collect();
    ranked.sort_by_key(|&i| graph.locks[i].class.map(ClassInfo::rank));
    for pair in ranked.windows(2) {
        let rank = |i: usize| graph.locks[i].class.map(ClassInfo::rank);
        if rank(pair[0]) < rank(pair[1]) && !adjacent[pair[0]].contains(&pair[1]) {
            adjacent[pair[0]].push(pair[1]);
        }
    }
    let components = strongly_connected(&adjacent);
    let mut component_of = vec![0; n];
    for (c, members) in components.iter().enumerate() {
        for &m in members {
            component_of[m] = c;
        }
    }
    // Kahn's algorithm on the components, the earliest-seen lock first among those ready.
    let mut incoming = vec![0usize; components.len()];
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); components.len()];
    for (a, targets) in adjacent.iter().enumerate() {
        for &b in targets {
            let (ca, cb) = (component_of[a], component_of[b]);
            if ca != cb && !successors[ca].contains(&cb) {
                successors[ca].push(cb);
                incoming[cb] += 1;
            }
        }
    }
    let first = |c: usize| components[c].iter().copied().min().unwrap_or(0);
    let mut ready: Vec<usize> = (0..components.len()).filter(|&c| incoming[c] == 0).collect();
    let mut order = Vec::new();
    while !ready.is_empty() {
        ready.sort_by_key(|&c| std::cmp::Reverse(first(c)));
        let Some(c) = ready.pop() else { break };
        let mut members = components[c].clone();
        members.sort_unstable();
        order.extend(members);
        for &d in &successors[c] {
            incoming[d] -= 1;
            if incoming[d] == 0 {
                ready.push(d);
            }
        }
    }
    let names = identifiers(&graph.locks);
    let ranks = order
        .iter()
        .zip(1u32..)
        .map(|(&i, position)| (graph.locks[i], names[i].clone(), position * 10))
        .collect();
    let cycles = components
        .iter()
        .filter(|members| members.len() > 1)
        .map(|members| cycle_through(members, &adjacent).into_iter().map(|i| graph.locks[i]).collect())
        .collect();
    Suggestion { ranks, cycles, contradicted: contradicted(graph, &learned), nested_instances }
}

/// A cycle through the members of one strongly connected component, in edge order.
fn cycle_through(members: &[usize], adjacent: &[Vec<usize>]) -> Vec<usize> {
    let start = members[0];
    // A breadth-first search back to the start, within the component.
    let mut parent: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(u) = queue.pop_front() {
        for &v in &adjacent[u] {
            if !members.contains(&v) {
                continue;
            }
            if v == start {
                let mut path = vec![u];
                let mut at = u;
                while at != start {
                    at = parent[&at];
                    path.push(at);
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(v) {
                e.insert(u);
                queue.push_back(v);
            }
        }
    }
    members.to_vec()
}

/// Chains of learned edges through unranked locks from a ranked lock to one of a rank not above.
fn contradicted(graph: &Graph, learned: &[Vec<usize>]) -> Vec<Vec<ObservedEdge>> {
    let index = |lock: &ObservedLock| graph.locks.iter().position(|l| l.same(lock));
    let edge_of = |a: usize, b: usize| {
        graph.edges.iter().find(|e| index(&e.from) == Some(a) && index(&e.to) == Some(b)).cloned()
    };
    let mut out = Vec::new();
    for (start, lock) in graph.locks.iter().enumerate() {
        let Some(class) = lock.class else { continue };
        let mut parent: HashMap<usize, usize> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(u) = queue.pop_front() {
            for &v in &learned[u] {
                if v == start || parent.contains_key(&v) {
                    continue;
                }
                parent.insert(v, u);
                match graph.locks[v].class {
                    Some(other) => {
                        if other.rank() <= class.rank() {
                            let mut chain = Vec::new();
                            let mut at = v;
                            while at != start {
                                let from = parent[&at];
                                chain.extend(edge_of(from, at));
                                at = from;
                            }
                            chain.reverse();
                            out.push(chain);
                        }
                    }
                    None => queue.push_back(v),
                }
            }
        }
    }
    out
}

/// Tarjan's strongly connected components, iteratively.
fn strongly_connected(adjacent: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adjacent.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut components, mut next) = (Vec::new(), Vec::new(), 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut frames = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (u, ref mut child)) = frames.last_mut() {
            if let Some(&v) = adjacent[u].get(*child) {
                *child += 1;
                if index[v] == usize::MAX {
                    index[v] = next;
                    low[v] = next;
                    next += 1;
                    stack.push(v);
                    on_stack[v] = true;
                    frames.push((v, 0));
                } else if on_stack[v] {
                    low[u] = low[u].min(index[v]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[u]);
            }
            if low[u] == index[u] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    members.push(w);
                    if w == u {
                        break;
                    }
                }
                components.push(members);
            }
        }
    }
    components
}

/// Unique constant names for the locks: a class's name, else the file's stem and the line.
fn identifiers(locks: &[ObservedLock]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    locks
        .iter()
        .map(|lock| {
            let base = match (lock.class, lock.created) {
                (Some(class), _) => class.name().replace("::", "_").to_uppercase(),
                (None, Some(site)) => {
                    let stem = site.file().rsplit(['/', '\\']).next().unwrap_or("lock");
                    let stem = stem.strip_suffix(".rs").unwrap_or(stem);
                    format!("{}_{}", stem, site.line())
                }
                (None, None) => lock.type_name(),
            };
            let mut name: String = base
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
                .collect();
            if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                name.insert_str(0, "L_");
            }
            let mut unique = name.clone();
            let mut n = 2;
            while taken.contains(&unique) {
                unique = format!("{name}_{n}");
                n += 1;
            }
            taken.push(unique.clone());
            unique
        })
        .collect()
}

/// One end of an edge to learn: a lock, and where it was acquired.
#[cfg(lock_rank_checked)]
#[derive(Clone, Copy)]
pub(crate) struct Endpoint {
    class: Option<&'static ClassInfo>,
    created: Option<&'static Location<'static>>,
    /// Names the value's type; called only when the edge is not known yet.
    type_name: fn() -> &'static str,
    kind: LockKind,
    /// Tells locks made at one site apart.
    instance: usize,
    site: &'static Location<'static>,
}

#[cfg(lock_rank_checked)]
impl Endpoint {
    pub(crate) fn new(
        class: Option<&'static ClassInfo>,
        created: Option<&'static Location<'static>>,
        type_name: Option<fn() -> &'static str>,
        kind: LockKind,
        instance: usize,
        site: &'static Location<'static>,
    ) -> Self {
        fn unknown() -> &'static str {
            ""
        }
        Endpoint { class, created, type_name: type_name.unwrap_or(unknown), kind, instance, site }
    }

    fn lock(&self) -> ObservedLock {
        ObservedLock {
            class: self.class,
            created: self.created,
            type_name: (self.type_name)(),
            kind: self.kind,
        }
    }

    /// The lock as one word, for the per-thread table: the class, or the creation site and the
    /// type's function. Two words for one lock (a site or function the compiler made twice) cost
    /// a miss, never a wrong hit.
    #[inline(always)]
    fn word(&self) -> u64 {
        let class = self.class.map_or(0, |c| std::ptr::from_ref(c) as usize);
        let created = self.created.map_or(0, |c| std::ptr::from_ref(c) as usize);
        lock_word(class, created, self.type_name as usize)
    }
}

/// [`Endpoint::word`] from the words a held set keeps: the class's address (0 when unranked),
/// the creation site's and the type-naming function's.
#[cfg(lock_rank_checked)]
#[inline(always)]
pub(crate) fn lock_word(class: usize, created: usize, type_name: usize) -> u64 {
    if class != 0 {
        class as u64
    } else {
        (created as u64).wrapping_mul(31) ^ type_name as u64
    }
}

#[cfg(lock_rank_checked)]
pub(crate) use imp::{known, learn};

#[cfg(lock_rank_checked)]
mod imp {
    use super::*;
    use std::cell::Cell;
    use std::collections::VecDeque;
    use std::sync::{Mutex as StdMutex, OnceLock};

    struct EdgeRecord {
        from: u32,
        to: u32,
        held_at: &'static Location<'static>,
        acquired_at: &'static Location<'static>,
    }

    struct InstanceRecord {
        node: u32,
        held_at: &'static Location<'static>,
        acquired_at: &'static Location<'static>,
    }

    #[derive(Default)]
    pub(super) struct Learned {
        locks: Vec<ObservedLock>,
        by_key: HashMap<Key, u32>,
        /// Per lock, the indices of the edges leaving it.
        out: Vec<Vec<u32>>,
        edges: Vec<EdgeRecord>,
        by_pair: HashMap<(u32, u32), u32>,
        instances: HashMap<(usize, usize), InstanceRecord>,
        /// The instance pairs in the order learned, to forget the oldest first.
        instance_order: VecDeque<(usize, usize)>,
        warned: bool,
    }

    pub(super) fn graph() -> &'static StdMutex<Learned> {
        static GRAPH: OnceLock<StdMutex<Learned>> = OnceLock::new();
        GRAPH.get_or_init(|| {
            super::exit::register();
            StdMutex::new(Learned::default())
        })
    }

    impl Learned {
        /// Whether two ends are one lock of the graph (one creation site and type, or class).
        fn same_node(&self, a: &Endpoint, b: &Endpoint) -> bool {
            key_of(&a.lock()) == key_of(&b.lock())
        }

        fn node(&mut self, lock: &ObservedLock) -> Option<u32> {
            let key = key_of(lock);
            if let Some(&id) = self.by_key.get(&key) {
                return Some(id);
            }
            if self.locks.len() >= MAX_LOCKS {
                self.full();
                return None;
            }
            let id = self.locks.len() as u32;
            self.locks.push(*lock);
            self.out.push(Vec::new());
            self.by_key.insert(key, id);
            Some(id)
        }

        #[cold]
        fn full(&mut self) {
            if !std::mem::replace(&mut self.warned, true) {
                eprintln!(
                    "lock-rank: the learned lock order is full ({MAX_LOCKS} locks, {MAX_EDGES} edges); \
                     later orders are not learned"
                );
            }
        }

        fn edge(&self, record: &EdgeRecord) -> ObservedEdge {
            ObservedEdge {
                from: self.locks[record.from as usize],
                to: self.locks[record.to as usize],
                held_at: Some(record.held_at),
                acquired_at: Some(record.acquired_at),
                between_instances: false,
            }
        }

        /// A path of learned edges (and declared rank steps) from `start` to `goal`.
        fn path(&self, start: u32, goal: u32) -> Option<Vec<ObservedEdge>> {
            // Each lock reached, with the step that reached it: a learned edge, or `None` for a
            // rank step from the lock given.
            let mut reached: HashMap<u32, (u32, Option<u32>)> = HashMap::new();
            let mut queue = VecDeque::from([start]);
            while let Some(u) = queue.pop_front() {
                let mut steps: Vec<(u32, Option<u32>)> =
                    self.out[u as usize].iter().map(|&e| (self.edges[e as usize].to, Some(e))).collect();
                if let Some(class) = self.locks[u as usize].class {
                    steps.extend(
                        self.locks
                            .iter()
                            .enumerate()
                            .filter(|(_, l)| l.class.is_some_and(|c| c.rank() > class.rank()))
                            .map(|(v, _)| (v as u32, None)),
                    );
                }
                for (v, step) in steps {
                    if v == start || reached.contains_key(&v) {
                        continue;
                    }
                    reached.insert(v, (u, step));
                    if v == goal {
                        let mut chain = Vec::new();
                        let mut at = v;
                        while at != start {
                            let (from, step) = reached[&at];
                            chain.push(match step {
                                Some(e) => self.edge(&self.edges[e as usize]),
                                None => ObservedEdge {
                                    from: self.locks[from as usize],
                                    to: self.locks[at as usize],
                                    held_at: None,
                                    acquired_at: None,
                                    between_instances: false,
                                },
                            });
                            at = from;
                        }
                        chain.reverse();
                        return Some(chain);
                    }
                    queue.push_back(v);
                }
            }
            None
        }

        /// Learns `held -> acquiring`; the earlier chain of orders it contradicts, if any. With
        /// `commit` false an edge closing a cycle is not learned, so that asking again finds it.
        pub(super) fn learn(
            &mut self,
            held: &Endpoint,
            acquiring: &Endpoint,
            commit: bool,
        ) -> (Option<Vec<ObservedEdge>>, bool) {
            let (Some(from), Some(to)) = (self.node(&held.lock()), self.node(&acquiring.lock())) else {
                return (None, true);
            };
            if from == to {
                return self.learn_instances(from, held, acquiring, commit);
            }
            if self.by_pair.contains_key(&(from, to)) {
                return (None, true);
            }
            let cycle = self.path(to, from);
            if cycle.is_some() && !commit {
                return (cycle, false);
            }
            if self.edges.len() >= MAX_EDGES {
                self.full();
                return (cycle, true);
            }
            let id = self.edges.len() as u32;
            self.edges.push(EdgeRecord { from, to, held_at: held.site, acquired_at: acquiring.site });
            self.out[from as usize].push(id);
            self.by_pair.insert((from, to), id);
            (cycle, true)
        }

        fn learn_instances(
            &mut self,
            node: u32,
            held: &Endpoint,
            acquiring: &Endpoint,
            commit: bool,
        ) -> (Option<Vec<ObservedEdge>>, bool) {
            // One ranked class nested in itself is the ranks' business; one lock in itself, the
            // recursion check's.
            if held.class.is_some() || held.instance == acquiring.instance {
                return (None, true);
            }
            let pair = (held.instance, acquiring.instance);
            if self.instances.contains_key(&pair) {
                return (None, true);
            }
            let cycle = self.instances.get(&(pair.1, pair.0)).map(|earlier| {
                vec![ObservedEdge {
                    from: self.locks[earlier.node as usize],
                    to: self.locks[earlier.node as usize],
                    held_at: Some(earlier.held_at),
                    acquired_at: Some(earlier.acquired_at),
                    between_instances: true,
                }]
            });
            if cycle.is_some() && !commit {
                return (cycle, false);
            }
            if self.instance_order.len() >= MAX_INSTANCE_EDGES {
                if let Some(oldest) = self.instance_order.pop_front() {
                    self.instances.remove(&oldest);
                }
            }
            self.instances
                .insert(pair, InstanceRecord { node, held_at: held.site, acquired_at: acquiring.site });
            self.instance_order.push_back(pair);
            // Cached per thread even once forgotten here: a cached pair only ever hides an order.
            (cycle, true)
        }

        pub(super) fn public(&self) -> Graph {
            let mut edges: Vec<ObservedEdge> = self.edges.iter().map(|r| self.edge(r)).collect();
            let mut instance_edges: Vec<ObservedEdge> = self
                .instance_order
                .iter()
                .filter_map(|pair| self.instances.get(pair))
                .map(|r| ObservedEdge {
                    from: self.locks[r.node as usize],
                    to: self.locks[r.node as usize],
                    held_at: Some(r.held_at),
                    acquired_at: Some(r.acquired_at),
                    between_instances: true,
                })
                .collect();
            edges.append(&mut instance_edges);
            Graph { locks: self.locks.clone(), edges }
        }

        pub(super) fn size(&self) -> GraphSize {
            use std::mem::size_of;
            let bytes = self.locks.capacity() * size_of::<ObservedLock>()
                + self.by_key.capacity() * (size_of::<Key>() + size_of::<u32>() + 1)
                + self.out.iter().map(|o| o.capacity() * 4 + size_of::<Vec<u32>>()).sum::<usize>()
                + self.edges.capacity() * size_of::<EdgeRecord>()
                + self.by_pair.capacity() * (size_of::<((u32, u32), u32)>() + 1)
                + self.instances.capacity() * (size_of::<((usize, usize), InstanceRecord)>() + 1)
                + self.instance_order.capacity() * size_of::<(usize, usize)>();
            GraphSize {
                locks: self.locks.len(),
                edges: self.edges.len(),
                instance_edges: self.instances.len(),
                bytes,
            }
        }
    }

    /// Per thread, a direct-mapped table of fingerprints of the orders already learned: an
    /// acquire in a known order finds its edge here, without the global lock.
    const CACHE: usize = 512;

    thread_local! {
        static KNOWN: [Cell<u64>; CACHE] = const { [const { Cell::new(0) }; CACHE] };
    }

    /// A fingerprint of two words, never 0 (an empty entry); a collision can only hide an edge.
    #[inline(always)]
    fn fingerprint(a: u64, b: u64) -> u64 {
        let mixed = (a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b).wrapping_mul(0xff51_afd7_ed55_8ccd);
        (mixed ^ (mixed >> 29)) | 1
    }

    /// Learns `held -> acquiring` (an acquire of `acquiring` while `held` is held); the chain of
    /// earlier orders it closes a cycle with, if it does. See [`Learned::learn`] for `commit`.
    #[inline]
    pub(crate) fn learn(held: &Endpoint, acquiring: &Endpoint, commit: bool) -> Option<Vec<ObservedEdge>> {
        let (print, instances) =
            fingerprint_of(held.word(), acquiring.word(), held.instance, acquiring.instance);
        let slot = (print >> 55) as usize % CACHE;
        if KNOWN.try_with(|k| k[slot].get() == print).unwrap_or(false) {
            return None;
        }
        learn_slow(held, acquiring, commit, instances, print, slot)
    }

    /// An edge's fingerprint from the two ends' [`lock_word`]s and instances; whether it is one
    /// between two instances of one site, whose pair of instances is then the edge.
    #[inline(always)]
    fn fingerprint_of(from: u64, to: u64, from_instance: usize, to_instance: usize) -> (u64, bool) {
        let instances = from == to;
        let mut print = fingerprint(from, to);
        if instances {
            print = fingerprint(print ^ from_instance as u64, to_instance as u64);
        }
        (print, instances)
    }

    /// Whether this thread already knows the edge between the two ends given by their
    /// [`lock_word`]s and instances: the hot path's whole cost for an order seen before.
    #[inline(always)]
    pub(crate) fn known(from: u64, to: u64, from_instance: usize, to_instance: usize) -> bool {
        let (print, _) = fingerprint_of(from, to, from_instance, to_instance);
        let slot = (print >> 55) as usize % CACHE;
        KNOWN.try_with(|k| k[slot].get() == print).unwrap_or(false)
    }

    #[cold]
    #[inline(never)]
    fn learn_slow(
        held: &Endpoint,
        acquiring: &Endpoint,
        commit: bool,
        instances: bool,
        print: u64,
        slot: usize,
    ) -> Option<Vec<ObservedEdge>> {
        if !learning() {
            return None;
        }
        let mut graph = graph().lock().unwrap_or_else(|e| e.into_inner());
        let (cycle, known) = graph.learn(held, acquiring, commit);
        // A pair of instances the fingerprint took for two sites would be cached as a site's
        // edge, hiding the other instances' orders: such edges are not cached.
        let one_node = graph.same_node(held, acquiring);
        drop(graph);
        if known && (instances || !one_node) {
            let _ = KNOWN.try_with(|k| k[slot].set(print));
        }
        cycle
    }
}

/// Writing the suggestion at exit, when `LOCK_RANK_SUGGEST` names a file.
///
/// A process ends through `exit` (returning from `main` calls it, and so does the `cargo test`
/// harness once its tests are done), which runs the functions registered with the C library's
/// `atexit` before the process goes: one is registered when the graph is first used. Statics are
/// never dropped, so no `Drop` could do this. A process that aborts, is killed or `_exit`s
/// writes nothing.
#[cfg(lock_rank_checked)]
mod exit {
    pub(super) fn register() {
        if std::env::var_os("LOCK_RANK_SUGGEST").is_none() {
            return;
        }
        #[cfg(any(unix, windows))]
        {
            extern "C" {
                fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
            }
            // SAFETY: `atexit` is the C library's, linked into every Rust program on these
            // platforms, and takes a function that takes and returns nothing, as declared;
            // `write_at_exit` cannot unwind (an `extern "C"` function aborts instead).
            let _ = unsafe { atexit(write_at_exit) };
        }
    }

    extern "C" fn write_at_exit() {
        let Some(path) = std::env::var_os("LOCK_RANK_SUGGEST") else { return };
        let path = path.to_string_lossy().replace("%p", &std::process::id().to_string());
        if let Err(error) = std::fs::write(&path, super::suggest().to_string()) {
            use std::io::Write as _;
            let _ =
                writeln!(std::io::stderr(), "lock-rank: cannot write the suggested order to {path}: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(lock_rank_checked)]
    mod graph {
        use super::super::imp::Learned;
        use super::super::*;

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

    #[test]
    fn type_names_lose_their_paths() {
        assert_eq!(short_type_name("alloc::vec::Vec<core::option::Option<u8>>"), "Vec<Option<u8>>");
        assert_eq!(lock_type_name(LockKind::RwLock, "alloc::string::String"), "RwLock<String>");
        assert_eq!(lock_type_name(LockKind::Mutex, ""), "Mutex");
        assert_eq!(short_type_name("std::collections::HashMap<u32, (u8, &str)>"), "HashMap<u32, (u8, &str)>");
    }
}
