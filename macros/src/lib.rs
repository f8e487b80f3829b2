//! `#[httpserv::module]`: put on `impl HttpModule for T` or `impl GlobalModule for T`, it
//! lists the `on_*` methods the impl defines in the hidden associated const
//! `HTTPSERV_MODULE_ATTRIBUTE`, from which the framework makes the module's notification
//! masks (a `const fn` lookup in its one notification table). So a method written is a method
//! IIS calls, and no mask is kept by hand beside the methods. The traits require the const,
//! so an impl without the attribute does not compile, and the error names the attribute.
//!
//! The attribute writes names, not masks: a list of string literals needs no path to the
//! framework, so it works whatever the crate that re-exports it is called. An `on_*` name
//! the trait does not have is rustc's error already ("not a member of trait"); the
//! framework's lookup refuses it again should the list ever be written by hand.
//!
//! No `syn`: the impl's top-level `fn <name>` token pairs are all it reads. A method the
//! impl writes under a `#[cfg]` that is off is listed all the same; IIS then delivers its
//! notification to the trait's default method, which continues: harmless, where a method
//! missing from the list would be a method never called.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// The hidden associated const of `HttpModule` and `GlobalModule` the attribute writes.
const LIST: &str = "HTTPSERV_MODULE_ATTRIBUTE";

/// See the crate documentation; re-exported as `httpserv::module` (the attribute).
#[proc_macro_attribute]
pub fn module(arguments: TokenStream, item: TokenStream) -> TokenStream {
    let mut tokens: Vec<TokenTree> = item.clone().into_iter().collect();
    let body = match tokens.last() {
        Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => body.clone(),
        _ => return error(Span::call_site(), NOT_AN_IMPL, item),
    };
    if !is_trait_impl(&tokens[..tokens.len() - 1]) {
        return error(Span::call_site(), NOT_AN_IMPL, item);
    }
    let (methods, mistake) = methods(body.stream());
    let mut stream = body.stream();
    stream.extend(list(&methods));
    let mut written = Group::new(Delimiter::Brace, stream);
    written.set_span(body.span());
    *tokens.last_mut().expect("the body is there") = TokenTree::Group(written);
    // A request notification method may return `Notification` or a `Result` where the trait
    // says `impl IntoNotification`: that refinement is the intended API, not a slip.
    let allow: TokenStream = "#[allow(refining_impl_trait)]"
        .parse()
        .expect("an attribute");
    let written: TokenStream = allow.into_iter().chain(tokens).collect();
    // A mistake is reported beside the impl as written, list included, so that it is the
    // one error (not also a missing item).
    if let Some(argument) = arguments.into_iter().next() {
        return error(
            argument.span(),
            "#[httpserv::module] takes no arguments",
            written,
        );
    }
    match mistake {
        Some((span, message)) => error(span, message, written),
        None => written,
    }
}

const NOT_AN_IMPL: &str =
    "#[httpserv::module] goes on `impl HttpModule for T` or `impl GlobalModule for T`";

/// Whether the tokens before the body are those of a trait impl: `impl`, then a `for` that is
/// not a higher-ranked `for<'a>` bound.
fn is_trait_impl(header: &[TokenTree]) -> bool {
    let Some(start) = header.iter().position(|t| is_ident(t, "impl")) else {
        return false;
    };
    let rest = &header[start + 1..];
    rest.iter().enumerate().any(|(i, token)| {
        is_ident(token, "for")
            && !matches!(rest.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '<')
    })
}

fn is_ident(token: &TokenTree, name: &str) -> bool {
    matches!(token, TokenTree::Ident(ident) if ident.to_string() == name)
}

/// The names of the `on_*` methods among the body's items, in order, and the first macro
/// invocation among the items if there is one: the methods it would write are invisible
/// here, and a method left out of the list is the silent trap the attribute exists to close.
fn methods(body: TokenStream) -> (Vec<String>, Option<(Span, &'static str)>) {
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    let mut methods = Vec::new();
    let mut mistake = None;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            // An item pasted by a `macro_rules!` (`$item`) arrives wrapped in an invisible
            // group: its `fn` is still the impl's own.
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                let (inner, inner_mistake) = self::methods(group.stream());
                methods.extend(inner);
                mistake = mistake.or(inner_mistake);
            }
            TokenTree::Ident(ident) if ident.to_string() == "fn" => {
                if let Some(TokenTree::Ident(name)) = tokens.get(i + 1) {
                    let name = name.to_string();
                    let name = name.strip_prefix("r#").unwrap_or(&name);
                    if name.starts_with("on_") {
                        methods.push(name.to_string());
                    }
                }
            }
            TokenTree::Punct(bang) if bang.as_char() == '!' && is_item_macro(&tokens, i) => {
                // At the macro's name (an identifier precedes the `!`).
                mistake = mistake.or(Some((tokens[i - 1].span(), MACRO_IN_IMPL)));
            }
            _ => {}
        }
    }
    (methods, mistake)
}

const MACRO_IN_IMPL: &str = "#[httpserv::module] cannot see the methods a macro inside the \
    impl writes, so IIS would never be asked for their notifications: write the methods in \
    the impl, or have the macro write the whole impl with #[httpserv::module] on it";

/// Whether the `!` at `bang` is that of a macro invocation in item position: `path! (…)`
/// where the path starts an item (after a `;`, the braces of the previous item, an
/// attribute, or at the start), and not a `!` in a signature or an expression
/// (`-> !`, `= !x`, `= matches!(…)`).
fn is_item_macro(tokens: &[TokenTree], bang: usize) -> bool {
    if !matches!(tokens.get(bang + 1), Some(TokenTree::Group(_))) {
        return false;
    }
    // Back over the path: `a::b::name`.
    let mut start = bang;
    loop {
        if start == 0 || !matches!(tokens[start - 1], TokenTree::Ident(_)) {
            return false;
        }
        start -= 1;
        let colons = start >= 2
            && [&tokens[start - 1], &tokens[start - 2]]
                .iter()
                .all(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ':'));
        if !colons {
            break;
        }
        start -= 2;
    }
    match start.checked_sub(1).map(|before| &tokens[before]) {
        None => true,
        Some(TokenTree::Punct(p)) => p.as_char() == ';',
        Some(TokenTree::Group(g)) => matches!(g.delimiter(), Delimiter::Brace | Delimiter::Bracket),
        Some(_) => false,
    }
}

/// `#[doc(hidden)] const HTTPSERV_MODULE_ATTRIBUTE: &'static [&'static str] = &[…];`
fn list(methods: &[String]) -> TokenStream {
    let names: TokenStream = methods
        .iter()
        .flat_map(|name| {
            [
                TokenTree::Literal(Literal::string(name)),
                TokenTree::Punct(Punct::new(',', Spacing::Alone)),
            ]
        })
        .collect();
    let mut item: TokenStream = format!("#[doc(hidden)] const {LIST}: &'static [&'static str] = &")
        .parse()
        .expect("the item's head is Rust");
    item.extend([
        TokenTree::Group(Group::new(Delimiter::Bracket, names)),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ]);
    item
}

/// `compile_error!(message)` at `span`, then `item`.
fn error(span: Span, message: &str, item: TokenStream) -> TokenStream {
    let mut error: TokenStream = [
        TokenTree::Ident(Ident::new("compile_error", span)),
        TokenTree::Punct(Punct::new('!', Spacing::Alone)),
        TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            TokenStream::from(TokenTree::Literal(Literal::string(message))),
        )),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ]
    .into_iter()
    .map(|mut token| {
        token.set_span(span);
        token
    })
    .collect();
    error.extend(item);
    error
}
