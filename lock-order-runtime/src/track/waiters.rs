//! The waits of async acquires, kept in the acquires themselves.
//!
//! A task that waits for a lock while holding none needs no record of its own: nothing it holds
//! can close a cycle, and its wait is all that a dump or the watchdog has to show. Showing that
//! wait in the task's set would keep one set, and one entry of the task map, per waiting task:
//! where thousands of tasks queue for one lock, those records are most of what checking costs in
//! memory and cache misses. So every async wait lives in the acquire's future, as a [`Waiter`],
//! pinned with the future the way tokio keeps its own waiter nodes, and linked while it waits into
//! one of a few lists that dumps and the watchdog walk. The set of a task that holds nothing is
//! then idle while it waits, and goes back as soon as its thread moves on to another task (see
//! `tasks`). A task that holds locks keeps its set for them; readers join its wait to it (see
//! `diagnostics::busy`).
//!
//! A waiter names who waits in one word: a task by its id (its set may go back meanwhile), a
//! thread by its set (a thread keeps its set while it lives, and the set names it; a thread's
//! acquire is dropped before the thread ends, unless its future is leaked).
//!
//! Each list is a doubly linked list behind a plain mutex, taken to link and to unlink (once each
//! per wait, never on an uncontended acquire) and by readers. Nothing under it does more than
//! update pointers and copy a waiter's fields, so nothing that holds it can block or panic. A
//! thread links into the list it was given first, round robin, so that two workers rarely take the
//! same one; a waiter unlinks from the list it is in, wherever it completes or is dropped.

use std::backtrace::Backtrace;
use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomPinned;
use std::mem::MaybeUninit;
use std::panic::Location;
use std::pin::Pin;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdMutexGuard, PoisonError};
use std::time::Duration;

use crate::class::{ClassInfo, Creation};
use crate::track::acquisition::{Access, LockKind, Request};
use crate::track::held_set::{HeldSet, Wait};
use crate::track::holder::Holder;
use crate::track::slot::{backtraces, epoch};

/// How many lists there are: a few per worker of a small runtime.
const LISTS: usize = 8;

/// What a waiter's `list` is while it is in none.
const UNLINKED: u8 = u8::MAX;
const _: () = assert!(LISTS < UNLINKED as usize);

/// The first waiter of one list.
struct Head(*const Waiter);

// SAFETY: the pointer is only followed under the list's mutex, and every waiter it leads to is
// pinned and unlinks itself under that mutex before it goes (see `Waiter`'s `Drop`).
unsafe impl Send for Head {}

static WAITING: [StdMutex<Head>; LISTS] = [const { StdMutex::new(Head(ptr::null())) }; LISTS];

/// Hands out lists to threads, round robin.
static NEXT_LIST: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The list this thread links into, [`UNLINKED`] until its first wait.
    static LIST: Cell<u8> = const { Cell::new(UNLINKED) };
}

fn list(index: u8) -> StdMutexGuard<'static, Head> {
    // Nothing panics while a list is locked; a poisoned one is still consistent.
    WAITING[usize::from(index)].lock().unwrap_or_else(PoisonError::into_inner)
}

/// The list the calling thread links into.
fn this_thread_s_list() -> u8 {
    // Below `LISTS`, which fits (see the assertion on `UNLINKED`).
    let pick = || (NEXT_LIST.fetch_add(1, Ordering::Relaxed) % LISTS) as u8;
    LIST.try_with(|list| {
        if list.get() == UNLINKED {
            list.set(pick());
        }
        list.get()
    })
    .unwrap_or_else(|_| pick())
}

/// Who waits, in one word: a task by its id, shifted left and tagged with the low bit; a thread
/// by the address of its set, which is aligned, so the low bit is clear.
#[derive(Clone, Copy)]
pub(crate) struct Who(u64);

impl Who {
    pub(crate) fn task(id: u64) -> Who {
        Who(id << 1 | 1)
    }

    pub(crate) fn thread(set: &'static HeldSet) -> Who {
        Who(ptr::from_ref(set) as usize as u64)
    }

    fn holder(self) -> Option<Holder> {
        if self.0 & 1 == 1 {
            return Some(Holder { thread_name: None, thread_id: None, task_id: Some(self.0 >> 1) });
        }
        // SAFETY: made by `thread` from a `&'static HeldSet`: sets are never freed.
        let set = unsafe { &*(self.0 as usize as *const HeldSet) };
        set.owner()
    }
}

/// An acquire's wait, shown while it is linked: the lock it waits for, who waits, since when.
///
/// Pinned with the acquire's future: once linked, it is reached through its list by other
/// threads, so it must not move until it has unlinked, which its `Drop` makes sure of (a pinned
/// value is dropped before its memory is reused, even when the future is never polled again).
/// Only its owner, through `Pin<&mut Waiter>`, links or unlinks it; a shared reference gives only
/// the request.
///
/// The request is kept field by field, so that its two one-byte fields and the list's index
/// share one word: 88 bytes in all on 64-bit targets.
pub(crate) struct Waiter {
    addr: usize,
    class: Option<&'static ClassInfo>,
    site: &'static Location<'static>,
    creation: Option<Creation>,
    kind: LockKind,
    access: Access,
    /// The list this waiter is in, or [`UNLINKED`]; its owner's alone.
    list: u8,
    /// Written by the owner as it links, then read and written only under its list's mutex: by
    /// readers, and by the owners of its neighbours when they unlink. Left uninitialized until the
    /// first wait, so that an acquire that never waits writes nothing here; once written it stays
    /// initialized, owning nothing once unlinked (its backtrace is taken out then), so it needs no
    /// drop.
    node: UnsafeCell<MaybeUninit<Node>>,
    /// Linked waiters are reached through pointers: never `Unpin`, so never moved once pinned,
    /// and not assumed unaliased behind a `&mut` either.
    _pinned: PhantomPinned,
}

#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Waiter>() == 88);

// SAFETY: a waiter's own fields go with it; its node, which other threads reach, is only
// touched under the mutex of the list it is in (or by its owner while it is in none), and what
// the node owns (a backtrace) is `Send` and `Sync`.
unsafe impl Send for Waiter {}
// SAFETY: through `&Waiter` nothing but the request can be read, and nothing written.
unsafe impl Sync for Waiter {}

struct Node {
    prev: *const Waiter,
    next: *const Waiter,
    who: Who,
    /// When the wait began, in nanoseconds since [`epoch`].
    since: u64,
    backtrace: Option<Arc<Backtrace>>,
}

impl Waiter {
    /// A waiter for `request`'s lock, not shown yet.
    #[inline(always)]
    pub(crate) const fn new(request: Request) -> Self {
        Waiter {
            addr: request.addr,
            class: request.class,
            site: request.site,
            creation: request.creation,
            kind: request.kind,
            access: request.access,
            list: UNLINKED,
            node: UnsafeCell::new(MaybeUninit::uninit()),
            _pinned: PhantomPinned,
        }
    }

    #[inline(always)]
    pub(crate) fn request(&self) -> Request {
        Request {
            addr: self.addr,
            class: self.class,
            site: self.site,
            kind: self.kind,
            access: self.access,
            creation: self.creation,
        }
    }

    /// The node, to be read or written only as its docs say.
    #[inline(always)]
    fn node(&self) -> *mut Node {
        self.node.get().cast()
    }

    /// Whether the wait is shown.
    #[inline(always)]
    pub(crate) fn is_shown(&self) -> bool {
        self.list != UNLINKED
    }

    /// Shows `who` as waiting for the request's lock from now on, until the drop. Does nothing
    /// if the wait is shown already.
    #[cold]
    #[inline(never)]
    pub(crate) fn show(self: Pin<&mut Self>, who: Who) {
        // SAFETY: nothing is moved out of the waiter, and it stays where it is pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if this.is_shown() {
            return;
        }
        let since = u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX);
        let backtrace = backtraces().then(|| Arc::new(Backtrace::force_capture()));
        let index = this_thread_s_list();
        let me = ptr::from_ref(this);
        let mut head = list(index);
        // SAFETY: the waiter is in no list, so nobody else reaches its node, and its node owns
        // nothing (never written, or unlinked), so overwriting it leaks nothing; the first waiter
        // of the list, if any, is alive and linked, and its node is initialized and ours under
        // the list's mutex, which is held.
        unsafe {
            this.node().write(Node { prev: ptr::null(), next: head.0, who, since, backtrace });
            if let Some(first) = head.0.as_ref() {
                (*first.node()).prev = me;
            }
        }
        head.0 = me;
        this.list = index;
    }

    /// Stops showing the wait, as the drop does, leaving the waiter to be shown again: for tests
    /// of a waiter shown twice at one address.
    #[cfg(test)]
    fn hide(self: Pin<&mut Self>) {
        // SAFETY: nothing is moved out of the waiter.
        unsafe { self.get_unchecked_mut() }.unlink();
    }

    #[inline(always)]
    fn unlink(&mut self) {
        if self.is_shown() {
            self.unlink_now();
        }
    }

    #[cold]
    #[inline(never)]
    fn unlink_now(&mut self) {
        let mut head = list(self.list);
        // SAFETY: the waiter is in this list, whose mutex is held: its node and its neighbours'
        // are initialized and ours, and its neighbours are alive (a waiter unlinks under this
        // mutex before it goes).
        let backtrace = unsafe {
            let node = &mut *self.node();
            match node.prev.as_ref() {
                Some(prev) => (*prev.node()).next = node.next,
                None => head.0 = node.next,
            }
            if let Some(next) = node.next.as_ref() {
                (*next.node()).prev = node.prev;
            }
            node.backtrace.take()
        };
        drop(head);
        self.list = UNLINKED;
        // Outside the mutex: the last reference to a backtrace may free it.
        drop(backtrace);
    }
}

impl Drop for Waiter {
    #[inline(always)]
    fn drop(&mut self) {
        self.unlink();
    }
}

/// Every wait shown now, with who waits. Safe to call from any thread.
///
/// A wait is told from every other in progress by its waiter's address and when it began: a
/// later wait of a waiter at the same address begins after this one ended.
pub(crate) fn waits() -> Vec<(Holder, Wait)> {
    let mut found = Vec::new();
    for index in 0..LISTS as u8 {
        let head = list(index);
        let now = epoch().elapsed();
        let mut at = head.0;
        // SAFETY: every waiter in the list is alive and pinned, and its node is initialized and
        // only written under the list's mutex, which is held; its request is never written once
        // it is pinned.
        while let Some(waiter) = unsafe { at.as_ref() } {
            // SAFETY: as above.
            let node = unsafe { &*waiter.node() };
            let since = Duration::from_nanos(node.since);
            let wait = Wait {
                lock: waiter.request().slot(),
                backtrace: node.backtrace.clone(),
                blocked_for: now.saturating_sub(since),
                id: (ptr::from_ref(waiter) as usize, node.since),
            };
            found.push((node.who, wait));
            at = node.next;
        }
    }
    // Outside the lists' mutexes: a thread's holder is read under its set's.
    found.into_iter().filter_map(|(who, wait)| Some((who.holder()?, wait))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::acquisition::{Access, LockKind};
    use crate::track::sets::thread_set;

    fn waiter(addr: usize) -> Pin<Box<Waiter>> {
        Box::pin(Waiter::new(Request {
            addr,
            class: None,
            site: Location::caller(),
            kind: LockKind::Mutex,
            access: Access::Exclusive,
            creation: None,
        }))
    }

    fn holder(task: u64) -> Who {
        Who::task(task)
    }

    /// The locks waited for by this test's waiters (told by their addresses, in `range`), sorted.
    fn shown(range: std::ops::Range<usize>) -> Vec<(usize, Option<u64>)> {
        let mut shown: Vec<_> = waits()
            .into_iter()
            .filter(|(_, wait)| range.contains(&wait.lock.addr))
            .map(|(holder, wait)| (wait.lock.addr, holder.task_id))
            .collect();
        shown.sort_unstable();
        shown
    }

    #[test]
    fn a_waiter_is_shown_until_it_is_dropped_in_any_order() {
        const BASE: usize = 0x7a17_0000;
        let mut waiters: Vec<_> = (0..5).map(|i| waiter(BASE + 8 * i)).collect();
        assert!(shown(BASE..BASE + 64).is_empty(), "nothing is shown before `show`");
        for (i, waiter) in waiters.iter_mut().enumerate() {
            waiter.as_mut().show(holder(i as u64));
            waiter.as_mut().show(holder(99)); // shown already: no second entry
        }
        let all: Vec<_> = (0..5).map(|i| (BASE + 8 * i, Some(i as u64))).collect();
        assert_eq!(shown(BASE..BASE + 64), all);
        // The middle, the last linked (the list's head) and the first linked, each unlinked.
        waiters[2].as_mut().hide();
        waiters[4].as_mut().hide();
        drop(waiters.remove(0));
        let left = [(BASE + 8, Some(1)), (BASE + 24, Some(3))];
        assert_eq!(shown(BASE..BASE + 64), left);
        waiters[1].as_mut().show(holder(7)); // shown again after a hide
        assert_eq!(shown(BASE..BASE + 64), [left[0], (BASE + 16, Some(7)), left[1]]);
        drop(waiters);
        assert!(shown(BASE..BASE + 64).is_empty(), "dropped waiters are gone");
    }

    #[test]
    fn waiters_on_many_threads_link_and_unlink_concurrently() {
        const BASE: usize = 0x7b17_0000;
        std::thread::scope(|scope| {
            for t in 0..4 {
                scope.spawn(move || {
                    for round in 0..2_000 {
                        let mut first = waiter(BASE + 16 * t);
                        let mut second = waiter(BASE + 16 * t + 8);
                        first.as_mut().show(holder(round));
                        second.as_mut().show(holder(round));
                        // Drop the first linked first: it is not the head of the list.
                        drop(first);
                        second.as_mut().hide();
                    }
                });
            }
        });
        assert!(shown(BASE..BASE + 64).is_empty());
    }

    #[test]
    fn a_thread_s_wait_names_the_thread_and_a_task_s_the_task() {
        const ADDR: usize = 0x7d17_0000;
        let names = std::thread::Builder::new()
            .name("waiting-thread".into())
            .spawn(|| {
                let (mut by_thread, mut by_task) = (waiter(ADDR), waiter(ADDR + 8));
                by_thread.as_mut().show(Who::thread(thread_set()));
                by_task.as_mut().show(Who::task(41));
                let mut shown: Vec<_> = waits()
                    .into_iter()
                    .filter(|(_, wait)| (ADDR..ADDR + 16).contains(&wait.lock.addr))
                    .map(|(holder, _)| (holder.thread_name().map(str::to_owned), holder.task_id()))
                    .collect();
                shown.sort();
                shown
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(names, [(None, Some(41)), (Some("waiting-thread".to_owned()), None)]);
    }

    #[test]
    fn a_wait_is_told_apart_from_a_later_one_at_the_same_address() {
        const ADDR: usize = 0x7c17_0000;
        let mut waiter = waiter(ADDR);
        let id = |waiter: &mut Pin<Box<Waiter>>| {
            waiter.as_mut().show(holder(1));
            let id = waits().into_iter().find(|(_, w)| w.lock.addr == ADDR).unwrap().1.id;
            waiter.as_mut().hide();
            id
        };
        let first = id(&mut waiter);
        std::thread::sleep(Duration::from_millis(1));
        assert_ne!(first, id(&mut waiter));
    }
}
