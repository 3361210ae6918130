//! Ranks as written: the argument of `#[lock_rank(..)]` and the value of an `order!` entry.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Error, Expr, ExprLit, Ident, Lit, LitInt, Meta, Path, Token};

use crate::errors::Errors;

/// What a rank looks like, for the end of error messages.
const HOW: &str = "write a `u32` literal, `#[lock_rank(10)]`, or the path of a `u32` constant, \
                   `#[lock_rank(ranks::ACCOUNTS)]`";

/// A valid rank: a literal whose value is known, or a path to a `u32` constant.
pub(crate) enum Rank {
    Literal(u32, Span),
    Path(Path),
}

impl Rank {
    /// The path of the rank's constant as written (`ranks::ACCOUNTS`), or `""` for a literal.
    pub(crate) fn path_text(&self) -> String {
        match self {
            Rank::Literal(..) => String::new(),
            Rank::Path(path) => path.to_token_stream().to_string().replace(' ', ""),
        }
    }
}

/// Whether `attr` is a `#[lock_rank]` (also spelled `#[lock_rank::lock_rank]`).
pub(crate) fn is_lock_rank(attr: &Attribute) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == "lock_rank")
}

/// The error for a `#[lock_rank]` beyond the first on one item or field.
pub(crate) fn repeated(attr: &Attribute) -> Error {
    Error::new_spanned(attr, "a lock has exactly one rank: remove this second `#[lock_rank]`")
}

/// The rank in the arguments of the `#[lock_rank(..)]` being expanded; an empty list is reported
/// at `attribute`, the attribute as a whole.
pub(crate) fn item_rank(args: TokenStream, attribute: Span, errors: &mut Errors) -> Option<Rank> {
    rank(args, |message| Error::new(attribute, message), errors)
}

/// The rank of a `#[lock_rank(..)]` written on a field.
pub(crate) fn field_rank(attr: &Attribute, errors: &mut Errors) -> Option<Rank> {
    match &attr.meta {
        Meta::List(list) => rank(list.tokens.clone(), |message| Error::new_spanned(attr, message), errors),
        Meta::Path(path) => {
            errors.push(Error::new_spanned(path, format!("`#[lock_rank]` needs a rank: {HOW}")));
            None
        }
        Meta::NameValue(nv) => {
            errors.push(Error::new_spanned(
                nv,
                format!("write the rank in parentheses: `#[lock_rank({})]`", nv.value.to_token_stream()),
            ));
            None
        }
    }
}

/// The rank in the tokens inside `#[lock_rank(..)]`; `missing` builds the error for an empty list.
fn rank(tokens: TokenStream, missing: impl FnOnce(String) -> Error, errors: &mut Errors) -> Option<Rank> {
    let message = || format!("`#[lock_rank]` needs a rank: {HOW}");
    if tokens.is_empty() {
        errors.push(missing(message()));
        return None;
    }
    let args = Punctuated::<Expr, Token![,]>::parse_terminated
        .parse2(tokens)
        .map_err(|e| Error::new(e.span(), format!("expected a rank: {HOW}")));
    let mut args = errors.record(args)?.into_iter();
    let Some(first) = args.next() else {
        errors.push(missing(message()));
        return None;
    };
    let rank = errors.record(parse_expr(first));
    let before = args.len();
    errors.extend(args.map(|extra| {
        Error::new_spanned(extra, "`#[lock_rank]` takes exactly one rank: remove this argument")
    }));
    rank.filter(|_| before == 0)
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

/// The rank of the `order!` entry `name = value`, and the literal that writes it.
pub(crate) fn entry_rank(name: &Ident, value: &TokenStream) -> syn::Result<(u32, LitInt)> {
    let expected = || format!("the rank of `{name}` must be a non-negative integer, as in `{name} = 10`");
    let expr: Expr = syn::parse2(value.clone()).map_err(|_| Error::new_spanned(value, expected()))?;
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(int), .. }) => u32_rank(&int).map(|rank| (rank, int)),
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if s.value().trim().parse::<u32>().is_ok() => {
            Err(Error::new_spanned(
                &s,
                format!("a rank is a number, not a string: write `{name} = {}`", s.value().trim()),
            ))
        }
        Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), .. }) => {
            Err(Error::new_spanned(value, "a rank cannot be negative: ranks are `u32` and the lowest is 0"))
        }
        _ => Err(Error::new_spanned(value, expected())),
    }
}

/// The value of an integer literal used as a rank: unsuffixed or `u32`, and fitting in a `u32`.
fn u32_rank(int: &LitInt) -> syn::Result<u32> {
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
