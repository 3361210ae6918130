//! The `'static` borrow an owned guard takes of the lock its `Arc` keeps alive.

/// The lock behind `arc` as a `'static` borrow, for an owned guard, which keeps `arc` next to
/// the guard it borrows the lock with.
///
/// # Safety
/// The caller keeps a clone of `arc` alive while the reference or anything borrowed through it
/// is in use, and drops all of those before that clone.
#[inline(always)]
pub(crate) unsafe fn borrow_for_guard<L: ?Sized + 'static>(arc: &std::sync::Arc<L>) -> &'static L {
    // SAFETY: the allocation lives as long as an `Arc` to it does, which the caller ensures for
    // every use of the reference.
    unsafe { &*std::sync::Arc::as_ptr(arc) }
}
