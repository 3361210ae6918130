//! What the watchdog thread does on each poll, in checked builds: find the waits that are too
//! long and the cycles of waits, each reported once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::diagnostics::busy::{blocked_on, busy_sets, holding, SetView};
use crate::diagnostics::finding::{CycleStep, Deadlock, Finding, LongWait};

/// What was reported already, so each wait and each cycle is reported once.
pub(crate) struct Watch {
    long_waits: HashSet<(usize, u64)>,
    deadlocks: HashSet<Vec<(usize, u64)>>,
}

/// A wait's identity (see `Wait::id`).
fn key(view: &SetView) -> Option<(usize, u64)> {
    Some(view.wait.as_ref()?.id)
}

impl Watch {
    pub(crate) fn new() -> Self {
        Watch { long_waits: HashSet::new(), deadlocks: HashSet::new() }
    }

    pub(crate) fn poll(&mut self, threshold: Duration) -> Vec<Finding> {
        let sets = busy_sets();
        let holding = holding(&sets);
        let live: HashSet<(usize, u64)> = sets.iter().filter_map(key).collect();
        self.long_waits.retain(|k| live.contains(k));
        self.deadlocks.retain(|cycle| cycle.iter().all(|k| live.contains(k)));

        let mut findings = Vec::new();
        for cycle in cycles(&sets, &holding) {
            let mut keys: Vec<_> = cycle.iter().filter_map(|&i| key(&sets[i])).collect();
            keys.sort_unstable();
            if self.deadlocks.insert(keys) {
                findings.push(Finding::Deadlock(deadlock(&sets, &cycle)));
            }
        }
        for view in &sets {
            let (Some(wait), Some(k)) = (&view.wait, key(view)) else { continue };
            if wait.blocked_for >= threshold && self.long_waits.insert(k) {
                findings.push(Finding::LongWait(LongWait {
                    waiter: view.holder.clone(),
                    blocked_on: blocked_on(&sets, &holding, wait),
                }));
            }
        }
        findings
    }
}

/// The views that `sets[i]` waits for: the holders of the lock it is blocked on, found in
/// `holding` (see [`holding`]).
fn waits_for(sets: &[SetView], holding: &HashMap<usize, Vec<usize>>, i: usize) -> Vec<usize> {
    let Some(wait) = &sets[i].wait else { return Vec::new() };
    let holders = holding.get(&wait.lock.addr).map_or(&[][..], Vec::as_slice);
    holders.iter().copied().filter(|&j| j != i).collect()
}

/// Every elementary cycle of the wait-for graph, each once, starting at its lowest index.
fn cycles(sets: &[SetView], holding: &HashMap<usize, Vec<usize>>) -> Vec<Vec<usize>> {
    let edges: Vec<Vec<usize>> = (0..sets.len()).map(|i| waits_for(sets, holding, i)).collect();
    let mut found = Vec::new();
    for start in 0..sets.len() {
        let mut path = vec![start];
        walk(&edges, start, &mut path, &mut found);
    }
    found
}

fn walk(edges: &[Vec<usize>], start: usize, path: &mut Vec<usize>, found: &mut Vec<Vec<usize>>) {
    let last = *path.last().expect("the path starts non-empty");
    for &next in &edges[last] {
        if next == start {
            found.push(path.clone());
        } else if next > start && !path.contains(&next) {
            path.push(next);
            walk(edges, start, path, found);
            path.pop();
        }
    }
}

fn deadlock(sets: &[SetView], cycle: &[usize]) -> Deadlock {
    let steps = cycle
        .iter()
        .enumerate()
        .filter_map(|(n, &i)| {
            let previous = &sets[cycle[(n + cycle.len() - 1) % cycle.len()]];
            let wanted = previous.wait.as_ref()?.lock.addr;
            let view = &sets[i];
            let wait = view.wait.as_ref()?;
            Some(CycleStep {
                holder: view.holder.clone(),
                holds: view.held.iter().find(|held| held.address == wanted)?.clone(),
                waits_for: crate::track::slot::to_acquisition(&wait.lock, wait.backtrace.clone()),
            })
        })
        .collect();
    Deadlock { cycle: steps }
}
