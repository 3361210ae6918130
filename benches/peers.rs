//! What a lock costs with lock-rank, next to `std::sync`, `parking_lot` and `tracing-mutex`.
//!
//! Every workload runs each lock type back to back in rounds; a round's figure for a lock type is
//! its time divided by the baseline's (`std::sync` unless the row says otherwise) in that same
//! round, so load that comes and goes on the machine cancels out. The report is the median of
//! those ratios over all rounds, with their min and max.
//!
//! One build holds lock-rank in one mode only, so `benches/run.sh` runs this once per mode and
//! backend (plain, and with `--features enforce` and a backend's feature) and merges the rows
//! into one Markdown table. Run alone, it prints
//! tab-separated rows on stdout (`row`, mode, workload, baseline, baseline ns per op, lock type,
//! median, min, max) and a readable summary on stderr.
//!
//! Settings, from the environment:
//! - `PEERS_ROUNDS`: rounds per workload (default 31).
//! - `PEERS_BATCH_US`: target length of one timed batch, in µs (default 2000). Each lock type's
//!   operations per batch are calibrated to it; a sample is the fastest of 3 batches (5 for the
//!   workloads with two threads).
//! - `PEERS_LOCKS`: comma-separated lock types to run besides the baseline, by name (default all).
//! - `PEERS_WORKLOADS`: run only workloads whose name contains one of these comma-separated words.
//! - `PEERS_ITERS`: a fixed number of operations per batch instead of calibrating, for running
//!   under a profiler such as `valgrind --tool=callgrind`.

use std::hint::black_box;
use std::ops::{Deref, DerefMut};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use lock_rank::lock_rank;

#[lock_rank(1)]
struct R1;
#[lock_rank(2)]
struct R2;
#[lock_rank(3)]
struct R3;
#[lock_rank(4)]
struct R4;
#[lock_rank(5)]
struct R5;
#[lock_rank(6)]
struct R6;
#[lock_rank(7)]
struct R7;
#[lock_rank(8)]
struct R8;

type TracingMutex<T> = tracing_mutex::stdsync::tracing::Mutex<T>;
type TracingRwLock<T> = tracing_mutex::stdsync::tracing::RwLock<T>;
type TracingCondvar = tracing_mutex::stdsync::tracing::Condvar;

/// A mutual exclusion lock of any of the compared kinds, holding a counter.
///
/// Every implementation is `#[inline(always)]`: a program calls `lock()` where it needs the lock,
/// so the comparison is of locks inlined into the loop, not of calls through this trait (which
/// the compiler inlines for some lock types and not for others, by size).
trait Lock: Send + Sync + Sized + 'static {
    type Guard<'a>: DerefMut<Target = u64>;
    fn make(value: u64) -> Self;
    fn acquire(&self) -> Self::Guard<'_>;
}

impl Lock for std::sync::Mutex<u64> {
    type Guard<'a> = std::sync::MutexGuard<'a, u64>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire(&self) -> Self::Guard<'_> {
        self.lock().unwrap()
    }
}

impl Lock for parking_lot::Mutex<u64> {
    type Guard<'a> = parking_lot::MutexGuard<'a, u64>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire(&self) -> Self::Guard<'_> {
        self.lock()
    }
}

impl Lock for TracingMutex<u64> {
    type Guard<'a> = tracing_mutex::stdsync::tracing::MutexGuard<'a, u64>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire(&self) -> Self::Guard<'_> {
        self.lock().unwrap()
    }
}

impl<C: lock_rank::LockClass> Lock for lock_rank::Mutex<u64, C> {
    type Guard<'a> = lock_rank::MutexGuard<'a, u64, C>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire(&self) -> Self::Guard<'_> {
        self.lock().unwrap()
    }
}

/// A ranked lock taken through its plain view, `&Mutex<u64>`, as a helper written for the plain
/// type takes it: the class comes from the lock, not from its type.
struct PlainView<C: lock_rank::RankedClass>(lock_rank::Mutex<u64, C>);

impl<C: lock_rank::RankedClass> Lock for PlainView<C> {
    type Guard<'a> = lock_rank::MutexGuard<'a, u64>;
    fn make(value: u64) -> Self {
        PlainView(lock_rank::Mutex::new(value))
    }
    #[inline(always)]
    fn acquire(&self) -> Self::Guard<'_> {
        let plain: &lock_rank::Mutex<u64> = &self.0;
        plain.lock().unwrap()
    }
}

/// Written as a lock: an anchor made at another site than the `Mutex`es under it, as in a program.
impl Lock for lock_rank::RwLock<u64> {
    type Guard<'a> = lock_rank::RwLockWriteGuard<'a, u64>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire(&self) -> Self::Guard<'_> {
        self.write().unwrap()
    }
}

#[cfg(feature = "parking_lot")]
impl<C: lock_rank::LockClass> Lock for lock_rank::parking_lot::Mutex<u64, C> {
    type Guard<'a> = lock_rank::parking_lot::MutexGuard<'a, u64, C>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire(&self) -> Self::Guard<'_> {
        self.lock()
    }
}

/// A reader-writer lock of any of the compared kinds, taken for reading.
trait ReadLock: Send + Sync + Sized + 'static {
    type Guard<'a>: Deref<Target = u64>;
    fn make(value: u64) -> Self;
    fn acquire_read(&self) -> Self::Guard<'_>;
}

impl ReadLock for std::sync::RwLock<u64> {
    type Guard<'a> = std::sync::RwLockReadGuard<'a, u64>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire_read(&self) -> Self::Guard<'_> {
        self.read().unwrap()
    }
}

impl ReadLock for parking_lot::RwLock<u64> {
    type Guard<'a> = parking_lot::RwLockReadGuard<'a, u64>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire_read(&self) -> Self::Guard<'_> {
        self.read()
    }
}

impl ReadLock for TracingRwLock<u64> {
    type Guard<'a> = tracing_mutex::stdsync::tracing::RwLockReadGuard<'a, u64>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire_read(&self) -> Self::Guard<'_> {
        self.read().unwrap()
    }
}

impl<C: lock_rank::LockClass> ReadLock for lock_rank::RwLock<u64, C> {
    type Guard<'a> = lock_rank::RwLockReadGuard<'a, u64, C>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire_read(&self) -> Self::Guard<'_> {
        self.read().unwrap()
    }
}

#[cfg(feature = "parking_lot")]
impl<C: lock_rank::LockClass> ReadLock for lock_rank::parking_lot::RwLock<u64, C> {
    type Guard<'a> = lock_rank::parking_lot::RwLockReadGuard<'a, u64, C>;
    fn make(value: u64) -> Self {
        Self::new(value)
    }
    #[inline(always)]
    fn acquire_read(&self) -> Self::Guard<'_> {
        self.read()
    }
}

/// A mutex and condition variable pair that two threads pass a turn back and forth through.
trait PingPong: Send + Sync + Sized + 'static {
    fn make() -> Self;
    /// Waits for `me`'s turn and hands it to the other side, `rounds` times.
    fn play(&self, me: u64, rounds: u64);
}

/// The std-shaped condition variables: `wait` takes the guard by value.
macro_rules! std_shaped_ping_pong {
    ($($ty:ty => $mutex:ty, $condvar:ty;)*) => {$(
        impl PingPong for $ty {
            fn make() -> Self {
                (<$mutex>::new(0), <$condvar>::new())
            }
            fn play(&self, me: u64, rounds: u64) {
                let (turn, signal) = self;
                for _ in 0..rounds {
                    let mut guard = turn.lock().unwrap();
                    while *guard != me {
                        guard = signal.wait(guard).unwrap();
                    }
                    *guard = 1 - me;
                    signal.notify_one();
                }
            }
        }
    )*};
}

std_shaped_ping_pong! {
    (std::sync::Mutex<u64>, std::sync::Condvar) => std::sync::Mutex<u64>, std::sync::Condvar;
    (TracingMutex<u64>, TracingCondvar) => TracingMutex<u64>, TracingCondvar;
    (lock_rank::Mutex<u64, R1>, lock_rank::Condvar) => lock_rank::Mutex<u64, R1>, lock_rank::Condvar;
}

impl PingPong for (parking_lot::Mutex<u64>, parking_lot::Condvar) {
    fn make() -> Self {
        (parking_lot::Mutex::new(0), parking_lot::Condvar::new())
    }
    fn play(&self, me: u64, rounds: u64) {
        let (turn, signal) = self;
        for _ in 0..rounds {
            let mut guard = turn.lock();
            while *guard != me {
                signal.wait(&mut guard);
            }
            *guard = 1 - me;
            signal.notify_one();
        }
    }
}

/// One timed batch: runs `iters` operations and says how long they took.
type Batch = Box<dyn FnMut(u64) -> Duration>;

/// One lock type in one workload.
struct Contender {
    name: &'static str,
    batch: Batch,
    /// Operations per batch, calibrated so a batch takes about the target time.
    iters: u64,
}

fn contender(name: &'static str, batch: impl FnMut(u64) -> Duration + 'static) -> Contender {
    Contender { name, batch: Box::new(batch), iters: 1 }
}

/// Times `iters` runs of `op` on this thread.
#[inline(always)]
fn timed(iters: u64, mut op: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    start.elapsed()
}

/// Runs `work(0)` and `work(1)` on two fresh threads, each timing its own `iters` operations
/// from a common start; returns the slower thread's time. `warm_up` runs on each thread before
/// the start, so per-thread setup (a checker's thread-local record) is not timed.
fn on_two_threads<S: Sync>(state: &S, iters: u64, work: fn(&S, usize, u64)) -> Duration {
    let start = Barrier::new(2);
    thread::scope(|scope| {
        let threads: Vec<_> = (0..2)
            .map(|side| {
                let start = &start;
                scope.spawn(move || {
                    work(state, side, 1);
                    start.wait();
                    let began = Instant::now();
                    work(state, side, iters);
                    began.elapsed()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).max().unwrap()
    })
}

fn uncontended<M: Lock>() -> impl FnMut(u64) -> Duration {
    let lock = M::make(0);
    move |iters| {
        timed(iters, || {
            let mut guard = black_box(&lock).acquire();
            *guard += 1;
        })
    }
}

fn nested_pair<A: Lock, B: Lock>() -> impl FnMut(u64) -> Duration {
    let (a, b) = (A::make(0), B::make(0));
    move |iters| {
        timed(iters, || {
            let mut outer = black_box(&a).acquire();
            let mut inner = black_box(&b).acquire();
            *outer += 1;
            *inner += 1;
        })
    }
}

/// Eight locks taken in order and released in reverse.
#[allow(clippy::type_complexity)]
fn nested_eight<L1: Lock, L2: Lock, L3: Lock, L4: Lock, L5: Lock, L6: Lock, L7: Lock, L8: Lock>(
) -> impl FnMut(u64) -> Duration {
    let locks = (
        L1::make(0),
        L2::make(0),
        L3::make(0),
        L4::make(0),
        L5::make(0),
        L6::make(0),
        L7::make(0),
        L8::make(0),
    );
    move |iters| {
        timed(iters, || {
            let l = black_box(&locks);
            let mut g1 = l.0.acquire();
            let g2 = l.1.acquire();
            let g3 = l.2.acquire();
            let g4 = l.3.acquire();
            let g5 = l.4.acquire();
            let g6 = l.5.acquire();
            let g7 = l.6.acquire();
            let mut g8 = l.7.acquire();
            *g1 += 1;
            *g8 += 1;
            drop((g8, g7, g6, g5, g4, g3, g2));
        })
    }
}

/// Keeps each thread's locks on cache lines of their own, so the threads share nothing but
/// what the lock type itself shares.
#[repr(align(128))]
struct Padded<T>(T);

impl<T> Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn two_threads_own_lock<M: Lock>() -> impl FnMut(u64) -> Duration {
    let locks = [Padded(M::make(0)), Padded(M::make(0))];
    move |iters| {
        on_two_threads(&locks, iters, |locks, side, iters| {
            for _ in 0..iters {
                *black_box(&locks[side]).acquire() += 1;
            }
        })
    }
}

fn two_threads_own_pair<A: Lock, B: Lock>() -> impl FnMut(u64) -> Duration {
    let pairs = [Padded((A::make(0), B::make(0))), Padded((A::make(0), B::make(0)))];
    move |iters| {
        on_two_threads(&pairs, iters, |pairs, side, iters| {
            for _ in 0..iters {
                let (a, b) = &**black_box(&pairs[side]);
                let mut outer = a.acquire();
                let mut inner = b.acquire();
                *outer += 1;
                *inner += 1;
            }
        })
    }
}

/// As [`two_threads_own_pair`], but each lock in a heap allocation of its own, made one after
/// another as a program makes them: nothing keeps one thread's locks off the other's cache lines
/// but the lock's size and the allocator.
fn two_threads_own_pair_boxed<A: Lock, B: Lock>() -> impl FnMut(u64) -> Duration {
    let pairs = [(Box::new(A::make(0)), Box::new(B::make(0))), (Box::new(A::make(0)), Box::new(B::make(0)))];
    move |iters| {
        on_two_threads(&pairs, iters, |pairs, side, iters| {
            for _ in 0..iters {
                let (a, b) = black_box(&pairs[side]);
                let mut outer = a.acquire();
                let mut inner = b.acquire();
                *outer += 1;
                *inner += 1;
            }
        })
    }
}

/// How many locks one operation of the "fresh locks" workload makes.
const FRESH: usize = 1000;

/// Makes `FRESH` locks, takes each once while holding an anchor lock, and drops them; all of it
/// is timed, since a program that makes locks on the fly pays for making, first use and dropping.
fn fresh_locks<Anchor: Lock, M: Lock>() -> impl FnMut(u64) -> Duration {
    let anchor = Anchor::make(0);
    let mut locks: Vec<M> = Vec::with_capacity(FRESH);
    move |iters| {
        timed(iters, || {
            locks.extend((0..FRESH as u64).map(M::make));
            let mut outer = black_box(&anchor).acquire();
            for lock in black_box(&locks) {
                *lock.acquire() += 1;
            }
            *outer += 1;
            drop(outer);
            locks.clear();
        })
    }
}

fn read_uncontended<L: ReadLock>() -> impl FnMut(u64) -> Duration {
    let lock = L::make(1);
    move |iters| {
        timed(iters, || {
            black_box(*black_box(&lock).acquire_read());
        })
    }
}

fn ping_pong<P: PingPong>() -> impl FnMut(u64) -> Duration {
    let pair = P::make();
    move |iters| on_two_threads(&pair, iters, |pair, side, iters| pair.play(side as u64, iters))
}

/// Batches that run inside a tokio task, as async code takes its locks: a current-thread
/// runtime, one spawned task per batch, timed inside the task.
#[cfg(feature = "tokio")]
mod in_task {
    use std::future::Future;
    use std::hint::black_box;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn batch<S, F>(state: S, op: fn(Arc<S>, u64) -> F) -> impl FnMut(u64) -> Duration
    where
        S: Send + Sync + 'static,
        F: Future<Output = Duration> + Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let state = Arc::new(state);
        move |iters| runtime.block_on(runtime.spawn(op(Arc::clone(&state), iters))).unwrap()
    }

    /// An async mutex of either kind, holding a counter.
    pub(crate) trait AsyncLock: Send + Sync + Sized + 'static {
        fn make(value: u64) -> Self;
        fn bump(&self) -> impl Future<Output = ()> + Send;
    }

    impl AsyncLock for tokio::sync::Mutex<u64> {
        fn make(value: u64) -> Self {
            Self::new(value)
        }
        async fn bump(&self) {
            *black_box(self).lock().await += 1;
        }
    }

    impl<C: lock_rank::LockClass> AsyncLock for lock_rank::tokio::Mutex<u64, C> {
        fn make(value: u64) -> Self {
            Self::new(value)
        }
        async fn bump(&self) {
            *black_box(self).lock().await += 1;
        }
    }

    pub(crate) fn uncontended<M: AsyncLock>() -> impl FnMut(u64) -> Duration {
        batch(M::make(0), |lock, iters| async move {
            let start = Instant::now();
            for _ in 0..iters {
                lock.bump().await;
            }
            start.elapsed()
        })
    }

    pub(crate) fn nested_pair<A: AsyncLock + AsyncPair<B>, B: AsyncLock>() -> impl FnMut(u64) -> Duration {
        batch((A::make(0), B::make(0)), |pair, iters| async move {
            let start = Instant::now();
            for _ in 0..iters {
                A::nest(&pair.0, &pair.1).await;
            }
            start.elapsed()
        })
    }

    /// Takes `inner` while holding `self`.
    pub(crate) trait AsyncPair<B> {
        fn nest<'a>(&'a self, inner: &'a B) -> impl Future<Output = ()> + Send + 'a;
    }

    impl AsyncPair<tokio::sync::Mutex<u64>> for tokio::sync::Mutex<u64> {
        async fn nest(&self, inner: &tokio::sync::Mutex<u64>) {
            let mut outer = black_box(self).lock().await;
            *black_box(inner).lock().await += 1;
            *outer += 1;
        }
    }

    impl<A: lock_rank::LockClass, B: lock_rank::LockClass> AsyncPair<lock_rank::tokio::Mutex<u64, B>>
        for lock_rank::tokio::Mutex<u64, A>
    {
        async fn nest(&self, inner: &lock_rank::tokio::Mutex<u64, B>) {
            let mut outer = black_box(self).lock().await;
            *black_box(inner).lock().await += 1;
            *outer += 1;
        }
    }

    /// A blocking (std-shaped) mutex taken inside a task: with the `tokio` feature a checked
    /// build records it in the task's set, not the thread's.
    pub(crate) fn blocking_uncontended<M: super::Lock>() -> impl FnMut(u64) -> Duration {
        batch(M::make(0), |lock, iters| async move {
            let start = Instant::now();
            for _ in 0..iters {
                *black_box(&*lock).acquire() += 1;
            }
            start.elapsed()
        })
    }
}

/// A workload: its name, its baseline (always run) and the lock types it compares to it.
struct Workload {
    name: &'static str,
    /// Runs two threads at once: noisier, so each sample takes the best of more batches.
    threaded: bool,
    baseline: Contender,
    others: Vec<Contender>,
    /// Started before the workload's rounds and dropped after them (a watchdog).
    during: Option<fn() -> Box<dyn std::any::Any>>,
}

/// A workload comparing one lock-rank lock type to the plain one it wraps.
fn versus<B, L>(name: &'static str, baseline: &'static str, contenders: (B, L)) -> Workload
where
    B: FnMut(u64) -> Duration + 'static,
    L: FnMut(u64) -> Duration + 'static,
{
    Workload {
        name,
        threaded: false,
        baseline: contender(baseline, contenders.0),
        others: vec![contender("lock-rank", contenders.1)],
        during: None,
    }
}

/// A workload comparing the peers to `std::sync`, in that order: std, parking_lot,
/// tracing-mutex, lock-rank.
fn peers<S, P, T, L>(name: &'static str, threaded: bool, contenders: (S, P, T, L)) -> Workload
where
    S: FnMut(u64) -> Duration + 'static,
    P: FnMut(u64) -> Duration + 'static,
    T: FnMut(u64) -> Duration + 'static,
    L: FnMut(u64) -> Duration + 'static,
{
    let (std, parking_lot, tracing_mutex, lock_rank) = contenders;
    Workload {
        name,
        threaded,
        baseline: contender("std", std),
        others: vec![
            contender("parking_lot", parking_lot),
            contender("tracing-mutex", tracing_mutex),
            contender("lock-rank", lock_rank),
        ],
        during: None,
    }
}

/// Adds to `workload` a lock-rank contender timed with learning the order of unranked locks off
/// (`lock_rank::observed::set_learning`), taking turns in one process with the one learning it.
fn not_learning<L>(mut workload: Workload, mut lock_rank: L) -> Workload
where
    L: FnMut(u64) -> Duration + 'static,
{
    workload.others.push(contender("lock-rank (learning off)", move |iters| {
        lock_rank::observed::set_learning(false);
        let time = lock_rank(iters);
        lock_rank::observed::set_learning(true);
        time
    }));
    workload
}

fn workloads() -> Vec<Workload> {
    type StdM = std::sync::Mutex<u64>;
    type PlM = parking_lot::Mutex<u64>;
    type TmM = TracingMutex<u64>;
    type Lo<C> = lock_rank::Mutex<u64, C>;
    type LoU = lock_rank::Mutex<u64>;

    let mut all = vec![
        peers(
            "uncontended lock+unlock",
            false,
            (uncontended::<StdM>(), uncontended::<PlM>(), uncontended::<TmM>(), uncontended::<Lo<R1>>()),
        ),
        peers(
            "nested A then B",
            false,
            (
                nested_pair::<StdM, StdM>(),
                nested_pair::<PlM, PlM>(),
                nested_pair::<TmM, TmM>(),
                nested_pair::<Lo<R1>, Lo<R2>>(),
            ),
        ),
        peers(
            "8 nested",
            false,
            (
                nested_eight::<StdM, StdM, StdM, StdM, StdM, StdM, StdM, StdM>(),
                nested_eight::<PlM, PlM, PlM, PlM, PlM, PlM, PlM, PlM>(),
                nested_eight::<TmM, TmM, TmM, TmM, TmM, TmM, TmM, TmM>(),
                nested_eight::<Lo<R1>, Lo<R2>, Lo<R3>, Lo<R4>, Lo<R5>, Lo<R6>, Lo<R7>, Lo<R8>>(),
            ),
        ),
        peers(
            "2 threads, own lock each",
            true,
            (
                two_threads_own_lock::<StdM>(),
                two_threads_own_lock::<PlM>(),
                two_threads_own_lock::<TmM>(),
                two_threads_own_lock::<Lo<R1>>(),
            ),
        ),
        peers(
            "2 threads, own pair each, nested",
            true,
            (
                two_threads_own_pair::<StdM, StdM>(),
                two_threads_own_pair::<PlM, PlM>(),
                two_threads_own_pair::<TmM, TmM>(),
                two_threads_own_pair::<Lo<R1>, Lo<R2>>(),
            ),
        ),
        peers(
            "2 threads, own pair each, nested, each lock boxed",
            true,
            (
                two_threads_own_pair_boxed::<StdM, StdM>(),
                two_threads_own_pair_boxed::<PlM, PlM>(),
                two_threads_own_pair_boxed::<TmM, TmM>(),
                two_threads_own_pair_boxed::<Lo<R1>, Lo<R2>>(),
            ),
        ),
        peers(
            "1000 fresh locks under an anchor (per 1000)",
            false,
            (
                fresh_locks::<StdM, StdM>(),
                fresh_locks::<PlM, PlM>(),
                fresh_locks::<TmM, TmM>(),
                fresh_locks::<Lo<R1>, Lo<R2>>(),
            ),
        ),
        not_learning(
            peers(
                "nested A then B, unranked",
                false,
                (
                    nested_pair::<StdM, StdM>(),
                    nested_pair::<PlM, PlM>(),
                    nested_pair::<TmM, TmM>(),
                    nested_pair::<LoU, LoU>(),
                ),
            ),
            nested_pair::<LoU, LoU>(),
        ),
        not_learning(
            peers(
                "1000 fresh unranked locks under an anchor (per 1000)",
                false,
                (
                    fresh_locks::<StdM, StdM>(),
                    fresh_locks::<PlM, PlM>(),
                    fresh_locks::<TmM, TmM>(),
                    fresh_locks::<lock_rank::RwLock<u64>, LoU>(),
                ),
            ),
            fresh_locks::<lock_rank::RwLock<u64>, LoU>(),
        ),
        versus(
            "uncontended lock+unlock, through the plain view",
            "std",
            (uncontended::<StdM>(), uncontended::<PlainView<R1>>()),
        ),
        versus(
            "nested A then B, through the plain view",
            "std",
            (nested_pair::<StdM, StdM>(), nested_pair::<PlainView<R1>, PlainView<R2>>()),
        ),
        peers(
            "RwLock read",
            false,
            (
                read_uncontended::<std::sync::RwLock<u64>>(),
                read_uncontended::<parking_lot::RwLock<u64>>(),
                read_uncontended::<TracingRwLock<u64>>(),
                read_uncontended::<lock_rank::RwLock<u64, R1>>(),
            ),
        ),
        peers(
            "Condvar ping-pong, 2 threads (per round trip)",
            true,
            (
                ping_pong::<(StdM, std::sync::Condvar)>(),
                ping_pong::<(PlM, parking_lot::Condvar)>(),
                ping_pong::<(TmM, TracingCondvar)>(),
                ping_pong::<(Lo<R1>, lock_rank::Condvar)>(),
            ),
        ),
    ];
    #[cfg(feature = "parking_lot")]
    {
        type LoPl<C> = lock_rank::parking_lot::Mutex<u64, C>;
        all.push(versus(
            "parking_lot Mutex lock+unlock",
            "parking_lot",
            (uncontended::<PlM>(), uncontended::<LoPl<R1>>()),
        ));
        all.push(versus(
            "parking_lot Mutex nested A then B",
            "parking_lot",
            (nested_pair::<PlM, PlM>(), nested_pair::<LoPl<R1>, LoPl<R2>>()),
        ));
        all.push(versus(
            "parking_lot RwLock read",
            "parking_lot",
            (
                read_uncontended::<parking_lot::RwLock<u64>>(),
                read_uncontended::<lock_rank::parking_lot::RwLock<u64, R1>>(),
            ),
        ));
    }
    #[cfg(feature = "tokio")]
    {
        type TkM = tokio::sync::Mutex<u64>;
        type LoTk<C> = lock_rank::tokio::Mutex<u64, C>;
        all.push(versus(
            "tokio Mutex lock+unlock, in a task",
            "tokio",
            (in_task::uncontended::<TkM>(), in_task::uncontended::<LoTk<R1>>()),
        ));
        all.push(versus(
            "tokio Mutex nested A then B, in a task",
            "tokio",
            (in_task::nested_pair::<TkM, TkM>(), in_task::nested_pair::<LoTk<R1>, LoTk<R2>>()),
        ));
        all.push(versus(
            "std-shaped Mutex lock+unlock, in a task",
            "std",
            (in_task::blocking_uncontended::<StdM>(), in_task::blocking_uncontended::<Lo<R1>>()),
        ));
    }
    all.push(Workload {
        during: Some(|| Box::new(lock_rank::watchdog::start(Duration::from_millis(20)))),
        ..versus(
            "uncontended lock+unlock, watchdog polling every 5 ms",
            "std",
            (uncontended::<StdM>(), uncontended::<Lo<R1>>()),
        )
    });
    all
}

/// Settings read from the environment.
struct Settings {
    rounds: usize,
    batch: Duration,
    locks: Option<Vec<String>>,
    workloads: Option<Vec<String>>,
    iters: Option<u64>,
}

impl Settings {
    fn from_env() -> Self {
        let number = |key: &str, default: u64| {
            std::env::var(key).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
        };
        let list = |key: &str| {
            std::env::var(key)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
        };
        Settings {
            rounds: number("PEERS_ROUNDS", 31).max(1) as usize,
            batch: Duration::from_micros(number("PEERS_BATCH_US", 2000).max(1)),
            locks: list("PEERS_LOCKS"),
            workloads: list("PEERS_WORKLOADS"),
            iters: std::env::var("PEERS_ITERS").ok().and_then(|v| v.trim().parse().ok()),
        }
    }
}

/// The time of one operation, from the fastest of `batches` batches: the fastest drops most
/// interruptions by other processes.
fn sample(contender: &mut Contender, batches: usize) -> f64 {
    let best = (0..batches).map(|_| (contender.batch)(contender.iters)).min().unwrap();
    best.as_secs_f64() / contender.iters as f64
}

/// Sets the operations per batch to the smallest power of two that takes `target` or more.
fn calibrate(contender: &mut Contender, target: Duration, fixed: Option<u64>) {
    if let Some(iters) = fixed {
        contender.iters = iters.max(1);
        return;
    }
    let mut iters = 1u64;
    while (contender.batch)(iters) < target && iters < 1 << 40 {
        iters *= 2;
    }
    contender.iters = iters;
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn main() {
    let settings = Settings::from_env();
    let mode = if lock_rank::CHECKS_ENABLED { "checked" } else { "unchecked" };
    eprintln!("lock-rank {mode}; {} rounds, batches of about {:?}", settings.rounds, settings.batch);
    println!("# row\tmode\tworkload\tbaseline\tbaseline_ns_per_op\tlock\tmedian\tmin\tmax");

    for mut workload in workloads() {
        if let Some(words) = &settings.workloads {
            if !words.iter().any(|w| workload.name.contains(w.as_str())) {
                continue;
            }
        }
        if let Some(names) = &settings.locks {
            workload.others.retain(|c| names.iter().any(|n| n == c.name));
        }
        let started = Instant::now();
        let during = workload.during.map(|start| start());
        let batches = if workload.threaded { 5 } else { 3 };
        calibrate(&mut workload.baseline, settings.batch, settings.iters);
        for contender in &mut workload.others {
            calibrate(contender, settings.batch, settings.iters);
        }

        let count = workload.others.len() + 1;
        let mut ratios = vec![Vec::with_capacity(settings.rounds); count - 1];
        let mut baseline_ns = Vec::with_capacity(settings.rounds);
        for round in 0..settings.rounds {
            // Rotate who goes first, so no lock type always runs right after the same other one.
            let mut per_op = vec![0.0; count];
            for k in 0..count {
                let i = (round + k) % count;
                per_op[i] = if i == 0 {
                    sample(&mut workload.baseline, batches)
                } else {
                    sample(&mut workload.others[i - 1], batches)
                };
            }
            baseline_ns.push(per_op[0] * 1e9);
            for (ratio, time) in ratios.iter_mut().zip(&per_op[1..]) {
                ratio.push(time / per_op[0].max(1e-15));
            }
        }

        drop(during);
        let base_ns = median(&mut baseline_ns);
        eprintln!(
            "{} ({:.1}s): {} {base_ns:.1} ns/op",
            workload.name,
            started.elapsed().as_secs_f64(),
            workload.baseline.name
        );
        for (contender, ratios) in workload.others.iter().zip(&mut ratios) {
            let mid = median(ratios);
            let (lo, hi) = (ratios[0], ratios[ratios.len() - 1]);
            eprintln!("    {:<14} {mid:>8.2}x  [{lo:.2} - {hi:.2}]", contender.name);
            println!(
                "row\t{mode}\t{}\t{}\t{base_ns:.1}\t{}\t{mid:.3}\t{lo:.3}\t{hi:.3}",
                workload.name, workload.baseline.name, contender.name
            );
        }
    }
    if lock_rank::CHECKS_ENABLED {
        // The graph learned from every unranked row, however many locks they made.
        eprintln!("learned lock order after the bench: {:?}", lock_rank::observed::size());
    }
}
