//! The marker that keeps lock_api guards on the thread that took them.

use std::marker::PhantomData;

use ::lock_api::GuardNoSend;

/// Makes a guard `!Send` (and keeps it `Sync`), whatever the raw lock allows.
pub(crate) type Marker<C> = PhantomData<(fn() -> C, GuardNoSend)>;
