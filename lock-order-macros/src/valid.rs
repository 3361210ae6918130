//! The rules between the parts of an input, checked on its model: an order's names are distinct
//! and not `ALL`, its ranks increase down the list; a ranked struct ranks at least one field.

use syn::ext::IdentExt;
use syn::{Error, Ident};

use crate::ast::{Order, Ranked};
use crate::errors::Errors;

/// Reports every problem of `order`, entry by entry in the order of the list; whether there was
/// none.
pub(crate) fn order(order: &Order, errors: &mut Errors) -> bool {
    // The names declared so far, and the last entry with a valid rank.
    let mut seen: Vec<&Ident> = Vec::new();
    let mut last: Option<(&Ident, u32)> = None;
    for entry in &order.entries {
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
        let (rank, lit) = match &entry.rank {
            Ok(rank) => rank,
            Err(e) => {
                errors.push(e.clone());
                continue;
            }
        };
        let rank = *rank;
        match last {
            Some((before, before_rank)) if rank == before_rank => errors.push(Error::new_spanned(
                lit,
                format!(
                    "`{name}` has the same rank as `{before}` ({rank}): ranks must strictly increase down the \
                     list, so give `{name}` a higher rank (gaps, as in 10, 20, 30, leave room for more)"
                ),
            )),
            Some((before, before_rank)) if rank < before_rank => errors.push(Error::new_spanned(
                lit,
                format!(
                    "ranks must increase down the list: `{name}` = {rank} comes after `{before}` = {before_rank}; \
                     move `{name}` above `{before}`, or give it a rank above {before_rank}"
                ),
            )),
            _ => {}
        }
        last = Some((name, rank));
    }
    errors.is_empty()
}

/// Reports a ranked struct none of whose fields has `#[lock_rank(N)]`; its expansion is then the
/// struct as written.
pub(crate) fn ranked(ranked: &Ranked, errors: &mut Errors) {
    if let Ranked::Struct(ranked) = ranked {
        if ranked.fields.is_empty() {
            errors.push(Error::new_spanned(
                &ranked.item.ident,
                "no field of this struct has `#[lock_rank(N)]`: put it on each lock field, or remove \
                 `#[lock_rank::ranked]`",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_reports_its_problems_down_the_list() {
        let order: Order = syn::parse_str("mod ranks { A = 20, ALL = 30, A = 10, B 40, C = 5 }").unwrap();
        let mut errors = Errors::default();
        assert!(!super::order(&order, &mut errors));
        let text = errors.emit(quote::quote!()).to_string();
        let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
        assert!(at("`ALL` is the list") < at("`A` is declared twice"));
        assert!(at("`A` is declared twice") < at("`A` = 10 comes after `ALL` = 30"));
        assert!(at("comes after `ALL` = 30") < at("expected `=`"));
        assert!(at("expected `=`") < at("`C` = 5 comes after `A` = 10"));
    }
}
