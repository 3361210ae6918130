//! `order! { ... }`: the lock order declared in one place, as documented constants.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{braced, Attribute, Error, Ident, LitInt, Token, Visibility};

use crate::docs;

/// `#[attrs] vis mod name { entries }`.
struct Order {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    entries: Punctuated<Entry, Token![,]>,
}

/// `/// docs  NAME = 10`.
struct Entry {
    attrs: Vec<Attribute>,
    name: Ident,
    rank: LitInt,
}

impl Parse for Order {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![mod]>().map_err(|e| {
            Error::new(
                e.span(),
                "expected `mod NAME { LOCK = RANK, ... }`, e.g. `pub mod ranks { ACCOUNTS = 10, LOG = 20 }`",
            )
        })?;
        let ident: Ident = input.parse()?;
        let content;
        braced!(content in input);
        let entries = content.parse_terminated(Entry::parse, Token![,])?;
        Ok(Order { attrs, vis, ident, entries })
    }
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let name: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let rank: LitInt = input.parse().map_err(|e| {
            Error::new(e.span(), format!("expected the rank of `{name}`, a non-negative integer"))
        })?;
        Ok(Entry { attrs, name, rank })
    }
}

pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let Order { attrs, vis, ident, entries } = syn::parse2(input)?;
    let mut errors = Vec::new();
    let mut seen: Vec<(&Ident, u32)> = Vec::new();
    for entry in &entries {
        let rank = match entry.rank.base10_parse::<u32>() {
            Ok(rank) if matches!(entry.rank.suffix(), "" | "u32") => rank,
            _ => {
                errors.push(Error::new_spanned(
                    &entry.rank,
                    "a rank is a non-negative integer that fits in a `u32`",
                ));
                continue;
            }
        };
        if let Some((first, _)) = seen.iter().find(|(name, _)| *name == &entry.name) {
            errors.push(Error::new_spanned(
                &entry.name,
                format!("`{first}` is declared twice in the lock order; each lock has one rank"),
            ));
        }
        if let Some((before, before_rank)) = seen.last() {
            if rank <= *before_rank {
                errors.push(Error::new_spanned(
                    &entry.rank,
                    format!(
                        "ranks must increase down the list: `{}` = {rank} comes after `{before}` = {before_rank}; \
                         reorder the entries or renumber them",
                        entry.name
                    ),
                ));
            }
        }
        seen.push((&entry.name, rank));
    }
    crate::rank::combine(errors)?;

    let mut table = String::from("\n\n# Declared lock order\n\nAcquire locks top to bottom: a lock may be acquired only while every lock held has a lower rank.\n\n| Rank | Lock | Description |\n|---:|---|---|\n");
    for (entry, (_, rank)) in entries.iter().zip(&seen) {
        table.push_str(&format!(
            "| {rank} | [`{}`] | {} |\n",
            entry.name,
            docs::summary(&entry.attrs).replace('|', "\\|")
        ));
    }
    let consts = entries.iter().zip(&seen).map(|(entry, (_, rank))| {
        let Entry { attrs, name, rank: lit } = entry;
        let doc = format!(
            "\n\nRank {rank} in the [declared lock order](self): use it as `#[lock_rank({})]`.",
            name
        );
        quote! {
            #(#attrs)*
            #[doc = #doc]
            pub const #name: u32 = #lit;
        }
    });
    let names = entries.iter().map(|e| e.name.to_string());
    let values = entries.iter().map(|e| &e.name);
    Ok(quote! {
        #(#attrs)*
        #vis mod #ident {
            #![doc = #table]
            #(#consts)*
            /// Every rank of this order, lowest first, as `(name, rank)`.
            pub const ALL: &[(&str, u32)] = &[#((#names, #values)),*];
        }
    })
}
