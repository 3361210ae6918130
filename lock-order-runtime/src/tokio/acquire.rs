//! The future of an async acquire: tokio's try first, tokio's future only when it would wait,
//! plus the record.
//!
//! The check itself runs earlier, when the acquire method is called (so a report names the
//! caller's line and comes before anything waits). In checked builds the first poll tries the
//! lock with tokio's `try_*`, which is what tokio's own future does first; only when that fails
//! is tokio's future made, in place, and polled, and the task shown as waiting while it is
//! pending. Once the lock is taken the record is made, in the set of whoever polled the acquire
//! to completion, and tokio's guard is wrapped into ours. Without checks the future is tokio's,
//! made at once.
//!
//! It is written by hand rather than as an `async` block around tokio's future: an `async` block
//! would move tokio's future (a hundred bytes or more) into its own state on the first poll,
//! which on an uncontended lock costs as much as the checks themselves.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::check::{AsyncWait, DeferredRecord, Pending, Request};

/// Where an acquire is: not tried yet, waiting in tokio's future, or done.
enum Step<F> {
    /// Checked builds only: the first poll tries the lock.
    #[cfg_attr(not(lock_rank_checked), allow(dead_code))]
    Try(Pending),
    /// Tokio's future, and the wait shown while it is pending, pinned with the acquire.
    Wait(Waiting<F>),
    Done,
}

/// Tokio's future, and (with checks) the wait shown while it is pending (see `AsyncWait`).
///
/// Dropped out of line with checks: the drop of a `Step` is then one compare and a call, small
/// enough for the compiler to inline where the acquire is awaited and to see that a completed
/// acquire leaves nothing to drop. Inline without checks, where the acquire is tokio's.
struct Waiting<F> {
    future: ManuallyDrop<F>,
    wait: ManuallyDrop<AsyncWait>,
}

impl<F> Waiting<F> {
    #[inline(always)]
    fn new(future: F, wait: AsyncWait) -> Self {
        Waiting { future: ManuallyDrop::new(future), wait: ManuallyDrop::new(wait) }
    }
}

impl<F> Drop for Waiting<F> {
    #[cfg_attr(lock_rank_checked, inline(never))]
    #[cfg_attr(not(lock_rank_checked), inline(always))]
    fn drop(&mut self) {
        // SAFETY: each is dropped once, here, in place (they are pinned with the acquire), the
        // future first, as the fields of a struct would be.
        unsafe {
            ManuallyDrop::drop(&mut self.future);
            ManuallyDrop::drop(&mut self.wait);
        }
    }
}

/// An acquire in progress of the tokio lock `lock`: `try_now` takes it if it is free now,
/// `start` makes tokio's future that waits for it, and `wrap` turns what either gives, with
/// the [`DeferredRecord`], into ours.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub(crate) struct Acquiring<L, T, S, F, W> {
    /// Declared first, so dropped before `wrap`: an owned acquire's `wrap` holds the `Arc` that
    /// keeps the lock tokio's future borrows alive. Structurally pinned: tokio's future and the
    /// wait are only ever reached through a pinned `Acquiring`, and dropped in place, as soon as
    /// the lock is taken (before `wrap` runs, and so before the guard that gets the `Arc` can drop
    /// it) or with the acquire. Once done, nothing in it needs dropping, which the compiler sees
    /// where the acquire is awaited.
    step: Step<F>,
    #[cfg(lock_rank_checked)]
    lock: L,
    #[cfg(lock_rank_checked)]
    try_now: T,
    #[cfg(lock_rank_checked)]
    start: S,
    /// Without checks tokio's future is made at once, and only it is kept.
    #[cfg(not(lock_rank_checked))]
    made: std::marker::PhantomData<fn(L, T, S)>,
    /// Taken when the acquire completes: `None` once it has.
    wrap: Option<W>,
}

impl<L: Copy, T, S, F, W> Acquiring<L, T, S, F, W> {
    /// The acquire of `lock`, checked as `pending`; see [`Acquiring`] for the rest.
    #[inline(always)]
    pub(crate) fn new<O>(pending: Pending, lock: L, try_now: T, start: S, wrap: W) -> Self
    where
        F: Future,
        T: Fn(L) -> Option<F::Output>,
        S: Fn(L) -> F,
        W: FnOnce(F::Output, DeferredRecord) -> O,
    {
        #[cfg(not(lock_rank_checked))]
        let _ = try_now;
        Acquiring {
            #[cfg(lock_rank_checked)]
            step: Step::Try(pending),
            #[cfg(not(lock_rank_checked))]
            step: Step::Wait(Waiting::new(start(lock), AsyncWait::new(pending))),
            #[cfg(lock_rank_checked)]
            lock,
            #[cfg(lock_rank_checked)]
            try_now,
            #[cfg(lock_rank_checked)]
            start,
            #[cfg(not(lock_rank_checked))]
            made: std::marker::PhantomData,
            wrap: Some(wrap),
        }
    }
}

impl<L, T, S, F, W, O> Future for Acquiring<L, T, S, F, W>
where
    L: Copy,
    F: Future,
    T: Fn(L) -> Option<F::Output>,
    S: Fn(L) -> F,
    W: FnOnce(F::Output, DeferredRecord) -> O,
{
    type Output = O;

    /// The try inline, where the acquire is awaited; tokio's future out of line.
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        // SAFETY: `step` is structurally pinned and nothing else is: what its `Wait` holds is
        // never moved out, swapped or handed out unpinned (only `wait` reaches it, and it is
        // dropped in place when `step` is overwritten or the acquire drops), and `Acquiring` is
        // `Unpin` only when `F` and `AsyncWait` are (auto trait; with checks `AsyncWait` never
        // is). The other fields are only read or overwritten through `this`.
        let this = unsafe { self.get_unchecked_mut() };
        #[cfg(lock_rank_checked)]
        if let Step::Try(pending) = this.step {
            // Tokio's future spends a unit of the task's budget, and yields when there is none
            // left, before it takes the lock: so does the try.
            if std::pin::pin!(::tokio::task::consume_budget()).poll(cx).is_pending() {
                return Poll::Pending;
            }
            if let Some(output) = (this.try_now)(this.lock) {
                let acquired = this.complete(output, pending.deferred());
                // After the record is made (a call), so that the compiler sees it, as below.
                this.set_step(Step::Done);
                return Poll::Ready(acquired);
            }
            // Writes tokio's future and the wait in place: nothing was pinned in `step` before.
            this.set_step(Step::Wait(Waiting::new((this.start)(this.lock), AsyncWait::new(pending))));
        }
        let polled = this.wait(cx);
        if polled.is_ready() {
            // `wait` left `step` done already; said again where the compiler sees it, so that
            // where the acquire is awaited, it knows nothing is left to drop.
            this.set_step(Step::Done);
        }
        polled
    }
}

impl<L, T, S, F: Future, W, O> Acquiring<L, T, S, F, W>
where
    W: FnOnce(F::Output, DeferredRecord) -> O,
{
    /// Polls tokio's future, which `self` is pinned with (see `poll`).
    #[cfg_attr(lock_rank_checked, inline(never))]
    #[cfg_attr(not(lock_rank_checked), inline(always))]
    fn wait(&mut self, cx: &mut Context<'_>) -> Poll<O> {
        let Step::Wait(Waiting { future: acquire, wait }) = &mut self.step else {
            panic!("an acquire is not polled after it completes");
        };
        let (acquire, wait): (&mut F, &mut AsyncWait) = (acquire, wait);
        // SAFETY: `self` is pinned (see `poll`); tokio's future and the wait live in `step` as
        // long as the pinned `Acquiring` or until `step` is overwritten, which drops them in place.
        let (acquire, wait) = unsafe { (Pin::new_unchecked(acquire), Pin::new_unchecked(wait)) };
        match acquire.poll(cx) {
            Poll::Ready(output) => {
                let record = wait.record();
                // Drops tokio's future, and the wait (which stops showing), in place, before
                // `wrap` runs (see `step`).
                self.step = Step::Done;
                Poll::Ready(self.complete(output, record))
            }
            Poll::Pending => {
                wait.begin();
                Poll::Pending
            }
        }
    }

    /// Overwrites `step` without dropping what it held: for a `step` that is `Try` or `Done`,
    /// which hold nothing to drop (and nothing pinned). Dropping it would mean a call, on the
    /// path of every acquire, for a check the compiler cannot see through.
    #[inline(always)]
    fn set_step(&mut self, step: Step<F>) {
        debug_assert!(!matches!(self.step, Step::Wait(..)));
        // SAFETY: as the docs say, the value overwritten needs no drop and holds nothing pinned.
        unsafe { std::ptr::write(&mut self.step, step) };
    }

    /// Wraps what tokio gave, once the lock is taken.
    #[inline(always)]
    fn complete(&mut self, output: F::Output, record: DeferredRecord) -> O {
        let wrap = self.wrap.take().expect("an acquire completes once");
        wrap(output, record)
    }
}

/// Awaits `acquiring` for at most `timeout`: the timed acquires of the async locks. Never an order
/// violation (it gives up instead of hanging); while it waits, dumps and the watchdog show it.
pub(crate) async fn within<O>(
    request: Request,
    timeout: std::time::Duration,
    acquiring: impl Future<Output = O>,
) -> Result<O, crate::sync::timed::LockTimeout> {
    ::tokio::time::timeout(timeout, acquiring)
        .await
        .map_err(|_| crate::sync::timed::timed_out(&request, timeout))
}
