//! What an acquire is: the lock's kind, how it is taken, where, of what class; as the check gets
//! it ([`Request`]) and as the public API shows it ([`Acquisition`]).

use std::backtrace::Backtrace;
use std::panic::Location;
use std::sync::Arc;

use crate::class::{ClassInfo, Creation, LockClass, Origin};

/// Where an unranked lock was created and the function naming its value's type, when known: how
/// held sets and requests keep its [`Creation`] apart.
pub(crate) type CreationParts = (Option<&'static Location<'static>>, Option<fn() -> &'static str>);

/// Which kind of lock an acquisition took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum LockKind {
    /// A `Mutex`.
    Mutex = 0,
    /// An `RwLock`.
    RwLock = 1,
    /// A `Semaphore` permit.
    Semaphore = 2,
    /// A `ReentrantMutex`.
    ReentrantMutex = 3,
}

impl LockKind {
    #[cfg_attr(not(lock_rank_checked), allow(dead_code))]
    pub(crate) fn from_bits(bits: u8) -> Self {
        match bits {
            1 => LockKind::RwLock,
            2 => LockKind::Semaphore,
            3 => LockKind::ReentrantMutex,
            _ => LockKind::Mutex,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            LockKind::Mutex => "Mutex",
            LockKind::RwLock => "RwLock",
            LockKind::Semaphore => "Semaphore",
            LockKind::ReentrantMutex => "ReentrantMutex",
        }
    }
}

/// How a lock was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum Access {
    /// Exclusively: `lock`, `write`.
    Exclusive = 0,
    /// Shared: `read`.
    Shared = 1,
    /// An upgradable read.
    Upgradable = 2,
    /// One or more semaphore permits.
    Permit = 3,
}

impl Access {
    #[cfg_attr(not(lock_rank_checked), allow(dead_code))]
    pub(crate) fn from_bits(bits: u8) -> Self {
        match bits {
            1 => Access::Shared,
            2 => Access::Upgradable,
            3 => Access::Permit,
            _ => Access::Exclusive,
        }
    }
}

/// One acquisition of one lock: which lock, its class, where it was (or is being) acquired.
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// #[lock_rank(1)]
/// static A: Mutex<()> = Mutex::new(());
///
/// let _a = A.lock().unwrap();
/// let held = lock_rank::held_locks();
/// assert_eq!(held.len(), 1);
/// assert_eq!(held[0].name(), "A");
/// assert_eq!(held[0].rank(), Some(1));
/// assert_eq!(held[0].site().file(), file!());
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Acquisition {
    /// The lock's class, `None` for an unranked lock.
    pub class: Option<&'static ClassInfo>,
    /// The lock's address: tells two locks of one class apart.
    pub address: usize,
    /// Where the lock was created (the call of its constructor), when known.
    pub created: Option<&'static Location<'static>>,
    /// The lock's type, as `std::any::type_name` gives it, when known.
    pub type_name: Option<&'static str>,
    /// The caller's `file:line:column` of the acquire.
    pub site: &'static Location<'static>,
    /// The lock's kind.
    pub kind: LockKind,
    /// How it was taken.
    pub access: Access,
    /// The stack of the acquire, when the program runs with `LOCK_RANK_BACKTRACE=1`.
    pub backtrace: Option<Arc<Backtrace>>,
}

impl Acquisition {
    /// The lock's name: its class's name, or for an unranked lock its type and where it was
    /// created, `Mutex<u64> created at src/cache.rs:12:20` (`unranked Mutex@0x…` where that is
    /// not known).
    pub fn name(&self) -> String {
        match (self.class, self.created) {
            (Some(class), _) => class.name().to_owned(),
            (None, Some(created)) => {
                let type_name = lock_type_name(self.kind, self.type_name.unwrap_or(""));
                format!("{type_name} created at {created}")
            }
            (None, None) => format!("unranked {}@{:#x}", self.kind.name(), self.address),
        }
    }

    /// The lock's rank, `None` when unranked.
    pub fn rank(&self) -> Option<u32> {
        self.class.map(ClassInfo::rank)
    }

    /// Where the lock was acquired (or is being requested).
    pub fn site(&self) -> &'static Location<'static> {
        self.site
    }
}

/// A lock's kind with its value's type, `Mutex<Vec<u8>>`: how reports name an unranked lock's type.
pub(crate) fn lock_type_name(kind: LockKind, value: &str) -> String {
    // A semaphore guards no value: its name is the kind alone.
    if value.is_empty() || matches!(kind, LockKind::Semaphore) {
        kind.name().to_owned()
    } else {
        format!("{}<{}>", kind.name(), short_type_name(value))
    }
}

/// A type's name without module paths: `alloc::vec::Vec<core::option::Option<u8>>` as
/// `Vec<Option<u8>>`.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut word = String::new();
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            word.clear();
        } else {
            out.push_str(&word);
            word.clear();
            out.push(c);
        }
    }
    out.push_str(&word);
    out
}

/// What an acquire is about to take: the input to every check.
#[derive(Clone, Copy)]
pub(crate) struct Request {
    pub(crate) addr: usize,
    pub(crate) class: Option<&'static ClassInfo>,
    pub(crate) site: &'static Location<'static>,
    pub(crate) kind: LockKind,
    pub(crate) access: Access,
    /// Where the lock was made and what it holds, from its [`Origin`], when the acquire is of a
    /// lock at hand (not of a record of one) that keeps one.
    #[allow(dead_code)] // read by reports of unranked locks
    pub(crate) creation: Option<Creation>,
}

impl Request {
    /// An acquire from `site` of `lock`, whose type names class `C`, which holds a `V` (for a
    /// lock without a value, the lock's own type) and was made as `origin` says. `C` is the class
    /// when it is a rank (a constant); otherwise the lock may be a ranked one seen through its
    /// plain view, and its origin has the class.
    #[inline(always)]
    pub(crate) fn new<C: LockClass, V: ?Sized, L: ?Sized>(
        lock: &L,
        origin: &Origin,
        site: &'static Location<'static>,
        kind: LockKind,
        access: Access,
    ) -> Self {
        #[cfg(lock_rank_checked)]
        let class = match C::INFO {
            Some(class) => Some(class),
            None => origin.class(),
        };
        #[cfg(not(lock_rank_checked))]
        let class = C::INFO;
        Request {
            addr: (lock as *const L).cast::<()>() as usize,
            class,
            site,
            kind,
            access,
            creation: if C::INFO.is_some() { None } else { Some(origin.creation::<V>()) },
        }
    }

    /// A re-acquire from `site` of `lock`, which a guard gave up: of class `C` when that is a
    /// rank, otherwise of the class the guard's record was made with (`recorded`), which a lock
    /// seen through its plain view keeps there.
    #[cfg_attr(not(feature = "lock_api"), allow(dead_code))] // used by the lock_api guards
    #[inline(always)]
    pub(crate) fn reacquire<C: LockClass, L: ?Sized>(
        lock: &L,
        recorded: Option<&'static ClassInfo>,
        site: &'static Location<'static>,
        kind: LockKind,
        access: Access,
    ) -> Self {
        Request {
            addr: (lock as *const L).cast::<()>() as usize,
            class: C::INFO.or(recorded),
            site,
            kind,
            access,
            creation: None,
        }
    }

    #[allow(dead_code)] // unused without checks
    pub(crate) fn acquisition(&self) -> Acquisition {
        let (created, type_name) = self.origin_parts();
        Acquisition {
            class: self.class,
            address: self.addr,
            site: self.site,
            kind: self.kind,
            access: self.access,
            created,
            type_name: type_name.map(|f| f()),
            backtrace: None,
        }
    }

    /// Where the lock was created and the function naming its value's type, when known.
    #[allow(dead_code)] // unused without checks
    #[inline(always)]
    pub(crate) fn origin_parts(&self) -> CreationParts {
        #[cfg(lock_rank_checked)]
        if let Some(creation) = &self.creation {
            return (Some(creation.site()), Some(creation.type_name_fn()));
        }
        (None, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_lose_their_paths() {
        assert_eq!(short_type_name("alloc::vec::Vec<core::option::Option<u8>>"), "Vec<Option<u8>>");
        assert_eq!(lock_type_name(LockKind::RwLock, "alloc::string::String"), "RwLock<String>");
        assert_eq!(lock_type_name(LockKind::Mutex, ""), "Mutex");
        assert_eq!(short_type_name("std::collections::HashMap<u32, (u8, &str)>"), "HashMap<u32, (u8, &str)>");
    }
}
