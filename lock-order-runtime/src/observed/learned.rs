//! The learning itself, in checked builds: the graph of orders seen, and each thread's table of
//! the orders it knows, which keeps the lookup of a known order off any global lock.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::panic::Location;
use std::sync::{Mutex as StdMutex, OnceLock};

use crate::class::ClassInfo;
use crate::observed::graph::{key_of, Graph, GraphSize, Key, ObservedEdge, ObservedLock};
use crate::observed::graph::{MAX_EDGES, MAX_INSTANCE_EDGES, MAX_LOCKS};
use crate::observed::suggest::suggest_from;
use crate::observed::switch::learning;
use crate::track::LockKind;

/// One end of an edge to learn: a lock, and where it was acquired.
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
#[inline(always)]
pub(crate) fn lock_word(class: usize, created: usize, type_name: usize) -> u64 {
    if class != 0 {
        class as u64
    } else {
        (created as u64).wrapping_mul(31) ^ type_name as u64
    }
}

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
pub(crate) struct Learned {
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

pub(crate) fn graph() -> &'static StdMutex<Learned> {
    static GRAPH: OnceLock<StdMutex<Learned>> = OnceLock::new();
    GRAPH.get_or_init(|| {
        register_exit();
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
        self.instances.insert(pair, InstanceRecord { node, held_at: held.site, acquired_at: acquiring.site });
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
    // The second multiplication, by an odd number, is one-to-one; the table's index is the
    // product's top bits, its best mixed, so no further mixing is needed.
    (a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b).wrapping_mul(0xff51_afd7_ed55_8ccd) | 1
}

/// Learns `held -> acquiring` (an acquire of `acquiring` while `held` is held); the chain of
/// earlier orders it closes a cycle with, if it does. See [`Learned::learn`] for `commit`.
#[inline]
pub(crate) fn learn(held: &Endpoint, acquiring: &Endpoint, commit: bool) -> Option<Vec<ObservedEdge>> {
    let (print, instances) = fingerprint_of(held.word(), acquiring.word(), held.instance, acquiring.instance);
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

// Writing the suggestion at exit, when `LOCK_RANK_SUGGEST` names a file.
//
// A process ends through `exit` (returning from `main` calls it, and so does the `cargo test`
// harness once its tests are done), which runs the functions registered with the C library's
// `atexit` before the process goes: one is registered when the graph is first used. Statics are
// never dropped, so no `Drop` could do this. A process that aborts, is killed or `_exit`s
// writes nothing.
fn register_exit() {
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
    if let Err(error) = std::fs::write(
        &path,
        suggest_from(&graph().lock().unwrap_or_else(|e| e.into_inner()).public()).to_string(),
    ) {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "lock-rank: cannot write the suggested order to {path}: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observed::suggest_from;

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
        assert!(graph.learn(&unranked(site, 30, at), &unranked(site, 20, at), true).0.is_none(), "forgotten");
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
