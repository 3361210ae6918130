//! The rustdoc text the macros add to ranked items.

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

use crate::attr::Rank;

/// The paragraph appended to a ranked lock's documentation.
pub(crate) fn rank_paragraph(rank: &Rank) -> String {
    let r = rank_text(rank);
    let (below, above) = bounds(rank);
    format!(
        "\n\n**Lock rank {r}** in the declared lock order (`#[lock_rank]`): acquire it only while \
         holding locks of {below}; while it is held, only locks of {above} may be acquired (checked \
         in debug builds by `lock_rank`)."
    )
}

/// The paragraph appended to a lock class's documentation.
pub(crate) fn class_paragraph(rank: &Rank) -> String {
    let r = rank_text(rank);
    format!(
        "\n\n**Lock class of rank {r}** in the declared lock order (`#[lock_rank]`): every lock of \
         this class (`Mutex<T, Self>`, `RwLock<T, Self>`, ...) has rank {r}. Two of them are held \
         together only through `Mutex::lock_all`, which takes them in one fixed order."
    )
}

/// The documentation of the class type generated for the lock `name`; `link` when rustdoc
/// documents the lock, so that the class's page leads back to it.
pub(crate) fn generated_class(name: &str, rank: &Rank, link: bool) -> String {
    let lock = if link { format!("[`{name}`]({name})") } else { format!("`{name}`") };
    format!(
        "The lock class of {lock}, at rank {}: the type parameter through which `#[lock_rank]` gives \
         that lock its rank.",
        rank_text(rank)
    )
}

/// How a rank reads in documentation: the value, or a link to the constant, whose own
/// documentation (from `order!`) gives the value. A macro cannot know a constant's value.
fn rank_text(rank: &Rank) -> String {
    match rank {
        Rank::Literal(value, _) => value.to_string(),
        Rank::Path(_) => format!("[`{}`]", rank.path_text()),
    }
}

/// "rank below 10" and "rank above 10", or for a named rank, which carries the value on its own
/// page, "lower rank" and "higher rank".
fn bounds(rank: &Rank) -> (String, String) {
    match rank {
        Rank::Literal(value, _) => (format!("rank below {value}"), format!("rank above {value}")),
        Rank::Path(_) => ("lower rank".to_owned(), "higher rank".to_owned()),
    }
}

/// The first line of an item's doc comment, for the registry's table.
pub(crate) fn summary(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|doc| doc.lines().map(|l| l.trim().to_owned()).collect::<Vec<_>>())
        .find(|line| !line.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_rank(text: &str) -> Rank {
        Rank::Path(syn::parse_str(text).unwrap())
    }

    #[test]
    fn a_literal_rank_states_its_value() {
        let doc = rank_paragraph(&Rank::Literal(20, proc_macro2::Span::call_site()));
        assert!(doc.starts_with("\n\n**Lock rank 20** in the declared lock order"), "{doc}");
        assert!(doc.contains("holding locks of rank below 20; while it is held, only locks of rank above 20"));
    }

    #[test]
    fn a_named_rank_links_to_its_constant() {
        let doc = rank_paragraph(&path_rank("ranks :: AUDIT_LOG"));
        assert!(
            doc.starts_with("\n\n**Lock rank [`ranks::AUDIT_LOG`]** in the declared lock order"),
            "{doc}"
        );
        assert!(doc.contains("holding locks of lower rank; while it is held, only locks of higher rank"));
        assert!(
            class_paragraph(&path_rank("ranks::SHARD")).contains("**Lock class of rank [`ranks::SHARD`]**")
        );
    }

    #[test]
    fn a_generated_class_links_back_to_a_public_lock() {
        let rank = path_rank("ranks::AUDIT_LOG");
        assert_eq!(
            generated_class("Bank::audit", &rank, true),
            "The lock class of [`Bank::audit`](Bank::audit), at rank [`ranks::AUDIT_LOG`]: the type \
             parameter through which `#[lock_rank]` gives that lock its rank."
        );
        assert!(generated_class("SECRET", &rank, false).starts_with("The lock class of `SECRET`, at rank"));
    }
}
