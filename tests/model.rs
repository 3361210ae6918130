//! A model-based test: random sequences of blocking acquires, try-acquires and releases over a few
//! ranked locks (two sharing a rank through a class) and unranked ones, run against the real
//! locks in one thread and against a small reference model of the rules. After every operation the
//! violation reported (or none) and the held set must match the model.
//!
//! A blocking acquire of a lock the thread already holds is included: the model expects it to be
//! reported as a recursive acquisition and then to panic, since with a mutex it could never
//! succeed and the checker panics before blocking whatever the policy. The panic is caught and
//! nothing may have changed. Without checks that acquire would block forever, so the unchecked
//! builds skip exactly those operations (and expect no reports and an empty held set); everything
//! else runs in all builds. The whole run is bounded, so a checker that failed to panic before a
//! self-deadlock would fail the test instead of hanging it.

#[macro_use]
mod common;

use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use common::{catch, Guard, Outcome};
use lock_rank::{lock_rank, LockClass, Mutex, Policy, Violation, ViolationKind, CHECKS_ENABLED};

#[lock_rank(1)]
struct First;
#[lock_rank(2)]
struct Second;
/// Shared by two locks.
#[lock_rank(3)]
struct Shard;
#[lock_rank(4)]
struct Last;

/// One lock of the model, whatever its class.
trait ModelLock: Sync {
    /// `lock()` and the site it reports.
    fn block(&self) -> (Box<dyn Guard + '_>, String);
    /// `try_lock()`, `None` when it would block, and the site it reports.
    fn attempt(&self) -> (Option<Box<dyn Guard + '_>>, String);
    fn address(&self) -> usize;
}

impl<C: LockClass> ModelLock for Mutex<u8, C> {
    fn block(&self) -> (Box<dyn Guard + '_>, String) {
        let (line, guard) = (line!(), self.lock().unwrap());
        (Box::new(guard), site!(line, "self.lock"))
    }

    fn attempt(&self) -> (Option<Box<dyn Guard + '_>>, String) {
        let (line, guard) = (line!(), self.try_lock());
        (guard.ok().map(|g| Box::new(g) as Box<dyn Guard>), site!(line, "self.try_lock"))
    }

    fn address(&self) -> usize {
        self as *const Self as usize
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Lock(usize),
    TryLock(usize),
    /// Release the held guard at this index, modulo how many are held.
    Release(usize),
}

const LOCKS: usize = 7;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..LOCKS).prop_map(Op::Lock),
        2 => (0..LOCKS).prop_map(Op::TryLock),
        3 => any::<usize>().prop_map(Op::Release),
    ]
}

/// The model's view of a lock: name and rank as a report shows them.
#[derive(Clone, Debug, PartialEq)]
struct Spec {
    name: String,
    rank: Option<u32>,
}

/// A report as the model compares it: kind, then name and rank of the acquiring and held locks.
type Reported = (ViolationKind, String, Option<u32>, String, Option<u32>);

/// What the model expects of one blocking acquire.
#[derive(Debug, PartialEq)]
enum Expect {
    Fine,
    /// A lock order violation naming the highest-ranked held lock at or above the new one.
    Order {
        held: Spec,
    },
    /// The lock is held already: reported, then a panic.
    Recursive,
}

/// The rules, written independently of the checker.
fn expect(specs: &[Spec], held: &[usize], lock: usize) -> Expect {
    if held.contains(&lock) {
        return Expect::Recursive;
    }
    let Some(rank) = specs[lock].rank else { return Expect::Fine };
    held.iter()
        .filter_map(|&h| specs[h].rank.filter(|&r| r >= rank).map(|r| (r, h)))
        .max_by_key(|&(r, _)| r)
        .map_or(Expect::Fine, |(_, h)| Expect::Order { held: specs[h].clone() })
}

fn run_case(locks: &[&dyn ModelLock], specs: &[Spec], ops: &[Op]) -> Result<(), TestCaseError> {
    prop_assert!(lock_rank::held_locks().is_empty());
    let seen: Arc<StdMutex<Vec<Violation>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let policy = Policy::callback(move |v| sink.lock().unwrap().push(v.clone()));
    lock_rank::with_policy(policy, || {
        // Parallel lists: the model's held locks with their sites, and the real guards.
        let mut held: Vec<(usize, String)> = Vec::new();
        let mut guards: Vec<Box<dyn Guard + '_>> = Vec::new();
        for (step, &op) in ops.iter().enumerate() {
            let indices: Vec<usize> = held.iter().map(|(i, _)| *i).collect();
            let expected = match op {
                Op::Lock(i) => {
                    let expected = expect(specs, &indices, i);
                    if expected == Expect::Recursive {
                        if !CHECKS_ENABLED {
                            continue; // would block forever on itself
                        }
                        let result = catch(|| locks[i].block().1);
                        let message = result.err().unwrap_or_default();
                        prop_assert!(
                            message.starts_with("recursive lock acquisition: acquiring"),
                            "step {step} {op:?}: expected the recursive acquire to panic, got {message:?}"
                        );
                    } else {
                        let (guard, site) = locks[i].block();
                        guards.push(guard);
                        held.push((i, site));
                    }
                    expected
                }
                Op::TryLock(i) => {
                    let (guard, site) = locks[i].attempt();
                    // A try never reports; it fails exactly when this thread holds the lock.
                    prop_assert_eq!(guard.is_some(), !indices.contains(&i), "step {} {:?}", step, op);
                    if let Some(guard) = guard {
                        guards.push(guard);
                        held.push((i, site));
                    }
                    Expect::Fine
                }
                Op::Release(k) => {
                    if !held.is_empty() {
                        let k = k % held.len();
                        held.remove(k);
                        drop(guards.remove(k));
                    }
                    Expect::Fine
                }
            };
            let reported = std::mem::take(&mut *seen.lock().unwrap());
            if !CHECKS_ENABLED {
                prop_assert!(reported.is_empty());
                prop_assert!(lock_rank::held_locks().is_empty());
                continue;
            }
            let summary: Vec<Reported> = reported
                .iter()
                .map(|v| (v.kind, v.acquiring.name(), v.acquiring.rank(), v.held.name(), v.held.rank()))
                .collect();
            let wanted = match (&expected, op) {
                (Expect::Fine, _) => vec![],
                (Expect::Order { held }, Op::Lock(i)) => vec![(
                    ViolationKind::LockOrder,
                    specs[i].name.clone(),
                    specs[i].rank,
                    held.name.clone(),
                    held.rank,
                )],
                (Expect::Recursive, Op::Lock(i)) => vec![(
                    ViolationKind::RecursiveAcquisition,
                    specs[i].name.clone(),
                    specs[i].rank,
                    specs[i].name.clone(),
                    specs[i].rank,
                )],
                _ => unreachable!(),
            };
            prop_assert_eq!(&summary, &wanted, "step {} {:?} with {:?} held", step, op, indices);
            if let (Expect::Recursive, Some(v)) = (&expected, reported.first()) {
                // The conflicting record is the very acquisition of that lock still held.
                let first = held.iter().find(|(i, _)| Some(*i) == op_lock(op)).map(|(_, s)| s.clone());
                prop_assert_eq!(Some(v.held.site().to_string()), first);
                prop_assert_eq!(v.acquiring.address, v.held.address);
            }
            let actual: Vec<(String, Option<u32>, String, usize)> = lock_rank::held_locks()
                .iter()
                .map(|a| (a.name(), a.rank(), a.site().to_string(), a.address))
                .collect();
            let model: Vec<(String, Option<u32>, String, usize)> = held
                .iter()
                .map(|(i, site)| (specs[*i].name.clone(), specs[*i].rank, site.clone(), locks[*i].address()))
                .collect();
            prop_assert_eq!(actual, model, "held set after step {} {:?}", step, op);
        }
        drop(guards);
        prop_assert!(lock_rank::held_locks().is_empty());
        Ok(())
    })
}

fn op_lock(op: Op) -> Option<usize> {
    match op {
        Op::Lock(i) | Op::TryLock(i) => Some(i),
        Op::Release(_) => None,
    }
}

#[test]
fn the_checker_agrees_with_the_model() {
    // The model is of the rank and recursion rules; random orders of unranked locks would also
    // close learned cycles, which tests/observed.rs covers. This binary runs this one test.
    lock_rank::observed::set_learning(false);
    // The expected panics of recursive acquires would flood the output (and with
    // RUST_BACKTRACE set, cost a backtrace each): keep only unexpected panics.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or_default();
        if !text.starts_with("recursive lock acquisition:") {
            default_hook(info);
        }
    }));
    let outcome = common::run_bounded("model", Duration::from_secs(120), || {
        let (first, second): (Mutex<u8, First>, Mutex<u8, Second>) = (Mutex::new(0), Mutex::new(0));
        let shards: [Mutex<u8, Shard>; 2] = [Mutex::new(0), Mutex::new(0)];
        let last: Mutex<u8, Last> = Mutex::new(0);
        let (made, first_unranked) = (line!(), Mutex::<u8>::new(0));
        let unranked: [Mutex<u8>; 2] = [first_unranked, Mutex::new(0)];
        let locks: [&dyn ModelLock; LOCKS] =
            [&first, &second, &shards[0], &shards[1], &last, &unranked[0], &unranked[1]];
        let ranked = |name: &str, rank| Spec { name: name.to_owned(), rank: Some(rank) };
        // An unranked lock is named by its type and where it was made.
        let unranked_spec = |site: String| Spec { name: format!("Mutex<u8> created at {site}"), rank: None };
        let specs = [
            ranked("First", 1),
            ranked("Second", 2),
            ranked("Shard", 3),
            ranked("Shard", 3),
            ranked("Last", 4),
            unranked_spec(site!(made, "Mutex::<u8>::new")),
            unranked_spec(site!(made + 1, "Mutex::new")),
        ];
        let mut runner =
            TestRunner::new(Config { cases: 256, failure_persistence: None, ..Config::default() });
        runner
            .run(&proptest::collection::vec(op(), 1..48), |ops| run_case(&locks, &specs, &ops))
            .map_err(|e| e.to_string())
    });
    let _ = std::panic::take_hook();
    match outcome {
        Outcome::Finished(result) => result.unwrap(),
        other => panic!("the model run did not finish: {other:?}"),
    }
}
