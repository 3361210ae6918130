//! Procedural macros of [lock-rank](https://docs.rs/lock-rank); use them through that crate.
//!
//! - `#[lock_rank(N)]` on a `static` lock or on a unit struct (a lock class shared by many locks);
//! - `#[ranked]` on a struct whose lock fields carry `#[lock_rank(N)]`;
//! - `order! { ... }`, the central, documented table of ranks.

mod docs;
mod expand;
mod order;
mod rank;

use proc_macro::TokenStream;

/// Declares a lock's place in the global lock order. See `lock_rank::lock_rank`.
#[proc_macro_attribute]
pub fn lock_rank(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::lock_rank(args.into(), input.into()).into()
}

/// Lets the fields of a struct carry `#[lock_rank(N)]`. See `lock_rank::ranked`.
#[proc_macro_attribute]
pub fn ranked(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::ranked(args.into(), input.into()).into()
}

/// Declares the lock order as one documented table of rank constants. See `lock_rank::order`.
#[proc_macro]
pub fn order(input: TokenStream) -> TokenStream {
    order::expand(input.into()).into()
}
