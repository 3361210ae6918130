//! The lock in a ranked declaration's type: found through the wrappers around it, and told apart
//! from types that are certainly not locks of this crate.

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Error, GenericArgument, PathArguments, Type, TypePath};

/// A declared type with one lock of this crate inside it.
pub(crate) struct LockType {
    /// The type as declared: `Arc<Vec<Mutex<T>>>`.
    pub(crate) declared: Type,
    /// The lock inside it as written: `Mutex<T>`.
    pub(crate) lock: Type,
    /// Whether the lock's name is one of [`LOCKS`]: the class is then written on it, and a
    /// separate check asks the compiler whether it is a lock of this crate. The class reaches a
    /// lock of any other name through `<Lock as Rankable>::Ranked<Class>`, which asks the same.
    pub(crate) known: bool,
}

impl LockType {
    /// The lock inside `ty`, or an error saying what to write instead.
    pub(crate) fn from_syn(ty: &Type) -> syn::Result<LockType> {
        let mut declared = ty.clone();
        let (lock, known) = lock_inside(&mut declared, |lock, wrapped| judge(lock, wrapped, ty))?;
        Ok(LockType { declared, lock, known })
    }
}

/// Calls `visit` with the one lock type inside the wrappers of `ty` (`Mutex<T>` in
/// `Arc<Vec<Mutex<T>>>`), or `ty` itself, and whether there were wrappers. All locks inside one
/// declaration share its class.
pub(crate) fn lock_inside<R>(ty: &mut Type, visit: impl FnOnce(&mut Type, bool) -> R) -> R {
    descend(ty, false, visit)
}

fn descend<R>(ty: &mut Type, wrapped: bool, visit: impl FnOnce(&mut Type, bool) -> R) -> R {
    match ty {
        Type::Group(group) => descend(&mut group.elem, wrapped, visit),
        Type::Paren(paren) => descend(&mut paren.elem, wrapped, visit),
        Type::Array(array) => descend(&mut array.elem, true, visit),
        Type::Slice(slice) => descend(&mut slice.elem, true, visit),
        Type::Path(path) => match wrapped_value(path) {
            Some(value) => descend(value, true, visit),
            None => visit(ty, wrapped),
        },
        _ => visit(ty, wrapped),
    }
}

/// The value inside a wrapper path: the first type argument of [`WRAPPERS`], the second (the
/// value) of [`MAPS`]; `None` for any other type.
fn wrapped_value(path: &mut TypePath) -> Option<&mut Type> {
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last_mut()?;
    let name = last.ident.unraw().to_string();
    let position = if WRAPPERS.contains(&name.as_str()) {
        0
    } else if MAPS.contains(&name.as_str()) {
        1
    } else {
        return None;
    };
    let PathArguments::AngleBracketed(args) = &mut last.arguments else { return None };
    args.args
        .iter_mut()
        .filter_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .nth(position)
}

/// Whether `lock`, found inside `declared` (`wrapped` when through wrappers), is a lock: the
/// lock as written and whether its name is known, or what is wrong with it.
fn judge(lock: &Type, wrapped: bool, declared: &Type) -> syn::Result<(Type, bool)> {
    if let Type::Tuple(tuple) = lock {
        if tuple.elems.len() > 1 {
            return Err(Error::new_spanned(
                tuple,
                format!(
                    "`#[lock_rank]` gives one rank to one lock, or to the locks of one collection, not \
                     to a tuple of values: rank each lock on its own field or `static`; {CLASS}"
                ),
            ));
        }
    }
    let path = lock_path(lock)?;
    if let Some(error) = not_a_lock(path) {
        // A wrapper of a plain value: say what the wrapper may hold. Other errors (a std lock, a
        // `Condvar`) say what to write for the type inside.
        let plain_value = path.path.get_ident().is_some_and(|i| PRIMITIVES.contains(&i.to_string().as_str()));
        return Err(match wrapped && plain_value {
            true => Error::new_spanned(
                declared,
                format!(
                    "`{}` holds no lock of lock_rank: `#[lock_rank]` ranks the one lock inside \
                     {WRAPPER_LIST}, which is written `lock_rank::Mutex<T>` or `lock_rank::RwLock<T>` \
                     (or a `tokio`, `parking_lot` or `lock_api` lock of lock_rank)",
                    tidy(declared)
                ),
            ),
            false => error,
        });
    }
    let Some(last) = path.path.segments.last() else {
        return Err(Error::new_spanned(lock, "expected a lock type, like `Mutex<T>`"));
    };
    if !LOCKS.contains(&last.ident.unraw().to_string().as_str()) {
        return Ok((lock.clone(), false));
    }
    if let PathArguments::Parenthesized(_) = last.arguments {
        return Err(Error::new_spanned(lock, format!("this is not a lock type: {WANTED}")));
    }
    Ok((lock.clone(), true))
}

/// The wrappers [`lock_inside`] looks through, for messages.
const WRAPPER_LIST: &str =
    "`Arc`, `Rc`, `Box`, `Option`, `LazyLock`, `OnceLock`, `LazyCell`, `OnceCell`, `Lazy`, \
                            `Vec`, arrays, `Box<[_]>` and `HashMap`/`BTreeMap` values";

/// Standard types that hold one value of their first type argument, possibly a lock.
const WRAPPERS: &[&str] =
    &["Arc", "Rc", "Box", "Option", "Vec", "Weak", "LazyLock", "LazyCell", "OnceLock", "OnceCell", "Lazy"];

/// The names of the lock types of this crate, which take their class as their last generic
/// argument: `Mutex`, `RwLock` (std-shaped, tokio, parking_lot, lock_api), parking_lot's
/// `FairMutex` and `ReentrantMutex`, lock_api's `ReentrantMutex` and tokio's `Semaphore`.
const LOCKS: &[&str] = &["Mutex", "RwLock", "FairMutex", "ReentrantMutex", "Semaphore"];

/// Maps, whose values (their second type argument) may be locks.
const MAPS: &[&str] = &["HashMap", "BTreeMap"];

const WANTED: &str =
    "`#[lock_rank]` needs the lock itself, a `lock_rank::Mutex<T>` or `lock_rank::RwLock<T>`";

const CLASS: &str =
    "to rank locks inside another type, declare a lock class, `#[lock_rank(N)] struct Name;`, \
     and write each lock as `Mutex<T, Name>`";

/// Primitive types, which are never locks.
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32",
    "u64", "u128", "usize",
];

/// The path of the written lock type, looking through invisible groups from `macro_rules!`.
fn lock_path(ty: &Type) -> syn::Result<&TypePath> {
    match ty {
        Type::Group(group) => lock_path(&group.elem),
        Type::Paren(paren) => lock_path(&paren.elem),
        Type::Path(path) => match path.qself {
            None => Ok(path),
            Some(_) => Err(Error::new_spanned(path, format!("write the lock type by name: {WANTED}"))),
        },
        Type::Reference(reference) => Err(Error::new_spanned(
            reference,
            format!(
                "`#[lock_rank]` ranks a lock where it is declared, not a reference to it: put \
                 `#[lock_rank(N)]` on the `static` or field that holds the `{}`",
                tidy(&reference.elem)
            ),
        )),
        other => Err(Error::new_spanned(other, format!("this is not a lock type: {WANTED}"))),
    }
}

/// Types `#[lock_rank]` can tell apart by name alone as not being a lock of this crate.
fn not_a_lock(path: &TypePath) -> Option<Error> {
    let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.unraw().to_string()).collect();
    let last = segments.last()?.as_str();
    let written = segments.join("::");
    let error = |message: String| Some(Error::new_spanned(path, message));
    let args_none = matches!(path.path.segments.last()?.arguments, PathArguments::None);
    if segments.len() == 1 && args_none && PRIMITIVES.contains(&last) {
        return error(format!("`{last}` is not a lock: {WANTED}, such as `Mutex<{last}>`"));
    }
    if WRAPPERS.contains(&last) || MAPS.contains(&last) {
        return error(format!("`{written}` is not a lock: {WANTED}, or one inside {WRAPPER_LIST}"));
    }
    if last == "Condvar" {
        return error(
            "a `Condvar` has no rank of its own: put `#[lock_rank(N)]` on the `Mutex` it waits with"
                .to_owned(),
        );
    }
    if matches!(segments.first().map(String::as_str), Some("std" | "core" | "alloc")) {
        return match last {
            "Mutex" | "RwLock" => error(format!(
                "`{written}` cannot carry a rank: use `lock_rank::{last}`, which has the same API, and \
                 `#[lock_rank]` gives it its rank"
            )),
            _ => error(format!("`{written}` is not a lock of lock_rank: {WANTED}")),
        };
    }
    None
}

/// A type as it would be written, for messages.
fn tidy(ty: &Type) -> String {
    let text = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let prev = out.chars().last();
        let drop_space = c == ' '
            && (matches!(next, Some('<' | '>' | ',' | ':' | ')' | ']'))
                || matches!(prev, Some('<' | ':' | '&' | '(' | '[')));
        if !drop_space {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock_type(text: &str) -> syn::Result<LockType> {
        LockType::from_syn(&syn::parse_str(text).unwrap())
    }

    #[test]
    fn the_lock_is_found_through_its_wrappers() {
        let lock = lock_type("Arc<Vec<[Option<lock_rank::Mutex<u8>>; 4]>>").unwrap();
        assert_eq!(tidy(&lock.lock), "lock_rank::Mutex<u8>");
        assert!(lock.known);
        let lock = lock_type("HashMap<String, RwLock<u8>>").unwrap();
        assert_eq!(tidy(&lock.lock), "RwLock<u8>");
        let alias = lock_type("Arc<AccountsLock>").unwrap();
        assert_eq!(tidy(&alias.lock), "AccountsLock");
        assert!(!alias.known);
    }

    #[test]
    fn what_is_certainly_not_a_lock_is_rejected() {
        for ty in
            ["u32", "Arc<u8>", "std::sync::Mutex<u8>", "&Mutex<u8>", "(Mutex<u8>, Mutex<u8>)", "Condvar"]
        {
            assert!(lock_type(ty).is_err(), "{ty}");
        }
    }
}
