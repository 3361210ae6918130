//! The suggested order: ranks consistent with every learned edge and the declared ranks, as a
//! block to paste, with what no order can satisfy.

use std::collections::HashMap;
use std::fmt;

use crate::class::ClassInfo;
use crate::observed::graph::{Graph, ObservedEdge, ObservedLock};

/// A lock order consistent with everything learned, to paste: see [`suggest`](crate::observed::suggest).
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

pub(super) fn suggest_from(graph: &Graph) -> Suggestion {
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
