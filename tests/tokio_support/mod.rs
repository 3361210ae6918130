//! Helpers of the async tests: runtimes of both flavors, bounded runs, task outcomes, and the
//! violations reported, kept as values.

#![allow(dead_code)] // each test binary uses a different part

use std::future::Future;
use std::sync::{Mutex as StdMutex, Once};
use std::time::Duration;

use lock_rank::{Policy, Violation};
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

/// How long a scenario may take before the test fails instead of hanging.
pub const FINISH: Duration = Duration::from_secs(20);

/// How long a task waits for a lock before its acquire counts as hung (only without checks, or
/// if the checker were wrong).
pub const HANG: Duration = Duration::from_millis(500);

/// The runtime flavors every scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    CurrentThread,
    MultiThread,
}

pub const FLAVORS: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread];

pub fn runtime(flavor: Flavor) -> Runtime {
    let mut builder = match flavor {
        Flavor::CurrentThread => Builder::new_current_thread(),
        Flavor::MultiThread => {
            let mut builder = Builder::new_multi_thread();
            builder.worker_threads(2);
            builder
        }
    };
    builder.enable_time().build().expect("building a runtime")
}

/// Runs `scenario` as the root future of a fresh runtime of `flavor`, failing the test if it
/// does not finish within [`FINISH`]; the runtime is then shut down without waiting for tasks
/// that are stuck.
#[track_caller]
pub fn run<F: Future>(flavor: Flavor, scenario: F) -> F::Output {
    reporting();
    let rt = runtime(flavor);
    let outcome = rt.block_on(async { tokio::time::timeout(FINISH, scenario).await });
    rt.shutdown_timeout(Duration::from_secs(1));
    match outcome {
        Ok(value) => value,
        Err(_) => panic!("the scenario on a {flavor:?} runtime did not finish within {FINISH:?}"),
    }
}

/// What a spawned task ended with: its value, or its panic message.
pub async fn outcome<T>(task: JoinHandle<T>) -> Result<T, String> {
    match task.await {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => Err(panic_message(error.into_panic())),
        Err(error) => Err(format!("task failed: {error}")),
    }
}

pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload.downcast::<&'static str>().map(|s| (*s).to_owned()).unwrap_or_default(),
    }
}

static REPORTED: StdMutex<Vec<Violation>> = StdMutex::new(Vec::new());

/// Installs (once per test binary) a policy that keeps every violation and then panics with its
/// report, as the default policy does: tasks move between threads, so a thread-local policy
/// would not see them.
pub fn reporting() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        lock_rank::set_policy(Policy::callback(|violation| {
            REPORTED.lock().unwrap_or_else(|e| e.into_inner()).push(violation.clone());
            panic!("{violation}");
        }));
    });
}

/// Takes the violations reported so far for the task `task`.
pub fn reported_by(task: tokio::task::Id) -> Vec<Violation> {
    let task: u64 = task.to_string().parse().expect("a task id is a number");
    take_reported(|v| v.holder.task_id() == Some(task))
}

/// Takes the violations reported so far by code outside any task on the current thread.
pub fn reported_by_this_thread() -> Vec<Violation> {
    let me = std::thread::current().id();
    take_reported(|v| v.holder.task_id().is_none() && v.holder.thread_id() == Some(me))
}

fn take_reported(mut wanted: impl FnMut(&Violation) -> bool) -> Vec<Violation> {
    let mut all = REPORTED.lock().unwrap_or_else(|e| e.into_inner());
    let (taken, kept) = std::mem::take(&mut *all).into_iter().partition(|v| wanted(v));
    *all = kept;
    taken
}
