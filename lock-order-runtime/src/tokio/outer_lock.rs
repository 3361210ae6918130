//! From a tokio lock back to the ranked lock it lives in: for guards, which reach only the
//! tokio lock.

/// Where the tokio lock sits inside one of ours (`repr(C)`: the zero-sized class, the
/// [`Origin`](crate::class::Origin), then the tokio lock), given the tokio lock's alignment.
#[inline(always)]
pub(crate) const fn offset_of_inner(align: usize) -> usize {
    std::mem::size_of::<crate::class::Origin>().next_multiple_of(align)
}

/// Views a tokio lock that is known to live inside one of our locks as that lock.
macro_rules! as_outer_lock {
    ($inner:expr, $outer:ty) => {{
        let inner = $inner;
        let offset = $crate::tokio::outer_lock::offset_of_inner(::std::mem::align_of_val(inner));
        // SAFETY: `inner` points into a `$outer` (every tokio lock reachable from our guards was
        // made by our constructors), a `repr(C)` struct whose last field it is: `offset` bytes
        // after the start, as `offset_of_inner` computes by `repr(C)`'s rule. Both have the same
        // pointer metadata (the tokio lock is the unsized tail), and the reference keeps its lifetime.
        unsafe { &*(::std::ptr::from_ref(inner).byte_sub(offset) as *const $outer) }
    }};
}
pub(crate) use as_outer_lock;
