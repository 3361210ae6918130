//! Lock classes: what a rank is attached to.
//!
//! Every lock type of this crate carries its class as a type parameter, `Mutex<T, C = Unranked>`.
//! `#[lock_rank(N)]` generates the class of a ranked `static` or struct field, or turns a unit
//! struct into a class that many locks share. The class is a zero-sized type, so a ranked lock is
//! exactly as big as an unranked one.

use std::fmt;

/// Where a rank was declared and what it is called: one row of the declared lock order.
///
/// Built by `#[lock_rank]`; read it through [`LockClass::INFO`] or [`crate::registry::classes`].
///
/// ```
/// use lock_order::{lock_rank, LockClass, Mutex};
///
/// #[lock_rank(7)]
/// static CACHE: Mutex<u32> = Mutex::new(0);
///
/// let info = lock_order::class_of(&CACHE).unwrap();
/// assert_eq!(info.name(), "CACHE");
/// assert_eq!(info.rank(), 7);
/// ```
#[derive(Debug)]
pub struct ClassInfo {
    name: &'static str,
    rank: u32,
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
        ClassInfo { name, rank, file, line, module_path, summary, rank_path: "", public: false }
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
    /// use lock_order::{lock_rank, Mutex};
    ///
    /// lock_order::order! {
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
    /// assert_eq!(lock_order::class_of(&QUEUE).unwrap().rank_path(), Some("ranks::QUEUE"));
    /// assert_eq!(lock_order::class_of(&STATS).unwrap().rank_path(), None);
    /// ```
    pub fn rank_path(&self) -> Option<&'static str> {
        (!self.rank_path.is_empty()).then_some(self.rank_path)
    }

    /// Whether rustdoc documents the lock, so that a generated page may link to it.
    pub(crate) fn is_public(&self) -> bool {
        self.public
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
/// use lock_order::{lock_rank, LockClass, Mutex};
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
/// use lock_order::Mutex;
///
/// let m: Mutex<Vec<u8>> = Mutex::new(vec![]);
/// m.lock().unwrap().push(1);
/// assert!(lock_order::class_of(&m).is_none());
/// ```
#[derive(Debug)]
pub enum Unranked {}

impl LockClass for Unranked {
    const INFO: Option<&'static ClassInfo> = None;
}

/// Implemented by every lock type of this crate: names the lock's class.
///
/// ```
/// use lock_order::{LockClass, Mutex, RankedLock, Unranked};
///
/// fn rank_of<L: RankedLock>() -> Option<u32> {
///     L::Class::INFO.map(|info| info.rank())
/// }
/// assert_eq!(rank_of::<Mutex<u8, Unranked>>(), None);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a lock of lock_order",
    label = "`#[lock_rank]` needs a lock_order lock type here",
    note = "use `lock_order::Mutex`, `lock_order::RwLock` (or the `tokio`, `parking_lot`, `lock_api` variants) instead of the plain lock"
)]
pub trait RankedLock {
    /// The lock's class.
    type Class: LockClass;
}

/// The class of `lock`, or `None` when it is unranked.
///
/// ```
/// use lock_order::{lock_rank, Mutex};
///
/// #[lock_rank(4)]
/// static QUEUE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// assert_eq!(lock_order::class_of(&QUEUE).map(|c| c.rank()), Some(4));
/// ```
pub fn class_of<L: RankedLock + ?Sized>(_lock: &L) -> Option<&'static ClassInfo> {
    <L::Class as LockClass>::INFO
}
