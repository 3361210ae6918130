//! Placeholder: filled in below.
pub use lock_order_macros::{lock_rank, order, ranked};
pub use lock_order_runtime::*;
