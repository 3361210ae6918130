//! One held lock as the set keeps it: two words, the address and the class and site packed into
//! one, with what does not fit kept apart.
//!
//! A record is packed so that recording a lock takes two stores besides the state word's (see
//! `held_set`). Classes and sites are statics of the program, so each fits in 32 bits as its
//! distance from a static of the runtime; those of another shared object may not, and go to the
//! slot's [`Extra`], as do backtraces.

use std::backtrace::Backtrace;
use std::panic::Location;
use std::ptr;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex, OnceLock};
use std::time::Instant;

use crate::class::{ClassInfo, Creation};
use crate::track::acquisition::{Access, Acquisition, CreationParts, LockKind, Request};

/// One held lock: which, of what class, where it was acquired, how. Two words, so that recording
/// a lock takes two stores besides the state word's.
pub(crate) struct Slot {
    /// The lock's address; 0 marks a slot released out of order (a hole).
    pub(super) addr: AtomicUsize,
    /// The class (with the `LockKind`) and the site (with the `Access`), packed by
    /// [`Words::packed`]; [`FAR`] when they are kept in the slot's [`Extra`] instead.
    pub(super) meta: AtomicU64,
}

/// What a slot keeps apart, so that slots stay two words each: the class and site of a record
/// that could not be packed, and where the acquire came from, only with `LOCK_RANK_BACKTRACE=1`
/// (see [`backtraces`]). Kept in the set's [`Spill`].
pub(super) struct Extra {
    /// [`Words::class`] of a record whose `meta` is [`FAR`].
    pub(super) class: AtomicUsize,
    /// [`Words::site`] of a record whose `meta` is [`FAR`].
    pub(super) site: AtomicUsize,
    pub(super) trace: Trace,
}

/// Where an unranked lock was created and the function naming its type, so that the learned
/// order and every report can name it (see [`HeldSet::note_origin`]); 0 when not known. Kept
/// beside each inline slot (and in the spill for the others), since most unranked records need it.
pub(super) struct CreationCell {
    pub(super) created: AtomicUsize,
    pub(super) type_name: AtomicUsize,
}

pub(super) struct Trace(StdMutex<Option<Arc<Backtrace>>>);

/// What classes and sites are packed relative to: a static of the runtime. Both are statics of
/// the program too (`ClassInfo`s are declared by the macros, `Location`s made by the compiler),
/// so in one executable they lie within 2 GiB of it, and each fits in 32 bits as its distance from
/// here. Those of another shared object may not: they go to the slot's [`Extra`].
#[repr(C, align(8))]
pub(super) struct Anchor(u8);
pub(super) static ANCHOR: Anchor = Anchor(0);

/// `meta` of a record whose class or site is too far from the [`ANCHOR`] to be packed. Never a
/// packed value: it would put both the class and the site 4 bytes below the anchor (distances are
/// multiples of the alignment, tags fill the two low bits).
pub(super) const FAR: u64 = u64::MAX;

/// Two low bits are free in the addresses of `ClassInfo`s and `Location`s (both hold
/// references, so they are at least 4-aligned): they carry the kind and the access.
pub(super) const TAG: usize = 0b11;
const _: () = assert!(
    std::mem::align_of::<ClassInfo>() > TAG
        && std::mem::align_of::<Location<'static>>() > TAG
        && std::mem::align_of::<Anchor>() > TAG
        && LockKind::ReentrantMutex as usize <= TAG
        && Access::Permit as usize <= TAG
);

/// A consistent copy of one slot, read by its owner or by another thread.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SlotView {
    pub(crate) addr: usize,
    pub(crate) class: Option<&'static ClassInfo>,
    pub(crate) site: &'static Location<'static>,
    pub(crate) kind: LockKind,
    pub(crate) access: Access,
    /// Where an unranked lock was created, when known.
    pub(crate) created: Option<&'static Location<'static>>,
    /// The type of the value an unranked lock holds, when known.
    pub(crate) type_name: Option<fn() -> &'static str>,
}

/// A [`SlotView`] as three words: the lock's address, the class's (0 when unranked) with the
/// `LockKind` in the low bits, the site's with the `Access` in the low bits.
#[derive(Clone, Copy)]
pub(super) struct Words {
    pub(super) addr: usize,
    pub(super) class: usize,
    pub(super) site: usize,
}

impl Words {
    /// The class and site in one word: the low half the class's distance from the [`ANCHOR`]
    /// (just the kind when unranked), the high half the site's, tags in their low bits (the
    /// anchor is aligned, so a distance keeps them); and 0 if both distances fit in 32 bits
    /// (always so where addresses have 32 bits).
    #[inline(always)]
    pub(super) fn packed(&self) -> (u64, u64) {
        let anchor = ptr::from_ref(&ANCHOR) as usize;
        let class = if self.class & !TAG == 0 { self.class } else { self.class.wrapping_sub(anchor) };
        let site = self.site.wrapping_sub(anchor);
        // A distance fits if adding 2^31 leaves it below 2^32.
        let bias = |distance: usize| (distance as isize as i64 as u64).wrapping_add(1 << 31);
        let far = (bias(class) | bias(site)) >> 32;
        (u64::from(class as u32) | u64::from(site as u32) << 32, far)
    }

    /// The class's address packed into `meta` without its tags, 0 when unranked: the anchor
    /// read only for a ranked lock.
    #[inline(always)]
    pub(super) fn class_of(meta: u64) -> usize {
        let distance = meta as u32 as i32 as isize as usize;
        if distance & !TAG == 0 {
            0
        } else {
            (ptr::from_ref(&ANCHOR) as usize).wrapping_add(distance) & !TAG
        }
    }

    /// The words [`packed`](Self::packed) packed into `meta`.
    pub(super) fn unpacked(addr: usize, meta: u64) -> Words {
        let anchor = ptr::from_ref(&ANCHOR) as usize;
        let distance = |half: u32| half as i32 as isize as usize;
        let class = distance(meta as u32);
        Words {
            addr,
            class: if class & !TAG == 0 { class } else { anchor.wrapping_add(class) },
            site: anchor.wrapping_add(distance((meta >> 32) as u32)),
        }
    }
}

impl SlotView {
    /// The creation site and type-naming function as two words, 0 when not known.
    #[inline(always)]
    pub(super) fn origin(&self) -> (usize, usize) {
        (self.created.map_or(0, |c| ptr::from_ref(c) as usize), self.type_name.map_or(0, |f| f as usize))
    }

    #[inline(always)]
    pub(super) fn words(&self) -> Words {
        Words {
            addr: self.addr,
            class: self.class.map_or(0, |c| ptr::from_ref(c) as usize) | self.kind as usize,
            site: ptr::from_ref(self.site) as usize | self.access as usize,
        }
    }
}

impl Slot {
    pub(super) const fn new() -> Self {
        Slot { addr: AtomicUsize::new(0), meta: AtomicU64::new(0) }
    }

    /// Fills the slot with a record packed into `meta` (see [`Words::packed`]).
    #[inline(always)]
    pub(super) fn fill_packed(&self, addr: usize, meta: u64) {
        self.meta.store(meta, Ordering::Relaxed);
        // Publishes the word above to readers that see the address.
        self.addr.store(addr, Ordering::Release);
    }

    /// Fills the slot with `words`, packed if they can be, else kept in `extra` (made on demand:
    /// only records that cannot be packed need it).
    #[inline]
    pub(super) fn fill<'a>(&self, extra: impl FnOnce() -> &'a Extra, words: Words) {
        match words.packed() {
            (meta, 0) => self.fill_packed(words.addr, meta),
            _ => {
                let extra = extra();
                extra.class.store(words.class, Ordering::Relaxed);
                extra.site.store(words.site, Ordering::Relaxed);
                self.fill_packed(words.addr, FAR);
            }
        }
    }

    /// The slot's record as words, given its `meta` (owner only, or racy for readers); `None` for
    /// a record kept in an `extra` that is not there.
    #[inline]
    fn words(extra: Option<&Extra>, addr: usize, meta: u64) -> Option<Words> {
        match meta {
            FAR => extra.map(|extra| Words {
                addr,
                class: extra.class.load(Ordering::Relaxed),
                site: extra.site.load(Ordering::Relaxed),
            }),
            meta => Some(Words::unpacked(addr, meta)),
        }
    }

    /// The class of the lock in this slot (owner only, or racy for readers).
    #[inline]
    pub(super) fn class(&self, extra: Option<&Extra>) -> Option<&'static ClassInfo> {
        let words = Slot::words(extra, 0, self.meta.load(Ordering::Relaxed))?;
        deref_static((words.class & !TAG) as *mut ClassInfo)
    }

    pub(super) fn view(&self, extra: Option<&Extra>, creation: Option<&CreationCell>) -> Option<SlotView> {
        let addr = self.addr.load(Ordering::Acquire);
        if addr == 0 {
            return None;
        }
        let meta = self.meta.load(Ordering::Relaxed);
        // A `FAR` record's extra was published before its address (see `HeldSet::spill`).
        let Words { class, site, .. } = Slot::words(extra, addr, meta)?;
        // A reader racing with the owner may see a slot being refilled; the address re-read
        // below rejects a torn copy (and 0 is no record: it would put the site at the anchor).
        if meta == 0 || self.addr.load(Ordering::Acquire) != addr {
            return None;
        }
        let (created, type_name) = creation.map_or((None, None), CreationCell::origin);
        Some(SlotView {
            addr,
            class: deref_static((class & !TAG) as *mut ClassInfo),
            site: deref_static((site & !TAG) as *mut Location<'static>)?,
            kind: LockKind::from_bits((class & TAG) as u8),
            access: Access::from_bits((site & TAG) as u8),
            created,
            type_name,
        })
    }
}

impl Extra {
    pub(super) const fn new() -> Self {
        Extra { class: AtomicUsize::new(0), site: AtomicUsize::new(0), trace: Trace::new() }
    }
}

impl CreationCell {
    pub(super) const fn new() -> Self {
        CreationCell { created: AtomicUsize::new(0), type_name: AtomicUsize::new(0) }
    }

    /// Keeps a creation site and type (see [`SlotView::origin`]).
    #[inline(always)]
    pub(super) fn set_origin(&self, (created, type_name): (usize, usize)) {
        self.created.store(created, Ordering::Relaxed);
        self.type_name.store(type_name, Ordering::Relaxed);
    }

    /// What [`note_origin`](Self::note_origin) kept (owner only, or racy for readers: see
    /// [`Slot::view`]).
    pub(super) fn origin(&self) -> CreationParts {
        let created = deref_static(self.created.load(Ordering::Relaxed) as *mut Location<'static>);
        let type_name = match self.type_name.load(Ordering::Relaxed) {
            0 => None,
            // SAFETY: every non-zero value stored here is a `fn() -> &'static str` cast to
            // `usize` by `note_origin`, and function pointers and `usize` have one size.
            f => Some(unsafe { std::mem::transmute::<usize, fn() -> &'static str>(f) }),
        };
        (created, type_name)
    }
}

impl Trace {
    const fn new() -> Self {
        Trace(StdMutex::new(None))
    }

    // `extern "C"` on the cold paths taken after a lock is acquired: they cannot unwind, so the
    // hot path around them needs no landing pad, and keeps the new guard in registers.
    #[cold]
    #[inline(never)]
    pub(super) extern "C" fn capture(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(Backtrace::force_capture()));
    }

    pub(super) fn get(&self) -> Option<Arc<Backtrace>> {
        if !backtraces() {
            return None;
        }
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Whether every record carries a backtrace: `LOCK_RANK_BACKTRACE=1` in the environment, read
/// once. Off by default: capturing costs microseconds per acquire.
pub(crate) fn backtraces() -> bool {
    /// 0: not read yet, 1: off, 2: on.
    static ENABLED: AtomicU8 = AtomicU8::new(0);
    #[cold]
    #[inline(never)]
    fn read_env() -> bool {
        let on = std::env::var_os("LOCK_RANK_BACKTRACE").is_some_and(|v| v != "0" && !v.is_empty());
        ENABLED.store(if on { 2 } else { 1 }, Ordering::Relaxed);
        on
    }
    match ENABLED.load(Ordering::Relaxed) {
        0 => read_env(),
        state => state == 2,
    }
}

/// The instant the first held set was made: wait times are stored as nanoseconds since then.
pub(super) fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Turns a pointer stored from a `&'static` back into it.
pub(super) fn deref_static<T>(ptr: *mut T) -> Option<&'static T> {
    // SAFETY: every non-null pointer this is given was made from a `&'static T` (`ClassInfo`s
    // are statics, `Location`s come from `#[track_caller]`, sets and spills are leaked boxes),
    // so it is valid for reads forever and never written through.
    unsafe { ptr.cast_const().as_ref() }
}

impl SlotView {
    /// The lock's creation, as the record keeps it, for an acquire made again from a record.
    pub(crate) fn creation(&self) -> Option<Creation> {
        Some(Creation::of_record(self.created?, self.type_name?))
    }
}

impl Request {
    /// The request as the record it leaves.
    #[inline(always)]
    pub(crate) fn slot(&self) -> SlotView {
        let (created, type_name) = self.origin_parts();
        SlotView {
            addr: self.addr,
            class: self.class,
            site: self.site,
            kind: self.kind,
            access: self.access,
            created,
            type_name,
        }
    }
}

/// A record as the public [`Acquisition`].
pub(crate) fn to_acquisition(slot: &SlotView, backtrace: Option<Arc<Backtrace>>) -> Acquisition {
    Acquisition {
        class: slot.class,
        address: slot.addr,
        site: slot.site,
        kind: slot.kind,
        access: slot.access,
        created: slot.created,
        type_name: slot.type_name.map(|f| f()),
        backtrace,
    }
}
