//! Parsing and validating the argument of `#[lock_rank(..)]`.

use proc_macro2::{Span, TokenStream};
use quote::{quote_spanned, ToTokens};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Error, Expr, ExprLit, Lit, Meta, Path, Token};

/// What a rank looks like, for the end of error messages.
const HOW: &str = "write a `u32` literal, `#[lock_rank(10)]`, or the path of a `u32` constant, \
                   `#[lock_rank(ranks::ACCOUNTS)]`";

/// A validated rank: a literal we know the value of, or a path to a `u32` constant.
pub(crate) enum Rank {
    Literal(u32, Span),
    Path(Path),
}

impl Rank {
    /// A `const #name: u32 = ..;` holding the rank. The value keeps the user's spans, so a path
    /// that is not a `u32` constant is reported at the path.
    pub(crate) fn constant(&self, name: &syn::Ident) -> TokenStream {
        match self {
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

    /// How the rank reads in documentation: the value, or a link to the constant, whose own
    /// documentation (from `order!`) gives the value. A macro cannot know a constant's value.
    pub(crate) fn display(&self) -> String {
        match self {
            Rank::Literal(value, _) => value.to_string(),
            Rank::Path(_) => format!("[`{}`]", self.path_text()),
        }
    }

    /// The path of the rank's constant as written (`ranks::ACCOUNTS`), or `""` for a literal.
    pub(crate) fn path_text(&self) -> String {
        match self {
            Rank::Literal(..) => String::new(),
            Rank::Path(path) => path.to_token_stream().to_string().replace(' ', ""),
        }
    }
}

/// Parses the tokens inside `#[lock_rank(..)]`; `missing` builds the error for an empty list,
/// pointing at the whole attribute.
pub(crate) fn parse(tokens: TokenStream, missing: impl FnOnce(String) -> Error) -> syn::Result<Rank> {
    let message = || format!("`#[lock_rank]` needs a rank: {HOW}");
    if tokens.is_empty() {
        return Err(missing(message()));
    }
    let args = Punctuated::<Expr, Token![,]>::parse_terminated
        .parse2(tokens)
        .map_err(|e| Error::new(e.span(), format!("expected a rank: {HOW}")))?;
    let mut args = args.into_iter();
    let Some(first) = args.next() else {
        return Err(missing(message()));
    };
    let rank = parse_expr(first);
    let extra = args.map(|extra| {
        Error::new_spanned(extra, "`#[lock_rank]` takes exactly one rank: remove this argument")
    });
    combine(rank.as_ref().err().cloned().into_iter().chain(extra))?;
    rank
}

fn parse_expr(expr: Expr) -> syn::Result<Rank> {
    match expr {
        // `$rank:expr` from a `macro_rules!` arrives wrapped in an invisible group.
        Expr::Group(group) => parse_expr(*group.expr),
        Expr::Paren(paren) => parse_expr(*paren.expr),
        Expr::Lit(ExprLit { lit, .. }) => parse_literal(lit),
        Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), .. }) => Err(Error::new_spanned(
            expr,
            "a rank cannot be negative: ranks are `u32` and the lowest is 0; renumber the ranks so this one \
             is at least 0",
        )),
        Expr::Path(syn::ExprPath { qself: None, path, .. }) => Ok(Rank::Path(path)),
        Expr::Assign(assign) => {
            let hint = match &*assign.right {
                Expr::Lit(_) | Expr::Path(_) => {
                    format!("write the rank alone: `#[lock_rank({})]`", assign.right.to_token_stream())
                }
                _ => format!("write the rank alone: {HOW}"),
            };
            Err(Error::new_spanned(assign, hint))
        }
        other => Err(Error::new_spanned(
            other,
            "a rank is a `u32` literal or the path of a `u32` constant, not an expression: declare a \
             constant (`const NAME: u32 = ...;`) and write `#[lock_rank(NAME)]`",
        )),
    }
}

/// The value of an integer literal used as a rank: unsuffixed or `u32`, and fitting in a `u32`.
pub(crate) fn u32_rank(int: &syn::LitInt) -> syn::Result<u32> {
    if !matches!(int.suffix(), "" | "u32") {
        return Err(Error::new_spanned(
            int,
            format!(
                "a rank is a `u32`: write `{}` without the `{}` suffix",
                int.base10_digits(),
                int.suffix()
            ),
        ));
    }
    int.base10_parse::<u32>().map_err(|_| {
        Error::new_spanned(
            int,
            format!("rank {} does not fit in a `u32` (at most {})", int.base10_digits(), u32::MAX),
        )
    })
}

fn parse_literal(lit: Lit) -> syn::Result<Rank> {
    match lit {
        Lit::Int(int) => u32_rank(&int).map(|v| Rank::Literal(v, int.span())),
        Lit::Str(s) => {
            let text = s.value();
            let text = text.trim();
            let message = if text.parse::<u32>().is_ok() || names_constant(text) {
                format!("a rank is not a string: write `#[lock_rank({text})]`")
            } else {
                format!("a rank is not a string: {HOW}")
            };
            Err(Error::new_spanned(s, message))
        }
        Lit::Float(float) => Err(Error::new_spanned(
            float,
            "a rank is a whole number (a `u32`): to fit a lock between two ranks, spread the ranks out \
             (10, 20, 30, ...) and give it one in between",
        )),
        other => Err(Error::new_spanned(other, format!("a rank is a non-negative integer: {HOW}"))),
    }
}

/// Whether `text` reads as the path of a constant: `ranks::ACCOUNTS` or `ACCOUNTS`.
fn names_constant(text: &str) -> bool {
    syn::parse_str::<Path>(text).is_ok_and(|path| {
        path.segments.len() > 1
            || path.segments.iter().all(|s| !s.ident.to_string().chars().any(char::is_lowercase))
    })
}

/// Whether `attr` is a `#[lock_rank]` (also spelled `#[lock_rank::lock_rank]`).
pub(crate) fn is_lock_rank(attr: &Attribute) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == "lock_rank")
}

/// The rank of a `#[lock_rank(..)]` attribute written on a field.
pub(crate) fn from_attribute(attr: &Attribute) -> syn::Result<Rank> {
    match &attr.meta {
        Meta::List(list) => parse(list.tokens.clone(), |message| Error::new_spanned(attr, message)),
        Meta::Path(path) => Err(Error::new_spanned(path, format!("`#[lock_rank]` needs a rank: {HOW}"))),
        Meta::NameValue(nv) => Err(Error::new_spanned(
            nv,
            format!("write the rank in parentheses: `#[lock_rank({})]`", nv.value.to_token_stream()),
        )),
    }
}

/// The error for a `#[lock_rank]` beyond the first on one item or field.
pub(crate) fn repeated(attr: &Attribute) -> Error {
    Error::new_spanned(attr, "a lock has exactly one rank: remove this second `#[lock_rank]`")
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
