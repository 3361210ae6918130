//! Lock-order bugs fixed upstream in open-source Rust projects, reduced to their locks, with only
//! the `use` lines switched to lock-rank and no rank declared: each is reported as a lock order
//! cycle the first time both orders have run, no deadlocking interleaving needed, naming both locks by where they
//! were made, both sites of the acquire that closes the cycle and both sites where the opposite
//! order was seen first. Each order runs on a thread (or task) of its own, one after the other,
//! so none can hang even if the checker were wrong.
//!
//! - sonic (valeriansaliou/sonic, pull request 213): two global locks of the search store, its
//!   pool of graphs and the set of graphs to consolidate, taken pool then set when an item is
//!   written and set then pool by the consolidation pass.
//! - ckb (nervosnetwork/ckb, pull request 2109): the network state's public addresses written,
//!   then its pending observed addresses; the dialer holds the pending ones and reaches
//!   `public_addrs.read()` two calls down.
//! - mediasoup (versatica/mediasoup, pull request 1605): a consumer's `producer_paused` then
//!   `paused` in the handler of a producer notification, on a worker thread; `paused` then
//!   `producer_paused` in its `async fn resume`, in a tokio task.

#[macro_use]
mod common;

use std::sync::{Arc, LazyLock};
use std::thread;

use common::{collecting, first_line, headline, lock, Lock};
use lock_rank::observed::ObservedEdge;
use lock_rank::{RwLock, Violation, ViolationKind, CHECKS_ENABLED};

/// The line marked `// @name`.
fn line(name: &str) -> u32 {
    common::line_of(file!(), &format!("// @{name}"))
}

/// The name reports give an unranked lock of value type `value` made by `constructor` on the
/// line marked `made`.
fn made(kind: &str, value: &str, made: &str, constructor: &str) -> String {
    format!("{kind}<{value}> created at {}", site!(line(made), constructor))
}

/// The sites of an order seen before: where the held lock was taken, where the other one was.
fn edge_sites(edge: &ObservedEdge) -> (String, String) {
    (
        edge.held_at.map(|s| s.to_string()).unwrap_or_default(),
        edge.acquired_at.map(|s| s.to_string()).unwrap_or_default(),
    )
}

/// Runs `first` on a thread, then `second` on another, collecting what `second` reports.
fn in_turn<R: Send + 'static>(
    first: impl FnOnce() + Send + 'static,
    second: impl FnOnce() -> R + Send + 'static,
) -> (R, Vec<Violation>) {
    thread::spawn(first).join().unwrap();
    thread::spawn(move || collecting(second)).join().unwrap()
}

/// Asserts that `violations` is one lock order cycle: `acquiring` taken while holding `held`,
/// against the order from `first` to `then` seen at `established` (held site, acquired site),
/// every site in the report's text. Without checks, that nothing was reported.
#[track_caller]
fn assert_cycle(
    violations: &[Violation],
    acquiring: &Lock,
    held: &Lock,
    (first, then): (&str, &str),
    established: (String, String),
) {
    if !CHECKS_ENABLED {
        assert!(violations.is_empty(), "{violations:#?}");
        return;
    }
    assert_eq!(violations.len(), 1, "exactly one report expected: {violations:#?}");
    let v = &violations[0];
    assert_eq!(v.kind, ViolationKind::OrderCycle, "{v}");
    assert_eq!(&Lock::from(&v.acquiring), acquiring);
    assert_eq!(&Lock::from(&v.held), held);
    let text = v.to_string();
    assert_eq!(first_line(&text), headline(ViolationKind::OrderCycle, acquiring, held), "{text}");
    assert_eq!(v.cycle.len(), 1, "{text}");
    assert_eq!((v.cycle[0].from.name(), v.cycle[0].to.name()), (first.to_owned(), then.to_owned()));
    assert_eq!(edge_sites(&v.cycle[0]), established);
    for site in [&established.0, &established.1, &acquiring.site, &held.site] {
        assert!(text.contains(site.as_str()), "the report lacks {site}:\n{text}");
    }
}

// sonic: two global locks, as `lazy_static!` made them, now `LazyLock`s.

static GRAPH_POOL: LazyLock<Arc<RwLock<Vec<u32>>>> = LazyLock::new(|| Arc::new(RwLock::new(Vec::new()))); // @sonic-pool-made
static GRAPH_CONSOLIDATE: LazyLock<Arc<RwLock<Vec<u32>>>> =
    LazyLock::new(|| Arc::new(RwLock::new(Vec::new()))); // @sonic-consolidate-made

/// Writing an item: the graph is taken from the pool and queued for consolidation.
fn sonic_write_item(graph: u32) {
    let mut pool = GRAPH_POOL.write().unwrap(); // @sonic-write-pool
    let mut consolidate = GRAPH_CONSOLIDATE.write().unwrap(); // @sonic-write-consolidate
    pool.push(graph);
    consolidate.push(graph);
}

/// The consolidation pass: the queue first, then the pool, the other way round.
fn sonic_consolidate() -> usize {
    let mut consolidate = GRAPH_CONSOLIDATE.write().unwrap(); // @sonic-pass-consolidate
    let pool = GRAPH_POOL.read().unwrap(); // @sonic-pass-pool
    let done = consolidate.iter().filter(|graph| pool.contains(graph)).count();
    consolidate.clear();
    done
}

#[test]
fn sonic_the_graph_pool_and_the_consolidation_queue_taken_both_ways() {
    let (done, violations) = in_turn(|| sonic_write_item(7), sonic_consolidate);
    assert_eq!(done, 1);
    let pool = made("RwLock", "Vec<u32>", "sonic-pool-made", "RwLock::new");
    let consolidate = made("RwLock", "Vec<u32>", "sonic-consolidate-made", "RwLock::new");
    assert_cycle(
        &violations,
        &lock(&pool, None, site!(line("sonic-pass-pool"), ".read")),
        &lock(&consolidate, None, site!(line("sonic-pass-consolidate"), ".write")),
        (&pool, &consolidate),
        (site!(line("sonic-write-pool"), ".write"), site!(line("sonic-write-consolidate"), ".write")),
    );
}

// ckb: two locks of one struct, the second order reached through helpers.

struct NetworkState {
    public_addrs: RwLock<Vec<u32>>,
    pending_observed_addrs: RwLock<Vec<u32>>,
}

impl NetworkState {
    fn new() -> NetworkState {
        NetworkState {
            public_addrs: RwLock::new(vec![1]),          // @ckb-public-made
            pending_observed_addrs: RwLock::new(vec![]), // @ckb-pending-made
        }
    }

    /// A peer told us how it sees us: keep the address unless it is public already.
    fn add_observed_addrs(&self, addr: u32) {
        let public = self.public_addrs.write().unwrap(); // @ckb-add-public
        let mut pending = self.pending_observed_addrs.write().unwrap(); // @ckb-add-pending
        if !public.contains(&addr) {
            pending.push(addr);
        }
    }

    fn try_dial_observed_addrs(&self) -> usize {
        let mut pending = self.pending_observed_addrs.write().unwrap(); // @ckb-dial-pending
        pending.drain(..).filter(|&addr| self.dial_inner(addr)).count()
    }

    fn dial_inner(&self, addr: u32) -> bool {
        self.can_dial(addr)
    }

    fn can_dial(&self, addr: u32) -> bool {
        !self.public_addrs.read().unwrap().contains(&addr) // @ckb-can-dial-public
    }
}

#[test]
fn ckb_public_and_pending_addresses_taken_both_ways_two_calls_apart() {
    let state = Arc::new(NetworkState::new());
    let (observer, dialer) = (Arc::clone(&state), Arc::clone(&state));
    let (dialed, violations) =
        in_turn(move || observer.add_observed_addrs(2), move || dialer.try_dial_observed_addrs());
    assert_eq!(dialed, 1);
    let public = made("RwLock", "Vec<u32>", "ckb-public-made", "RwLock::new");
    let pending = made("RwLock", "Vec<u32>", "ckb-pending-made", "RwLock::new");
    assert_cycle(
        &violations,
        &lock(&public, None, site!(line("ckb-can-dial-public"), ".read")),
        &lock(&pending, None, site!(line("ckb-dial-pending"), ".write")),
        (&public, &pending),
        (site!(line("ckb-add-public"), ".write"), site!(line("ckb-add-pending"), ".write")),
    );
}

// mediasoup: a worker thread's handler and a tokio task (with the `tokio` feature, so that the
// task's locks count for the task, not for the thread that polls it).
#[cfg(feature = "tokio")]
mod mediasoup {
    use super::*;
    use lock_rank::Mutex;

    struct ConsumerInner {
        paused: Mutex<bool>,
        producer_paused: Mutex<bool>,
    }

    struct Consumer {
        inner: Arc<ConsumerInner>,
    }

    impl Consumer {
        fn new() -> Consumer {
            Consumer {
                inner: Arc::new(ConsumerInner {
                    paused: Mutex::new(false),         // @mediasoup-paused-made
                    producer_paused: Mutex::new(true), // @mediasoup-producer-paused-made
                }),
            }
        }

        /// What the worker's thread runs when the producer resumes: whether the consumer resumes too.
        fn on_producer_resume(inner: &ConsumerInner) -> bool {
            let mut producer = inner.producer_paused.lock().unwrap(); // @mediasoup-handler-producer
            *producer = false;
            let consumer_paused = *inner.paused.lock().unwrap(); // @mediasoup-handler-paused
            !consumer_paused
        }

        async fn resume(&self) -> bool {
            // The request to the worker, answered.
            tokio::task::yield_now().await;
            let mut paused = self.inner.paused.lock().unwrap(); // @mediasoup-resume-paused
            let producer = *self.inner.producer_paused.lock().unwrap(); // @mediasoup-resume-producer
            std::mem::replace(&mut *paused, false) || producer
        }
    }

    #[test]
    fn mediasoup_paused_and_producer_paused_taken_both_ways_by_a_thread_and_a_task() {
        let consumer = Arc::new(Consumer::new());
        let inner = Arc::clone(&consumer.inner);
        let resumed = thread::spawn(move || Consumer::on_producer_resume(&inner)).join().unwrap();
        assert!(resumed, "the consumer itself was not paused");
        // The task runs on this thread (a current-thread runtime), under this thread's policy.
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let (was_paused, violations) = collecting(|| {
            runtime.block_on(async {
                let consumer = Arc::clone(&consumer);
                tokio::spawn(async move { consumer.resume().await }).await.unwrap()
            })
        });
        assert!(!was_paused, "neither the consumer nor its producer is paused any more");
        let paused = made("Mutex", "bool", "mediasoup-paused-made", "Mutex::new");
        let producer_paused = made("Mutex", "bool", "mediasoup-producer-paused-made", "Mutex::new");
        assert_cycle(
            &violations,
            &lock(&producer_paused, None, site!(line("mediasoup-resume-producer"), ".lock")),
            &lock(&paused, None, site!(line("mediasoup-resume-paused"), ".lock")),
            (&producer_paused, &paused),
            (
                site!(line("mediasoup-handler-producer"), ".lock"),
                site!(line("mediasoup-handler-paused"), ".lock"),
            ),
        );
    }
}
