//! The set of locks one thread (or one async task) holds.
//!
//! A `HeldSet` is written only by its owner; other threads read it (for dumps and for naming a
//! lock's holder), so every field is an atomic and every access is `Relaxed` or
//! `Release`/`Acquire`: on x86 and ARM these are plain loads and stores, so tracking costs no
//! more than a `Cell` would, and needs no `unsafe`.
//!
//! The hot path is short and, above all, not a chain of loads waiting for stores: the lock's own
//! atomic instruction holds back every load after it. Recording a lock writes its slot (three
//! words: the address, the class and the site) and one `state` word (count,
//! highest rank held, whether to capture backtraces, a generation), computed from the `state`
//! read for the check. The guard keeps the `state` from before (which also names the slot), and
//! releasing the latest lock stores that state back with the next generation: a load only decides
//! the branch, and the slot is left as it is. Readers copy the slots below the count between two
//! reads of the state, like a seqlock, so every lock a dump shows was held when it was read, or
//! (a ranked std lock, recorded just before its try: see `check::lock_with`) was being tried;
//! `diagnostics` settles the conflicts such a try can show.
//!
//! Sets are never freed; where they come from and go back to is `sets`' business.
//!
//! What a set costs: [`INLINE`] slots live in the set itself, 512 bytes in all on 64-bit targets
//! (see the size assertion below), enough for the hot path of nearly every program. A set that
//! once holds more than [`INLINE`] locks at once, or runs with backtraces on, gets a [`Spill`] of
//! about 3 KB (the remaining slots up to [`CAPACITY`], and every slot's [`Extra`]), allocated on
//! first need and kept with the set.

use std::backtrace::Backtrace;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use crate::class::ClassInfo;
use crate::track::holder::Holder;
use crate::track::slot::{deref_static, epoch, CreationCell, Extra, Slot, SlotView, Words, TAG};

/// How many locks one thread can have tracked at once; more are still checked against, but
/// not recorded (the kernel's lockdep stops at 48).
pub(crate) const CAPACITY: usize = 64;

/// How many slots a set keeps inline: records beyond them go to the set's [`Spill`], off the hot
/// path. Eight covers the nesting of nearly every program.
pub(crate) const INLINE: usize = 8;

/// The locks one thread or task holds, in acquisition order.
///
/// Laid out for the hot path and for a task woken after a wait: the state word, the wait and the
/// first slot share the first cache line, so a sync thread holding one lock, and a task whose
/// first lock is taken long after it began to wait (its set cold by then), touch that one line.
/// What only claiming, naming the owner or deep nesting needs comes after.
#[repr(C, align(64))]
pub(crate) struct HeldSet {
    /// Packed: the number of slots in use, whether holes may lie among them, the rank key of the
    /// highest-ranked lock held, and more (see [`LEN`] and the constants after it). One word, so
    /// that recording or releasing a lock writes it once.
    pub(super) state: AtomicU64,
    /// When the current wait began, in nanoseconds since [`epoch`].
    waiting_since: AtomicU64,
    /// The lock the owner is blocked on right now, if any (`addr == 0` otherwise).
    pub(super) waiting: Slot,
    /// The first [`INLINE`] slots; the rest are in the [`Spill`].
    slots: [Slot; INLINE],
    /// The creation of each inline slot's unranked lock.
    creations: [CreationCell; INLINE],
    /// The creation of the unranked lock the owner waits for.
    waiting_creation: CreationCell,
    /// The slots beyond [`INLINE`] and every slot's [`Extra`], made by the owner on first need
    /// (see [`spill`](Self::spill)), then kept as long as the set: readers may be reading it at
    /// any time, and sets are never freed either.
    spill: AtomicPtr<Spill>,
    /// Counts waits, so a watchdog reports each long wait once.
    wait_seq: AtomicU64,
    pub(super) owner: StdMutex<Option<Holder>>,
    /// The next set in the free list while this one is on it (see [`FREE`]), written and read
    /// only under that list's mutex; or, while a thread keeps it among the sets it claimed for
    /// its next tasks, the next of those, that thread's alone.
    pub(super) next_free: AtomicPtr<HeldSet>,
    pub(super) in_use: AtomicBool,
    /// Set when `CAPACITY` was exceeded, so the warning is printed once per set.
    pub(super) overflowed: AtomicBool,
    /// The next set in the global list; written once, before the set is published.
    pub(super) next: AtomicPtr<HeldSet>,
}

// A set is 512 bytes on 64-bit targets, as its docs say: eight cache lines.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<HeldSet>() == 512);
// The first line holds the state, the wait and the first slot, as the docs say.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::offset_of!(HeldSet, slots) + std::mem::size_of::<Slot>() == 64);

/// What a set needs only for deep nesting or for backtraces.
struct Spill {
    /// Slots [`INLINE`] to [`CAPACITY`].
    slots: [Slot; CAPACITY - INLINE],
    /// One per slot, and the last for the `waiting` slot.
    extras: [Extra; CAPACITY + 1],
    /// The creation of each spilled slot's unranked lock.
    creations: [CreationCell; CAPACITY - INLINE],
}

/// Where the `waiting` slot's [`Extra`] is in [`Spill::extras`].
pub(super) const WAITING: usize = CAPACITY;
/// A lock class's key in the state word: `rank + 1` (saturating at `u32::MAX`), 0 for unranked.
/// The check compares keys; a report compares the ranks themselves.
#[inline(always)]
pub(crate) fn rank_key(class: Option<&'static ClassInfo>) -> u64 {
    class.map_or(0, |c| u64::from(c.key()))
}

/// The fields of `HeldSet::state`, laid out so that the hot path needs no 64-bit constants. The
/// low half: the count (bits 0-6, at most [`CAPACITY`]), holes (bit 7), whether to capture backtraces (bit 8), two
/// bits never set (9-10, see [`RECORD_TAGS`]), whether an unranked lock is held (bit 11, see
/// [`UNRANKED_HELD`]), and a generation (bits 12-31) that every change
/// bumps, so that a reader can tell a consistent copy of the slots from one torn by the owner's
/// changes. The high half: the highest rank key held.
const LEN: u64 = 0x7f;
const HOLES: u64 = 0x80;
/// [`backtraces`], copied into the state word when the set is claimed: the acquire that reads the
/// state for its check learns from the same load whether to capture one.
pub(crate) const BACKTRACES: u64 = 0x100;
/// Bits never set in the state word, left to the record that keeps a `restore` value (see
/// [`push`](HeldSet::push)): a value with any of them set never takes the fast release.
pub(crate) const RECORD_TAGS: u64 = 0b11 << 9;
/// Tags a `restore` value that records nothing: what [`push`](HeldSet::push) returns when the set
/// is full, and what a record given up keeps. One of the [`RECORD_TAGS`], so that its release
/// does nothing.
pub(crate) const UNRECORDED: u64 = 1 << 10;
/// Set while an unranked lock is held: a ranked acquire then has an order to learn (see
/// `observed`), and one without it learns nothing at the cost of this test. Set by the push of an
/// unranked lock; a release that restores the state from before that push clears it.
pub(crate) const UNRANKED_HELD: u64 = 1 << 11;
const GEN_ONE: u32 = 1 << 12;
const GEN: u32 = !(GEN_ONE - 1);
const MAX_SHIFT: u32 = 32;
/// The bits of the count that say the inline slots are all in use: a push then goes to
/// [`push_rare`](HeldSet::push_rare).
const DEEP: u64 = LEN & !(INLINE as u64 - 1);
const _: () = assert!(
    CAPACITY.is_power_of_two()
        && INLINE.is_power_of_two()
        && INLINE < CAPACITY
        && CAPACITY as u64 <= LEN
        && DEEP & INLINE as u64 == INLINE as u64
        && RECORD_TAGS & (LEN | HOLES | BACKTRACES | GEN as u64) == 0
        && UNRECORDED & RECORD_TAGS == UNRECORDED
        && (LEN | HOLES | BACKTRACES | RECORD_TAGS | UNRANKED_HELD) < GEN_ONE as u64
        && UNRANKED_HELD & (LEN | HOLES | BACKTRACES | RECORD_TAGS) == 0
);

/// The slot a record occupies, from the `restore` value its push returned: the count before it.
#[inline(always)]
pub(crate) fn slot_of(restore: u64) -> u32 {
    (restore & LEN) as u32
}

/// Whether any lock is held, from a `state` word.
#[inline(always)]
pub(crate) fn any_held(state: u64) -> bool {
    state & LEN != 0
}

/// The highest rank key held, from a `state` word.
#[inline(always)]
pub(crate) fn max_key_of(state: u64) -> u64 {
    state >> MAX_SHIFT
}

/// The next generation after `state`'s, in place in an otherwise empty low half; it wraps there.
#[inline(always)]
fn next_generation(state: u64) -> u64 {
    u64::from((state as u32 & GEN).wrapping_add(GEN_ONE))
}

/// The state after a push onto `state` (whose count is below the capacity): one more lock, the
/// next generation, and `max` as the highest rank key. One 32-bit addition: the count cannot
/// carry, and the generation wraps within the low half.
#[inline(always)]
fn pushed(state: u64, max: u64) -> u64 {
    u64::from((state as u32).wrapping_add(GEN_ONE + 1)) | max << MAX_SHIFT
}

/// [`UNRANKED_HELD`] if the class word of a record (see [`Words`]) is of an unranked lock.
#[inline(always)]
fn unranked_bit(class: usize) -> u64 {
    if class & !TAG == 0 {
        UNRANKED_HELD
    } else {
        0
    }
}

#[inline(always)]
fn state(len: usize, holes: bool, max_key: u64) -> u64 {
    len as u64 | if holes { HOLES } else { 0 } | max_key << MAX_SHIFT
}

impl Spill {
    fn new() -> Self {
        Spill {
            slots: [const { Slot::new() }; CAPACITY - INLINE],
            extras: [const { Extra::new() }; CAPACITY + 1],
            creations: [const { CreationCell::new() }; CAPACITY - INLINE],
        }
    }
}

impl HeldSet {
    pub(super) const fn new() -> Self {
        HeldSet {
            state: AtomicU64::new(0),
            waiting_since: AtomicU64::new(0),
            waiting: Slot::new(),
            slots: [const { Slot::new() }; INLINE],
            creations: [const { CreationCell::new() }; INLINE],
            waiting_creation: CreationCell::new(),
            spill: AtomicPtr::new(ptr::null_mut()),
            wait_seq: AtomicU64::new(0),
            owner: StdMutex::new(None),
            next_free: AtomicPtr::new(ptr::null_mut()),
            in_use: AtomicBool::new(true),
            overflowed: AtomicBool::new(false),
            next: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Slot `index`, inline or in the spill; `None` beyond the inline slots while there is no
    /// spill (readers only: the owner made it before using such a slot). Safe from any thread.
    #[inline]
    pub(super) fn slot(&self, index: usize) -> Option<&Slot> {
        match self.slots.get(index) {
            Some(slot) => Some(slot),
            None => self.spilled()?.slots.get(index - INLINE),
        }
    }

    /// Slot `index`'s [`Extra`] (or the `waiting` slot's, at [`WAITING`]), if there is a spill.
    #[inline]
    fn extra(&self, index: usize) -> Option<&Extra> {
        self.spilled()?.extras.get(index)
    }

    /// Slot `index`'s [`CreationCell`] (or the `waiting` slot's, at [`WAITING`]), if it exists.
    #[inline]
    fn creation(&self, index: usize) -> Option<&CreationCell> {
        match index {
            WAITING => Some(&self.waiting_creation),
            index if index < INLINE => self.creations.get(index),
            index => self.spilled()?.creations.get(index - INLINE),
        }
    }

    /// The spill, if the owner made one. Safe from any thread.
    #[inline]
    fn spilled(&self) -> Option<&Spill> {
        // Acquire: pairs with the publishing store in `spill`.
        deref_static(self.spill.load(Ordering::Acquire))
    }

    /// Slot `len`'s [`CreationCell`] in the spill, made now if there is none (owner only).
    #[cold]
    #[inline(never)]
    fn spilled_creation(&self, len: usize) -> &CreationCell {
        &self.spill().creations[len - INLINE]
    }

    /// The spill, made now if there is none (owner only, off the hot path). It is published before
    /// the owner stores anything into it, and so before any address that points readers to it.
    #[cold]
    #[inline(never)]
    fn spill(&self) -> &Spill {
        if let Some(spill) = self.spilled() {
            return spill;
        }
        let made: &'static Spill = Box::leak(Box::new(Spill::new()));
        self.spill.store(ptr::from_ref(made).cast_mut(), Ordering::Release);
        made
    }

    pub(crate) fn owner(&self) -> Option<Holder> {
        self.owner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn is_in_use(&self) -> bool {
        self.in_use.load(Ordering::Acquire)
    }

    /// The number of slots in use, holes included. Safe to call from any thread.
    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        ((self.state.load(Ordering::Acquire) & LEN) as usize).min(CAPACITY)
    }

    /// Whether the lock at `addr` is held (owner only: fast, no torn reads).
    #[inline]
    pub(crate) fn holds(&self, addr: usize) -> bool {
        let len = self.len();
        self.slots[..len.min(INLINE)].iter().any(|slot| slot.addr.load(Ordering::Relaxed) == addr)
            || len > INLINE && self.holds_deep(addr, len)
    }

    /// [`holds`](Self::holds) for the slots beyond the inline ones.
    #[cold]
    #[inline(never)]
    fn holds_deep(&self, addr: usize, len: usize) -> bool {
        (INLINE..len)
            .filter_map(|index| self.slot(index))
            .any(|slot| slot.addr.load(Ordering::Relaxed) == addr)
    }

    /// Every slot below `len`, with its extra if there is one. Safe to call from any thread.
    fn slots_below(&self, len: usize) -> impl Iterator<Item = (&Slot, Option<&Extra>)> {
        (0..len.min(CAPACITY)).map_while(|index| Some((self.slot(index)?, self.extra(index))))
    }

    /// [`slots_below`](Self::slots_below) with each slot's [`CreationCell`].
    fn records_below(
        &self,
        len: usize,
    ) -> impl Iterator<Item = (&Slot, Option<&Extra>, Option<&CreationCell>)> {
        (0..len.min(CAPACITY))
            .map_while(|index| Some((self.slot(index)?, self.extra(index), self.creation(index))))
    }

    /// The packed `state` word, for [`push_from`](Self::push_from) and [`max_key_of`].
    #[inline(always)]
    pub(crate) fn state(&self) -> u64 {
        self.state.load(Ordering::Relaxed)
    }

    /// Records a newly acquired lock; returns the state to restore on release (which also names
    /// the slot: see [`slot_of`]), or [`UNRECORDED`] when the set is full. (Not an `Option`:
    /// the two paths join in one register.)
    #[inline(always)]
    pub(crate) fn push(&self, entry: &SlotView) -> u64 {
        self.push_from(entry, self.state())
    }

    /// [`push`](Self::push), given the current `state` word (read earlier by the owner, who alone
    /// changes it).
    #[inline(always)]
    pub(crate) fn push_from(&self, entry: &SlotView, state: u64) -> u64 {
        let key = max_key_of(state).max(rank_key(entry.class));
        self.note_origin(entry, state);
        self.push_words(entry.words(), key, state)
    }

    /// [`push_from`](Self::push_from) for an acquire whose check passed: a ranked entry is above
    /// every lock held, so it is the new highest (no compare needed).
    #[inline(always)]
    pub(crate) fn push_checked(&self, entry: &SlotView, state: u64) -> u64 {
        let key = match entry.class {
            None => max_key_of(state),
            class => rank_key(class),
        };
        self.note_origin(entry, state);
        self.push_words(entry.words(), key, state)
    }

    /// [`push_checked`](Self::push_checked) for a ranked entry, whose check passed: `rare`
    /// instead when an unranked lock is held (an order to learn, maybe), the inline slots are
    /// all in use, or backtraces are on, all in one test of the state.
    #[inline(always)]
    pub(crate) fn push_ranked(&self, entry: &SlotView, state: u64, rare: impl FnOnce() -> u64) -> u64 {
        if state & (DEEP | BACKTRACES | UNRANKED_HELD) != 0 {
            return rare();
        }
        self.slots[(state & LEN) as usize % INLINE].fill(entry.words());
        // Release: a reader that sees the new count sees the slot.
        self.state.store(pushed(state, rank_key(entry.class)), Ordering::Release);
        state
    }

    /// The push of [`push_ranked`](Self::push_ranked)'s rare cases, by way of
    /// [`push_rare`](Self::push_rare), which takes every case.
    #[inline]
    pub(crate) fn push_ranked_rare(&self, entry: &SlotView, state: u64) -> u64 {
        let words = entry.words();
        self.push_rare(words.addr, words.class, words.site, rank_key(entry.class), state)
    }

    /// Keeps the creation site and type of `entry`, about to be pushed onto `state`, if it is an
    /// unranked lock (a ranked one is named by its class), before its slot is filled, so that a
    /// reader who sees the slot sees these. A full set keeps none (see `push_rare`).
    #[inline(always)]
    fn note_origin(&self, entry: &SlotView, state: u64) {
        if entry.class.is_none() {
            let len = (state & LEN) as usize;
            match self.creations.get(len) {
                Some(cell) => cell.set_origin(entry.origin()),
                None if len < CAPACITY => self.spilled_creation(len).set_origin(entry.origin()),
                None => {}
            }
        }
    }

    /// Records `words` on top, given the owner's current `state`; `max` is the highest rank key
    /// held afterwards.
    #[inline(always)]
    fn push_words(&self, words: Words, max: u64, state: u64) -> u64 {
        // The rare cases: the inline slots all in use, or backtraces to capture.
        if state & (DEEP | BACKTRACES) != 0 {
            return self.push_rare(words.addr, words.class, words.site, max, state);
        }
        self.slots[(state & LEN) as usize % INLINE].fill(words);
        // Release: a reader that sees the new count sees the slot.
        self.state.store(pushed(state, max) | unranked_bit(words.class), Ordering::Release);
        state
    }

    /// Forgets a lock, given the state `push` returned for it: when it is the latest lock (and no
    /// holes are about), that state is simply what holds again.
    #[inline(always)]
    pub(crate) fn release(&self, restore: u64) {
        if !self.release_latest(restore) {
            self.release_out_of_order(slot_of(restore));
        }
    }

    /// [`release`](Self::release) when the record is the latest and no holes are about, the
    /// usual case; `false` (and nothing done) otherwise, also when `restore` has a
    /// [`RECORD_TAGS`] bit set.
    #[inline(always)]
    pub(crate) fn release_latest(&self, restore: u64) -> bool {
        let state = self.state.load(Ordering::Relaxed);
        if state & (LEN | HOLES) != (restore & (LEN | RECORD_TAGS)) + 1 {
            return false;
        }
        // The saved state with the next generation (no tags: they failed the compare above). The
        // slot is left as it is, beyond the count: readers take only slots below the count, and
        // one that read the count before this release sees the generation change.
        let low = u64::from(restore as u32 & !GEN) | next_generation(state);
        self.state.store(restore >> MAX_SHIFT << MAX_SHIFT | low, Ordering::Release);
        true
    }

    /// Owner only: a release that is not of the latest lock, or with holes about.
    #[cold]
    #[inline(never)]
    extern "C" fn release_out_of_order(&self, index: u32) {
        if let Some(slot) = self.slot(index as usize) {
            slot.addr.store(0, Ordering::Release);
        }
        self.refresh();
    }

    /// A push beyond the inline slots, or with backtraces on: out of line, given the words one by
    /// one (a struct would be passed in memory, and kept there on the hot path too).
    #[cold]
    #[inline(never)]
    extern "C" fn push_rare(&self, addr: usize, class: usize, site: usize, max: u64, state: u64) -> u64 {
        let (mut state, mut max) = (state, max);
        if (state & LEN) as usize >= CAPACITY {
            // Holes left by out-of-order or foreign releases may be at the top (and the
            // refreshed highest rank can only be lower).
            self.refresh();
            state = self.state();
            if (state & LEN) as usize >= CAPACITY {
                self.overflow();
                return UNRECORDED;
            }
            max = max.max(max_key_of(state));
            // A full set kept no origin for this record (see `note_origin`): none is known.
            if let Some(cell) = self.creation((state & LEN) as usize) {
                cell.set_origin((0, 0));
            }
        }
        let len = (state & LEN) as usize;
        if state & BACKTRACES != 0 {
            self.spill().extras[len].trace.capture();
        }
        let slot = match self.slots.get(len) {
            Some(slot) => slot,
            None => &self.spill().slots[len - INLINE],
        };
        slot.fill(Words { addr, class, site });
        self.state.store(pushed(state, max) | unranked_bit(class), Ordering::Release);
        state
    }

    #[cold]
    fn overflow(&self) {
        if !self.overflowed.swap(true, Ordering::Relaxed) {
            use std::io::Write as _;
            let holder = self.owner().map_or_else(|| "one thread".to_owned(), |o| o.to_string());
            // Written without `eprintln!`, which panics when stderr is gone: this cannot unwind.
            let _ = writeln!(
                std::io::stderr(),
                "lock-rank: more than {CAPACITY} locks held at once by {holder}; further locks are \
                 checked against the tracked ones but not tracked themselves"
            );
        }
    }

    /// Every lock held, oldest first. Safe to call from any thread.
    #[cfg_attr(not(feature = "lock_api"), allow(dead_code))] // used by the lock_api locks
    pub(crate) fn snapshot(&self) -> Vec<SlotView> {
        self.consistent(|len| {
            self.records_below(len).filter_map(|(slot, _, creation)| slot.view(creation)).collect()
        })
    }

    /// One slot's record, if it is in use.
    pub(crate) fn snapshot_slot(&self, index: u32) -> Option<SlotView> {
        let index = index as usize;
        if index >= self.len() {
            return None;
        }
        self.slot(index)?.view(self.creation(index))
    }

    /// Owner only: calls `f` with the index, address, class (0 when unranked), creation site and
    /// type-naming function (0 when not known) of each lock held, oldest first, as the words
    /// the set keeps: what the learned order's per-thread table is probed with.
    #[inline]
    pub(crate) fn for_each_held_raw(&self, mut f: impl FnMut(u32, usize, usize, usize, usize)) {
        for (index, (slot, _, creation)) in self.records_below(self.len()).enumerate() {
            let addr = slot.addr.load(Ordering::Relaxed);
            if addr == 0 {
                continue;
            }
            let class = slot.class_word();
            let (created, type_name) = match creation {
                Some(cell) if class == 0 => {
                    (cell.created.load(Ordering::Relaxed), cell.type_name.load(Ordering::Relaxed))
                }
                _ => (0, 0),
            };
            f(index as u32, addr, class, created, type_name);
        }
    }

    /// Owner only: whether `f` holds for every lock held, given the set's current `state`, with
    /// the words of [`for_each_held_raw`](Self::for_each_held_raw) but the index (address,
    /// class, creation site, type-naming function); stops at the first `false`. Reads the inline
    /// slots directly, since this runs on every acquire that has an order to learn; `None` when
    /// some record is elsewhere (a deep set): walk them then.
    #[inline(always)]
    pub(crate) fn all_held_inline(
        &self,
        state: u64,
        f: impl Fn(usize, usize, usize, usize) -> bool,
    ) -> Option<bool> {
        let len = (state & LEN) as usize;
        if len > INLINE {
            return None;
        }
        // One lock held (an acquire under an anchor): its slot alone, without the loop.
        if len == 1 {
            return self.inline_slot_holds(0, &f);
        }
        // Indexed, not zipped: the iterator adapters keep their state in memory here.
        for index in 0..len.min(INLINE) {
            match self.inline_slot_holds(index, &f) {
                Some(true) => {}
                other => return other,
            }
        }
        Some(true)
    }

    /// [`all_held_inline`](Self::all_held_inline) for one inline slot: `Some(true)` for a hole.
    #[inline(always)]
    fn inline_slot_holds(
        &self,
        index: usize,
        f: &impl Fn(usize, usize, usize, usize) -> bool,
    ) -> Option<bool> {
        let (slot, creation) = (&self.slots[index], &self.creations[index]);
        let addr = slot.addr.load(Ordering::Relaxed);
        if addr == 0 {
            return Some(true);
        }
        let class = slot.class_word();
        let (created, type_name) = if class == 0 {
            (creation.created.load(Ordering::Relaxed), creation.type_name.load(Ordering::Relaxed))
        } else {
            (0, 0)
        };
        Some(f(addr, class, created, type_name))
    }

    /// Every lock held with its backtrace, if backtraces are on. Safe to call from any thread.
    pub(crate) fn snapshot_with_backtraces(&self) -> Vec<(SlotView, Option<Arc<Backtrace>>)> {
        self.consistent(|len| {
            self.records_below(len)
                .filter_map(|(slot, extra, creation)| {
                    Some((slot.view(creation)?, extra.and_then(|e| e.trace.get())))
                })
                .collect()
        })
    }

    /// Reads the slots in use with `read` until the owner did not change them meanwhile (a
    /// seqlock on `state`'s generation): a copy of the set as it was at one moment. An owner that
    /// changes its set faster than it can be read gets the last attempt, each slot still one
    /// that was held when it was read. Owners read their own set in one try.
    fn consistent<T>(&self, read: impl Fn(usize) -> T) -> T {
        let mut state = self.state.load(Ordering::Acquire);
        for _ in 0..1000 {
            let copy = read((state & LEN) as usize);
            // Orders the slot reads above before the re-read of the generation.
            std::sync::atomic::fence(Ordering::Acquire);
            let now = self.state.load(Ordering::Acquire);
            if now == state {
                return copy;
            }
            state = now;
            std::hint::spin_loop();
        }
        read((state & LEN) as usize)
    }

    /// Notes that the owner is about to block on `entry` (the contended path only: the clock is
    /// read here, never on an uncontended acquire).
    #[cold]
    #[inline(never)]
    pub(crate) fn begin_wait(&self, entry: SlotView) {
        let since = u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.waiting_since.store(since, Ordering::Relaxed);
        self.wait_seq.fetch_add(1, Ordering::Relaxed);
        if self.state() & BACKTRACES != 0 {
            self.spill().extras[WAITING].trace.capture();
        }
        self.waiting_creation.set_origin(entry.origin());
        self.waiting.fill(entry.words());
    }

    /// Notes that the owner stopped waiting.
    #[inline]
    pub(crate) fn end_wait(&self) {
        self.waiting.addr.store(0, Ordering::Release);
    }

    /// The lock the owner is blocked on, for how long, and which wait this is. Safe to call
    /// from any thread.
    pub(crate) fn waiting_for(&self) -> Option<Wait> {
        let seq = self.wait_seq.load(Ordering::Acquire);
        let id = (ptr::from_ref(self) as usize, seq);
        let extra = self.extra(WAITING);
        let lock = self.waiting.view(Some(&self.waiting_creation))?;
        let since = Duration::from_nanos(self.waiting_since.load(Ordering::Relaxed));
        let backtrace = extra.and_then(|e| e.trace.get());
        Some(Wait { lock, backtrace, blocked_for: epoch().elapsed().saturating_sub(since), id })
    }
}

/// What a blocked owner waits for.
pub(crate) struct Wait {
    pub(crate) lock: SlotView,
    pub(crate) backtrace: Option<Arc<Backtrace>>,
    pub(crate) blocked_for: Duration,
    /// Tells this wait from every other one in progress, and from its owner's earlier and later
    /// ones: the address of what shows it (a set, or an acquire's waiter) and which of its
    /// waits this is.
    pub(crate) id: (usize, u64),
}

// Records released away from their owner, and sets handed from one async task to the next.
//
// The guards of async locks are `Send`: one may drop on a thread (or in a task) other than the
// one whose set recorded it, while that owner keeps running. Such a release only clears the
// slot's address, one atomic store that cannot disturb the owner; the owner's count and highest
// rank may then be too high, which is conservative (a lock looks held a little longer): a full
// set and a suspected violation both `refresh` first.
// Nothing here runs on the path of a thread's own locks.
impl HeldSet {
    /// Forgets the lock recorded in `index`, from any thread: clears the slot's address only.
    #[inline]
    pub(crate) fn release_foreign(&self, index: u32) {
        if let Some(slot) = self.slot(index as usize) {
            slot.addr.store(0, Ordering::Release);
        }
    }

    /// Owner only: recomputes the count and the highest rank from the slots, after foreign
    /// releases or an owner's release out of order.
    #[cold]
    #[inline(never)]
    pub(crate) fn refresh(&self) {
        let mut len = self.len();
        while len > 0 && self.slot(len - 1).is_none_or(|slot| slot.addr.load(Ordering::Relaxed) == 0) {
            len -= 1;
        }
        let mut max = 0;
        let mut holes = false;
        let mut unranked = 0;
        for (slot, _) in self.slots_below(len) {
            if slot.addr.load(Ordering::Relaxed) == 0 {
                holes = true;
                continue;
            }
            let class = slot.class();
            unranked |= if class.is_none() { UNRANKED_HELD } else { 0 };
            max = max.max(rank_key(class));
        }
        let old = self.state();
        let new = state(len, holes, max) | unranked | old & BACKTRACES | next_generation(old);
        self.state.store(new, Ordering::Release);
    }

    /// Whether the set records no lock and no wait. Meant for a thread that is not the owner, at
    /// a time the owner cannot be using the set; foreign releases only ever make it idler.
    pub(crate) fn is_idle(&self) -> bool {
        self.waiting.addr.load(Ordering::Acquire) == 0
            && self.slots_below(self.len()).all(|(slot, _)| slot.addr.load(Ordering::Acquire) == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::acquisition::{Access, LockKind};
    use std::panic::Location;

    /// The fields of a view, comparable.
    fn fields(
        view: &SlotView,
    ) -> (usize, Option<*const ClassInfo>, *const Location<'static>, LockKind, Access) {
        (view.addr, view.class.map(ptr::from_ref), ptr::from_ref(view.site), view.kind, view.access)
    }

    fn kinds() -> [LockKind; 4] {
        [LockKind::Mutex, LockKind::RwLock, LockKind::Semaphore, LockKind::ReentrantMutex]
    }

    fn accesses() -> [Access; 4] {
        [Access::Exclusive, Access::Shared, Access::Upgradable, Access::Permit]
    }

    static NEAR: ClassInfo = ClassInfo::__new("NEAR", 3, file!(), line!(), module_path!(), "");

    #[test]
    fn every_kind_and_access_comes_back_as_recorded() {
        let set: &'static HeldSet = Box::leak(Box::new(HeldSet::new()));
        let mut pushed = Vec::new();
        for (i, kind) in kinds().into_iter().enumerate() {
            for (j, access) in accesses().into_iter().enumerate() {
                let class = if (i + j) % 2 == 0 { Some(&NEAR) } else { None };
                let view = SlotView {
                    addr: 0x1000 + 8 * pushed.len(),
                    class,
                    site: Location::caller(),
                    kind,
                    access,
                    created: None,
                    type_name: None,
                };
                set.push(&view);
                pushed.push(view);
            }
        }
        let held: Vec<_> = set.snapshot().iter().map(fields).collect();
        assert_eq!(held, pushed.iter().map(fields).collect::<Vec<_>>());
        assert_eq!(set.slots_below(pushed.len()).count(), pushed.len());
        assert_eq!(max_key_of(set.state()), 4);
    }

    /// Records beyond the inline slots go to the spill, made on first need: they are held,
    /// shown, released in and out of order like the inline ones, up to the capacity.
    #[test]
    fn deep_nesting_spills_past_the_inline_slots_up_to_the_capacity() {
        let set: &'static HeldSet = Box::leak(Box::new(HeldSet::new()));
        static RANKED: [ClassInfo; CAPACITY] = {
            let mut classes =
                [const { ClassInfo::__new("DEEP", 0, file!(), line!(), module_path!(), "") }; CAPACITY];
            let mut rank = 0;
            while rank < CAPACITY {
                classes[rank] = ClassInfo::__new("DEEP", rank as u32, file!(), line!(), module_path!(), "");
                rank += 1;
            }
            classes
        };
        let ranked = &RANKED;
        // One site for every record: copies of the closure may each have their own `Location`.
        let site = Location::caller();
        let record = |i: usize| SlotView {
            addr: 0x1000 + 8 * i,
            class: Some(&ranked[i]),
            site,
            kind: LockKind::Mutex,
            access: Access::Exclusive,
            created: None,
            type_name: None,
        };
        let mut restores = Vec::new();
        for i in 0..INLINE {
            restores.push(set.push(&record(i)));
        }
        assert!(set.spilled().is_none(), "the inline slots need no spill");
        for i in INLINE..CAPACITY {
            restores.push(set.push(&record(i)));
        }
        assert!(set.spilled().is_some());
        assert_eq!(set.push(&record(0)), UNRECORDED, "a full set records no more");
        let held: Vec<_> = set.snapshot().iter().map(fields).collect();
        assert_eq!(held, (0..CAPACITY).map(|i| fields(&record(i))).collect::<Vec<_>>());
        assert!(set.holds(record(40).addr) && set.holds(record(3).addr) && !set.holds(0x8));
        assert_eq!(max_key_of(set.state()), CAPACITY as u64);

        // Out of order in the spill: a hole, then the top goes and the highest rank follows.
        set.release(restores[40]);
        assert!(!set.holds(record(40).addr));
        assert_eq!(set.snapshot().len(), CAPACITY - 1);
        set.release(restores[CAPACITY - 1]);
        assert_eq!(max_key_of(set.state()), CAPACITY as u64 - 1);
        for i in (0..CAPACITY - 1).rev().filter(|&i| i != 40) {
            set.release(restores[i]);
        }
        assert!(set.snapshot().is_empty() && set.is_idle());
        assert_eq!(max_key_of(set.state()), 0);

        // Pushed again, the same slots are reused.
        for i in 0..INLINE + 2 {
            set.push(&record(i));
        }
        assert_eq!(set.snapshot().len(), INLINE + 2);
    }

    /// Classes and sites anywhere in memory, far from the binary's statics as those of another
    /// shared object may be, are kept whole: the same record comes back, and the rank counts.
    #[test]
    fn classes_and_sites_far_from_the_runtime_are_kept_whole() {
        // Large enough to be mapped on their own, away from the binary's statics.
        let sites: &'static [Location<'static>] = Vec::leak(vec![*Location::caller(); 1 << 20]);
        let classes: &'static [ClassInfo] = Vec::leak(
            (0..1 << 16).map(|_| ClassInfo::__new("FAR", 7, file!(), line!(), module_path!(), "")).collect(),
        );
        let (far_class, far_site) = (&classes[classes.len() / 2], &sites[sites.len() / 2]);
        let records = [
            SlotView {
                addr: 0x10,
                class: Some(&NEAR),
                site: far_site,
                kind: LockKind::RwLock,
                access: Access::Shared,
                created: None,
                type_name: None,
            },
            SlotView {
                addr: 0x20,
                class: None,
                site: far_site,
                kind: LockKind::Semaphore,
                access: Access::Permit,
                created: None,
                type_name: None,
            },
            SlotView {
                addr: 0x30,
                class: Some(far_class),
                site: Location::caller(),
                kind: LockKind::ReentrantMutex,
                access: Access::Upgradable,
                created: None,
                type_name: None,
            },
        ];

        let set: &'static HeldSet = Box::leak(Box::new(HeldSet::new()));
        for record in &records {
            set.push(record);
        }
        let held: Vec<_> = set.snapshot().iter().map(fields).collect();
        assert_eq!(held, records.iter().map(fields).collect::<Vec<_>>());
        assert_eq!(max_key_of(set.state()), 8);

        // The rank of a far class is read back from its slot.
        set.release_out_of_order(2);
        assert_eq!(max_key_of(set.state()), 4);
        set.slots[2].fill(records[2].words());
        set.state.store(state(3, false, 0), Ordering::Release);
        set.refresh();
        assert_eq!(max_key_of(set.state()), 8);

        // So is the lock the owner waits for.
        set.begin_wait(records[1]);
        let wait = set.waiting_for().expect("waiting");
        assert_eq!(fields(&wait.lock), fields(&records[1]));
    }
}
