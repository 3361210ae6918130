//! Every thread's and task's record as seen from outside, in checked builds: what dumps, holder
//! lists and the watchdog read. That is every set in use, and every wait of an async acquire,
//! which the acquire shows itself (see `track::waiters`).

use std::collections::HashMap;
use std::time::Duration;

use crate::diagnostics::dump::{BlockedOn, Dump, HolderState, LockHolder};
use crate::track::held_set::{HeldSet, Wait};
use crate::track::sets::all_sets;
use crate::track::slot::to_acquisition;
use crate::track::{Access, Acquisition, Holder};

/// One thread's or task's record as seen from outside: its owner, its locks, its wait.
pub(crate) struct SetView {
    /// The set read, or `None` for a wait shown by its acquire.
    pub(crate) set: Option<&'static HeldSet>,
    pub(crate) holder: Holder,
    pub(crate) held: Vec<Acquisition>,
    pub(crate) wait: Option<Wait>,
}

/// Every in-use set that holds or waits for something.
///
/// A ranked std lock is recorded just before its try (see `check::lock_with`), so for the
/// few nanoseconds of a try that fails (longer if its thread is preempted right then) the lock
/// shows as held by that thread as well as by its real holder. Two sets holding one lock where
/// either holds it exclusively is the sign: those sets are read again, after pauses that let
/// such an acquire go on, until they agree. A conflict that outlasts the pauses is shown as is.
pub(crate) fn busy_sets() -> Vec<SetView> {
    let mut views: Vec<SetView> = all_sets().filter_map(view_of).collect();
    for pause in SETTLE_PAUSES {
        let conflicted = conflicting(&views);
        if conflicted.is_empty() {
            break;
        }
        std::thread::sleep(pause);
        for i in conflicted.into_iter().rev() {
            match views[i].set.and_then(view_of) {
                Some(view) => views[i] = view,
                None => drop(views.remove(i)),
            }
        }
    }
    #[cfg(feature = "tokio")]
    add_waits(&mut views, crate::track::waiters::waits());
    views
}

/// Adds the waits shown by async acquires to `views`: each to the view of its thread or task
/// when that view shows no wait yet (one that holds locks, or waits in a blocking acquire), so
/// that what it holds and what it waits for are seen together, as a cycle through it needs;
/// else as a view of its own, holding nothing (a task queued for a lock while holding none, or
/// a second wait of one task, in another branch of a `join!`).
#[cfg(feature = "tokio")]
fn add_waits(views: &mut Vec<SetView>, waits: Vec<(Holder, Wait)>) {
    let mut without_wait: HashMap<_, usize> = views
        .iter()
        .enumerate()
        .filter(|(_, view)| view.wait.is_none())
        .map(|(i, view)| (who(&view.holder), i))
        .collect();
    for (holder, wait) in waits {
        match without_wait.remove(&who(&holder)) {
            Some(i) => views[i].wait = Some(wait),
            None => views.push(SetView { set: None, holder, held: Vec::new(), wait: Some(wait) }),
        }
    }
}

/// Which thread or task `holder` is: a task by its id alone (its holder names the thread it was
/// on at some point), a thread by its id.
#[cfg(feature = "tokio")]
fn who(holder: &Holder) -> (Option<u64>, Option<std::thread::ThreadId>) {
    match holder.task_id {
        Some(task) => (Some(task), None),
        None => (None, holder.thread_id),
    }
}

/// How long [`busy_sets`] waits, each time, for conflicting records to settle.
const SETTLE_PAUSES: [Duration; 3] =
    [Duration::from_micros(50), Duration::from_millis(1), Duration::from_millis(10)];

/// A set as seen now, if it is in use and holds or waits for something.
fn view_of(set: &'static HeldSet) -> Option<SetView> {
    if !set.is_in_use() {
        return None;
    }
    let held: Vec<_> = set
        .snapshot_with_backtraces()
        .into_iter()
        .map(|(slot, backtrace)| to_acquisition(&slot, backtrace))
        .collect();
    let wait = set.waiting_for();
    if held.is_empty() && wait.is_none() {
        return None;
    }
    Some(SetView { set: Some(set), holder: set.owner()?, held, wait })
}

/// The indices, in increasing order, of the views holding a lock that another view holds
/// too, where either holds it exclusively: something no lock allows for longer than a
/// recorded-ahead try.
pub(crate) fn conflicting(views: &[SetView]) -> Vec<usize> {
    let mut records: Vec<(usize, bool, usize)> = views
        .iter()
        .enumerate()
        .flat_map(|(i, view)| view.held.iter().map(move |a| (a.address, a.access == Access::Exclusive, i)))
        .collect();
    records.sort_unstable();
    let mut conflicted = Vec::new();
    for same in records.chunk_by(|a, b| a.0 == b.0) {
        let exclusive = same.iter().any(|&(_, exclusive, _)| exclusive);
        if exclusive && same.iter().any(|&(_, _, i)| i != same[0].2) {
            conflicted.extend(same.iter().map(|&(_, _, i)| i));
        }
    }
    conflicted.sort_unstable();
    conflicted.dedup();
    conflicted
}

/// Which views hold each lock: for each address, the indices of the views holding it, each once.
pub(crate) fn holding(sets: &[SetView]) -> HashMap<usize, Vec<usize>> {
    let mut holding: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, view) in sets.iter().enumerate() {
        for acquisition in &view.held {
            let views = holding.entry(acquisition.address).or_default();
            if views.last() != Some(&i) {
                views.push(i);
            }
        }
    }
    holding
}

/// Every record of the lock at `address` in `sets`, whose [`holding`] is `holding`.
pub(crate) fn holders_in(
    sets: &[SetView],
    holding: &HashMap<usize, Vec<usize>>,
    address: usize,
) -> Vec<LockHolder> {
    let Some(views) = holding.get(&address) else { return Vec::new() };
    views
        .iter()
        .flat_map(|&i| {
            let view = &sets[i];
            view.held.iter().filter(|a| a.address == address).map(|acquisition| LockHolder {
                holder: view.holder.clone(),
                acquisition: acquisition.clone(),
            })
        })
        .collect()
}

pub(crate) fn holders_of(address: usize) -> Vec<LockHolder> {
    let sets = busy_sets();
    holders_in(&sets, &holding(&sets), address)
}

pub(crate) fn blocked_on(sets: &[SetView], holding: &HashMap<usize, Vec<usize>>, wait: &Wait) -> BlockedOn {
    BlockedOn {
        lock: to_acquisition(&wait.lock, wait.backtrace.clone()),
        blocked_for: wait.blocked_for,
        holders: holders_in(sets, holding, wait.lock.addr),
    }
}

pub(crate) fn dump() -> Dump {
    let sets = busy_sets();
    let holding = holding(&sets);
    let holders = sets
        .iter()
        .map(|view| HolderState {
            holder: view.holder.clone(),
            held: view.held.clone(),
            blocked_on: view.wait.as_ref().map(|wait| blocked_on(&sets, &holding, wait)),
        })
        .collect();
    Dump { holders }
}

#[cfg(test)]
mod tests {
    use super::{busy_sets, conflicting, SetView};
    use crate::track::sets::{thread_set, UNRECORDED_SET};
    use crate::track::slot::SlotView;
    use crate::track::{Access, Acquisition, Holder, LockKind};
    use std::panic::Location;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Barrier;
    use std::thread;
    use std::time::{Duration, Instant};

    fn view(held: &[(usize, Access)]) -> SetView {
        SetView {
            set: Some(&UNRECORDED_SET),
            holder: Holder::current(),
            held: held
                .iter()
                .map(|&(address, access)| Acquisition {
                    class: None,
                    address,
                    site: Location::caller(),
                    kind: LockKind::RwLock,
                    access,
                    created: None,
                    type_name: None,
                    backtrace: None,
                })
                .collect(),
            wait: None,
        }
    }

    #[test]
    fn only_a_lock_held_exclusively_by_one_set_and_at_all_by_another_conflicts() {
        use Access::{Exclusive as X, Shared as S};
        let views = [
            view(&[(0x10, X), (0x20, S)]),
            view(&[(0x20, S), (0x30, S)]),
            view(&[(0x40, X), (0x40, X)]), // one set, twice: a reentrant lock, no conflict
            view(&[(0x30, S), (0x50, X)]),
            view(&[(0x50, S)]),
            view(&[(0x60, X)]),
            view(&[(0x60, X), (0x10, S)]),
        ];
        assert_eq!(conflicting(&views), vec![0, 3, 4, 5, 6]);
        assert_eq!(conflicting(&views[1..3]), Vec::<usize>::new());
    }

    /// Two threads each record the lock at `address` as held exclusively (as a real holder and an
    /// acquire recorded ahead of its try would); the second forgets its record once `busy_sets`
    /// has begun, or never. Returns the names of the threads `busy_sets` shows holding it.
    fn holders_seen(address: usize, second_goes_on: bool) -> Vec<String> {
        let record = SlotView {
            addr: address,
            class: None,
            site: Location::caller(),
            kind: LockKind::Mutex,
            access: Access::Exclusive,
            created: None,
            type_name: None,
        };
        let recorded = Barrier::new(3);
        let (started, read) = (AtomicBool::new(false), AtomicBool::new(false));
        // Waits for `flag`, or ten seconds: nothing here can hang the test.
        let wait_for = |flag: &AtomicBool| {
            let deadline = Instant::now() + Duration::from_secs(10);
            while !flag.load(Ordering::Acquire) && Instant::now() < deadline {
                thread::yield_now();
            }
        };
        thread::scope(|scope| {
            let spawn = |name: &str, goes_on: bool| {
                let (recorded, started, read, wait_for) = (&recorded, &started, &read, &wait_for);
                thread::Builder::new()
                    .name(name.to_owned())
                    .spawn_scoped(scope, move || {
                        let set = thread_set();
                        let restore = set.push(&record);
                        recorded.wait();
                        if goes_on {
                            wait_for(started);
                            set.release(restore);
                        }
                        wait_for(read);
                        if !goes_on {
                            set.release(restore);
                        }
                    })
                    .unwrap()
            };
            spawn("settle-holder", false);
            spawn("settle-trying", second_goes_on);
            recorded.wait();
            started.store(true, Ordering::Release);
            let names = busy_sets()
                .into_iter()
                .filter(|v| v.held.iter().any(|a| a.address == address))
                .filter_map(|v| v.holder.thread_name().map(str::to_owned))
                .collect();
            read.store(true, Ordering::Release);
            names
        })
    }

    #[test]
    fn a_conflict_that_settles_shows_only_the_holder() {
        static LOCK: u8 = 0;
        let names = holders_seen(std::ptr::from_ref(&LOCK) as usize, true);
        assert_eq!(names, ["settle-holder"]);
    }

    #[test]
    fn a_conflict_that_lasts_is_shown_as_it_is() {
        static LOCK: u8 = 0;
        let mut names = holders_seen(std::ptr::from_ref(&LOCK) as usize, false);
        names.sort();
        assert_eq!(names, ["settle-holder", "settle-trying"]);
    }
}
