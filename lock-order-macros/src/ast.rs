//! The typed model of each macro's input: what `#[lock_rank]` is written on, the ranked fields of
//! a `#[ranked]` struct, the entries of `order!`.
//!
//! Building the model of an item reports every problem it meets to [`Errors`]. An item with a
//! problem is modelled as rejected: the item as written, without the `#[lock_rank]` attributes
//! the compiler would refuse, so that the code using it reports nothing more.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::token::Brace;
use syn::{
    braced, Attribute, Error, Field, Fields, Ident, Item, ItemStatic, ItemStruct, LitInt, Token, Visibility,
};

use crate::attr::{self, Rank};
use crate::errors::Errors;
use crate::lock_type::LockType;

/// What `#[lock_rank(N)]` is written on.
#[allow(clippy::large_enum_variant)] // one value a macro call, moved once
pub(crate) enum Target {
    /// `static NAME: Lock = ..;`, its `#[lock_rank]` removed.
    Static(RankedStatic),
    /// `struct Name;`, a lock class.
    Class(LockClass),
    /// A lock class whose rank is wrong: still a class, of no rank, so that the locks naming it
    /// report nothing more.
    UnrankedClass(ItemStruct),
    /// Anything else, or an item with a problem: the tokens to emit in its place.
    Rejected(TokenStream),
}

pub(crate) struct RankedStatic {
    pub(crate) item: ItemStatic,
    pub(crate) rank: Rank,
    pub(crate) lock: LockType,
}

pub(crate) struct LockClass {
    pub(crate) item: ItemStruct,
    pub(crate) rank: Rank,
}

impl Target {
    /// The model of `#[lock_rank(args)] input`.
    pub(crate) fn from_syn(args: TokenStream, input: TokenStream, errors: &mut Errors) -> Target {
        // The attribute itself, for errors about it as a whole; the span of the item's first token
        // keeps the error from being attributed to the macro's expansion.
        let attribute = input.clone().into_iter().next().map_or_else(Span::call_site, |t| t.span());
        let attribute = attribute.located_at(Span::call_site());
        let Some(mut item) = errors.record(syn::parse2::<Item>(input.clone())) else {
            return Target::Rejected(input);
        };
        // The first `#[lock_rank]` is the one being expanded; any left are extra.
        let repeated: Vec<Error> = match item_attrs(&mut item) {
            Some(attrs) => {
                let repeated = attrs.iter().filter(|a| attr::is_lock_rank(a)).map(attr::repeated).collect();
                attrs.retain(|a| !attr::is_lock_rank(a));
                repeated
            }
            None => Vec::new(),
        };
        match item {
            Item::Static(item) => {
                errors.extend(repeated);
                Target::ranked_static(item, args, attribute, errors)
            }
            Item::Struct(item) => {
                errors.extend(repeated);
                Target::lock_class(item, args, attribute, errors)
            }
            other => {
                // Only this error: any other `#[lock_rank]` on the item says the same.
                errors.push(Error::new(item_span(&other), cannot_rank(&other)));
                attr::item_rank(args, attribute, errors);
                Target::Rejected(without_field_ranks(other))
            }
        }
    }

    fn ranked_static(item: ItemStatic, args: TokenStream, attribute: Span, errors: &mut Errors) -> Target {
        if let syn::StaticMutability::Mut(token) = &item.mutability {
            errors.push(Error::new_spanned(
                token,
                "a ranked lock cannot be `static mut`: remove `mut`, the lock itself gives mutable access \
                 (`*LOCK.lock().unwrap() = ..`)",
            ));
        }
        let rank = attr::item_rank(args, attribute, errors);
        let lock = errors.record(LockType::from_syn(&item.ty));
        match (rank, lock) {
            (Some(rank), Some(lock)) if errors.is_empty() => {
                Target::Static(RankedStatic { item, rank, lock })
            }
            _ => Target::Rejected(item.into_token_stream()),
        }
    }

    fn lock_class(item: ItemStruct, args: TokenStream, attribute: Span, errors: &mut Errors) -> Target {
        if !matches!(item.fields, Fields::Unit) {
            errors.push(Error::new_spanned(
                &item.ident,
                "`#[lock_rank]` on a struct declares a lock class, which is a unit struct (`struct Shard;`); \
                 to rank the lock fields of this struct, put `#[lock_rank::ranked]` on the struct and \
                 `#[lock_rank(N)]` on each lock field",
            ));
            return Target::Rejected(without_field_ranks(Item::Struct(item)));
        }
        if !item.generics.params.is_empty() {
            errors.push(Error::new_spanned(
                &item.generics,
                "a lock class cannot be generic: declare a plain unit struct (`struct Shard;`) for each rank",
            ));
            return Target::Rejected(item.into_token_stream());
        }
        match attr::item_rank(args, attribute, errors) {
            Some(rank) if errors.is_empty() => Target::Class(LockClass { item, rank }),
            _ => Target::UnrankedClass(item),
        }
    }
}

/// What `#[ranked]` is written on.
#[allow(clippy::large_enum_variant)] // one value a macro call, moved once
pub(crate) enum Ranked {
    Struct(RankedStruct),
    /// Anything else, or a struct with a problem: the tokens to emit in its place.
    Rejected(TokenStream),
}

/// A struct whose ranked fields have no `#[lock_rank]` left.
pub(crate) struct RankedStruct {
    pub(crate) item: ItemStruct,
    pub(crate) fields: Vec<RankedField>,
}

/// A field that carried `#[lock_rank(N)]`.
pub(crate) struct RankedField {
    /// Its place among the struct's fields.
    pub(crate) index: usize,
    /// Its name, or its index for a tuple struct.
    pub(crate) member: String,
    /// The `#[lock_rank]` as written, for the name it was imported under and for its span.
    pub(crate) attribute: Attribute,
    pub(crate) rank: Rank,
    pub(crate) lock: LockType,
}

impl Ranked {
    /// The model of `#[ranked(args)] input`.
    pub(crate) fn from_syn(args: TokenStream, input: TokenStream, errors: &mut Errors) -> Ranked {
        let Some(item) = errors.record(syn::parse2::<Item>(input.clone())) else {
            return Ranked::Rejected(input);
        };
        let args_error = (!args.is_empty()).then(|| {
            Error::new_spanned(
                &args,
                "`#[lock_rank::ranked]` takes no arguments: write it bare and put `#[lock_rank(N)]` on \
                 each lock field",
            )
        });
        let Item::Struct(mut item) = item else {
            errors.push(Error::new(
                item_span(&item),
                format!(
                    "`#[lock_rank::ranked]` goes on a struct whose lock fields carry `#[lock_rank(N)]`, not \
                     on {}",
                    describe(&item)
                ),
            ));
            errors.extend(args_error);
            return Ranked::Rejected(without_field_ranks(item));
        };
        errors.extend(args_error);
        let mut fields = Vec::new();
        for (index, field) in item.fields.iter_mut().enumerate() {
            let Some(attribute) = field.attrs.iter().find(|a| attr::is_lock_rank(a)).cloned() else {
                continue;
            };
            errors.extend(field.attrs.iter().filter(|a| attr::is_lock_rank(a)).skip(1).map(attr::repeated));
            field.attrs.retain(|a| !attr::is_lock_rank(a));
            let rank = attr::field_rank(&attribute, errors);
            let lock = errors.record(LockType::from_syn(&field.ty));
            let member = field.ident.as_ref().map_or_else(|| index.to_string(), |i| i.unraw().to_string());
            if let (Some(rank), Some(lock)) = (rank, lock) {
                fields.push(RankedField { index, member, attribute, rank, lock });
            }
        }
        match errors.is_empty() {
            true => Ranked::Struct(RankedStruct { item, fields }),
            false => Ranked::Rejected(item.into_token_stream()),
        }
    }
}

/// `order! { #[attrs] vis mod name { entries } }`.
pub(crate) struct Order {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    /// Each entry, or what is wrong with its syntax, in the order of the list: validation reports
    /// the problems of all of them in that order.
    pub(crate) entries: Vec<syn::Result<Entry>>,
}

/// `/// docs  NAME = 10`.
pub(crate) struct Entry {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) name: Ident,
    /// The rank and the literal that writes it, or what is wrong with it.
    pub(crate) rank: syn::Result<(u32, LitInt)>,
}

const SHAPE: &str = "write `order! { pub mod ranks { ACCOUNTS = 10, LOG = 20 } }`";

impl Order {
    /// The model of `order! { input }`; `None` when it is not a module of ranks at all.
    pub(crate) fn from_syn(input: TokenStream, errors: &mut Errors) -> Option<Order> {
        errors.record(syn::parse2(input))
    }
}

impl Parse for Order {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        if !input.peek(Token![mod]) {
            let message = if input.peek(Ident) && input.peek2(Brace) {
                "`order!` declares a module: write `mod` before its name, as in `pub mod ranks { .. }`"
                    .to_owned()
            } else {
                format!("expected a module of ranks: {SHAPE}")
            };
            return Err(input.error(message));
        }
        input.parse::<Token![mod]>()?;
        let ident: Ident = input
            .parse()
            .map_err(|e| Error::new(e.span(), format!("expected the module's name: {SHAPE}")))?;
        let content;
        braced!(content in input);
        let mut entries = Vec::new();
        while !content.is_empty() {
            let entry = Entry::parse(&content);
            if entry.is_err() {
                // Skip to the next entry, so that its problems are reported too.
                while !content.is_empty() && !content.peek(Token![,]) {
                    content.parse::<TokenTree>()?;
                }
            }
            entries.push(entry);
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        Ok(Order { attrs, vis, ident, entries })
    }
}

impl Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let name = Ident::parse_any(input)
            .map_err(|e| Error::new(e.span(), "expected the name of a lock, as in `ACCOUNTS = 10`"))?;
        input.parse::<Token![=]>().map_err(|e| {
            Error::new(e.span(), format!("expected `=` and the rank of `{name}`: `{name} = 10`"))
        })?;
        let mut value = TokenStream::new();
        while !input.is_empty() && !input.peek(Token![,]) {
            value.extend([input.parse::<TokenTree>()?]);
        }
        if value.is_empty() {
            return Err(Error::new(name.span(), format!("missing the rank of `{name}`: `{name} = 10`")));
        }
        let rank = attr::entry_rank(&name, &value);
        Ok(Entry { attrs, name, rank })
    }
}

const WHERE: &str = "`#[lock_rank(N)]` goes on a `static` lock, on a unit struct that declares a lock class \
                     (`struct Shard;`), or on a lock field of a struct marked `#[lock_rank::ranked]`";

/// The attributes of an item that `#[lock_rank]` may be written on.
fn item_attrs(item: &mut Item) -> Option<&mut Vec<Attribute>> {
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
fn without_field_ranks(mut item: Item) -> TokenStream {
    let fields: Vec<&mut Field> = match &mut item {
        Item::Struct(s) => s.fields.iter_mut().collect(),
        Item::Enum(e) => e.variants.iter_mut().flat_map(|v| v.fields.iter_mut()).collect(),
        Item::Union(u) => u.fields.named.iter_mut().collect(),
        _ => Vec::new(),
    };
    for field in fields {
        field.attrs.retain(|a| !attr::is_lock_rank(a));
    }
    item.into_token_stream()
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
