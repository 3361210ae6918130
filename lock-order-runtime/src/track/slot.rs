//! One held lock as the set keeps it: three words, the address, the class and the site, each
//! written whole.
//!
//! Classes and sites are statics (`ClassInfo`s declared by the macros, `Location`s made by the
//! compiler), so recording a lock stores its address and two constants the compiler has at hand,
//! with no arithmetic and no test before the stores; what only backtraces need is kept apart, in
//! the slot's [`Extra`].

use std::backtrace::Backtrace;
use std::panic::Location;
use std::ptr;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex, OnceLock};
use std::time::Instant;

use crate::class::{ClassInfo, Creation};
use crate::track::acquisition::{Access, Acquisition, CreationParts, LockKind, Request};

/// One held lock: which, of what class, where it was acquired, how. Recording a lock takes three
/// stores besides the state word's.
pub(crate) struct Slot {
    /// The lock's address; 0 marks a slot released out of order (a hole). Stored last, so that a
    /// reader who sees it sees the words below.
    pub(super) addr: AtomicUsize,
    /// [`Words::class`]: the class's address (0 when unranked) with the `LockKind` in the low bits.
    pub(super) class: AtomicUsize,
    /// [`Words::site`]: the site's address with the `Access` in the low bits.
    pub(super) site: AtomicUsize,
}

/// What a slot keeps apart, so that slots stay three words each: where the acquire came from,
/// only with `LOCK_RANK_BACKTRACE=1` (see [`backtraces`]). Kept in the set's [`Spill`].
pub(super) struct Extra {
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

/// Two low bits are free in the addresses of `ClassInfo`s and `Location`s (both hold
/// references, so they are at least 4-aligned): they carry the kind and the access.
pub(super) const TAG: usize = 0b11;
const _: () = assert!(
    std::mem::align_of::<ClassInfo>() > TAG
        && std::mem::align_of::<Location<'static>>() > TAG
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

/// A [`SlotView`] as a slot keeps it: the lock's address, the class's (0 when unranked) with the
/// `LockKind` in the low bits, the site's with the `Access` in the low bits.
#[derive(Clone, Copy)]
pub(super) struct Words {
    pub(super) addr: usize,
    pub(super) class: usize,
    pub(super) site: usize,
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
        Slot { addr: AtomicUsize::new(0), class: AtomicUsize::new(0), site: AtomicUsize::new(0) }
    }

    /// Fills the slot with `words`.
    #[inline(always)]
    pub(super) fn fill(&self, words: Words) {
        self.class.store(words.class, Ordering::Relaxed);
        self.site.store(words.site, Ordering::Relaxed);
        // Publishes the words above to readers that see the address.
        self.addr.store(words.addr, Ordering::Release);
    }

    /// The class's address, without its tag; 0 when unranked (owner only, or racy for readers).
    #[inline(always)]
    pub(super) fn class_word(&self) -> usize {
        self.class.load(Ordering::Relaxed) & !TAG
    }

    /// The class of the lock in this slot (owner only, or racy for readers).
    #[inline]
    pub(super) fn class(&self) -> Option<&'static ClassInfo> {
        deref_static(self.class_word() as *mut ClassInfo)
    }

    pub(super) fn view(&self, creation: Option<&CreationCell>) -> Option<SlotView> {
        let addr = self.addr.load(Ordering::Acquire);
        if addr == 0 {
            return None;
        }
        let class = self.class.load(Ordering::Relaxed);
        let site = self.site.load(Ordering::Relaxed);
        // A reader racing with the owner may see a slot being refilled; the address re-read
        // below rejects a torn copy (and a site of 0 is no record).
        if self.addr.load(Ordering::Acquire) != addr {
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
        Extra { trace: Trace::new() }
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
