//! The declared lock order of the whole program, read at runtime.
//!
//! Every `#[lock_rank]` registers its class here (with `inventory`, at no cost to acquires), in
//! checked and unchecked builds alike, so the order can be printed, diffed or drawn; every
//! `order!` registers its constants. [`declared_in`] renders one crate's locks as a page for its
//! docs and as a graph, and [`assert_fresh`] is the test that keeps the committed files true.
//!
//! ```
//! use lock_rank::{lock_rank, Mutex};
//!
//! #[lock_rank(10)]
//! static SESSIONS: Mutex<u32> = Mutex::new(0);
//! #[lock_rank(20)]
//! static METRICS: Mutex<u32> = Mutex::new(0);
//!
//! let names: Vec<_> = lock_rank::registry::classes().iter().map(|c| c.name()).collect();
//! assert_eq!(names, ["SESSIONS", "METRICS"]);
//! assert!(lock_rank::registry::to_markdown().contains("| 10 | `SESSIONS` |"));
//! assert!(lock_rank::registry::to_dot().starts_with("digraph lock_rank {"));
//! ```

use std::fmt::Write as _;
use std::path::Path;

use crate::class::ClassInfo;

/// One registered class; submitted by the code `#[lock_rank]` generates.
#[doc(hidden)]
pub struct Registration(pub &'static ClassInfo);

inventory::collect!(Registration);

/// One registered constant of an `order!` table; submitted by the code `order!` generates.
#[doc(hidden)]
pub struct RankRegistration(pub &'static RankConstant);

inventory::collect!(RankRegistration);

/// One constant of an [`order!`](../macro.order.html) table: a named rank, declared in one
/// reviewed place, that `#[lock_rank(ranks::NAME)]` refers to.
///
/// ```
/// lock_rank::order! {
///     pub mod ranks {
///         /// Open sessions.
///         SESSIONS = 10,
///     }
/// }
///
/// let sessions = lock_rank::registry::rank_constants()
///     .into_iter()
///     .find(|c| c.name() == "SESSIONS")
///     .unwrap();
/// assert_eq!(sessions.rank(), 10);
/// assert!(sessions.module_path().ends_with("::ranks"));
/// assert_eq!(sessions.summary(), "Open sessions.");
/// ```
#[derive(Debug)]
pub struct RankConstant {
    name: &'static str,
    rank: u32,
    module_path: &'static str,
    file: &'static str,
    line: u32,
    summary: &'static str,
    public: bool,
}

impl RankConstant {
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        rank: u32,
        module_path: &'static str,
        file: &'static str,
        line: u32,
        summary: &'static str,
        public: bool,
    ) -> Self {
        RankConstant { name, rank, module_path, file, line, summary, public }
    }

    /// The constant's name, such as `ACCOUNTS`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The constant's value.
    pub fn rank(&self) -> u32 {
        self.rank
    }

    /// The module `order!` declares, as `module_path!()` gives it (`my_crate::ranks`).
    pub fn module_path(&self) -> &'static str {
        self.module_path
    }

    /// The source file of the `order!` entry.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The line of the `order!` entry.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The first line of the entry's doc comment, or `""`.
    pub fn summary(&self) -> &'static str {
        self.summary
    }
}

/// Every constant of every `order!` table linked into the program, by rank, then path.
///
/// ```
/// lock_rank::order! {
///     pub mod ranks {
///         LOW = 1,
///         HIGH = 2,
///     }
/// }
///
/// let names: Vec<_> = lock_rank::registry::rank_constants().iter().map(|c| c.name()).collect();
/// assert_eq!(names, ["LOW", "HIGH"]);
/// ```
pub fn rank_constants() -> Vec<&'static RankConstant> {
    let mut all: Vec<&'static RankConstant> =
        inventory::iter::<RankRegistration>.into_iter().map(|r| r.0).collect();
    all.sort_by(|a, b| (a.rank, a.module_path, a.name).cmp(&(b.rank, b.module_path, b.name)));
    all
}

/// Every ranked lock class linked into the program, by rank, then name, then declaration site.
///
/// ```
/// for class in lock_rank::registry::classes() {
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
/// let table = lock_rank::registry::to_markdown();
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
/// let dot = lock_rank::registry::to_dot();
/// assert!(dot.trim_end().ends_with('}'));
/// ```
pub fn to_dot() -> String {
    dot(&classes(), &[], None)
}

fn dot(classes: &[&'static ClassInfo], constants: &[&'static RankConstant], title: Option<&str>) -> String {
    let mut out = String::from("digraph lock_rank {\n    rankdir=TB;\n    node [shape=box];\n");
    if let Some(title) = title {
        let _ = writeln!(out, "    labelloc=t;\n    label=\"{}\";", escape_dot(title));
    }
    let mut ranks: Vec<u32> = classes.iter().map(|c| c.rank()).collect();
    ranks.dedup();
    let node =
        |c: &ClassInfo| format!("\"{} ({}:{})\"", escape_dot(c.name()), escape_dot(c.file()), c.line());
    for rank in &ranks {
        let named: Vec<String> = constants
            .iter()
            .filter(|c| c.rank == *rank)
            .map(|c| format!(" ({})", escape_dot(&crate_relative(c.module_path, c.name))))
            .collect();
        let _ = write!(out, "    {{ rank=same; ");
        for class in classes.iter().filter(|c| c.rank() == *rank) {
            let _ = write!(
                out,
                "{} [label=\"{}\\nrank {}{}\"]; ",
                node(class),
                escape_dot(class.name()),
                rank,
                named.concat()
            );
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

fn escape_dot(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `my_crate::ranks` and `ACCOUNTS` as `ranks::ACCOUNTS`: the path from the crate's root.
fn crate_relative(module_path: &str, name: &str) -> String {
    match module_path.split_once("::") {
        Some((_, inner)) => format!("{inner}::{name}"),
        None => name.to_owned(),
    }
}

/// Whether `module_path` is `module` or inside it.
fn within(module_path: &str, module: &str) -> bool {
    module_path.strip_prefix(module).is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

/// The ranked locks and `order!` constants declared in `module` (a crate's name, or a module
/// path such as `my_crate::storage`) and the modules inside it.
///
/// Render them as the crate's one-page lock order with [`DeclaredOrder::to_markdown`] and as a
/// graph with [`DeclaredOrder::to_dot`]; keep the rendered files fresh with [`assert_fresh`].
///
/// ```
/// use lock_rank::{lock_rank, Mutex};
///
/// #[lock_rank(10)]
/// static INBOX: Mutex<Vec<String>> = Mutex::new(Vec::new());
///
/// let order = lock_rank::registry::declared_in(module_path!());
/// assert_eq!(order.classes()[0].name(), "INBOX");
/// assert!(order.to_markdown().contains("| 10 | `INBOX` |"));
/// assert!(lock_rank::registry::declared_in("some_other_crate").classes().is_empty());
/// ```
pub fn declared_in(module: &str) -> DeclaredOrder {
    DeclaredOrder {
        module: module.to_owned(),
        classes: classes().into_iter().filter(|c| within(c.module_path(), module)).collect(),
        constants: rank_constants().into_iter().filter(|c| within(c.module_path, module)).collect(),
    }
}

/// The declared order of one crate or module, from [`declared_in`].
#[derive(Debug)]
pub struct DeclaredOrder {
    module: String,
    classes: Vec<&'static ClassInfo>,
    constants: Vec<&'static RankConstant>,
}

impl DeclaredOrder {
    /// The ranked locks, by rank, then name, then declaration site.
    pub fn classes(&self) -> &[&'static ClassInfo] {
        &self.classes
    }

    /// The `order!` constants, by rank.
    pub fn constants(&self) -> &[&'static RankConstant] {
        &self.constants
    }

    /// The lock order as one Markdown page for rustdoc: every ranked lock in rank order, each
    /// under the `order!` constant of its rank where there is one, with its declaration site and
    /// the first line of its documentation.
    ///
    /// Locks and constants are linked with intra-doc links from the crate root (`crate::..`)
    /// where they are declared `pub`, so the page belongs in the same crate's docs:
    /// `#![doc = include_str!("../docs/lock-rank.md")]`, kept fresh by [`assert_fresh`]. A
    /// macro sees only the item's own visibility: rustdoc reports a link to a `pub` lock inside
    /// a private module as a link to a private item (`rustdoc::private_intra_doc_links`).
    ///
    /// ```
    /// use lock_rank::{lock_rank, Mutex};
    ///
    /// lock_rank::order! {
    ///     pub mod ranks {
    ///         /// Account balances.
    ///         ACCOUNTS = 10,
    ///     }
    /// }
    ///
    /// /// Every account.
    /// #[lock_rank(ranks::ACCOUNTS)]
    /// pub static ACCOUNTS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
    ///
    /// let page = lock_rank::registry::declared_in(module_path!()).to_markdown();
    /// let line = |text: &str| page.lines().find(|l| l.contains(text)).unwrap().to_owned();
    /// // The constant's row, then its locks, each linked from the crate root.
    /// assert!(line("Account balances.").starts_with("| **10** | **[`ranks::ACCOUNTS`](crate::"));
    /// assert!(line("Every account.").starts_with("| 10 | [`ACCOUNTS`](crate::ACCOUNTS) |"));
    /// ```
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# The lock order of `{}`\n\n\
             Every ranked lock of `{}`, lowest rank first. A lock may be acquired only while every lock \
             the thread (or task) holds is above it in this table, at a lower rank; two locks of one \
             rank are held together only through `Mutex::lock_all`. A row in bold is a constant of \
             `order!`, followed by the locks of its rank.\n\n\
             | Rank | Lock | Declared at | Description |\n|---:|---|---|---|\n",
            self.module, self.module
        );
        let mut ranks: Vec<u32> =
            self.classes.iter().map(|c| c.rank()).chain(self.constants.iter().map(|c| c.rank)).collect();
        ranks.sort_unstable();
        ranks.dedup();
        for rank in ranks {
            for constant in self.constants.iter().filter(|c| c.rank == rank) {
                let path = crate_relative(constant.module_path, constant.name);
                let summary = cell(constant.summary);
                let _ = writeln!(
                    out,
                    "| **{rank}** | **{}** | `{}:{}` | {} |",
                    link(&path, constant.public),
                    constant.file,
                    constant.line,
                    if summary.is_empty() { summary } else { format!("**{summary}**") }
                );
            }
            let named = self.constants.iter().any(|c| c.rank == rank);
            for class in self.classes.iter().filter(|c| c.rank() == rank) {
                let rank_cell = match class.rank_path() {
                    // A constant that is not one of `order!`: say which, since no bold row does.
                    Some(path) if !named => format!("{rank} (`{path}`)"),
                    _ => rank.to_string(),
                };
                let _ = writeln!(
                    out,
                    "| {rank_cell} | {} | `{}:{}` | {} |",
                    link(&crate_relative(class.module_path(), class.name()), class.is_public()),
                    class.file(),
                    class.line(),
                    cell(class.summary())
                );
            }
        }
        out.push_str(
            "\nGenerated from the `#[lock_rank]` declarations by `lock_rank::registry`; a test fails \
             when this page is stale, and `LOCK_RANK_BLESS=1 cargo test` rewrites it.\n",
        );
        out
    }

    /// The lock order as a Graphviz `digraph`, titled with the module's name, each lock labelled
    /// with its rank and the `order!` constant of that rank: render it with
    /// `dot -Tsvg lock-rank.dot -o lock-rank.svg`.
    ///
    /// ```
    /// use lock_rank::{lock_rank, Mutex};
    ///
    /// #[lock_rank(1)]
    /// static FIRST: Mutex<u8> = Mutex::new(0);
    /// #[lock_rank(2)]
    /// static SECOND: Mutex<u8> = Mutex::new(0);
    ///
    /// let dot = lock_rank::registry::declared_in(module_path!()).to_dot();
    /// assert!(dot.contains("label=\"FIRST\\nrank 1\"]"));
    /// assert_eq!(dot.lines().filter(|l| l.contains(" -> ")).count(), 1);
    /// ```
    pub fn to_dot(&self) -> String {
        dot(&self.classes, &self.constants, Some(&format!("The lock order of {}", self.module)))
    }
}

/// `path` in code font, linked from the crate root when rustdoc documents it.
fn link(path: &str, public: bool) -> String {
    if public {
        format!("[`{path}`](crate::{path})")
    } else {
        format!("`{path}`")
    }
}

/// Text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The environment variable that makes [`assert_fresh`] rewrite a stale file instead of failing.
pub const BLESS_VAR: &str = "LOCK_RANK_BLESS";

/// Fails (panics) when the file at `path` does not hold `generated`, printing the difference
/// and the command that refreshes it; with `LOCK_RANK_BLESS=1` in the environment it writes
/// the file instead.
///
/// This is the one-line test that keeps a generated page of the lock order true: the page is
/// committed and included in the crate's docs, and the test fails as soon as a `#[lock_rank]`
/// changes without it. A relative `path` is from the package's root, where `cargo test` runs
/// tests.
///
/// ```no_run
/// #[test]
/// fn lock_order_docs_are_fresh() {
///     let order = lock_rank::registry::declared_in(env!("CARGO_CRATE_NAME"));
///     lock_rank::registry::assert_fresh("docs/lock-rank.md", &order.to_markdown());
/// }
/// ```
///
/// ```should_panic
/// let path = std::env::temp_dir().join("lock-rank-stale.md");
/// std::fs::write(&path, "| 1 | `OLD` |\n").unwrap();
/// lock_rank::registry::assert_fresh(&path, "| 1 | `NEW` |\n");
/// ```
#[track_caller]
pub fn assert_fresh(path: impl AsRef<Path>, generated: &str) {
    let path = path.as_ref();
    // A checkout that turned line ends into CRLF holds the same text.
    let committed = std::fs::read_to_string(path).ok().map(|text| text.replace("\r\n", "\n"));
    if committed.as_deref() == Some(generated) {
        return;
    }
    if blessing() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        }
        std::fs::write(path, generated).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("lock_rank: wrote {}", path.display());
        return;
    }
    let command = refresh_command();
    match committed {
        None => panic!(
            "{} does not exist: it is generated from the declared lock order.\ncreate it with: {command}",
            path.display()
        ),
        Some(committed) => panic!(
            "{} is stale: it differs from the declared lock order.\n--- {0} (committed)\n+++ generated\n{}\
             refresh it with: {command}",
            path.display(),
            line_diff(&committed, generated)
        ),
    }
}

/// Whether [`BLESS_VAR`] asks for generated files to be rewritten: set, and neither empty nor `0`.
///
/// [`assert_fresh`] reads it; a test that refreshes more than text, such as an SVG rendered from
/// the graph, reads it too.
///
/// ```
/// if lock_rank::registry::blessing() {
///     // render docs/lock-rank.svg from docs/lock-rank.dot
/// }
/// ```
pub fn blessing() -> bool {
    std::env::var_os(BLESS_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The command that reruns the current test with [`BLESS_VAR`] set.
fn refresh_command() -> String {
    let mut command = format!("{BLESS_VAR}=1 cargo test");
    // Examples' tests run from `target/<profile>/examples/<name>-<hash>`, and need `--example`.
    if let Ok(exe) = std::env::current_exe() {
        let in_examples = exe.parent().and_then(Path::file_name).is_some_and(|d| d == "examples");
        let stem = exe.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if in_examples {
            let name = stem.rsplit_once('-').map_or(stem, |(name, _)| name);
            let _ = write!(command, " --example {name}");
        }
    }
    // The test harness names each test's thread after the test.
    if let Some(test) = std::thread::current().name().filter(|n| *n != "main") {
        let _ = write!(command, " {test}");
    }
    command
}

/// The lines that differ between `old` and `new`, with two lines of context around each change.
fn line_diff(old: &str, new: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut out = String::new();
    if old.len().saturating_mul(new.len()) > 4_000_000 {
        for line in &new {
            let _ = writeln!(out, "+{line}");
        }
        return out;
    }
    // lcs[i][j]: the length of the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] =
                if old[i] == new[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            lines.push((' ', old[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < old.len() && (j == new.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', old[i]));
            i += 1;
        } else {
            lines.push(('+', new[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].0 != ' ').collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= 2);
    let mut skipped = false;
    for (k, (sign, line)) in lines.iter().enumerate() {
        if near(k) {
            let _ = writeln!(out, "{sign}{line}");
            skipped = false;
        } else if !skipped {
            out.push_str("...\n");
            skipped = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_the_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\n";
        assert_eq!(line_diff(old, new), "...\n b\n c\n-d\n+D\n e\n f\n g\n+h\n");
    }

    #[test]
    fn paths_from_the_crate_root() {
        assert_eq!(crate_relative("bank::ranks", "ACCOUNTS"), "ranks::ACCOUNTS");
        assert_eq!(crate_relative("bank", "Bank::accounts"), "Bank::accounts");
        assert!(within("bank::ranks", "bank"));
        assert!(within("bank", "bank"));
        assert!(!within("banking", "bank"));
    }
}
