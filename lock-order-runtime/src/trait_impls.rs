//! The trait impls that every lock family writes alike, as macros: `Deref`, `DerefMut`, `Debug`
//! and `Display` of a guard, `RankedLock`, `Default`, `From` and `Debug` of a lock.
//!
//! Each call names the impl's generics in brackets, bounds and all, then the type; the macros add
//! no bound of their own beyond the one their trait needs, so a call is the impl it replaces.
//! A guard reaches its data through its `inner` field, a lock its class through its `origin`
//! field and its `new`; everything else a family writes out.

/// A guard's `Deref` to `$target` through its `inner` guard (with `mut`, `DerefMut` too), and its
/// `Debug` and `Display`, which are its target's.
///
/// `guard_traits!([T: ?Sized, C: LockClass] MutexGuard<'_, T, C> => mut T);`
macro_rules! guard_traits {
    ([$($generics:tt)*] $guard:ty => mut $target:ty) => {
        $crate::trait_impls::guard_traits!([$($generics)*] $guard => $target);

        impl<$($generics)*> ::core::ops::DerefMut for $guard {
            #[inline]
            fn deref_mut(&mut self) -> &mut $target {
                &mut self.inner
            }
        }
    };
    ([$($generics:tt)*] $guard:ty => $target:ty) => {
        impl<$($generics)*> ::core::ops::Deref for $guard {
            type Target = $target;
            #[inline]
            fn deref(&self) -> &$target {
                &self.inner
            }
        }

        impl<$($generics)*> ::core::fmt::Debug for $guard
        where
            $target: ::core::fmt::Debug,
        {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&**self, f)
            }
        }

        impl<$($generics)*> ::core::fmt::Display for $guard
        where
            $target: ::core::fmt::Display,
        {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&**self, f)
            }
        }
    };
}
pub(crate) use guard_traits;

/// A lock's trait impls, one trait (or pair) a call:
/// - `RankedLock`, answering with the class the lock was made with (`class` names the class
///   parameter);
/// - `Default` and `From<$value>`, through the lock's `new`, at the caller's line
///   (`#[track_caller]`: the line is the lock's origin in reports);
/// - `Debug`, the inner lock's.
///
/// `lock_traits!(RankedLock [T: ?Sized, C: LockClass] Mutex<T, C>, class C);`
macro_rules! lock_traits {
    (RankedLock [$($generics:tt)*] $lock:ty, class $class:ident) => {
        impl<$($generics)*> $crate::class::RankedLock for $lock {
            type Class = $class;

            #[inline]
            fn __class(&self) -> ::core::option::Option<&'static $crate::class::ClassInfo> {
                self.origin.class_as::<$class>()
            }
        }
    };
    (Default, From<$value:ty> [$($generics:tt)*] $lock:ty) => {
        impl<$($generics)*> ::core::default::Default for $lock
        where
            $value: ::core::default::Default,
        {
            #[track_caller]
            fn default() -> Self {
                Self::new(<$value as ::core::default::Default>::default())
            }
        }

        impl<$($generics)*> ::core::convert::From<$value> for $lock {
            #[track_caller]
            fn from(value: $value) -> Self {
                Self::new(value)
            }
        }
    };
    (Debug [$($generics:tt)*] $lock:ty) => {
        impl<$($generics)*> ::core::fmt::Debug for $lock {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&self.inner, f)
            }
        }
    };
}
pub(crate) use lock_traits;

/// A ranked lock's view as its plain type (the same lock with the default class): its `Deref`
/// to the plain lock, and `plain_arc`, the body of its public `into_plain`, which each family
/// writes out with its docs.
///
/// The call promises what the two casts rest on: `$lock` is a `repr(C)` struct whose class is
/// only a zero-sized `PhantomData` field, so that `$lock` and `$plain` are the one struct but for
/// that marker, and neither has a `Drop` of its own beyond its fields'.
///
/// `plain_view!([T: ?Sized, C: RankedClass] Mutex<T, C> => Mutex<T>);`
macro_rules! plain_view {
    ($(#[$attr:meta])* [$($generics:tt)*] $lock:ty => $plain:ty) => {
        $(#[$attr])*
        impl<$($generics)*> ::core::ops::Deref for $lock {
            type Target = $plain;

            #[inline(always)]
            fn deref(&self) -> &$plain {
                // SAFETY: `$lock` and `$plain` differ only in a zero-sized `PhantomData` class in
                // a `repr(C)` struct (the macro's contract), so they have one layout, and one
                // pointer metadata for an unsized tail; the reference keeps the borrow's lifetime.
                unsafe { &*(::core::ptr::from_ref(self) as *const $plain) }
            }
        }

        impl<$($generics)*> $lock {
            /// The same lock behind the same `Arc`, as its plain type.
            #[inline(always)]
            fn plain_arc(lock: ::std::sync::Arc<Self>) -> ::std::sync::Arc<$plain> {
                let raw = ::std::sync::Arc::into_raw(lock);
                // SAFETY: `raw` comes from `Arc::into_raw` of a `$lock`, which has the size,
                // alignment and metadata of `$plain` (see `Deref`), as `Arc::from_raw` requires
                // of a pointer of another type; neither type has a `Drop` of its own beyond its
                // fields'.
                unsafe { ::std::sync::Arc::from_raw(raw as *const $plain) }
            }
        }
    };
}
pub(crate) use plain_view;
