//! Code generation for `#[lock_rank]` and `#[ranked]`.
//!
//! Every misuse is reported as a compile error at the offending tokens, all of them in one build.
//! When there is an error the item is still emitted, with its `#[lock_rank]` attributes removed,
//! so that code using it does not pile further errors on top.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    Error, Field, Fields, GenericArgument, Generics, Ident, Item, ItemStatic, ItemStruct, PathArguments,
    StaticMutability, Type, TypePath, Visibility,
};

use crate::docs;
use crate::rank::{self, Rank};

const WHERE: &str = "`#[lock_rank(N)]` goes on a `static` lock, on a unit struct that declares a lock class \
                     (`struct Shard;`), or on a lock field of a struct marked `#[lock_rank::ranked]`";

/// `#[lock_rank(N)]` on a static or a unit struct.
pub(crate) fn lock_rank(args: TokenStream, input: TokenStream) -> TokenStream {
    // The attribute itself, for errors about it as a whole; the span of the item's first token
    // keeps the error from being attributed to the macro's expansion.
    let attribute = input.clone().into_iter().next().map_or_else(Span::call_site, |t| t.span());
    let attribute = attribute.located_at(Span::call_site());
    let mut item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(e) => return with_errors(input, e),
    };
    let rank = rank::parse(args, |message| Error::new(attribute, message));
    let mut errors: Vec<Error> = Vec::new();
    if let Some(attrs) = item_attrs(&mut item) {
        // The first `#[lock_rank]` is the one being expanded; any left are extra.
        errors.extend(attrs.iter().filter(|a| rank::is_lock_rank(a)).map(rank::repeated));
        attrs.retain(|a| !rank::is_lock_rank(a));
    }
    match item {
        Item::Static(item) => ranked_static(item, rank, errors),
        Item::Struct(item) => lock_class(item, rank, errors),
        other => {
            // Only this error: any other `#[lock_rank]` on the item says the same.
            let error = Error::new(item_span(&other), cannot_rank(&other));
            fallback(other, std::iter::once(error).chain(rank.err()).collect())
        }
    }
}

/// `#[ranked]` on a struct with `#[lock_rank]` fields.
pub(crate) fn ranked(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(e) => return with_errors(input, e),
    };
    let args_error = (!args.is_empty()).then(|| {
        Error::new_spanned(
            &args,
            "`#[lock_rank::ranked]` takes no arguments: write it bare and put `#[lock_rank(N)]` on each \
             lock field",
        )
    });
    let Item::Struct(item) = item else {
        let mut error = Error::new(
            item_span(&item),
            format!(
                "`#[lock_rank::ranked]` goes on a struct whose lock fields carry `#[lock_rank(N)]`, not on {}",
                describe(&item)
            ),
        );
        if let Some(e) = args_error {
            error.combine(e);
        }
        return with_errors(strip_field_ranks(item), error);
    };
    let mut errors: Vec<Error> = args_error.into_iter().collect();
    let expanded = ranked_struct(item.clone(), &mut errors);
    match rank::combine(errors) {
        Ok(()) => expanded,
        Err(e) => with_errors(strip_field_ranks(Item::Struct(item)), e),
    }
}

/// The struct with a class on each ranked field; problems go to `errors`.
fn ranked_struct(mut item: ItemStruct, errors: &mut Vec<Error>) -> TokenStream {
    let mut generated = Vec::new();
    let struct_ident = item.ident.clone();
    let generics = item.generics.clone();
    for (index, field) in fields_mut(&mut item.fields).into_iter().enumerate() {
        let Some(first) = field.attrs.iter().find(|a| rank::is_lock_rank(a)).cloned() else { continue };
        errors.extend(field.attrs.iter().filter(|a| rank::is_lock_rank(a)).skip(1).map(rank::repeated));
        field.attrs.retain(|a| !rank::is_lock_rank(a));
        let rank = rank::from_attribute(&first);
        let member = field.ident.as_ref().map_or_else(|| index.to_string(), |i| i.unraw().to_string());
        let class = class_ident(&format!("{}_{member}", struct_ident.unraw()));
        let original = attach_class(&mut field.ty, &class);
        let (rank, original) = match (rank, original) {
            (Ok(rank), Ok(original)) => (rank, original),
            (rank, original) => {
                errors.extend(rank.err().into_iter().chain(original.err()));
                continue;
            }
        };
        let name = format!("{}::{member}", struct_ident.unraw());
        let summary = docs::summary(&field.attrs);
        push_doc(&mut field.attrs, &docs::rank_paragraph(&rank));
        let public = is_pub(&item.vis) && is_pub(&field.vis);
        generated.push(class_decl(&field.vis, &class, &name, &summary, &rank, first.span(), public));
        generated.push(ranked_class(&class));
        generated.extend(original.map(|original| rankable_check(&original, &generics)));
        generated.push(attribute_used(&first));
    }
    if generated.is_empty() && errors.is_empty() {
        errors.push(Error::new_spanned(
            &item.ident,
            "no field of this struct has `#[lock_rank(N)]`: put it on each lock field, or remove \
             `#[lock_rank::ranked]`",
        ));
    }
    quote! {
        #item
        #(#generated)*
    }
}

fn ranked_static(item: ItemStatic, rank: syn::Result<Rank>, mut errors: Vec<Error>) -> TokenStream {
    if let StaticMutability::Mut(token) = &item.mutability {
        errors.push(Error::new_spanned(
            token,
            "a ranked lock cannot be `static mut`: remove `mut`, the lock itself gives mutable access \
             (`*LOCK.lock().unwrap() = ..`)",
        ));
    }
    let mut ranked = item.clone();
    let class = class_ident(&item.ident.unraw().to_string());
    let original = attach_class(&mut ranked.ty, &class);
    let (rank, original) = match (rank, original) {
        (Ok(rank), Ok(original)) if errors.is_empty() => (rank, original),
        (rank, original) => {
            errors.extend(rank.err().into_iter().chain(original.err()));
            return fallback(item, errors);
        }
    };
    let name = item.ident.unraw().to_string();
    let summary = docs::summary(&ranked.attrs);
    push_doc(&mut ranked.attrs, &docs::rank_paragraph(&rank));
    let decl =
        class_decl(&ranked.vis, &class, &name, &summary, &rank, Span::call_site(), is_pub(&ranked.vis));
    let check = original.map(|original| rankable_check(&original, &Generics::default()));
    let plain_view = ranked_class(&class);
    quote! {
        #ranked
        #decl
        #plain_view
        #check
    }
}

fn lock_class(mut item: ItemStruct, rank: syn::Result<Rank>, mut errors: Vec<Error>) -> TokenStream {
    if !matches!(item.fields, Fields::Unit) {
        errors.push(Error::new_spanned(
            &item.ident,
            "`#[lock_rank]` on a struct declares a lock class, which is a unit struct (`struct Shard;`); \
             to rank the lock fields of this struct, put `#[lock_rank::ranked]` on the struct and \
             `#[lock_rank(N)]` on each lock field",
        ));
        return fallback(Item::Struct(item), errors);
    }
    if !item.generics.params.is_empty() {
        errors.push(Error::new_spanned(
            &item.generics,
            "a lock class cannot be generic: declare a plain unit struct (`struct Shard;`) for each rank",
        ));
        return fallback(Item::Struct(item), errors);
    }
    let ident = item.ident.clone();
    let rank = match rank {
        Ok(rank) if errors.is_empty() => rank,
        rank => {
            // A class with a wrong rank is still a class, so that the locks naming it report
            // nothing more.
            errors.extend(rank.err());
            let unranked = quote! {
                impl ::lock_rank::__private::LockClass for #ident {
                    const INFO: ::core::option::Option<&'static ::lock_rank::__private::ClassInfo> =
                        ::core::option::Option::None;
                }
            };
            let item = fallback(Item::Struct(item), errors);
            return quote!(#item #unranked);
        }
    };
    let name = ident.unraw().to_string();
    let summary = docs::summary(&item.attrs);
    push_doc(&mut item.attrs, &docs::class_paragraph(&rank));
    let info = class_info(&name, &summary, &rank, Span::call_site(), is_pub(&item.vis));
    let plain_view = ranked_class(&ident);
    quote! {
        #item
        const _: () = {
            #info
            impl ::lock_rank::__private::LockClass for #ident {
                const INFO: ::core::option::Option<&'static ::lock_rank::__private::ClassInfo> =
                    ::core::option::Option::Some(&__LOCK_RANK_INFO);
            }
        };
        #plain_view
    }
}

/// Uses the name the user wrote for a field's `#[lock_rank]`, which `#[ranked]` reads and removes
/// before the compiler sees it: an import of `lock_rank` for fields only is then not unused.
///
/// The fields need no import, so the name resolves to the crate's own `lock_rank` when nothing
/// else is in scope: a glob import, which any import of the user's shadows.
fn attribute_used(attribute: &syn::Attribute) -> TokenStream {
    let Some(name) = attribute.path().get_ident() else { return TokenStream::new() };
    quote! {
        #[allow(unused_imports)]
        use ::lock_rank::__attributes::*;
        #[allow(unused_imports)]
        use #name as _;
    }
}

/// Marks `class` as a rank, so that its locks deref to their plain type.
fn ranked_class(class: &Ident) -> TokenStream {
    quote! {
        impl ::lock_rank::__private::RankedClass for #class {}
    }
}

/// The item as written (without `#[lock_rank]`) followed by `errors`, or nothing if there are none.
fn fallback(item: impl Into<Item>, errors: Vec<Error>) -> TokenStream {
    match rank::combine(errors) {
        Ok(()) => TokenStream::new(),
        Err(e) => with_errors(strip_field_ranks(item.into()), e),
    }
}

/// Appends `class` as the last generic argument of the lock type, which is the declared type or
/// the one lock inside its wrappers ([`lock_inside`]); returns the lock type as written, for
/// [`rankable_check`], or `None` when the compiler checks the type already.
///
/// A lock type whose name is not one of [`LOCKS`] (a type alias, a lock imported under another
/// name) becomes `<Type as Rankable>::Ranked<Class>`, which the compiler resolves to the same
/// type with the class on the lock inside. The names the macro knows keep the class written on
/// the lock, because rustdoc shows a field's or a static's type as written, and
/// `Arc<Mutex<T, Class>>` reads better there than the projection.
///
/// Types that are certainly not locks of this crate are rejected here, with a message naming
/// what to write instead. Any other type is checked by the compiler ([`rankable_check`]).
fn attach_class(ty: &mut Type, class: &Ident) -> syn::Result<Option<Type>> {
    let declared = ty.clone();
    let (ty, wrapped) = lock_inside(ty)?;
    let original = ty.clone();
    let path = lock_path(ty)?;
    if let Some(error) = not_a_lock(path) {
        // A wrapper of a plain value: say what the wrapper may hold. Other errors (a std lock, a
        // `Condvar`) say what to write for the type inside.
        let plain_value = path.path.get_ident().is_some_and(|i| PRIMITIVES.contains(&i.to_string().as_str()));
        return Err(match wrapped && plain_value {
            true => Error::new_spanned(
                &declared,
                format!(
                    "`{}` holds no lock of lock_rank: `#[lock_rank]` ranks the one lock inside \
                     {WRAPPER_LIST}, which is written `lock_rank::Mutex<T>` or `lock_rank::RwLock<T>` \
                     (or a `tokio`, `parking_lot` or `lock_api` lock of lock_rank)",
                    tidy(&declared)
                ),
            ),
            false => error,
        });
    }
    let Some(last) = path.path.segments.last_mut() else {
        return Err(Error::new_spanned(&original, "expected a lock type, like `Mutex<T>`"));
    };
    if !LOCKS.contains(&last.ident.unraw().to_string().as_str()) {
        // A name the macro cannot read (an alias, a lock imported under another name): the
        // compiler finds the lock inside and gives it the class.
        let class = class.clone();
        // The projection is the check: no `rankable_check`, which would repeat its error.
        *ty = syn::parse_quote_spanned!(original.span()=>
            <#original as ::lock_rank::__private::Rankable>::Ranked<#class>
        );
        return Ok(None);
    }
    // The added tokens, and the lock's name, belong to the expansion: when the written type is
    // not a lock of this crate, rustc's "wrong number of generic arguments" error then points at
    // the name and says it comes from `#[lock_rank]`.
    let span = Span::call_site().located_at(last.ident.span());
    last.ident.set_span(span);
    let mut class = class.clone();
    class.set_span(span);
    let arg: GenericArgument = syn::parse_quote_spanned!(span=> #class);
    match &mut last.arguments {
        PathArguments::AngleBracketed(args) => {
            if !args.args.empty_or_trailing() {
                args.args.push_punct(syn::Token![,](span));
            }
            args.args.push_value(arg);
        }
        PathArguments::None => {
            last.arguments = PathArguments::AngleBracketed(syn::parse_quote_spanned!(span=> <#arg>));
        }
        PathArguments::Parenthesized(_) => {
            return Err(Error::new_spanned(&original, format!("this is not a lock type: {WANTED}")));
        }
    }
    Ok(Some(original))
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

/// The one lock type inside the wrappers of `ty` (`Arc<Vec<Mutex<T>>>` has `Mutex<T>`), or `ty`
/// itself; and whether there were wrappers. All locks inside one declaration share its class.
fn lock_inside(ty: &mut Type) -> syn::Result<(&mut Type, bool)> {
    let position = wrapped_argument(ty);
    let descends = match &*ty {
        Type::Group(_) | Type::Paren(_) | Type::Array(_) | Type::Slice(_) => true,
        Type::Tuple(tuple) => tuple.elems.len() > 1,
        Type::Path(_) => position.is_some(),
        _ => false,
    };
    if !descends {
        return Ok((ty, false));
    }
    let inner: &mut Type = match ty {
        Type::Group(group) => return lock_inside(&mut group.elem),
        Type::Paren(paren) => return lock_inside(&mut paren.elem),
        Type::Array(array) => &mut array.elem,
        Type::Slice(slice) => &mut slice.elem,
        Type::Tuple(tuple) => {
            return Err(Error::new_spanned(
                &*tuple,
                format!(
                    "`#[lock_rank]` gives one rank to one lock, or to the locks of one collection, not \
                     to a tuple of values: rank each lock on its own field or `static`; {CLASS}"
                ),
            ))
        }
        Type::Path(path) if position.is_some() => {
            let last = path.path.segments.last_mut().expect("`wrapped_argument` found it");
            let PathArguments::AngleBracketed(args) = &mut last.arguments else {
                unreachable!("`wrapped_argument` found type arguments")
            };
            args.args
                .iter_mut()
                .filter_map(|arg| match arg {
                    GenericArgument::Type(ty) => Some(ty),
                    _ => None,
                })
                .nth(position.unwrap_or_default())
                .expect("`wrapped_argument` found it")
        }
        _ => unreachable!("`descends` said which types have a value inside"),
    };
    let (lock, _) = lock_inside(inner)?;
    Ok((lock, true))
}

/// Which type argument of a wrapper path holds the value: the first of [`WRAPPERS`], the second
/// (the value) of [`MAPS`]; `None` for any other type.
fn wrapped_argument(ty: &Type) -> Option<usize> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    let name = last.ident.unraw().to_string();
    let position = if WRAPPERS.contains(&name.as_str()) {
        0
    } else if MAPS.contains(&name.as_str()) {
        1
    } else {
        return None;
    };
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    let types = args.args.iter().filter(|arg| matches!(arg, GenericArgument::Type(_))).count();
    (position < types).then_some(position)
}

const WANTED: &str =
    "`#[lock_rank]` needs the lock itself, a `lock_rank::Mutex<T>` or `lock_rank::RwLock<T>`";

/// The path of the written lock type, looking through invisible groups from `macro_rules!`.
fn lock_path(ty: &mut Type) -> syn::Result<&mut TypePath> {
    match ty {
        Type::Group(group) => lock_path(&mut group.elem),
        Type::Paren(paren) => lock_path(&mut paren.elem),
        Type::Path(path) => match path.qself {
            None => Ok(path),
            Some(_) => Err(Error::new_spanned(&*path, format!("write the lock type by name: {WANTED}"))),
        },
        Type::Reference(reference) => Err(Error::new_spanned(
            &*reference,
            format!(
                "`#[lock_rank]` ranks a lock where it is declared, not a reference to it: put \
                 `#[lock_rank(N)]` on the `static` or field that holds the `{}`",
                tidy(&reference.elem)
            ),
        )),
        other @ Type::Tuple(_) => {
            Err(Error::new_spanned(&*other, format!("this is not a lock type: {WANTED}")))
        }
        other => Err(Error::new_spanned(&*other, format!("this is not a lock type: {WANTED}"))),
    }
}

const CLASS: &str =
    "to rank locks inside another type, declare a lock class, `#[lock_rank(N)] struct Name;`, \
     and write each lock as `Mutex<T, Name>`";

/// Primitive types, which are never locks.
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32",
    "u64", "u128", "usize",
];

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

/// The name of the class generated for the lock `lock` (`ACCOUNTS_LOCK`, `Bank_audit_log`):
/// `AccountsLockClass`, `BankAuditLogClass`. It is written in the lock's type, so rustdoc shows
/// it in the lock's signature, and code that passes the lock around names its type with it.
fn class_ident(lock: &str) -> Ident {
    let mut name = String::new();
    for word in lock.split('_').filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        let first = chars.next().into_iter().flat_map(char::to_uppercase);
        // A SCREAMING_CASE word reads as a word; a CamelCase one keeps its humps.
        let rest: String = if word.chars().any(char::is_lowercase) {
            chars.collect()
        } else {
            chars.flat_map(char::to_lowercase).collect()
        };
        name.extend(first);
        name.push_str(&rest);
    }
    if !name.starts_with(|c: char| c.is_alphabetic()) {
        name.insert_str(0, "Lock");
    }
    format_ident!("{name}Class")
}

/// Whether rustdoc documents an item of this visibility, given that its parent is documented.
fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The class type of one ranked item, its `LockClass` impl and its registration; `public` when
/// rustdoc documents the lock, so that the docs link to it.
fn class_decl(
    vis: &Visibility,
    class: &Ident,
    name: &str,
    summary: &str,
    rank: &Rank,
    span: Span,
    public: bool,
) -> TokenStream {
    let info = class_info(name, summary, rank, span, public);
    let doc = docs::generated_class(name, rank, public);
    quote! {
        #[doc = #doc]
        #[allow(non_camel_case_types)]
        #vis enum #class {}
        const _: () = {
            #info
            impl ::lock_rank::__private::LockClass for #class {
                const INFO: ::core::option::Option<&'static ::lock_rank::__private::ClassInfo> =
                    ::core::option::Option::Some(&__LOCK_RANK_INFO);
            }
        };
    }
}

/// `static __LOCK_RANK_INFO: ClassInfo` and its registration; `span` places `file!()`/`line!()`.
/// The names are unusual so that they cannot shadow a rank constant the user named.
fn class_info(name: &str, summary: &str, rank: &Rank, span: Span, public: bool) -> TokenStream {
    let rank_const = Ident::new("__LOCK_RANK_RANK", Span::call_site());
    let rank_value = rank.constant(&rank_const);
    let rank_path = rank.path_text();
    let location = quote_spanned!(span=> ::core::file!(), ::core::line!(), ::core::module_path!());
    quote! {
        #rank_value
        static __LOCK_RANK_INFO: ::lock_rank::__private::ClassInfo =
            ::lock_rank::__private::ClassInfo::__new(#name, #rank_const, #location, #summary)
                .__documented(#rank_path, #public);
        ::lock_rank::__private::inventory::submit! {
            ::lock_rank::__private::Registration(&__LOCK_RANK_INFO)
        }
    }
}

/// A compile-time check, spanned at the user's type, that it is a lock of this crate in its
/// unranked form.
fn rankable_check(original: &Type, generics: &Generics) -> TokenStream {
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let check = quote_spanned!(original.span()=> <#original as ::lock_rank::__private::Rankable>::RANKABLE);
    quote! {
        const _: () = {
            #[allow(dead_code, clippy::extra_unused_type_parameters)]
            fn __lock_rank_rankable #impl_generics () #where_clause {
                #check
            }
        };
    }
}

fn push_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    attrs.push(syn::parse_quote!(#[doc = #text]));
}

/// The item followed by the errors, so that code using the item is still checked.
fn with_errors(item: impl ToTokens, error: Error) -> TokenStream {
    let error = error.into_compile_error();
    quote! {
        #item
        #error
    }
}

/// The attributes of an item that `#[lock_rank]` may be written on.
fn item_attrs(item: &mut Item) -> Option<&mut Vec<syn::Attribute>> {
    Some(match item {
        Item::Const(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::ExternCrate(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::ForeignMod(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Macro(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Struct(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::TraitAlias(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Union(i) => &mut i.attrs,
        Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}

/// The item without `#[lock_rank]` on its fields, which only `#[lock_rank::ranked]` can read.
fn strip_field_ranks(mut item: Item) -> Item {
    let fields: Vec<&mut Field> = match &mut item {
        Item::Struct(s) => fields_mut(&mut s.fields),
        Item::Enum(e) => e.variants.iter_mut().flat_map(|v| fields_mut(&mut v.fields)).collect(),
        Item::Union(u) => u.fields.named.iter_mut().collect(),
        _ => Vec::new(),
    };
    for field in fields {
        field.attrs.retain(|a| !rank::is_lock_rank(a));
    }
    item
}

fn fields_mut(fields: &mut Fields) -> Vec<&mut Field> {
    match fields {
        Fields::Named(named) => named.named.iter_mut().collect(),
        Fields::Unnamed(unnamed) => unnamed.unnamed.iter_mut().collect(),
        Fields::Unit => Vec::new(),
    }
}

/// Why `#[lock_rank]` cannot go on `item`, and what to write instead.
fn cannot_rank(item: &Item) -> String {
    match item {
        Item::Const(_) => {
            "`#[lock_rank]` cannot go on a `const`: a `const` lock is a new lock wherever it is \
             used; declare it as a `static`"
                .to_owned()
        }
        Item::Type(_) => {
            "`#[lock_rank]` cannot go on a type alias: to give every lock of this type one rank, \
             declare a lock class, `#[lock_rank(N)] struct Name;`, and write the lock as `Mutex<T, Name>`"
                .to_owned()
        }
        other => format!("`#[lock_rank]` cannot go on {}: {WHERE}", describe(other)),
    }
}

fn describe(item: &Item) -> &'static str {
    match item {
        Item::Fn(_) => "a function",
        Item::Enum(_) => "an enum",
        Item::Impl(_) => "an impl block",
        Item::Const(_) => "a `const`",
        Item::Mod(_) => "a module",
        Item::Trait(_) | Item::TraitAlias(_) => "a trait",
        Item::Type(_) => "a type alias",
        Item::Union(_) => "a union",
        Item::Use(_) => "a `use` declaration",
        Item::Struct(_) => "a struct",
        Item::Static(_) => "a static",
        Item::Macro(_) => "a macro invocation",
        Item::ExternCrate(_) => "an `extern crate`",
        Item::ForeignMod(_) => "an `extern` block",
        _ => "this item",
    }
}

/// Where to point for an item that cannot be ranked: its name, or its first tokens.
fn item_span(item: &Item) -> Span {
    let ident = match item {
        Item::Fn(i) => Some(&i.sig.ident),
        Item::Enum(i) => Some(&i.ident),
        Item::Const(i) => Some(&i.ident),
        Item::Mod(i) => Some(&i.ident),
        Item::Trait(i) => Some(&i.ident),
        Item::TraitAlias(i) => Some(&i.ident),
        Item::Type(i) => Some(&i.ident),
        Item::Union(i) => Some(&i.ident),
        Item::Struct(i) => Some(&i.ident),
        Item::Static(i) => Some(&i.ident),
        _ => None,
    };
    ident.map_or_else(|| item.span(), Ident::span)
}

#[cfg(test)]
mod tests {
    use super::class_ident;

    #[test]
    fn class_names_say_whose_class_they_are() {
        assert_eq!(class_ident("ACCOUNTS_LOCK"), "AccountsLockClass");
        assert_eq!(class_ident("Bank_audit_log"), "BankAuditLogClass");
        assert_eq!(class_ident("HTTPServer_conns"), "HTTPServerConnsClass");
        assert_eq!(class_ident("Pair_0"), "Pair0Class");
        assert_eq!(class_ident("_private"), "PrivateClass");
    }
}
