//! The held sets of tokio tasks: found by task id, cached per thread, recycled when idle.
//!
//! A task's set must follow the task from worker to worker, so it is kept in a map from task id
//! to set, split into shards behind plain mutexes. That map is not on the hot path: each thread
//! caches the set of the task it last ran, in a const thread-local, so the lock after the first
//! in a poll costs one compare. The map is touched only when a thread starts running locks of
//! another task than before (its first acquire, or release of its own guard, in a poll that
//! follows another task's locks): the thread lets go of the old task's set and takes a reference
//! to the new task's.
//!
//! Recycling. Tokio tells nobody when a task ends, so a set is recycled when nothing can be
//! using it: it is idle (no lock recorded, no acquire waiting) and no thread caches it. A task
//! that waits for a lock while it holds none shows that wait in its acquire, not in its set
//! (see `waiters`), so the set of a task queued for a lock is idle and goes back too. Both are
//! checked under the shard's mutex, and a thread can only start using a set through that mutex,
//! so a set is never taken from a task that is about to record into it; a task whose idle set
//! was recycled while it slept simply gets another on its next lock. A set that stays recorded
//! (a task holding a lock across an `.await`) stays in the map however long the task sleeps.
//! Recycled sets are kept as a few spares per thread, taken from and given back to the global
//! list [`SPARES`] at a time, so that a thread running a stream of short tasks rarely takes the
//! global list's lock.

use std::cell::{Cell, OnceCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdMutexGuard, PoisonError};
use std::thread::ThreadId;

use crate::track::held_set::HeldSet;
use crate::track::holder::Holder;
use crate::track::sets;

/// Number of shards of the map, a power of two.
const SHARDS: usize = 32;

/// How many spare sets a thread takes from the global list at once; it keeps at most twice as
/// many (128 sets, 56 KB), and gives back all but one when it has more. A spike of live tasks
/// then takes the global list's lock, which the workers contend for, once per 64 new tasks on a
/// thread, and once per 128 as they end.
const SPARES: usize = 64;

/// A task's set and how many threads cache it.
struct Entry {
    set: &'static HeldSet,
    cached_by: u32,
}

#[derive(Default)]
struct Shard {
    sets: HashMap<u64, Entry, BuildHasherDefault<TaskIdHasher>>,
    /// The size after the last sweep for idle sets of finished tasks.
    swept_at: usize,
}

static MAP: [StdMutex<Option<Shard>>; SHARDS] = [const { StdMutex::new(None) }; SHARDS];

thread_local! {
    /// The task whose set this thread uses, and the set (counted in its entry's `cached_by`).
    static CACHE: Cell<Option<(u64, &'static HeldSet)>> = const { Cell::new(None) };
    /// Idle sets ready for the next tasks that need one on this thread: a stack linked through
    /// the sets' `next_free`, and its length.
    static SPARE: Cell<(Option<&'static HeldSet>, usize)> = const { Cell::new((None, 0)) };
    /// This thread as a set's owner names it, made once: a task's set names the thread it was
    /// assigned on.
    static THREAD: OnceCell<(Option<Arc<str>>, ThreadId)> = const { OnceCell::new() };
    /// Lets go of the cached set and the spare when the thread exits.
    static CLEAR_ON_EXIT: ClearOnExit = const { ClearOnExit };
}

/// Task ids are unique numbers already, handed out in order, and tasks tend to run in the order
/// they were spawned: the low bits of a hash (which pick the bucket) keep that order, so that
/// with many tasks alive the next task's entry is usually next to the last one's in memory; the
/// top seven bits (hashbrown's tag of an entry) are spread, to tell entries apart quickly.
#[derive(Default)]
struct TaskIdHasher(u64);

impl Hasher for TaskIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8 | u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, id: u64) {
        // The shard was picked by the low bits (see `shard`): the rest picks the bucket.
        const TAG: u64 = !(u64::MAX >> 7);
        self.0 = id >> SHARDS.trailing_zeros() | id.wrapping_mul(0x9E37_79B9_7F4A_7C15) & TAG;
    }
}

fn shard(task: u64) -> StdMutexGuard<'static, Option<Shard>> {
    // Consecutive tasks go to different shards: two workers running tasks spawned together
    // rarely wait for one shard.
    let index = task as usize % SHARDS;
    // Nothing panics while a shard is locked; a poisoned one is still consistent.
    MAP[index].lock().unwrap_or_else(PoisonError::into_inner)
}

/// The held set of task `task`, which is running on this thread.
#[inline]
pub(crate) fn task_set(task: u64) -> &'static HeldSet {
    match CACHE.try_with(Cell::get) {
        Ok(Some((cached, set))) if cached == task => set,
        _ => switch_to(task),
    }
}

/// Whether `set` is the set of `task`, which is running on this thread. If it is, it is this
/// thread's cached set afterwards: a task releasing its own guard after resuming on another
/// thread takes its set along, so that the set is let go of (and recycled) when the thread
/// moves on, even if the task never locks again.
#[inline]
pub(crate) fn is_task_set(task: u64, set: &HeldSet) -> bool {
    match CACHE.try_with(Cell::get) {
        Ok(Some((cached, current))) if cached == task => std::ptr::eq(current, set),
        _ => adopt(task, set),
    }
}

#[cold]
#[inline(never)]
fn adopt(task: u64, set: &HeldSet) -> bool {
    let assigned = shard(task)
        .as_ref()
        .and_then(|shard| shard.sets.get(&task))
        .is_some_and(|entry| std::ptr::eq(entry.set, set));
    // The entry cannot go in between: the set records the lock being released, so it is not
    // idle, and only idle sets are recycled.
    assigned && std::ptr::eq(switch_to(task), set)
}

/// This thread now runs locks of `task`: let go of the previous task's set, take `task`'s.
#[cold]
#[inline(never)]
fn switch_to(task: u64) -> &'static HeldSet {
    let Ok(previous) = CACHE.try_with(Cell::take) else {
        // The thread is being torn down and has no cache any more: its own set stands in.
        return sets::thread_set();
    };
    let _ = CLEAR_ON_EXIT.try_with(|_| ());
    if let Some((old_task, old_set)) = previous {
        let_go(old_task, old_set);
    }
    let set = take_ref(task);
    CACHE.set(Some((task, set)));
    set
}

/// Takes a reference to `task`'s set, making one if it has none.
fn take_ref(task: u64) -> &'static HeldSet {
    let mut guard = shard(task);
    let shard = guard.get_or_insert_with(Shard::default);
    if let Some(entry) = shard.sets.get_mut(&task) {
        entry.cached_by += 1;
        return entry.set;
    }
    let set = fresh_set(task);
    shard.sets.insert(task, Entry { set, cached_by: 1 });
    if shard.sets.len() >= 2 * shard.swept_at.max(32) {
        // Idle sets nobody caches (a task that ended after a guard it took was dropped
        // elsewhere) are not let go of by anyone: sweep them, amortized over insertions.
        shard.sets.retain(|_, entry| {
            let unused = entry.cached_by == 0 && entry.set.is_idle();
            if unused {
                entry.set.retire();
            }
            !unused
        });
        shard.swept_at = shard.sets.len();
    }
    set
}

/// Drops this thread's reference to `task`'s set; recycles the set if it was the last one and
/// the set records nothing.
fn let_go(task: u64, set: &'static HeldSet) {
    let mut guard = shard(task);
    let Some(shard) = guard.as_mut() else { return };
    let Some(entry) = shard.sets.get_mut(&task) else { return };
    entry.cached_by -= 1;
    if entry.cached_by == 0 && set.is_idle() {
        shard.sets.remove(&task);
        if shard.sets.capacity() > 4 * shard.sets.len() + 64 {
            // After a spike of live tasks, the map's memory goes back down too. Amortized: at
            // least half the capacity was removed since the map last grew or shrank.
            shard.sets.shrink_to(2 * shard.sets.len());
            shard.swept_at = shard.swept_at.min(shard.sets.len());
        }
        drop(guard);
        if SPARE.try_with(|_| ()).is_ok() {
            keep_spare(set);
        } else {
            set.retire();
        }
    }
}

/// Keeps an idle set this thread claimed as a spare; gives the spares it had back when it has
/// [`SPARES`] twice over.
fn keep_spare(set: &'static HeldSet) {
    let (mut head, mut count) = SPARE.get();
    if count >= 2 * SPARES {
        if let Some(spares) = head.take() {
            sets::retire_all(spares);
        }
        count = 0;
    }
    set.link_to(head);
    SPARE.set((Some(set), count + 1));
}

/// A set for a task that has none: one of this thread's spares, taken from the global list
/// [`SPARES`] at a time.
fn fresh_set(task: u64) -> &'static HeldSet {
    let set = match SPARE.try_with(Cell::get) {
        Ok((head, count)) => {
            let (set, count) = head.map_or_else(|| HeldSet::claim_some(SPARES), |set| (set, count));
            SPARE.set((set.next_free(), count - 1));
            set
        }
        Err(_) => HeldSet::claim_some(1).0,
    };
    set.link_to(None);
    let this_thread = THREAD.try_with(|thread| thread.get().map(|(_, id)| *id)).ok().flatten();
    set.reassign_with(|owner| match owner {
        // A set this thread had before: only the task changes, with no reference counted.
        Some(holder) if this_thread.is_some() && holder.thread_id == this_thread => {
            holder.task_id = Some(task);
        }
        other => *other = Some(task_holder(task)),
    });
    set
}

/// `task` as the owner of a set assigned on this thread.
fn task_holder(task: u64) -> Holder {
    let this_thread = || {
        let thread = std::thread::current();
        (thread.name().map(Arc::from), thread.id())
    };
    let (thread_name, thread_id) =
        THREAD.try_with(|thread| thread.get_or_init(this_thread).clone()).unwrap_or_else(|_| this_thread());
    Holder { thread_name, thread_id: Some(thread_id), task_id: Some(task) }
}

struct ClearOnExit;

impl Drop for ClearOnExit {
    fn drop(&mut self) {
        if let Ok(Some((task, set))) = CACHE.try_with(Cell::take) {
            let_go(task, set);
        }
        if let Ok((Some(head), _)) = SPARE.try_with(Cell::take) {
            sets::retire_all(head);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(task: u64) -> Option<(u32, &'static HeldSet)> {
        shard(task).as_ref()?.sets.get(&task).map(|e| (e.cached_by, e.set))
    }

    #[test]
    fn a_set_is_shared_by_the_threads_caching_it_and_recycled_by_the_last() {
        let task = u64::MAX - 1;
        let set = task_set(task);
        assert!(std::ptr::eq(set, task_set(task)), "the cached set is returned again");
        assert_eq!(entry(task).map(|e| e.0), Some(1));
        let other = std::thread::spawn(move || {
            let there = task_set(task);
            assert_eq!(entry(task).map(|e| e.0), Some(2));
            there as *const HeldSet as usize
        })
        .join()
        .unwrap();
        assert_eq!(other, set as *const HeldSet as usize, "the task's set follows it to another thread");
        // The other thread exited and let go of its reference.
        assert_eq!(entry(task).map(|e| e.0), Some(1));
        // Running another task here lets go of the idle set: it is recycled as the spare and
        // handed to the next task.
        let next = task_set(task - 1);
        assert!(entry(task).is_none());
        assert!(std::ptr::eq(next, set), "the idle set is reused for the next task");
        let _ = task_set(u64::MAX - 2);
    }

    /// Runs a task that takes a lock of its own, on this thread (a current-thread runtime): the
    /// thread moves on from the task it ran before.
    async fn another_task_takes_a_lock() {
        ::tokio::spawn(async {
            let other: crate::tokio::Mutex<u32> = crate::tokio::Mutex::new(0);
            drop(other.lock().await);
        })
        .await
        .unwrap();
    }

    fn id_of(task: ::tokio::task::Id) -> u64 {
        task.to_string().parse().unwrap()
    }

    #[test]
    fn a_task_releasing_after_resuming_elsewhere_takes_its_set_along_for_recycling() {
        let rt = ::tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let lock: std::sync::Arc<crate::tokio::Mutex<u32>> = Default::default();
            let held = std::sync::Arc::clone(&lock);
            let holder = ::tokio::spawn(async move {
                let guard = held.lock().await;
                ::tokio::task::yield_now().await;
                ::tokio::task::yield_now().await;
                drop(guard); // after another task took locks on this thread
            });
            let holder_id = id_of(holder.id());
            another_task_takes_a_lock().await;
            holder.await.unwrap();
            assert_eq!(entry(holder_id).map(|e| e.0), Some(1), "the holder's release cached its set");
            another_task_takes_a_lock().await;
            assert!(entry(holder_id).is_none(), "recycled once the thread moved on");
        });
    }

    /// The waits shown by async acquires, of the lock at `addr`: their tasks.
    fn waiting_in_acquires(addr: usize) -> Vec<Option<u64>> {
        crate::track::waiters::waits()
            .into_iter()
            .filter(|(_, wait)| wait.lock.addr == addr)
            .map(|(holder, _)| holder.task_id)
            .collect()
    }

    #[test]
    fn a_task_waiting_while_holding_nothing_gives_its_set_back_and_shows_the_wait_in_its_acquire() {
        let rt = ::tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let lock: Arc<crate::tokio::Mutex<u32>> = Default::default();
            let addr = std::ptr::from_ref(&*lock) as usize;
            // Held by the root future, which counts for the thread.
            let guard = lock.lock().await;
            let contended = Arc::clone(&lock);
            let waiter = ::tokio::spawn(async move {
                let id = id_of(::tokio::task::id());
                let held = contended.lock().await;
                let now = CACHE.get().expect("the woken task's set is cached");
                assert_eq!(now.0, id);
                assert_eq!(entry(id).map(|e| e.0), Some(1), "counted once, by this thread");
                assert_eq!(now.1.len(), 1, "the lock is recorded in it");
                assert!(waiting_in_acquires(addr).is_empty(), "the wait ended");
                drop(held);
            });
            let waiter_id = id_of(waiter.id());
            ::tokio::task::yield_now().await; // the waiter runs and waits
            another_task_takes_a_lock().await;
            assert!(entry(waiter_id).is_none(), "the waiting task's idle set went back");
            assert_eq!(waiting_in_acquires(addr), [Some(waiter_id)], "its acquire shows the wait");
            drop(guard);
            waiter.await.unwrap();
            another_task_takes_a_lock().await;
            assert!(entry(waiter_id).is_none(), "recycled once the thread moved on");
        });
    }

    #[test]
    fn a_task_waiting_while_holding_a_lock_keeps_its_set_and_the_dump_joins_its_wait_to_it() {
        let rt = ::tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let lock: Arc<crate::tokio::Mutex<u32>> = Default::default();
            let addr = std::ptr::from_ref(&*lock) as usize;
            let guard = lock.lock().await;
            let contended = Arc::clone(&lock);
            let first: Arc<crate::tokio::Mutex<u32>> = Default::default();
            let first_addr = std::ptr::from_ref(&*first) as usize;
            let waiter = ::tokio::spawn(async move {
                let _first = first.lock().await;
                drop(contended.lock().await);
            });
            let waiter_id = id_of(waiter.id());
            ::tokio::task::yield_now().await;
            another_task_takes_a_lock().await;
            let (cached_by, set) = entry(waiter_id).expect("a task holding a lock keeps its set");
            assert_eq!(cached_by, 0, "the thread let go of it when it ran another task");
            assert_eq!(set.len(), 1, "it records the lock held");
            assert!(set.waiting_for().is_none(), "the wait is not in the set");
            assert_eq!(waiting_in_acquires(addr), [Some(waiter_id)], "its acquire shows it");
            let dump = crate::dump();
            let shown: Vec<_> = dump.holders.iter().filter(|h| h.holder.task_id == Some(waiter_id)).collect();
            assert_eq!(shown.len(), 1, "the task is shown once:\n{dump}");
            let held: Vec<_> = shown[0].held.iter().map(|a| a.address).collect();
            assert_eq!(held, [first_addr]);
            assert_eq!(shown[0].blocked_on.as_ref().map(|b| b.lock.address), Some(addr));
            drop(guard);
            waiter.await.unwrap();
            assert!(waiting_in_acquires(addr).is_empty(), "the wait ended");
        });
    }

    #[test]
    fn sets_of_finished_tasks_are_recycled_and_a_sleeping_holder_keeps_its_own() {
        let rt = ::tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let lock: std::sync::Arc<crate::tokio::Mutex<u32>> = Default::default();
            let held = std::sync::Arc::clone(&lock);
            let (go, until_go) = ::tokio::sync::oneshot::channel::<()>();
            let holder = ::tokio::spawn(async move {
                let _guard = held.lock().await;
                let _ = until_go.await;
            });
            ::tokio::task::yield_now().await;
            let mut ids = Vec::new();
            for _ in 0..500 {
                let other: crate::tokio::Mutex<u32> = crate::tokio::Mutex::new(0);
                let task = ::tokio::spawn(async move {
                    *other.lock().await += 1;
                });
                ids.push(id_of(task.id()));
                task.await.unwrap();
            }
            // Every finished task's idle set went back, but the one this thread still caches.
            let left = ids.iter().filter(|&&id| entry(id).is_some()).count();
            assert!(left <= 1, "{left} sets of finished tasks are still assigned");
            // The task sleeping with a lock kept its set, uncached while it sleeps.
            let (cached_by, set) = entry(id_of(holder.id())).expect("the holder's set is kept");
            assert_eq!(cached_by, 0);
            assert!(!set.is_idle());
            go.send(()).unwrap();
            holder.await.unwrap();
        });
    }
}
