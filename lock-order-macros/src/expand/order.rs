//! Code generation for `order!`: the module of rank constants, each registered with its
//! documentation, under a table of the whole order.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{LitInt, Visibility};

use crate::ast::{Entry, Order};
use crate::docs;

/// The module declared by a valid `order!`.
pub(crate) fn order(order: Order) -> TokenStream {
    let Order { attrs, vis, ident, entries } = order;
    // Valid, so every entry and its rank parsed.
    let ranks: Vec<(&Entry, u32, &LitInt)> = entries
        .iter()
        .filter_map(|entry| entry.as_ref().ok())
        .filter_map(|entry| entry.rank.as_ref().ok().map(|(rank, lit)| (entry, *rank, lit)))
        .collect();

    // The table is an outer doc attribute, after the user's: rustdoc resolves the links of a
    // module's outer docs from the parent module, where `#ident::NAME` names each constant.
    let mut table = String::from(
        "\n\n# Declared lock order\n\nAcquire locks top to bottom: a lock may be acquired only while every \
         lock held has a lower rank.\n\n| Rank | Lock | Description |\n|---:|---|---|\n",
    );
    for &(entry, rank, _) in &ranks {
        table.push_str(&format!(
            "| {rank} | [`{name}`]({ident}::{name}) | {} |\n",
            docs::summary(&entry.attrs).replace('|', "\\|"),
            name = entry.name,
        ));
    }
    let public = matches!(vis, Visibility::Public(_));
    let consts = ranks.iter().map(|&(entry, rank, lit)| {
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
