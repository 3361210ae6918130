//! The errors of one macro call, collected by every stage so that one build reports all of them.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::Error;

/// Every error found so far, in the order the stages found them.
#[derive(Default)]
pub(crate) struct Errors(Vec<Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: Error) {
        self.0.push(error);
    }

    /// The value of `result`; its error, if any, joins the others.
    pub(crate) fn record<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `output` followed by a `compile_error!` for each error, each at the user's tokens.
    pub(crate) fn emit(self, output: impl ToTokens) -> TokenStream {
        let errors = self.0.into_iter().map(Error::into_compile_error);
        quote! {
            #output
            #(#errors)*
        }
    }
}

impl Extend<Error> for Errors {
    fn extend<I: IntoIterator<Item = Error>>(&mut self, errors: I) {
        self.0.extend(errors);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    #[test]
    fn errors_follow_the_output_in_the_order_found() {
        let mut errors = Errors::default();
        errors.push(Error::new(Span::call_site(), "first"));
        assert_eq!(errors.record(Err::<(), _>(Error::new(Span::call_site(), "second"))), None);
        assert_eq!(errors.record(Ok::<_, Error>(7)), Some(7));
        let text = errors
            .emit(quote!(
                struct Item;
            ))
            .to_string();
        let (item, first, second) =
            (text.find("struct Item").unwrap(), text.find("first").unwrap(), text.find("second").unwrap());
        assert!(item < first && first < second, "{text}");
    }
}
