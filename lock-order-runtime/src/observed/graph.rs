//! The learned graph as the public API shows it: its locks, its edges, its bounds.

use std::fmt::{self, Write as _};
use std::panic::Location;

use crate::class::ClassInfo;
use crate::track::acquisition::lock_type_name;
use crate::track::LockKind;

/// At most this many locks (creation sites and classes) are learned.
pub const MAX_LOCKS: usize = 4096;
/// At most this many edges between them are learned.
pub const MAX_EDGES: usize = 65_536;
/// The edges between two instances of one creation site kept at once; older ones are forgotten.
pub const MAX_INSTANCE_EDGES: usize = 4096;

/// One lock of the learned graph: a ranked class, or the creation site and type of unranked locks.
///
/// ```
/// # use lock_rank::Mutex;
/// let a: Mutex<u8> = Mutex::new(0);
/// let (line, b) = (line!(), Mutex::<u8>::new(0));
/// let _a = a.lock().unwrap();
/// drop(b.lock().unwrap());
/// if lock_rank::CHECKS_ENABLED {
///     let edges = lock_rank::observed::edges().edges;
///     let edge = edges.into_iter().find(|e| e.to.created().is_some_and(|s| s.line() == line)).unwrap();
///     assert_eq!(edge.to.type_name(), "Mutex<u8>");
///     assert!(edge.to.to_string().starts_with("`Mutex<u8> created at "));
/// }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ObservedLock {
    pub(super) class: Option<&'static ClassInfo>,
    pub(super) created: Option<&'static Location<'static>>,
    pub(super) type_name: &'static str,
    pub(super) kind: LockKind,
}

impl ObservedLock {
    /// The class of a ranked lock.
    pub fn class(&self) -> Option<&'static ClassInfo> {
        self.class
    }

    /// Where an unranked lock was created, when known.
    pub fn created(&self) -> Option<&'static Location<'static>> {
        self.created
    }

    /// The lock's kind and the type of its value, without module paths (`Mutex<Vec<u8>>`); the
    /// kind alone if the value's type is not known.
    pub fn type_name(&self) -> String {
        lock_type_name(self.kind, self.type_name)
    }

    /// The lock's name in reports: a class's name, else `Type created at file:line:column`.
    pub fn name(&self) -> String {
        match (self.class, self.created) {
            (Some(class), _) => class.name().to_owned(),
            (None, Some(site)) => format!("{} created at {site}", self.type_name()),
            (None, None) => format!("unranked {}", self.type_name()),
        }
    }

    pub(super) fn same(&self, other: &ObservedLock) -> bool {
        key_of(self) == key_of(other)
    }
}

impl fmt::Display for ObservedLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.class, self.created) {
            (Some(class), _) => write!(f, "{class}"),
            (None, Some(site)) => write!(f, "`{} created at {site}`", self.type_name()),
            (None, None) => write!(f, "`unranked {}`", self.type_name()),
        }
    }
}

/// One learned edge: `to` was acquired while `from` was held.
///
/// A step of a cycle that comes from the declared ranks instead (`from` is ranked below `to`)
/// has no sites.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ObservedEdge {
    /// The lock held.
    pub from: ObservedLock,
    /// The lock acquired while it was held.
    pub to: ObservedLock,
    /// Where `from` was acquired, the first time this order was seen.
    pub held_at: Option<&'static Location<'static>>,
    /// Where `to` was acquired, the first time this order was seen.
    pub acquired_at: Option<&'static Location<'static>>,
    /// Whether the edge is between two instances of one creation site (not one lock to itself).
    pub between_instances: bool,
}

impl fmt::Display for ObservedEdge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let instances = if self.between_instances { " (another instance)" } else { "" };
        match (self.held_at, self.acquired_at) {
            (Some(held), Some(acquired)) => write!(
                f,
                "{}{instances} acquired at {acquired} while holding {} acquired at {held}",
                self.to, self.from
            ),
            _ => write!(f, "{} is declared before {} (by rank)", self.from, self.to),
        }
    }
}

/// The learned graph: every lock seen nested with another, and every order seen.
///
/// ```
/// let graph = lock_rank::observed::edges();
/// let dot = graph.to_dot();
/// assert!(dot.starts_with("digraph observed_lock_order {"));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Graph {
    /// Every lock learned, in the order first seen.
    pub locks: Vec<ObservedLock>,
    /// Every order learned, in the order first seen; edges between instances of one site last.
    pub edges: Vec<ObservedEdge>,
}

impl Graph {
    /// The graph in Graphviz's DOT language: one node per lock, one arrow per order, labelled
    /// with the two acquire sites of the first time it was seen.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph observed_lock_order {\n    node [shape=box];\n");
        let index = |lock: &ObservedLock| self.locks.iter().position(|l| l.same(lock)).unwrap_or(0);
        for (i, lock) in self.locks.iter().enumerate() {
            let _ = writeln!(out, "    n{i} [label=\"{}\"];", dot_escape(&lock.to_string()));
        }
        for edge in &self.edges {
            let label = match (edge.held_at, edge.acquired_at) {
                (Some(h), Some(a)) => format!("held at {h}\\nacquired at {a}"),
                _ => "by rank".to_owned(),
            };
            let style = if edge.between_instances { ", style=dashed" } else { "" };
            let _ = writeln!(
                out,
                "    n{} -> n{} [label=\"{}\"{style}];",
                index(&edge.from),
                index(&edge.to),
                dot_escape(&label).replace("\\\\n", "\\n")
            );
        }
        out.push_str("}\n");
        out
    }
}

fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// How big the learned graph is.
///
/// ```
/// let size = lock_rank::observed::size();
/// assert!(size.locks <= lock_rank::observed::MAX_LOCKS);
/// assert!(size.bytes >= size.edges * 16);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphSize {
    /// Locks (creation sites and classes) learned.
    pub locks: usize,
    /// Orders learned between them.
    pub edges: usize,
    /// Orders between instances of one site, kept now.
    pub instance_edges: usize,
    /// An estimate of the memory it takes, in bytes (capacities, not lengths).
    pub bytes: usize,
}
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Class(usize),
    Site { file: &'static str, line: u32, column: u32, type_name: &'static str },
    Unknown(&'static str),
}

pub(super) fn key_of(lock: &ObservedLock) -> Key {
    match (lock.class, lock.created) {
        (Some(class), _) => Key::Class(std::ptr::from_ref(class) as usize),
        (None, Some(site)) => Key::Site {
            file: site.file(),
            line: site.line(),
            column: site.column(),
            type_name: lock.type_name,
        },
        (None, None) => Key::Unknown(lock.type_name),
    }
}
