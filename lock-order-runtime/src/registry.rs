//! The declared lock order of the whole program, read at runtime.
//!
//! Every `#[lock_rank]` registers its class here (with `inventory`, at no cost to acquires), in
//! checked and unchecked builds alike, so the order can be printed, diffed or drawn.
//!
//! ```
//! use lock_order::{lock_rank, Mutex};
//!
//! #[lock_rank(10)]
//! static SESSIONS: Mutex<u32> = Mutex::new(0);
//! #[lock_rank(20)]
//! static METRICS: Mutex<u32> = Mutex::new(0);
//!
//! let names: Vec<_> = lock_order::registry::classes().iter().map(|c| c.name()).collect();
//! assert_eq!(names, ["SESSIONS", "METRICS"]);
//! assert!(lock_order::registry::to_markdown().contains("| 10 | `SESSIONS` |"));
//! assert!(lock_order::registry::to_dot().starts_with("digraph lock_order {"));
//! ```

use std::fmt::Write as _;

use crate::class::ClassInfo;

/// One registered class; submitted by the code `#[lock_rank]` generates.
#[doc(hidden)]
pub struct Registration(pub &'static ClassInfo);

inventory::collect!(Registration);

/// Every ranked lock class linked into the program, by rank, then name, then declaration site.
///
/// ```
/// for class in lock_order::registry::classes() {
///     println!("{:>4}  {}  {}:{}", class.rank(), class.name(), class.file(), class.line());
/// }
/// ```
pub fn classes() -> Vec<&'static ClassInfo> {
    let mut all: Vec<&'static ClassInfo> = inventory::iter::<Registration>.into_iter().map(|r| r.0).collect();
    all.sort_by(|a, b| {
        (a.rank(), a.name(), a.file(), a.line()).cmp(&(b.rank(), b.name(), b.file(), b.line()))
    });
    all
}

/// The declared order as a Markdown table, lowest rank first.
///
/// ```
/// let table = lock_order::registry::to_markdown();
/// assert!(table.starts_with("| Rank | Lock | Declared at | Description |"));
/// ```
pub fn to_markdown() -> String {
    let mut out = String::from("| Rank | Lock | Declared at | Description |\n|---:|---|---|---|\n");
    for class in classes() {
        let _ = writeln!(
            out,
            "| {} | `{}` | {}:{} | {} |",
            class.rank(),
            class.name(),
            class.file(),
            class.line(),
            class.summary().replace('|', "\\|")
        );
    }
    out
}

/// The declared order as a Graphviz `digraph`: an edge `a -> b` says `b` may be acquired while
/// holding `a`. Locks of one rank share a row.
///
/// ```
/// let dot = lock_order::registry::to_dot();
/// assert!(dot.trim_end().ends_with('}'));
/// ```
pub fn to_dot() -> String {
    let classes = classes();
    let mut out = String::from("digraph lock_order {\n    rankdir=TB;\n    node [shape=box];\n");
    let mut ranks: Vec<u32> = classes.iter().map(|c| c.rank()).collect();
    ranks.dedup();
    let node = |c: &ClassInfo| format!("\"{} ({}:{})\"", c.name(), c.file(), c.line());
    for rank in &ranks {
        let _ = write!(out, "    {{ rank=same; ");
        for class in classes.iter().filter(|c| c.rank() == *rank) {
            let _ = write!(out, "{} [label=\"{}\\nrank {}\"]; ", node(class), class.name(), rank);
        }
        out.push_str("}\n");
    }
    for pair in ranks.windows(2) {
        for from in classes.iter().filter(|c| c.rank() == pair[0]) {
            for to in classes.iter().filter(|c| c.rank() == pair[1]) {
                let _ = writeln!(out, "    {} -> {};", node(from), node(to));
            }
        }
    }
    out.push_str("}\n");
    out
}
