//! Parsing and validating the argument of `#[lock_rank(..)]`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Error, Expr, ExprLit, Lit, Meta, Path, Token};

const HOW: &str = "write `#[lock_rank(N)]` with N a non-negative integer, or the path of a `u32` constant";

/// A validated rank: a literal we know the value of, or a path to a `u32` constant.
pub(crate) enum Rank {
    Literal(u32, Span),
    Path(Path),
}

impl Rank {
    /// The rank as an expression of type `u32`.
    pub(crate) fn value(&self) -> TokenStream {
        match self {
            Rank::Literal(value, span) => {
                let lit = syn::LitInt::new(&format!("{value}u32"), *span);
                lit.into_token_stream()
            }
            Rank::Path(path) => quote!(#path),
        }
    }

    /// How the rank reads in documentation.
    pub(crate) fn display(&self) -> String {
        match self {
            Rank::Literal(value, _) => value.to_string(),
            Rank::Path(path) => format!("`{}`", path.to_token_stream().to_string().replace(' ', "")),
        }
    }
}

/// Parses the tokens inside `#[lock_rank(..)]`; `attr_span` points at the attribute for errors
/// about what is missing.
pub(crate) fn parse(tokens: TokenStream, attr_span: Span) -> syn::Result<Rank> {
    if tokens.is_empty() {
        return Err(Error::new(attr_span, format!("missing rank: {HOW}")));
    }
    let args = Punctuated::<Expr, Token![,]>::parse_terminated
        .parse2(tokens)
        .map_err(|e| Error::new(e.span(), format!("expected a rank: {HOW}")))?;
    let mut args = args.into_iter();
    let first = args.next().ok_or_else(|| Error::new(attr_span, format!("missing rank: {HOW}")))?;
    let rank = parse_expr(first);
    let extra = args.map(|extra| {
        Error::new_spanned(extra, "`#[lock_rank]` takes exactly one rank; remove this argument")
    });
    combine(std::iter::once(rank.as_ref().err().cloned()).flatten().chain(extra))?;
    rank
}

fn parse_expr(expr: Expr) -> syn::Result<Rank> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(int), .. }) => {
            if !matches!(int.suffix(), "" | "u32") {
                return Err(Error::new_spanned(
                    &int,
                    format!(
                        "a rank is a `u32`; write `{}` without the `{}` suffix",
                        int.base10_digits(),
                        int.suffix()
                    ),
                ));
            }
            int.base10_parse::<u32>().map(|v| Rank::Literal(v, int.span())).map_err(|_| {
                Error::new_spanned(
                    &int,
                    format!("rank {} does not fit in a `u32` (at most {})", int.base10_digits(), u32::MAX),
                )
            })
        }
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Err(Error::new_spanned(
            &s,
            format!("a rank is an integer, not a string: write `#[lock_rank({})]`", s.value().trim()),
        )),
        Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), .. }) => Err(Error::new(
            expr.span(),
            format!("ranks are non-negative (`u32`): {HOW}; rank 0 is the lowest"),
        )),
        Expr::Path(syn::ExprPath { qself: None, path, .. }) => Ok(Rank::Path(path)),
        other => Err(Error::new_spanned(other, format!("unsupported rank expression: {HOW}"))),
    }
}

/// Whether `attr` is a `#[lock_rank]` (also spelled `#[lock_order::lock_rank]`).
pub(crate) fn is_lock_rank(attr: &Attribute) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == "lock_rank")
}

/// The rank of a `#[lock_rank(..)]` attribute written on a field.
pub(crate) fn from_attribute(attr: &Attribute) -> syn::Result<Rank> {
    match &attr.meta {
        Meta::List(list) => parse(list.tokens.clone(), attr.span()),
        Meta::Path(path) => Err(Error::new_spanned(path, format!("missing rank: {HOW}"))),
        Meta::NameValue(nv) => Err(Error::new_spanned(
            nv,
            format!("write the rank in parentheses: `#[lock_rank({})]`", nv.value.to_token_stream()),
        )),
    }
}

/// Folds many errors into one, so a single build reports all of them.
pub(crate) fn combine(errors: impl IntoIterator<Item = Error>) -> syn::Result<()> {
    errors
        .into_iter()
        .reduce(|mut all, e| {
            all.combine(e);
            all
        })
        .map_or(Ok(()), Err)
}
