//! `order! { ... }`: the lock order declared in one place, as documented constants.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::token::Brace;
use syn::{braced, Attribute, Error, Expr, ExprLit, Ident, Lit, LitInt, Token, Visibility};

use crate::docs;

const SHAPE: &str = "write `order! { pub mod ranks { ACCOUNTS = 10, LOG = 20 } }`";

/// `#[attrs] vis mod name { entries }`.
struct Order {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    /// Each entry, or what is wrong with its syntax, in source order.
    entries: Vec<syn::Result<Entry>>,
}

/// `/// docs  NAME = 10`, its rank not yet validated.
struct Entry {
    attrs: Vec<Attribute>,
    name: Ident,
    value: TokenStream,
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
        Ok(Entry { attrs, name, value })
    }

    /// The entry's rank, or an error at the rank's tokens saying what to write.
    fn rank(&self) -> syn::Result<(u32, LitInt)> {
        let name = &self.name;
        let expected = || format!("the rank of `{name}` must be a non-negative integer, as in `{name} = 10`");
        let expr: Expr =
            syn::parse2(self.value.clone()).map_err(|_| Error::new_spanned(&self.value, expected()))?;
        match expr {
            Expr::Lit(ExprLit { lit: Lit::Int(int), .. }) => {
                crate::rank::u32_rank(&int).map(|rank| (rank, int))
            }
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if s.value().trim().parse::<u32>().is_ok() => {
                Err(Error::new_spanned(
                    &s,
                    format!("a rank is a number, not a string: write `{name} = {}`", s.value().trim()),
                ))
            }
            Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), .. }) => Err(Error::new_spanned(
                &self.value,
                "a rank cannot be negative: ranks are `u32` and the lowest is 0",
            )),
            _ => Err(Error::new_spanned(&self.value, expected())),
        }
    }
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<Order>(input) {
        Ok(order) => expand_order(order),
        Err(e) => e.into_compile_error(),
    }
}

fn expand_order(order: Order) -> TokenStream {
    let Order { attrs, vis, ident, entries } = order;
    let mut errors = Vec::new();
    // Every valid entry so far, and the last one with a valid rank.
    let mut seen: Vec<&Ident> = Vec::new();
    let mut last: Option<(&Ident, u32)> = None;
    let mut ranks = Vec::new();
    for entry in &entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(e.clone());
                continue;
            }
        };
        let name = &entry.name;
        if name.unraw() == "ALL" {
            errors.push(Error::new_spanned(
                name,
                "`ALL` is the list of every rank that `order!` generates: give this lock another name",
            ));
        }
        if seen.iter().any(|before| before.unraw() == name.unraw()) {
            errors.push(Error::new_spanned(
                name,
                format!("`{name}` is declared twice in the lock order: each lock has one rank, remove one of them"),
            ));
        }
        seen.push(name);
        let (rank, lit) = match entry.rank() {
            Ok(rank) => rank,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match last {
            Some((before, before_rank)) if rank == before_rank => errors.push(Error::new_spanned(
                &lit,
                format!(
                    "`{name}` has the same rank as `{before}` ({rank}): ranks must strictly increase down the \
                     list, so give `{name}` a higher rank (gaps, as in 10, 20, 30, leave room for more)"
                ),
            )),
            Some((before, before_rank)) if rank < before_rank => errors.push(Error::new_spanned(
                &lit,
                format!(
                    "ranks must increase down the list: `{name}` = {rank} comes after `{before}` = {before_rank}; \
                     move `{name}` above `{before}`, or give it a rank above {before_rank}"
                ),
            )),
            _ => {}
        }
        last = Some((name, rank));
        ranks.push((entry, rank, lit));
    }
    if let Err(e) = crate::rank::combine(errors) {
        return e.into_compile_error();
    }

    // The table is an outer doc attribute, after the user's: rustdoc resolves the links of a
    // module's outer docs from the parent module, where `#ident::NAME` names each constant.
    let mut table = String::from(
        "\n\n# Declared lock order\n\nAcquire locks top to bottom: a lock may be acquired only while every \
         lock held has a lower rank.\n\n| Rank | Lock | Description |\n|---:|---|---|\n",
    );
    for (entry, rank, _) in &ranks {
        table.push_str(&format!(
            "| {rank} | [`{name}`]({ident}::{name}) | {} |\n",
            docs::summary(&entry.attrs).replace('|', "\\|"),
            name = entry.name,
        ));
    }
    let public = matches!(vis, Visibility::Public(_));
    let consts = ranks.iter().map(|(entry, rank, lit)| {
        let Entry { attrs, name, .. } = entry;
        let doc =
            format!("\n\nRank {rank} in the [declared lock order](self): use it as `#[lock_rank({name})]`.");
        let summary = docs::summary(attrs);
        let text = name.unraw().to_string();
        let location = quote_spanned!(name.span()=> ::core::module_path!(), ::core::file!(), ::core::line!());
        quote! {
            #(#attrs)*
            #[doc = #doc]
            pub const #name: u32 = #lit;
            const _: () = {
                static __LOCK_RANK_CONSTANT: ::lock_rank::__private::RankConstant =
                    ::lock_rank::__private::RankConstant::__new(#text, #name, #location, #summary, #public);
                ::lock_rank::__private::inventory::submit! {
                    ::lock_rank::__private::RankRegistration(&__LOCK_RANK_CONSTANT)
                }
            };
        }
    });
    let names = ranks.iter().map(|(e, _, _)| e.name.unraw().to_string());
    let values = ranks.iter().map(|(e, _, _)| &e.name);
    quote! {
        #(#attrs)*
        #[doc = #table]
        #vis mod #ident {
            #(#consts)*
            /// Every rank of this order, lowest first, as `(name, rank)`.
            pub const ALL: &[(&str, u32)] = &[#((#names, #values)),*];
        }
    }
}
