//! Code generation for `#[lock_rank]` and `#[ranked]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    Error, Fields, GenericArgument, Generics, Ident, Item, ItemStatic, ItemStruct, PathArguments,
    StaticMutability, Type, Visibility,
};

use crate::docs;
use crate::rank::{self, Rank};

const WHERE: &str = "`#[lock_rank]` goes on a `static` lock, on a unit struct that declares a lock class \
                     (`struct Shard;`), or on a lock field of a `#[lock_order::ranked]` struct";

/// `#[lock_rank(N)]` on a static or a unit struct.
pub(crate) fn lock_rank(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(input)?;
    let rank = rank::parse(args, Span::call_site());
    let repeated = repeated_rank(match &item {
        Item::Static(s) => &s.attrs,
        Item::Struct(s) => &s.attrs,
        _ => &[],
    });
    let expanded = match item {
        Item::Static(item) => rank.and_then(|rank| {
            rank::combine(repeated)?;
            ranked_static(item, &rank)
        }),
        Item::Struct(item) => rank.and_then(|rank| {
            rank::combine(repeated)?;
            lock_class(item, &rank)
        }),
        other => {
            let what = describe(&other);
            let mut error =
                Error::new(item_span(&other), format!("`#[lock_rank]` cannot go on {what}; {WHERE}"));
            if let Err(e) = rank {
                error.combine(e);
            }
            Err(error)
        }
    };
    expanded
}

/// `#[ranked]` on a struct with `#[lock_rank]` fields.
pub(crate) fn ranked(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = syn::parse2(input)?;
    let args_error = (!args.is_empty()).then(|| {
        Error::new_spanned(
            &args,
            "`#[lock_order::ranked]` takes no arguments; put `#[lock_rank(N)]` on each lock field",
        )
    });
    let Item::Struct(mut item) = item else {
        let mut error = Error::new(
            item_span(&item),
            format!(
                "`#[lock_order::ranked]` goes on a struct whose lock fields carry `#[lock_rank(N)]`, not on {}",
                describe(&item)
            ),
        );
        if let Some(e) = args_error {
            error.combine(e);
        }
        return Err(error);
    };
    let mut errors: Vec<Error> = args_error.into_iter().collect();
    let mut generated = Vec::new();
    let struct_ident = item.ident.clone();
    let generics = item.generics.clone();
    let fields = match &mut item.fields {
        Fields::Named(named) => named.named.iter_mut().collect::<Vec<_>>(),
        Fields::Unnamed(unnamed) => unnamed.unnamed.iter_mut().collect(),
        Fields::Unit => Vec::new(),
    };
    for (index, field) in fields.into_iter().enumerate() {
        let attrs: Vec<_> = field.attrs.iter().filter(|a| rank::is_lock_rank(a)).cloned().collect();
        let Some(first) = attrs.first() else { continue };
        errors.extend(
            attrs
                .iter()
                .skip(1)
                .map(|a| Error::new_spanned(a, "a lock has one rank: remove the second `#[lock_rank]`")),
        );
        field.attrs.retain(|a| !rank::is_lock_rank(a));
        let rank = match rank::from_attribute(first) {
            Ok(rank) => rank,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let member = field.ident.as_ref().map_or_else(|| index.to_string(), ToString::to_string);
        let name = format!("{struct_ident}::{member}");
        let class = format_ident!("__lock_class_{}_{}", struct_ident, member.trim_start_matches("r#"));
        let summary = docs::summary(&field.attrs);
        push_doc(&mut field.attrs, &docs::rank_paragraph(&rank));
        match with_class(&mut field.ty, &class) {
            Ok(original) => {
                generated.push(class_decl(&field.vis, &class, &name, &summary, &rank, first.span()));
                generated.push(rankable_check(&original, &generics));
            }
            Err(e) => errors.push(e),
        }
    }
    if generated.is_empty() && errors.is_empty() {
        errors.push(Error::new_spanned(
            &item.ident,
            "no field of this struct has `#[lock_rank(N)]`; rank its lock fields, or remove `#[lock_order::ranked]`",
        ));
    }
    rank::combine(errors)?;
    Ok(quote! {
        #item
        #(#generated)*
    })
}

/// Errors for every `#[lock_rank]` left among an item's attributes (the first was consumed).
fn repeated_rank(attrs: &[syn::Attribute]) -> Vec<Error> {
    attrs
        .iter()
        .filter(|a| rank::is_lock_rank(a))
        .map(|a| Error::new_spanned(a, "a lock has one rank: remove the second `#[lock_rank]`"))
        .collect()
}

fn ranked_static(mut item: ItemStatic, rank: &Rank) -> syn::Result<TokenStream> {
    if let StaticMutability::Mut(token) = &item.mutability {
        return Err(Error::new_spanned(
            token,
            "a ranked lock cannot be `static mut`; drop `mut`: the lock gives mutable access",
        ));
    }
    let class = format_ident!("__lock_class_{}", item.ident);
    let name = item.ident.to_string();
    let summary = docs::summary(&item.attrs);
    let original = with_class(&mut item.ty, &class)?;
    push_doc(&mut item.attrs, &docs::rank_paragraph(rank));
    let decl = class_decl(&item.vis, &class, &name, &summary, rank, Span::call_site());
    let check = rankable_check(&original, &Generics::default());
    Ok(quote! {
        #item
        #decl
        #check
    })
}

fn lock_class(mut item: ItemStruct, rank: &Rank) -> syn::Result<TokenStream> {
    if !matches!(item.fields, Fields::Unit) {
        return Err(Error::new_spanned(
            &item.fields,
            "`#[lock_rank]` on a struct declares a lock class and needs a unit struct (`struct Shard;`); \
             to rank this struct's lock fields, put `#[lock_order::ranked]` on the struct and \
             `#[lock_rank(N)]` on each lock field",
        ));
    }
    if !item.generics.params.is_empty() {
        return Err(Error::new_spanned(&item.generics, "a lock class cannot be generic"));
    }
    let ident = &item.ident;
    let name = ident.to_string();
    let summary = docs::summary(&item.attrs);
    push_doc(&mut item.attrs, &docs::class_paragraph(rank));
    let info = class_info(&name, &summary, rank, Span::call_site());
    Ok(quote! {
        #item
        const _: () = {
            #info
            impl ::lock_order::__private::LockClass for #ident {
                const INFO: ::core::option::Option<&'static ::lock_order::__private::ClassInfo> =
                    ::core::option::Option::Some(&INFO);
            }
        };
    })
}

/// Appends `class` as the last generic argument of the lock type; returns the type as written.
fn with_class(ty: &mut Type, class: &Ident) -> syn::Result<Type> {
    let original = ty.clone();
    let Type::Path(path) = ty else {
        return Err(Error::new_spanned(
            ty,
            "a ranked lock's type must name the lock itself, like `Mutex<T>` or `RwLock<T>`, so the rank can be attached to it",
        ));
    };
    let Some(last) = path.path.segments.last_mut() else {
        return Err(Error::new_spanned(&original, "expected a lock type"));
    };
    let arg: GenericArgument = syn::parse_quote_spanned!(original.span()=> #class);
    match &mut last.arguments {
        PathArguments::AngleBracketed(args) => args.args.push(arg),
        PathArguments::None => last.arguments = PathArguments::AngleBracketed(syn::parse_quote!(<#arg>)),
        PathArguments::Parenthesized(_) => {
            return Err(Error::new_spanned(&original, "expected a lock type like `Mutex<T>`"));
        }
    }
    Ok(original)
}

/// The class type of one ranked item, its `LockClass` impl and its registration.
fn class_decl(
    vis: &Visibility,
    class: &Ident,
    name: &str,
    summary: &str,
    rank: &Rank,
    span: Span,
) -> TokenStream {
    let info = class_info(name, summary, rank, span);
    let doc = format!("The lock class of `{name}`, generated by `#[lock_rank]`.");
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis enum #class {}
        const _: () = {
            #info
            impl ::lock_order::__private::LockClass for #class {
                const INFO: ::core::option::Option<&'static ::lock_order::__private::ClassInfo> =
                    ::core::option::Option::Some(&INFO);
            }
        };
    }
}

/// A `static INFO: ClassInfo` and its registration; `span` places `file!()`/`line!()`.
fn class_info(name: &str, summary: &str, rank: &Rank, span: Span) -> TokenStream {
    let value = rank.value();
    let location = quote_spanned!(span=> ::core::file!(), ::core::line!(), ::core::module_path!());
    quote! {
        static INFO: ::lock_order::__private::ClassInfo =
            ::lock_order::__private::ClassInfo::__new(#name, #value, #location, #summary);
        ::lock_order::__private::inventory::submit! {
            ::lock_order::__private::Registration(&INFO)
        }
    }
}

/// A compile-time check, spanned at the user's type, that it is a lock of this crate.
fn rankable_check(original: &Type, generics: &Generics) -> TokenStream {
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let check = quote_spanned!(original.span()=> ::lock_order::__private::assert_rankable::<#original>());
    quote! {
        const _: () = {
            #[allow(dead_code, clippy::extra_unused_type_parameters)]
            fn __lock_order_rankable #impl_generics () #where_clause {
                #check
            }
        };
    }
}

fn push_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    attrs.push(syn::parse_quote!(#[doc = #text]));
}

fn describe(item: &Item) -> &'static str {
    match item {
        Item::Fn(_) => "a function",
        Item::Enum(_) => "an enum",
        Item::Impl(_) => "an impl block",
        Item::Const(_) => "a const",
        Item::Mod(_) => "a module",
        Item::Trait(_) => "a trait",
        Item::Type(_) => "a type alias",
        Item::Union(_) => "a union",
        Item::Use(_) => "a use declaration",
        Item::Struct(_) => "a struct",
        Item::Static(_) => "a static",
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
        Item::Type(i) => Some(&i.ident),
        Item::Union(i) => Some(&i.ident),
        _ => None,
    };
    ident.map_or_else(|| item.span(), Ident::span)
}
