//! The future of an async acquire: tokio's future, polled in place, plus the record.
//!
//! The check itself runs earlier, when the acquire method is called (so a report names the
//! caller's line and comes before anything waits). This future shows the task as waiting while
//! tokio's future is pending, and once it completes makes the record, in the set of whoever
//! polled it to completion, and wraps tokio's guard into ours.
//!
//! It is written by hand rather than as an `async` block around tokio's future: an `async` block
//! would move tokio's future (a hundred bytes or more) into its own state on the first poll,
//! which on an uncontended lock costs as much as the checks themselves.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::check::{Held, Request};

/// What a completed acquire records: the request with checks, nothing without.
#[derive(Clone, Copy)]
pub(crate) struct DeferredRecord {
    #[cfg(lock_rank_checked)]
    request: Request,
}

impl DeferredRecord {
    /// The record of the lock, now taken, for its guard.
    #[inline]
    pub(crate) fn held(self) -> Held {
        #[cfg(lock_rank_checked)]
        {
            crate::check::record_shared(self.request)
        }
        #[cfg(not(lock_rank_checked))]
        {
            Held
        }
    }
}

/// An acquire in progress: tokio's future `acquire`, and `wrap`, which turns its output and
/// the [`DeferredRecord`] into ours.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub(crate) struct Acquiring<F, W> {
    /// Pinned with this future: only ever reached through a pinned `Acquiring`. Dropped in place
    /// as soon as it completes, or by `Drop` before `wrap`: an owned acquire's `wrap` holds the
    /// `Arc` that keeps the lock this future borrows alive, and hands it to the guard, which may
    /// drop it before this future is dropped.
    acquire: ManuallyDrop<F>,
    record: DeferredRecord,
    #[cfg(lock_rank_checked)]
    wait: Option<crate::check::AsyncWait>,
    /// Taken when the acquire completes, as `acquire` is dropped: `None` once it is.
    wrap: Option<W>,
}

impl<F, W> Acquiring<F, W> {
    /// The acquire of `request` by tokio's `acquire`; `wrap` makes the guard once it completes.
    #[inline(always)]
    pub(crate) fn new<O>(request: Request, acquire: F, wrap: W) -> Self
    where
        F: Future,
        W: FnOnce(F::Output, DeferredRecord) -> O,
    {
        #[cfg(not(lock_rank_checked))]
        let _ = request;
        Acquiring {
            acquire: ManuallyDrop::new(acquire),
            #[cfg(lock_rank_checked)]
            record: DeferredRecord { request },
            #[cfg(not(lock_rank_checked))]
            record: DeferredRecord {},
            #[cfg(lock_rank_checked)]
            wait: None,
            wrap: Some(wrap),
        }
    }
}

impl<F: Future, W: FnOnce(F::Output, DeferredRecord) -> O, O> Future for Acquiring<F, W> {
    type Output = O;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        // SAFETY: `acquire` is structurally pinned and nothing else is: it is never moved out,
        // swapped or handed out unpinned (this and `Drop` are the only places it is reached, and
        // both drop it in place, as pinning allows), and `Acquiring` is `Unpin` only when `F` is
        // (auto trait). The other fields are only read or overwritten through `this`.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(this.wrap.is_some(), "an acquire is not polled after it completes");
        // SAFETY: see above; `this.acquire` is not dropped yet (`wrap` is still there) and lives
        // as long as the pinned `Acquiring`.
        let acquire = unsafe { Pin::new_unchecked(&mut *this.acquire) };
        match acquire.poll(cx) {
            Poll::Ready(output) => {
                #[cfg(lock_rank_checked)]
                {
                    this.wait = None;
                }
                let wrap = this.wrap.take().expect("checked above");
                // SAFETY: dropped once, in place: `wrap` is gone now, so neither a later poll
                // (which panics above) nor `Drop` reaches `acquire` again. Dropped before `wrap`
                // runs, so before the guard that gets the lock's `Arc` from it can drop that.
                unsafe { ManuallyDrop::drop(&mut this.acquire) };
                Poll::Ready(wrap(output, this.record))
            }
            Poll::Pending => {
                #[cfg(lock_rank_checked)]
                if this.wait.is_none() {
                    this.wait = Some(crate::check::begin_async_wait(&this.record.request));
                }
                Poll::Pending
            }
        }
    }
}

impl<F, W> Drop for Acquiring<F, W> {
    #[inline]
    fn drop(&mut self) {
        if self.wrap.is_some() {
            // SAFETY: `acquire` is not dropped yet (`poll` drops it only as it takes `wrap`); it
            // is dropped in place, as pinning allows, and before `wrap`, which may hold the `Arc`
            // that keeps the lock it borrows alive.
            unsafe { ManuallyDrop::drop(&mut self.acquire) }
        }
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
