//! Procedural macros of [lock-rank](https://docs.rs/lock-rank); use them through that crate.
//!
//! - `#[lock_rank(N)]` on a `static` lock or on a unit struct (a lock class shared by many locks);
//! - `#[ranked]` on a struct whose lock fields carry `#[lock_rank(N)]`;
//! - `order! { ... }`, the central, documented table of ranks.
//!
//! Each macro runs the same stages: `ast` builds a typed model of the input (reading ranks with
//! `attr` and lock types with `lock_type`), `valid` checks the rules between its parts, `expand`
//! generates the code and `docs` its documentation. Every stage reports to one `Errors`, which
//! turns each error into a `compile_error!` at the user's tokens.

mod ast;
mod attr;
mod docs;
mod errors;
mod expand;
mod lock_type;
mod valid;

use proc_macro::TokenStream;

use crate::errors::Errors;

/// Declares a lock's place in the global lock order. See `lock_rank::lock_rank`.
#[proc_macro_attribute]
pub fn lock_rank(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let target = ast::Target::from_syn(args.into(), input.into(), &mut errors);
    errors.emit(expand::lock_rank(target)).into()
}

/// Lets the fields of a struct carry `#[lock_rank(N)]`. See `lock_rank::ranked`.
#[proc_macro_attribute]
pub fn ranked(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let ranked = ast::Ranked::from_syn(args.into(), input.into(), &mut errors);
    valid::ranked(&ranked, &mut errors);
    errors.emit(expand::ranked(ranked)).into()
}

/// Declares the lock order as one documented table of rank constants. See `lock_rank::order`.
#[proc_macro]
pub fn order(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let order = ast::Order::from_syn(input.into(), &mut errors);
    let order = order.filter(|order| valid::order(order, &mut errors));
    errors.emit(order.map(expand::order)).into()
}
