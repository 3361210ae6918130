//! The declared order at runtime: every `#[lock_rank]` in the binary is registered, sorted by
//! rank, and rendered as Markdown and Graphviz. The classes below are the only ones in this test
//! binary, so the listings are asserted whole. (Registration works in every build: it costs
//! nothing at acquire time.)

use lock_rank::{lock_rank, Mutex, RwLock};

lock_rank::order! {
    /// The order of this test's locks.
    pub mod ranks {
        /// Sessions, by id.
        SESSIONS = 10,
        /// Per-session caches.
        CACHE = 20,
    }
}

/// Sessions, by id.
#[lock_rank(ranks::SESSIONS)]
static SESSIONS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

#[lock_rank(30)]
static METRICS: RwLock<u64> = RwLock::new(0);

/// One shard of the cache | with a pipe.
#[lock_rank(ranks::CACHE)]
struct CacheShard;

#[lock_rank::ranked]
struct Server {
    /// Connections in flight.
    #[lock_rank(5)]
    connections: Mutex<u32>,
    #[lock_rank(30)]
    stats: Mutex<u32>,
}

const HERE: &str = file!();

#[test]
fn classes_are_listed_by_rank_with_their_declarations() {
    let classes: Vec<_> = lock_rank::registry::classes()
        .into_iter()
        .map(|c| (c.rank(), c.name(), c.file(), c.module_path(), c.summary()))
        .collect();
    assert_eq!(
        classes,
        [
            (5, "Server::connections", HERE, "registry", "Connections in flight."),
            (10, "SESSIONS", HERE, "registry", "Sessions, by id."),
            (20, "CacheShard", HERE, "registry", "One shard of the cache | with a pipe."),
            (30, "METRICS", HERE, "registry", ""),
            (30, "Server::stats", HERE, "registry", ""),
        ]
    );
}

#[test]
fn declaration_lines_point_at_the_items() {
    let source = include_str!("registry.rs");
    for class in lock_rank::registry::classes() {
        let line = source.lines().nth(class.line() as usize - 1).unwrap();
        let item = class.name().rsplit("::").next().unwrap();
        assert!(
            line.contains("lock_rank") || line.contains(item),
            "{} declared at line {} which reads {line:?}",
            class.name(),
            class.line()
        );
    }
}

#[test]
fn markdown_table_in_rank_order() {
    let table = lock_rank::registry::to_markdown();
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows[0], "| Rank | Lock | Declared at | Description |");
    assert_eq!(rows[1], "|---:|---|---|---|");
    assert_eq!(rows.len(), 7);
    let first_cells: Vec<String> =
        rows[2..].iter().map(|row| row.split(" | ").take(2).collect::<Vec<_>>().join(" | ")).collect();
    assert_eq!(
        first_cells,
        [
            "| 5 | `Server::connections`",
            "| 10 | `SESSIONS`",
            "| 20 | `CacheShard`",
            "| 30 | `METRICS`",
            "| 30 | `Server::stats`"
        ]
    );
    assert!(
        rows[4].ends_with("| One shard of the cache \\| with a pipe. |"),
        "pipes are escaped: {}",
        rows[4]
    );
    assert!(rows[3].contains(&format!("| {HERE}:")));
}

#[test]
fn dot_graph_has_an_edge_between_consecutive_ranks() {
    let dot = lock_rank::registry::to_dot();
    assert!(dot.starts_with("digraph lock_rank {\n"));
    assert!(dot.ends_with("}\n"));
    let edges: Vec<(String, String)> = dot
        .lines()
        .filter_map(|line| line.trim().strip_suffix(';')?.split_once(" -> "))
        .map(|(from, to)| (name(from), name(to)))
        .collect();
    assert_eq!(
        edges,
        [
            ("Server::connections".to_owned(), "SESSIONS".to_owned()),
            ("SESSIONS".to_owned(), "CacheShard".to_owned()),
            ("CacheShard".to_owned(), "METRICS".to_owned()),
            ("CacheShard".to_owned(), "Server::stats".to_owned()),
        ]
    );
    // Locks of one rank share a row.
    assert!(dot
        .lines()
        .any(|l| l.contains("rank=same") && l.contains("METRICS") && l.contains("Server::stats")));
}

/// `"NAME (file:line)"` to `NAME`.
fn name(node: &str) -> String {
    node.trim_matches('"').split(" (").next().unwrap().to_owned()
}

#[test]
fn order_module_lists_its_ranks() {
    assert_eq!(ranks::ALL, &[("SESSIONS", 10), ("CACHE", 20)]);
    // The ranked items use the declared constants.
    assert_eq!(lock_rank::class_of(&SESSIONS).map(|c| c.rank()), Some(ranks::SESSIONS));
    let shard: Mutex<u8, CacheShard> = Mutex::new(0);
    assert_eq!(lock_rank::class_of(&shard).map(|c| c.rank()), Some(ranks::CACHE));
    let server = Server { connections: Mutex::new(0), stats: Mutex::new(0) };
    assert_eq!(lock_rank::class_of(&server.stats).map(|c| c.name()), Some("Server::stats"));
    *server.connections.lock().unwrap() += 1;
    *METRICS.write().unwrap() += 1;
}
