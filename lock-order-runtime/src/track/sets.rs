//! Where held sets come from: one global, push-only list of every set ever made, a free list of
//! the sets given back, and each thread's claim on one.
//!
//! Sets are never freed: a reader can walk the list at any time without a lock. A set given back
//! (its thread exited, its task is done) goes onto the free list, from which the next claim takes
//! it: claiming and giving back take constant time however many sets exist. Memory after a spike
//! of live threads or tasks therefore stays at the spike's number of sets, reused by later owners.
//! Sets are made [`CHUNK`] at a time, in one allocation.

use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex as StdMutex;

use crate::track::held_set::{HeldSet, BACKTRACES};
use crate::track::holder::Holder;
use crate::track::slot::{backtraces, deref_static};

/// How many sets are made at once, in one allocation (14 KB on 64-bit targets): one allocation
/// per set would cost an aligned allocation's overhead each, and scatter sets among the memory
/// of tasks, which the allocator could then not give back after a spike.
const CHUNK: usize = 32;

/// Head of the global list of every set ever made.
static ALL_SETS: AtomicPtr<HeldSet> = AtomicPtr::new(ptr::null_mut());

/// The sets given back, ready for the next claim: a stack linked through `next_free`, behind a
/// plain mutex. Pushing and popping are a few loads and stores under it, and it is taken only
/// to claim or give back sets (a thread's first lock or its exit; for tasks, a few sets at a
/// time, see `tasks`), never on an acquire or a release.
static FREE: Pool = Pool::new();

/// A free list and its counts. There is one, [`FREE`]; the unit tests make their own, so that
/// what they claim and give back is theirs alone while the other tests claim sets too.
struct Pool(StdMutex<FreeList>);

struct FreeList {
    head: Option<&'static HeldSet>,
    /// Sets claimed and not given back.
    in_use: usize,
    /// Sets ever made.
    made: usize,
}

impl FreeList {
    /// Puts a set given back on the list, unless it is there already.
    fn push(&mut self, set: &'static HeldSet) {
        if set.in_use.swap(false, Ordering::AcqRel) {
            self.link(set);
            self.in_use -= 1;
        }
    }

    /// Puts a set that is not in use on top of the list.
    fn link(&mut self, set: &'static HeldSet) {
        set.link_to(self.head);
        self.head = Some(set);
    }
}

impl Pool {
    const fn new() -> Self {
        Pool(StdMutex::new(FreeList { head: None, in_use: 0, made: 0 }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FreeList> {
        // Nothing panics while the list is locked; a poisoned one is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// See [`HeldSet::claim_some`].
    fn claim_some(&self, most: usize) -> (&'static HeldSet, usize) {
        let mut list = self.lock();
        let head = match list.head {
            Some(head) => head,
            None => {
                // Made outside the lock; put on the list under the same lock as the claim, so
                // that other claimers cannot have emptied the list again in between.
                drop(list);
                let chunk = HeldSet::make_chunk();
                list = self.lock();
                for set in chunk {
                    list.link(set);
                }
                list.made += CHUNK;
                list.head.expect("a chunk was just put on the free list")
            }
        };
        let mut last = head;
        let mut taken = 1;
        loop {
            last.in_use.store(true, Ordering::Release);
            match last.next_free() {
                Some(next) if taken < most => {
                    last = next;
                    taken += 1;
                }
                rest => {
                    list.head = rest;
                    break;
                }
            }
        }
        last.link_to(None);
        list.in_use += taken;
        (head, taken)
    }

    /// See [`HeldSet::retire`].
    fn retire(&self, set: &'static HeldSet) {
        set.clear();
        self.lock().push(set);
    }

    /// See [`retire_all`].
    fn retire_all(&self, first: &'static HeldSet) {
        let mut set = Some(first);
        while let Some(each) = set {
            each.clear();
            set = each.next_free();
        }
        let mut list = self.lock();
        let mut set = Some(first);
        while let Some(each) = set {
            set = each.next_free();
            list.push(each);
        }
    }
}

/// How many sets are claimed now, and how many were ever made (a multiple of [`CHUNK`]).
pub(crate) fn records() -> (usize, usize) {
    let list = FREE.lock();
    (list.in_use, list.made)
}

/// A set no thread or task owns, never written: where an unrecorded [`Held`](crate::check::Held)
/// points.
pub(crate) static UNRECORDED_SET: HeldSet = HeldSet::new();

impl HeldSet {
    /// The set after this one on the free list, or on the claimer's own list of sets it claimed
    /// together (see [`claim_some`](Self::claim_some)).
    pub(crate) fn next_free(&self) -> Option<&'static HeldSet> {
        deref_static(self.next_free.load(Ordering::Relaxed))
    }

    /// Makes `next` the set after this one on such a list (`None`: this one is the last).
    pub(crate) fn link_to(&self, next: Option<&'static HeldSet>) {
        self.next_free
            .store(next.map_or(ptr::null_mut(), |next| ptr::from_ref(next).cast_mut()), Ordering::Relaxed);
    }

    /// Takes a set from the free list, or makes [`CHUNK`] new ones: constant time.
    pub(crate) fn claim(holder: Holder) -> &'static HeldSet {
        let set = HeldSet::claim_some(1).0;
        set.reassign(holder);
        set
    }

    /// Takes up to `most` sets (at least one) from the free list under one lock, making
    /// [`CHUNK`] new ones if it is empty: the first and how many, linked through `next_free`
    /// (the last one's link is null). They are claimed, idle, and owned by nobody yet (see
    /// [`reassign`](Self::reassign)); `next_free` is the claimer's own until they go back.
    pub(crate) fn claim_some(most: usize) -> (&'static HeldSet, usize) {
        FREE.claim_some(most)
    }

    /// Makes [`CHUNK`] sets in one allocation and publishes them, for the caller to put on the
    /// free list.
    #[cold]
    #[inline(never)]
    fn make_chunk() -> &'static [HeldSet] {
        let chunk: &'static [HeldSet] = Vec::leak((0..CHUNK).map(|_| HeldSet::new()).collect());
        for (set, next) in chunk.iter().zip(&chunk[1..]) {
            set.next.store(ptr::from_ref(next).cast_mut(), Ordering::Relaxed);
        }
        for set in chunk {
            set.in_use.store(false, Ordering::Relaxed);
        }
        let (first, last) = (&chunk[0], &chunk[CHUNK - 1]);
        let mut head = ALL_SETS.load(Ordering::Acquire);
        loop {
            last.next.store(head, Ordering::Relaxed);
            // Release: readers that find the chunk see its links and flags.
            match ALL_SETS.compare_exchange_weak(
                head,
                ptr::from_ref(first).cast_mut(),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(now) => head = now,
            }
        }
        chunk
    }

    /// Gives the set back for reuse by a later thread or task: constant time. A set given back
    /// twice goes onto the free list once.
    pub(crate) fn retire(&'static self) {
        FREE.retire(self);
    }

    /// Empties the set before it goes back. Its owner stays until the next claimer's
    /// [`reassign`](Self::reassign): nothing shows the owner of a set not in use, nor of an idle
    /// one, and a worker thread taking back a set it had before then changes only the task.
    fn clear(&self) {
        for index in 0..self.len() {
            if let Some(slot) = self.slot(index) {
                slot.addr.store(0, Ordering::Release);
            }
        }
        self.state.store(0, Ordering::Release);
        self.waiting.addr.store(0, Ordering::Release);
    }

    /// Hands an idle set the caller has claimed to a new owner, without a round trip through the
    /// global list (async tasks come and go far more often than threads).
    pub(crate) fn reassign(&self, holder: Holder) {
        self.reassign_with(|owner| *owner = Some(holder));
    }

    /// [`reassign`](Self::reassign), with `owner` to change the previous owner (or nobody, for a
    /// set never claimed) into the new one.
    pub(crate) fn reassign_with(&self, owner: impl FnOnce(&mut Option<Holder>)) {
        self.state.store(if backtraces() { BACKTRACES } else { 0 }, Ordering::Release);
        self.overflowed.store(false, Ordering::Relaxed);
        owner(&mut self.owner.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// Gives back `first` and the sets linked to it through `next_free` (claimed by the caller, as
/// [`HeldSet::claim_some`] returns them), under one lock: constant time per set.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))] // used by the async locks
pub(crate) fn retire_all(first: &'static HeldSet) {
    FREE.retire_all(first);
}

/// Every set ever made, in use or not. Safe to walk from any thread at any time.
pub(crate) fn all_sets() -> impl Iterator<Item = &'static HeldSet> {
    let mut next = deref_static(ALL_SETS.load(Ordering::Acquire));
    std::iter::from_fn(move || {
        let set = next?;
        next = deref_static(set.next.load(Ordering::Acquire));
        Some(set)
    })
}

thread_local! {
    /// This thread's set; a const-initialized `Cell` with no destructor, so reading it is one load.
    static THREAD_SET: Cell<Option<&'static HeldSet>> = const { Cell::new(None) };
    /// Gives the thread's set back when the thread exits.
    static RETIRE_ON_EXIT: RetireOnExit = const { RetireOnExit };
}

struct RetireOnExit;

impl Drop for RetireOnExit {
    fn drop(&mut self) {
        // A set that still records something (a `Send` async guard alive elsewhere, a leaked
        // guard) stays claimed: its records stay true, and dumps keep showing them.
        if let Some(set) = THREAD_SET.with(Cell::take).filter(|set| set.is_idle()) {
            set.retire();
        }
    }
}

/// The calling thread's held set, made on first use.
#[inline(always)]
pub(crate) fn thread_set() -> &'static HeldSet {
    match THREAD_SET.try_with(Cell::get) {
        Ok(Some(set)) => set,
        _ => claim_thread_set(),
    }
}

/// Claims a set for this thread. It cannot unwind (`extern "C"`): an acquire that may unwind
/// between taking its lock and recording it would have to keep the new guard in memory, for the
/// unwinding to drop it, on the uncontended path too.
#[cold]
#[inline(never)]
extern "C" fn claim_thread_set() -> &'static HeldSet {
    // `thread::current` may panic while the thread is being torn down: the set is then anonymous.
    let thread = std::panic::catch_unwind(std::thread::current).ok();
    let set = HeldSet::claim(Holder {
        thread_name: thread.as_ref().and_then(|t| t.name()).map(std::sync::Arc::from),
        thread_id: thread.as_ref().map(std::thread::Thread::id),
        task_id: None,
    });
    // Registers the exit hook; during thread teardown it is gone, and the set stays claimed.
    let _ = RETIRE_ON_EXIT.try_with(|_| ());
    let _ = THREAD_SET.try_with(|cell| cell.set(Some(set)));
    set
}

/// The calling thread's held set if it has claimed one; never claims.
#[inline]
pub(crate) fn claimed_thread_set() -> Option<&'static HeldSet> {
    THREAD_SET.try_with(Cell::get).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(first: &'static HeldSet) -> Vec<&'static HeldSet> {
        let mut sets = vec![first];
        while let Some(next) = sets[sets.len() - 1].next_free() {
            sets.push(next);
        }
        sets
    }

    #[test]
    fn sets_are_claimed_and_given_back_several_at_once() {
        let pool = Pool::new();
        let (first, count) = pool.claim_some(5);
        let claimed = chain(first);
        assert_eq!(claimed.len(), count, "the count is the chain's length");
        assert!((1..=5).contains(&count));
        assert!(claimed.iter().all(|set| set.is_in_use() && set.is_idle()));
        let distinct: std::collections::HashSet<_> = claimed.iter().map(|set| ptr::from_ref(*set)).collect();
        assert_eq!(distinct.len(), count, "no set is claimed twice");

        pool.retire_all(first);
        assert!(claimed.iter().all(|set| !set.is_in_use()), "every set of the chain went back");
        assert_eq!(pool.lock().in_use, 0);
        // A set given back twice goes onto the free list once.
        pool.retire(claimed[0]);
        let (again, taken) = pool.claim_some(CHUNK * 4);
        assert_eq!(taken, CHUNK, "the one chunk made, each set once");
        let again = chain(again);
        for set in &claimed {
            assert_eq!(again.iter().filter(|other| ptr::eq(**other, *set)).count(), 1);
        }
        pool.retire_all(again[0]);
        let list = pool.lock();
        assert_eq!((list.in_use, list.made), (0, CHUNK));
    }

    #[test]
    fn a_claim_that_makes_sets_gets_them_however_many_others_claim_meanwhile() {
        // Each claim takes a whole chunk, so most find the list empty and make one, while the
        // others take what is there.
        const THREADS: usize = 4;
        const CLAIMS: usize = 200;
        let pool = Pool::new();
        let start = std::sync::Barrier::new(THREADS);
        let claimed: Vec<Vec<&'static HeldSet>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        (0..CLAIMS).map(|_| pool.claim_some(CHUNK).0).collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().expect("every claim gets sets")).collect()
        });
        let all: Vec<&'static HeldSet> = claimed.iter().flatten().flat_map(|&first| chain(first)).collect();
        let distinct: std::collections::HashSet<_> = all.iter().map(|set| ptr::from_ref(*set)).collect();
        assert_eq!(distinct.len(), all.len(), "no set is claimed twice");
        for first in claimed.into_iter().flatten() {
            pool.retire_all(first);
        }
        let list = pool.lock();
        assert_eq!(list.in_use, 0, "every set went back");
        assert_eq!(list.made, THREADS * CLAIMS * CHUNK, "a chunk made for each claim");
    }
}
