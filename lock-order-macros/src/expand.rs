//! Code generation for `#[lock_rank]` and `#[ranked]`: a class for each ranked lock, its
//! registration and the rank on the lock's type; [`order`] generates `order!`'s module.

mod order;

pub(crate) use order::order;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{GenericArgument, Generics, Ident, PathArguments, Type, Visibility};

use crate::ast::{LockClass, Ranked, RankedStatic, RankedStruct, Target};
use crate::attr::Rank;
use crate::docs;
use crate::lock_type::{self, LockType};

/// `#[lock_rank(N)]` on a static or a unit struct.
pub(crate) fn lock_rank(target: Target) -> TokenStream {
    match target {
        Target::Static(ranked) => ranked_static(ranked),
        Target::Class(class) => lock_class(class),
        Target::UnrankedClass(item) => {
            let ident = &item.ident;
            quote! {
                #item
                impl ::lock_rank::__private::LockClass for #ident {
                    const INFO: ::core::option::Option<&'static ::lock_rank::__private::ClassInfo> =
                        ::core::option::Option::None;
                }
            }
        }
        Target::Rejected(tokens) => tokens,
    }
}

/// `#[ranked]` on a struct with `#[lock_rank]` fields.
pub(crate) fn ranked(ranked: Ranked) -> TokenStream {
    match ranked {
        Ranked::Struct(ranked) => ranked_struct(ranked),
        Ranked::Rejected(tokens) => tokens,
    }
}

/// The struct with a class on each ranked field.
fn ranked_struct(RankedStruct { mut item, fields }: RankedStruct) -> TokenStream {
    let owner = item.ident.unraw();
    let mut generated = Vec::new();
    for (index, declared) in item.fields.iter_mut().enumerate() {
        let Some(field) = fields.iter().find(|field| field.index == index) else { continue };
        let class = class_ident(&format!("{owner}_{}", field.member));
        declared.ty = ranked_type(&field.lock, &class);
        let name = format!("{owner}::{}", field.member);
        let summary = docs::summary(&declared.attrs);
        push_doc(&mut declared.attrs, &docs::rank_paragraph(&field.rank));
        let public = is_pub(&item.vis) && is_pub(&declared.vis);
        let span = field.attribute.span();
        generated.push(class_decl(&declared.vis, &class, &name, &summary, &field.rank, span, public));
        generated.push(ranked_class(&class));
        generated.extend(field.lock.known.then(|| rankable_check(&field.lock.lock, &item.generics)));
        generated.push(attribute_used(&field.attribute));
    }
    quote! {
        #item
        #(#generated)*
    }
}

fn ranked_static(RankedStatic { mut item, rank, lock }: RankedStatic) -> TokenStream {
    let name = item.ident.unraw().to_string();
    let class = class_ident(&name);
    *item.ty = ranked_type(&lock, &class);
    let summary = docs::summary(&item.attrs);
    push_doc(&mut item.attrs, &docs::rank_paragraph(&rank));
    let decl = class_decl(&item.vis, &class, &name, &summary, &rank, Span::call_site(), is_pub(&item.vis));
    let check = lock.known.then(|| rankable_check(&lock.lock, &Generics::default()));
    let plain_view = ranked_class(&class);
    quote! {
        #item
        #decl
        #plain_view
        #check
    }
}

fn lock_class(LockClass { mut item, rank }: LockClass) -> TokenStream {
    let ident = item.ident.clone();
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

/// The declared type with `class` on the lock inside it. A lock whose name is known takes the
/// class as its last generic argument, because rustdoc shows a field's or a static's type as
/// written, and `Arc<Mutex<T, Class>>` reads better there than `<Lock as Rankable>::Ranked<Class>`,
/// which the compiler resolves to the same type for any other lock (a type alias, a lock imported
/// under another name).
fn ranked_type(lock: &LockType, class: &Ident) -> Type {
    let mut ty = lock.declared.clone();
    lock_type::lock_inside(&mut ty, |inner, _| match lock.known {
        true => append_class(inner, class),
        false => {
            let original = inner.clone();
            *inner = syn::parse_quote_spanned!(original.span()=>
                <#original as ::lock_rank::__private::Rankable>::Ranked<#class>
            );
        }
    });
    ty
}

/// Appends `class` as the last generic argument of `ty`, a lock written by a name it knows.
fn append_class(ty: &mut Type, class: &Ident) {
    let Type::Path(path) = ty else { return };
    let Some(last) = path.path.segments.last_mut() else { return };
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
        // Not a lock's arguments: `LockType` rejects them.
        PathArguments::Parenthesized(_) => {}
    }
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
    let rank_value = rank_constant(rank, &rank_const);
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

/// A `const #name: u32 = ..;` holding the rank. The value keeps the user's spans, so a path that
/// is not a `u32` constant is reported at the path.
fn rank_constant(rank: &Rank, name: &Ident) -> TokenStream {
    match rank {
        Rank::Literal(value, span) => {
            let lit = syn::LitInt::new(&format!("{value}u32"), *span);
            quote_spanned!(*span=> const #name: u32 = #lit;)
        }
        Rank::Path(path) => {
            let span = path.segments.first().map_or_else(Span::call_site, |s| s.ident.span());
            quote_spanned!(span=> const #name: u32 = #path;)
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

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn ranked(ty: &str) -> String {
        let lock = LockType::from_syn(&syn::parse_str(ty).unwrap()).unwrap();
        ranked_type(&lock, &format_ident!("Class")).to_token_stream().to_string().replace(' ', "")
    }

    #[test]
    fn the_class_goes_on_the_lock_inside_the_wrappers() {
        assert_eq!(ranked("Arc<Vec<Mutex<u8>>>"), "Arc<Vec<Mutex<u8,Class>>>");
        assert_eq!(ranked("lock_rank::RwLock<u8,>"), "lock_rank::RwLock<u8,Class>");
        assert_eq!(
            ranked("Arc<Accounts>"),
            "Arc<<Accountsas::lock_rank::__private::Rankable>::Ranked<Class>>"
        );
    }

    #[test]
    fn class_names_say_whose_class_they_are() {
        assert_eq!(class_ident("ACCOUNTS_LOCK"), "AccountsLockClass");
        assert_eq!(class_ident("Bank_audit_log"), "BankAuditLogClass");
        assert_eq!(class_ident("HTTPServer_conns"), "HTTPServerConnsClass");
        assert_eq!(class_ident("Pair_0"), "Pair0Class");
        assert_eq!(class_ident("_private"), "PrivateClass");
    }
}
