//! The set of locks one thread (or one async task) holds.
//!
//! A `HeldSet` is written only by its owner; other threads read it (for dumps and for naming a
//! lock's holder), so every field is an atomic and every access is `Relaxed` or
//! `Release`/`Acquire`: on x86 and ARM these are plain loads and stores, so tracking costs no
//! more than a `Cell` would, and needs no `unsafe`.
//!
//! Sets are never freed: they live in one global, push-only list and are recycled when their
//! thread exits, so a reader can walk the list at any time without a lock.

use std::cell::Cell;
use std::panic::Location;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Mutex as StdMutex;

use crate::class::ClassInfo;
use crate::holder::Holder;
use crate::report::{Access, LockKind};

/// How many locks one thread can have tracked at once; more are still checked against, but
/// not recorded (the kernel's lockdep stops at 48).
pub(crate) const CAPACITY: usize = 64;

/// One held lock: which, of what class, where it was acquired, how.
pub(crate) struct Slot {
    /// The lock's address; 0 marks a free slot.
    addr: AtomicUsize,
    class: AtomicPtr<ClassInfo>,
    site: AtomicPtr<Location<'static>>,
    /// `LockKind` in the high nibble, `Access` in the low one.
    meta: AtomicU8,
}

/// A consistent copy of one slot, read by its owner or by another thread.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SlotView {
    pub(crate) addr: usize,
    pub(crate) class: Option<&'static ClassInfo>,
    pub(crate) site: &'static Location<'static>,
    pub(crate) kind: LockKind,
    pub(crate) access: Access,
}

impl Slot {
    const fn new() -> Self {
        Slot {
            addr: AtomicUsize::new(0),
            class: AtomicPtr::new(ptr::null_mut()),
            site: AtomicPtr::new(ptr::null_mut()),
            meta: AtomicU8::new(0),
        }
    }

    #[inline]
    fn fill(&self, entry: &SlotView) {
        let class = entry.class.map_or(ptr::null_mut(), |c| ptr::from_ref(c).cast_mut());
        self.class.store(class, Ordering::Relaxed);
        self.site.store(ptr::from_ref(entry.site).cast_mut(), Ordering::Relaxed);
        self.meta.store(((entry.kind as u8) << 4) | entry.access as u8, Ordering::Relaxed);
        // Publishes the fields above to readers that see the address.
        self.addr.store(entry.addr, Ordering::Release);
    }

    fn view(&self) -> Option<SlotView> {
        let addr = self.addr.load(Ordering::Acquire);
        if addr == 0 {
            return None;
        }
        let class = self.class.load(Ordering::Relaxed);
        let site = self.site.load(Ordering::Relaxed);
        let meta = self.meta.load(Ordering::Relaxed);
        // A reader racing with the owner may see a slot being refilled; the address re-read
        // below rejects a torn copy.
        if site.is_null() || self.addr.load(Ordering::Acquire) != addr {
            return None;
        }
        Some(SlotView {
            addr,
            class: deref_static(class),
            site: deref_static(site)?,
            kind: LockKind::from_bits(meta >> 4),
            access: Access::from_bits(meta & 0xf),
        })
    }
}

/// Turns a pointer stored from a `&'static` back into it.
fn deref_static<T>(ptr: *mut T) -> Option<&'static T> {
    // SAFETY: every non-null pointer stored in a `Slot` was made from a `&'static T`
    // (`ClassInfo`s are statics, `Location`s come from `#[track_caller]`), so it is valid
    // for reads forever and never written through.
    unsafe { ptr.cast_const().as_ref() }
}

/// The locks one thread or task holds, in acquisition order.
pub(crate) struct HeldSet {
    slots: [Slot; CAPACITY],
    /// One past the highest slot in use.
    len: AtomicUsize,
    /// `rank + 1` of the highest-ranked lock held, 0 when no ranked lock is held.
    max_key: AtomicU64,
    /// The lock the owner is blocked on right now, if any (`addr == 0` otherwise).
    waiting: Slot,
    in_use: AtomicBool,
    /// Set when `CAPACITY` was exceeded, so the warning is printed once per set.
    overflowed: AtomicBool,
    owner: StdMutex<Option<Holder>>,
    /// The next set in the global list; written once, before the set is published.
    next: AtomicPtr<HeldSet>,
}

/// Head of the global list of every set ever made.
static ALL_SETS: AtomicPtr<HeldSet> = AtomicPtr::new(ptr::null_mut());

#[inline]
pub(crate) fn rank_key(class: Option<&'static ClassInfo>) -> u64 {
    class.map_or(0, |c| u64::from(c.rank()) + 1)
}

impl HeldSet {
    fn new() -> Self {
        HeldSet {
            slots: [const { Slot::new() }; CAPACITY],
            len: AtomicUsize::new(0),
            max_key: AtomicU64::new(0),
            waiting: Slot::new(),
            in_use: AtomicBool::new(true),
            overflowed: AtomicBool::new(false),
            owner: StdMutex::new(None),
            next: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Takes a free set from the global list, or makes and publishes a new one.
    pub(crate) fn claim(holder: Holder) -> &'static HeldSet {
        let set = all_sets()
            .find(|set| {
                set.in_use.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok()
            })
            .unwrap_or_else(|| {
                let set: &'static HeldSet = Box::leak(Box::new(HeldSet::new()));
                let mut head = ALL_SETS.load(Ordering::Acquire);
                loop {
                    set.next.store(head, Ordering::Relaxed);
                    match ALL_SETS.compare_exchange_weak(
                        head,
                        ptr::from_ref(set).cast_mut(),
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => break set,
                        Err(now) => head = now,
                    }
                }
            });
        *set.owner.lock().unwrap_or_else(|e| e.into_inner()) = Some(holder);
        set
    }

    /// Gives the set back for reuse by a later thread or task.
    pub(crate) fn retire(&self) {
        for slot in &self.slots[..self.len.load(Ordering::Relaxed)] {
            slot.addr.store(0, Ordering::Release);
        }
        self.len.store(0, Ordering::Release);
        self.max_key.store(0, Ordering::Relaxed);
        self.waiting.addr.store(0, Ordering::Release);
        *self.owner.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.in_use.store(false, Ordering::Release);
    }

    pub(crate) fn owner(&self) -> Option<Holder> {
        self.owner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    #[allow(dead_code)] // read by the diagnostics (dump, watchdog)
    pub(crate) fn is_in_use(&self) -> bool {
        self.in_use.load(Ordering::Acquire)
    }

    /// `rank + 1` of the highest-ranked lock held; 0 when none is.
    #[inline]
    pub(crate) fn max_key(&self) -> u64 {
        self.max_key.load(Ordering::Relaxed)
    }

    /// Whether the lock at `addr` is held (owner only: fast, no torn reads).
    #[inline]
    pub(crate) fn holds(&self, addr: usize) -> bool {
        self.slots[..self.len.load(Ordering::Relaxed)]
            .iter()
            .any(|slot| slot.addr.load(Ordering::Relaxed) == addr)
    }

    /// Records a newly acquired lock; returns its slot, or `None` when the set is full.
    #[inline]
    pub(crate) fn push(&self, entry: &SlotView) -> Option<u32> {
        let mut len = self.len.load(Ordering::Relaxed);
        // Guards dropped out of order leave holes at the top; reuse them.
        while len > 0 && self.slots[len - 1].addr.load(Ordering::Relaxed) == 0 {
            len -= 1;
        }
        let Some(slot) = self.slots.get(len) else {
            self.overflow();
            return None;
        };
        slot.fill(entry);
        self.len.store(len + 1, Ordering::Release);
        let key = rank_key(entry.class);
        if key > self.max_key.load(Ordering::Relaxed) {
            self.max_key.store(key, Ordering::Relaxed);
        }
        Some(len as u32)
    }

    /// Forgets the lock recorded in `index`.
    #[inline]
    pub(crate) fn release(&self, index: u32) {
        let index = index as usize;
        let slot = &self.slots[index];
        let key = rank_key(deref_static(slot.class.load(Ordering::Relaxed)));
        slot.addr.store(0, Ordering::Release);
        let mut len = self.len.load(Ordering::Relaxed);
        if index + 1 == len {
            while len > 0 && self.slots[len - 1].addr.load(Ordering::Relaxed) == 0 {
                len -= 1;
            }
            self.len.store(len, Ordering::Release);
        }
        if key != 0 && key == self.max_key.load(Ordering::Relaxed) {
            let max = self.slots[..len]
                .iter()
                .filter(|s| s.addr.load(Ordering::Relaxed) != 0)
                .map(|s| rank_key(deref_static(s.class.load(Ordering::Relaxed))))
                .max()
                .unwrap_or(0);
            self.max_key.store(max, Ordering::Relaxed);
        }
    }

    #[cold]
    fn overflow(&self) {
        if !self.overflowed.swap(true, Ordering::Relaxed) {
            eprintln!(
                "lock-order: more than {CAPACITY} locks held at once by {}; further locks are \
                 checked against the tracked ones but not tracked themselves",
                self.owner().map_or_else(|| "one thread".to_owned(), |o| o.to_string())
            );
        }
    }

    /// Every lock held, oldest first. Safe to call from any thread.
    pub(crate) fn snapshot(&self) -> Vec<SlotView> {
        let len = self.len.load(Ordering::Acquire).min(CAPACITY);
        self.slots[..len].iter().filter_map(Slot::view).collect()
    }

    /// One slot's record, if it is in use.
    pub(crate) fn snapshot_slot(&self, index: u32) -> Option<SlotView> {
        self.slots.get(index as usize)?.view()
    }

    /// Notes that the owner is about to block on `entry`.
    #[inline]
    pub(crate) fn begin_wait(&self, entry: &SlotView) {
        self.waiting.fill(entry);
    }

    /// Notes that the owner stopped waiting.
    #[inline]
    pub(crate) fn end_wait(&self) {
        self.waiting.addr.store(0, Ordering::Release);
    }

    /// The lock the owner is blocked on, if any. Safe to call from any thread.
    #[allow(dead_code)] // read by the diagnostics (dump, watchdog)
    pub(crate) fn waiting_for(&self) -> Option<SlotView> {
        self.waiting.view()
    }
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
        if let Some(set) = THREAD_SET.with(Cell::take) {
            set.retire();
        }
    }
}

/// The calling thread's held set, made on first use.
#[inline]
pub(crate) fn thread_set() -> &'static HeldSet {
    match THREAD_SET.try_with(Cell::get) {
        Ok(Some(set)) => set,
        _ => claim_thread_set(),
    }
}

#[cold]
fn claim_thread_set() -> &'static HeldSet {
    let thread = std::thread::current();
    let set = HeldSet::claim(Holder {
        thread_name: thread.name().map(str::to_owned),
        thread_id: Some(thread.id()),
        task_id: None,
    });
    // Registers the exit hook; during thread teardown it is gone, and the set stays claimed.
    let _ = RETIRE_ON_EXIT.try_with(|_| ());
    let _ = THREAD_SET.try_with(|cell| cell.set(Some(set)));
    set
}
