//! Lock classes: what a rank is attached to.
//!
//! Every lock type of this crate carries its class as a type parameter, `Mutex<T, C = Unranked>`.
//! `#[lock_rank(N)]` generates the class of a ranked `static` or struct field, or turns a unit
//! struct into a class that many locks share. The class is a zero-sized type, so a ranked lock is
//! exactly as big as an unranked one.

use std::fmt;
#[cfg(lock_rank_checked)]
use std::panic::Location;

/// Where a rank was declared and what it is called: one row of the declared lock order.
///
/// Built by `#[lock_rank]`; read it through [`LockClass::INFO`] or [`crate::registry::classes`].
///
/// ```
/// use lock_rank::{lock_rank, LockClass, Mutex};
///
/// #[lock_rank(7)]
/// static CACHE: Mutex<u32> = Mutex::new(0);
///
/// let info = lock_rank::class_of(&CACHE).unwrap();
/// assert_eq!(info.name(), "CACHE");
/// assert_eq!(info.rank(), 7);
/// ```
pub struct ClassInfo {
    name: &'static str,
    rank: u32,
    /// The rank's key in a held set's state word, `rank + 1` saturating (see `held::rank_key`):
    /// kept, so that the check of a class known only at run time (a plain view) loads it.
    #[cfg(lock_rank_checked)]
    key: u32,
    file: &'static str,
    line: u32,
    module_path: &'static str,
    summary: &'static str,
    /// The rank as written when it names a constant (`ranks::ACCOUNTS`), else `""`.
    rank_path: &'static str,
    /// Whether the lock is declared `pub` (for a field: in a `pub` struct), so that rustdoc
    /// documents it and a generated page can link to it.
    public: bool,
}

impl ClassInfo {
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        rank: u32,
        file: &'static str,
        line: u32,
        module_path: &'static str,
        summary: &'static str,
    ) -> Self {
        ClassInfo {
            name,
            rank,
            #[cfg(lock_rank_checked)]
            key: rank.saturating_add(1),
            file,
            line,
            module_path,
            summary,
            rank_path: "",
            public: false,
        }
    }

    /// The rank plus one, saturating: the class's key in a held set's state word.
    #[cfg(lock_rank_checked)]
    #[inline(always)]
    pub(crate) fn key(&self) -> u32 {
        self.key
    }

    /// The parts of the declaration that only documentation reads: the rank's path as written
    /// (`""` for a literal) and whether the lock is `pub`.
    #[doc(hidden)]
    pub const fn __documented(self, rank_path: &'static str, public: bool) -> Self {
        ClassInfo { rank_path, public, ..self }
    }

    /// The lock's name: a static's identifier, `Type::field`, or the class struct's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The declared rank. Blocking acquires must come in strictly increasing rank order.
    pub fn rank(&self) -> u32 {
        self.rank
    }

    /// The source file of the `#[lock_rank]` declaration.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The line of the `#[lock_rank]` declaration.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The module the lock was declared in, as `module_path!()` gives it.
    pub fn module_path(&self) -> &'static str {
        self.module_path
    }

    /// The first line of the item's doc comment, or `""`.
    pub fn summary(&self) -> &'static str {
        self.summary
    }

    /// The rank as written in `#[lock_rank(..)]` when it is the path of a constant, such as
    /// `ranks::ACCOUNTS`; `None` for a literal rank.
    ///
    /// ```
    /// use lock_rank::{lock_rank, Mutex};
    ///
    /// lock_rank::order! {
    ///     pub mod ranks {
    ///         QUEUE = 4,
    ///     }
    /// }
    ///
    /// #[lock_rank(ranks::QUEUE)]
    /// static QUEUE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
    /// #[lock_rank(9)]
    /// static STATS: Mutex<u64> = Mutex::new(0);
    ///
    /// assert_eq!(lock_rank::class_of(&QUEUE).unwrap().rank_path(), Some("ranks::QUEUE"));
    /// assert_eq!(lock_rank::class_of(&STATS).unwrap().rank_path(), None);
    /// ```
    pub fn rank_path(&self) -> Option<&'static str> {
        (!self.rank_path.is_empty()).then_some(self.rank_path)
    }

    /// Whether rustdoc documents the lock, so that a generated page may link to it.
    pub(crate) fn is_public(&self) -> bool {
        self.public
    }
}

// By hand: the declaration's fields, not the key derived from them.
impl fmt::Debug for ClassInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClassInfo")
            .field("name", &self.name)
            .field("rank", &self.rank)
            .field("file", &self.file)
            .field("line", &self.line)
            .field("module_path", &self.module_path)
            .field("summary", &self.summary)
            .field("rank_path", &self.rank_path)
            .field("public", &self.public)
            .finish()
    }
}

impl fmt::Display for ClassInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` (rank {}, declared at {}:{})", self.name, self.rank, self.file, self.line)
    }
}

/// The class parameter of every lock type: says whether the lock is ranked, and as what.
///
/// Implemented by [`Unranked`] and by the types `#[lock_rank]` generates or annotates; there is
/// no need to implement it by hand.
///
/// ```
/// use lock_rank::{lock_rank, LockClass, Mutex};
///
/// /// One rank shared by every shard of the table.
/// #[lock_rank(3)]
/// struct Shard;
///
/// assert_eq!(Shard::INFO.unwrap().rank(), 3);
/// let shards: Vec<Mutex<u64, Shard>> = (0..4).map(|_| Mutex::new(0)).collect();
/// assert_eq!(*shards[2].lock().unwrap(), 0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a lock class",
    label = "not a lock class",
    note = "declare a class with `#[lock_rank(N)]` on a unit struct, or leave the parameter out for an unranked lock"
)]
pub trait LockClass: 'static {
    /// The rank and its declaration, or `None` for an unranked lock (class `Unranked`).
    const INFO: Option<&'static ClassInfo>;
}

/// The class of a lock that takes no part in the order: the default class parameter.
///
/// Unranked locks are still tracked: re-acquiring one the thread holds is reported, and they show
/// up in [`held_locks`](crate::held_locks) and dumps.
///
/// ```
/// use lock_rank::Mutex;
///
/// let m: Mutex<Vec<u8>> = Mutex::new(vec![]);
/// m.lock().unwrap().push(1);
/// assert!(lock_rank::class_of(&m).is_none());
/// ```
#[derive(Debug)]
pub enum Unranked {}

impl LockClass for Unranked {
    const INFO: Option<&'static ClassInfo> = None;
}

/// Implemented by every lock type of this crate: names the lock's class.
///
/// ```
/// use lock_rank::{LockClass, Mutex, RankedLock, Unranked};
///
/// fn rank_of<L: RankedLock>() -> Option<u32> {
///     L::Class::INFO.map(|info| info.rank())
/// }
/// assert_eq!(rank_of::<Mutex<u8, Unranked>>(), None);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a lock of lock_rank",
    label = "`#[lock_rank]` needs a lock_rank lock type here",
    note = "use `lock_rank::Mutex`, `lock_rank::RwLock` (or the `tokio`, `parking_lot`, `lock_api` variants) instead of the plain lock"
)]
pub trait RankedLock {
    /// The lock's class.
    type Class: LockClass;

    /// The lock's class as [`class_of`] gives it: the type's, or the one the lock was made with.
    #[doc(hidden)]
    #[inline]
    fn __class(&self) -> Option<&'static ClassInfo> {
        <Self::Class as LockClass>::INFO
    }
}

/// Implemented by the classes `#[lock_rank]` declares, never by [`Unranked`]: a lock of such a
/// class is also a lock of its plain type, which it derefs to.
///
/// `&Mutex<T, C>` then goes wherever code takes a `&Mutex<T>` (and likewise for every lock family
/// but the tokio one): a helper `fn f(m: &Mutex<T>)`, a `Vec<&Mutex<T>>` of locks of different
/// ranks. The plain view is the same lock: an acquire through it is checked with the lock's own
/// rank and name, which the lock keeps from when it was made. For an `Arc`, see
/// [`Mutex::into_plain`](crate::Mutex::into_plain).
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// #[lock_rank(5)]
/// static USERS: Mutex<Vec<String>> = Mutex::new(Vec::new());
///
/// fn user_count(users: &Mutex<Vec<String>>) -> usize {
///     users.lock().unwrap().len() // checked as `USERS`, rank 5
/// }
/// assert_eq!(user_count(&USERS), 0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a ranked lock class",
    label = "only a lock of a `#[lock_rank]` class has a plain view",
    note = "an unranked lock is already of its plain type"
)]
pub trait RankedClass: LockClass {}

/// The class of `lock`, or `None` when it is unranked.
///
/// Through a ranked lock's plain view (`&Mutex<T>` from a `&Mutex<T, C>`, see [`RankedClass`])
/// the class is known in checked builds only, where the lock keeps it; without checks the plain
/// view gives `None`.
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// #[lock_rank(4)]
/// static QUEUE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// assert_eq!(lock_rank::class_of(&QUEUE).map(|c| c.rank()), Some(4));
/// ```
pub fn class_of<L: RankedLock + ?Sized>(lock: &L) -> Option<&'static ClassInfo> {
    lock.__class()
}

/// What every lock keeps of its making, in checked builds: its class and where it was made, so
/// that an acquire through any view of the lock (the plain `&Mutex<T>` a ranked lock coerces to)
/// is checked with the lock's own rank and can name it. What it holds is not kept: every acquire
/// knows the type, and names it (see [`creation`](Self::creation)).
///
/// Two words with checks; zero-sized without, so a lock stays exactly the size of the lock it wraps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Origin {
    #[cfg(lock_rank_checked)]
    class: Option<&'static ClassInfo>,
    #[cfg(lock_rank_checked)]
    site: &'static Location<'static>,
}

/// Where a lock was made and what it holds: the part of its [`Origin`] an acquire carries along
/// to name the lock (its class travels as the acquire's own). Zero-sized without checks.
#[derive(Clone, Copy)]
pub(crate) struct Creation {
    #[cfg(lock_rank_checked)]
    site: &'static Location<'static>,
    #[cfg(lock_rank_checked)]
    type_name: fn() -> &'static str,
}

impl Origin {
    /// The origin of a lock of class `C`, made by the caller of the constructor that calls this.
    #[inline(always)]
    #[track_caller]
    #[cfg_attr(not(lock_rank_checked), allow(clippy::extra_unused_type_parameters))] // read with checks
    pub(crate) const fn new<C: LockClass>() -> Self {
        Origin {
            #[cfg(lock_rank_checked)]
            class: C::INFO,
            #[cfg(lock_rank_checked)]
            site: Location::caller(),
        }
    }

    /// The lock's class, as it was made; `None` for an unranked lock.
    #[cfg(lock_rank_checked)]
    #[inline(always)]
    pub(crate) fn class(&self) -> Option<&'static ClassInfo> {
        self.class
    }

    /// The class of a lock whose type names class `C`: `C`'s when that is a rank; otherwise,
    /// with checks, the one the lock was made with (it may be seen through its plain view).
    #[inline(always)]
    pub(crate) fn class_as<C: LockClass>(&self) -> Option<&'static ClassInfo> {
        #[cfg(lock_rank_checked)]
        {
            C::INFO.or(self.class)
        }
        #[cfg(not(lock_rank_checked))]
        {
            C::INFO
        }
    }

    /// Where the lock was made: the call of its constructor.
    #[cfg(lock_rank_checked)]
    #[allow(dead_code)] // read by reports of unranked locks
    #[inline(always)]
    pub(crate) fn created(&self) -> &'static Location<'static> {
        self.site
    }

    /// Where the lock was made, and that it holds a `V` (for a lock without a value, the lock's
    /// own type): what an acquire names the lock by.
    #[inline(always)]
    #[cfg_attr(not(lock_rank_checked), allow(clippy::extra_unused_type_parameters))] // read with checks
    pub(crate) fn creation<V: ?Sized>(&self) -> Creation {
        Creation {
            #[cfg(lock_rank_checked)]
            site: self.site,
            #[cfg(lock_rank_checked)]
            type_name: std::any::type_name::<V>,
        }
    }
}

impl Creation {
    /// Where the lock was made: the call of its constructor.
    #[cfg(lock_rank_checked)]
    #[allow(dead_code)] // read by reports of unranked locks
    #[inline(always)]
    pub(crate) fn site(&self) -> &'static Location<'static> {
        self.site
    }

    /// The type of the value the lock holds (for a lock without a value, the lock's own type).
    #[cfg(lock_rank_checked)]
    #[allow(dead_code)] // read by reports of unranked locks
    #[inline(always)]
    pub(crate) fn type_name(&self) -> &'static str {
        (self.type_name)()
    }
}

/// What the learned lock order and the held sets keep of a [`Creation`]: its two words.
#[cfg(lock_rank_checked)]
impl Creation {
    /// The function naming the type, uncalled: a word to keep, and to tell types apart by.
    #[inline(always)]
    pub(crate) fn type_name_fn(&self) -> fn() -> &'static str {
        self.type_name
    }

    /// A creation put back together from a held set's record of it (a re-acquire after a wait).
    #[inline]
    pub(crate) fn of_record(site: &'static Location<'static>, type_name: fn() -> &'static str) -> Self {
        Creation { site, type_name }
    }
}

impl fmt::Debug for Creation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Creation");
        #[cfg(lock_rank_checked)]
        out.field("site", &self.site).field("type_name", &self.type_name());
        out.finish()
    }
}

#[cfg(all(test, lock_rank_checked))]
mod tests {
    use std::panic::Location;

    use super::{ClassInfo, LockClass};
    use crate::{Mutex, RwLock};

    static SHARD_INFO: ClassInfo = ClassInfo::__new("Shard", 3, file!(), line!(), module_path!(), "");
    enum Shard {}
    impl LockClass for Shard {
        const INFO: Option<&'static ClassInfo> = Some(&SHARD_INFO);
    }

    #[test]
    fn every_constructor_records_its_call_site() {
        let here = line!() + 1;
        let made: Mutex<u8> = Mutex::new(0);
        assert_eq!(made.origin().created().line(), here);
        assert_eq!(made.origin().created().file(), file!());
        let here = line!() + 1;
        let defaulted: Mutex<u8> = Mutex::default();
        assert_eq!(defaulted.origin().created().line(), here);
        let here = line!() + 1;
        let converted: RwLock<u8> = RwLock::from(1);
        assert_eq!(converted.origin().created().line(), here);
    }

    #[test]
    fn a_const_constructor_records_the_static_it_initializes() {
        static CACHE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
        let declared = line!() - 1;
        assert_eq!(CACHE.origin().created().line(), declared);
        assert_eq!(CACHE.origin().creation::<Vec<u32>>().type_name(), "alloc::vec::Vec<u32>");
    }

    #[test]
    fn the_origin_keeps_the_class_the_lock_was_made_with() {
        let ranked: Mutex<u8, Shard> = Mutex::new(0);
        assert_eq!(ranked.origin().class().map(ClassInfo::name), Some("Shard"));
        let plain: RwLock<String> = RwLock::new(String::new());
        assert!(plain.origin().class().is_none());
    }

    #[cfg(feature = "lock_api")]
    #[test]
    fn lock_api_constructors_record_their_call_site() {
        use crate::lock_api::{Mutex, ReentrantMutex, RwLock};
        use lock_api::{RawMutex as _, RawRwLock as _};
        use parking_lot::{RawMutex, RawRwLock, RawThreadId};

        let here = line!() + 1;
        let mutex: Mutex<RawMutex, u8, Shard> = Mutex::new(0);
        assert_eq!(mutex.origin().created().line(), here);
        assert_eq!(mutex.origin().class().map(ClassInfo::rank), Some(3));
        let here = line!() + 1;
        let rwlock: RwLock<RawRwLock, u8> = RwLock::const_new(RawRwLock::INIT, 0);
        assert_eq!(rwlock.origin().created().line(), here);
        let here = line!() + 1;
        let remutex: ReentrantMutex<RawMutex, RawThreadId, u8> = ReentrantMutex::default();
        assert_eq!(remutex.origin().created().line(), here);
        let here = line!() + 1;
        let from_raw: Mutex<RawMutex, u8> = Mutex::from_raw(RawMutex::INIT, 0);
        assert_eq!(from_raw.origin().created().line(), here);
    }

    #[cfg(feature = "parking_lot")]
    #[test]
    fn parking_lot_const_constructors_record_their_call_site() {
        let here = line!() + 1;
        let mutex: crate::parking_lot::Mutex<u8> = crate::parking_lot::const_mutex(0);
        assert_eq!(mutex.origin().created().line(), here);
    }

    #[test]
    fn a_request_takes_the_class_from_the_origin_when_the_type_has_none() {
        use crate::check::Request;
        use crate::track::{Access, LockKind};

        let ranked: Mutex<u8, Shard> = Mutex::new(0);
        let site = Location::caller();
        // The plain view's class parameter, `Unranked`, with the ranked lock's origin.
        let request = Request::new::<super::Unranked, u8, _>(
            &ranked,
            ranked.origin(),
            site,
            LockKind::Mutex,
            Access::Exclusive,
        );
        assert_eq!(request.class.map(ClassInfo::rank), Some(3));
        assert_eq!(request.creation.map(|c| c.site().line()), Some(ranked.origin().created().line()));
        let plain: Mutex<u8> = Mutex::new(0);
        let request = Request::new::<super::Unranked, u8, _>(
            &plain,
            plain.origin(),
            site,
            LockKind::Mutex,
            Access::Exclusive,
        );
        assert!(request.class.is_none());
        assert_eq!(
            request.creation.map(|c| c.type_name()),
            Some("u8"),
            "the acquire names what the lock holds"
        );
    }
}
