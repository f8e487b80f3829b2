//! What the header cannot say, as data keyed by declaration: facts about the Windows types
//! the API uses (`windows_types.rs`) and IIS's rules for its classes (`iis.rs`: which slots
//! end or count an object's life, which classes IIS calls from several threads or hands to
//! one request at a time, which methods keep an argument, take an object over, hand out one
//! the caller releases, or resume the pipeline). Every IIS row names a class, a method or a
//! parameter of `headers/httpserv.h` (a test holds each to exactly one declaration there, so a
//! typo fails instead of silently dropping a rule), and applies to that declaration in
//! derived classes too: queries walk the base chain (`Api::chain`). Stages read facts through
//! the queries here; `policy` turns them, with the rules by return type, into what a thunk
//! does.

mod iis;
mod windows_types;

pub use iis::RULES;

use crate::ir::Api;

/// The declaration a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A class, by name.
    Class(&'static str),
    /// A method of a class, by name (every overload).
    Method(&'static str, &'static str),
    /// A parameter of a class's method, by name.
    Parameter(&'static str, &'static str, &'static str),
}

impl Subject {
    /// The class the row names.
    pub fn class(&self) -> &'static str {
        match *self {
            Subject::Class(c) | Subject::Method(c, _) | Subject::Parameter(c, _, _) => c,
        }
    }
}

/// What a slot does to the object's life after the trait method ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// IIS is done with the object (where C++ modules write `delete this`): it is dropped,
    /// and freed when boxed.
    Release,
    /// One more reference (IIS reference-counts the object).
    AddReference,
    /// One reference fewer; the last one releases the object.
    DropReference,
}

/// Which threads IIS calls an implementation from: the bounds its `_Impl` trait carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threading {
    /// One call at a time, possibly on different threads: `Send`.
    OneAtATime,
    /// Calls from many worker threads at once: `Send + Sync`.
    Concurrent,
}

/// A fact about a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// Of a method: calling it ends or counts the object's life.
    Lifetime(Lifetime),
    /// Of a class: which threads IIS calls its implementations from, and why.
    Threading(Threading, &'static str),
    /// Of a class: IIS gives it to one request at a time (one notification at a time, on one
    /// thread at a time), so a Rust `&mut` to one is unique.
    RequestOwned,
    /// Of a method: it keeps a pointer argument after it returns (IIS sends the memory
    /// later), so no idiomatic form can borrow it for the call only.
    RetainsArguments,
    /// Of a method: it resumes a pending request (see `policy::RESUME_CONTRACT`).
    ResumesPipeline,
    /// Of a parameter: IIS takes the Rust-made object passed there and later releases it.
    TakesOwnership,
    /// Of a buffer parameter: IIS counts its size in bytes where the header's SAL says
    /// elements (`_Inout_updates_(*pcb)` on a `PWSTR`), so the count it takes and gives back
    /// is the buffer's size in bytes.
    CountsBytes,
    /// Of an `_Outptr_` parameter: the object IIS hands out there is the caller's to release,
    /// by calling the named method its class declares (`HRESULT Release()`), before the
    /// object that handed it out is done; after that call it is gone.
    ReleasedBy(&'static str),
}

/// A row of the knowledge tables.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub subject: Subject,
    pub fact: Fact,
}

/// The facts of `class` and its bases, most derived first, with the class each row names.
pub fn class_facts<'a>(api: &'a Api, class: &'a str) -> impl Iterator<Item = Fact> + 'a {
    api.chain(class).flat_map(|c| {
        RULES
            .iter()
            .filter(move |r| matches!(r.subject, Subject::Class(rc) if rc == c))
            .map(|r| r.fact)
    })
}

/// The facts of `class::method` (declared by the class or any of its bases).
pub fn method_facts<'a>(
    api: &'a Api,
    class: &'a str,
    method: &'a str,
) -> impl Iterator<Item = Fact> + 'a {
    api.chain(class).flat_map(move |c| {
        RULES
            .iter()
            .filter(
                move |r| matches!(r.subject, Subject::Method(rc, rm) if rc == c && rm == method),
            )
            .map(|r| r.fact)
    })
}

/// Whether `fact` holds of the parameter `param` of `class::method` (or of a base's).
pub fn parameter_has(api: &Api, class: &str, method: &str, param: &str, fact: Fact) -> bool {
    api.chain(class).any(|c| {
        RULES.iter().any(|r| {
            r.fact == fact
                && matches!(r.subject, Subject::Parameter(rc, rm, rp)
                    if rc == c && rm == method && rp == param)
        })
    })
}

/// The facts of the parameter `param` of `class::method` (declared by the class or a base).
pub fn parameter_facts<'a>(
    api: &'a Api,
    class: &'a str,
    method: &'a str,
    param: &'a str,
) -> impl Iterator<Item = Fact> + 'a {
    api.chain(class).flat_map(move |c| {
        RULES
            .iter()
            .filter(move |r| {
                matches!(r.subject, Subject::Parameter(rc, rm, rp)
                    if rc == c && rm == method && rp == param)
            })
            .map(|r| r.fact)
    })
}

/// Every method some `ReleasedBy` row names as the release of an object of `class` (or of a
/// base): the methods that end the life of an object the caller was handed to release.
pub fn releases<'a>(api: &'a Api, class: &'a str) -> impl Iterator<Item = &'static str> + 'a {
    let chain: Vec<&str> = api.chain(class).collect();
    RULES.iter().filter_map(move |r| match (r.subject, r.fact) {
        (Subject::Parameter(c, m, p), Fact::ReleasedBy(release))
            if handed_out_class(api, c, m, p).is_some_and(|object| chain.contains(&object)) =>
        {
            Some(release)
        }
        _ => None,
    })
}

/// The class of the object `class::method` hands out through the `T **` parameter `param`.
fn handed_out_class<'a>(api: &'a Api, class: &str, method: &str, param: &str) -> Option<&'a str> {
    object_class(api, class, method, param, 2)
}

/// The class `T` of the parameter `param` of `class::method` when it is a `T *` (`depth` 1)
/// or a `T **` (`depth` 2) of a class of the API.
fn object_class<'a>(
    api: &'a Api,
    class: &str,
    method: &str,
    param: &str,
    depth: usize,
) -> Option<&'a str> {
    use crate::ir::TypeKind;
    let mut ty = &api
        .class(class)?
        .methods
        .iter()
        .filter(|m| m.name == method)
        .flat_map(|m| &m.params)
        .find(|p| p.name == param)?
        .ty;
    for _ in 0..depth {
        let TypeKind::Pointer { pointee, .. } = ty.resolved() else {
            return None;
        };
        ty = pointee;
    }
    let TypeKind::Record { name } = ty.resolved() else {
        return None;
    };
    api.class(name).map(|c| c.name.as_str())
}

/// A windows-sys path (or primitive) for a Windows type name, if we bind it to one.
pub fn known_path(name: &str) -> Option<String> {
    let lookup = |n: &str| {
        windows_types::WINDOWS_TYPES
            .binary_search_by(|(k, _)| k.cmp(&n))
            .ok()
            .map(|i| windows_types::WINDOWS_TYPES[i].1.to_string())
    };
    // Record tags are the typedef names with a leading underscore (`_HTTP_REQUEST_V2`).
    lookup(name).or_else(|| lookup(name.strip_prefix('_')?))
}

/// Whether IIS follows the fields of record `name` (pointers, lengths, a type tag) after
/// handing it out, so that it is handed out shared only (`windows_types::FOLLOWED_BY_IIS`).
/// Record tags may differ from the typedef in case and a leading underscore
/// (`struct sockaddr` is `SOCKADDR`, `_HTTP_REQUEST_V2` is `HTTP_REQUEST_V2`).
pub fn followed_by_iis(name: &str) -> bool {
    let name = name.strip_prefix('_').unwrap_or(name);
    windows_types::FOLLOWED_BY_IIS
        .iter()
        .any(|record| record.eq_ignore_ascii_case(name))
}

/// Every Windows type name the table knows (sorted), for the crate manifest's features and
/// for tests.
pub fn windows_types() -> impl Iterator<Item = (&'static str, &'static str)> {
    windows_types::WINDOWS_TYPES.iter().copied()
}

/// The rows of `rules` that do not name exactly one declaration of `api`, each with why: a
/// class the API lacks or declares twice, a method the class does not declare itself, a
/// parameter no overload has (or more than one has), a lifetime on a method that cannot
/// carry one (it must return `void` and take nothing), an object taken over whose class has
/// no threading row, a release the handed-out object does not have. Empty for `RULES` against
/// `headers/httpserv.h`: a test holds the table to the header.
pub fn unmatched(api: &Api, rules: &[Rule]) -> Vec<String> {
    let mut problems = Vec::new();
    for rule in rules {
        let class_name = rule.subject.class();
        let classes: Vec<_> = api
            .classes
            .iter()
            .filter(|c| c.name == class_name)
            .collect();
        let [class] = classes[..] else {
            problems.push(format!(
                "{:?}: {} classes named {class_name}",
                rule.subject,
                classes.len()
            ));
            continue;
        };
        let why = match rule.subject {
            Subject::Class(_) => None,
            Subject::Method(_, method) => {
                let declared: Vec<_> = class.methods.iter().filter(|m| m.name == method).collect();
                match (declared.is_empty(), rule.fact) {
                    (true, _) => Some(format!("{class_name} declares no method {method}")),
                    (false, Fact::Lifetime(_))
                        if !declared.iter().any(|m| {
                            m.params.is_empty()
                                && matches!(m.return_type.kind, crate::ir::TypeKind::Void)
                        }) =>
                    {
                        Some(format!("{class_name}::{method} is not `void {method}()`"))
                    }
                    _ => None,
                }
            }
            Subject::Parameter(_, method, param) => {
                let having = class
                    .methods
                    .iter()
                    .filter(|m| m.name == method && m.params.iter().any(|p| p.name == param))
                    .count();
                match (having, rule.fact) {
                    (1, Fact::ReleasedBy(release)) => {
                        unreleasable(api, class, method, param, release)
                    }
                    (1, Fact::TakesOwnership) => unthreaded(api, class, method, param),
                    (1, _) => None,
                    _ => Some(format!(
                        "{having} overloads of {class_name}::{method} have a parameter {param}"
                    )),
                }
            }
        };
        if let Some(why) = why {
            problems.push(format!("{:?}: {why}", rule.subject));
        }
    }
    problems
}

/// Why an object passed to IIS through `param` (a `T *`) cannot be taken over: IIS calls and
/// releases what it keeps on its own threads, so `T` (or a base) needs a `Threading` row for
/// its implementations' bounds. `None` when it has one.
fn unthreaded(api: &Api, class: &crate::ir::Class, method: &str, param: &str) -> Option<String> {
    let Some(object) = object_class(api, &class.name, method, param, 1) else {
        return Some(format!("{param} is not a pointer to an object"));
    };
    let threaded = class_facts(api, object).any(|f| matches!(f, Fact::Threading(..)));
    (!threaded).then(|| format!("IIS takes {object} over, which has no threading row"))
}

/// Why the object `class::method` hands out through `param` cannot be released by
/// `release`: the parameter must be a `T **` of a class of the API, and `release` a method
/// `T` declares, taking nothing and returning `HRESULT` (a guard calls it as is). `None` when
/// it can.
fn unreleasable(
    api: &Api,
    class: &crate::ir::Class,
    method: &str,
    param: &str,
    release: &str,
) -> Option<String> {
    let Some(object) = handed_out_class(api, &class.name, method, param) else {
        return Some(format!("{param} is not a pointer to an object pointer"));
    };
    let callable = api.class(object).is_some_and(|c| {
        c.methods.iter().any(|m| {
            m.name == release && m.params.is_empty() && m.return_type.spelling == "HRESULT"
        })
    });
    (!callable).then(|| format!("{object} declares no `HRESULT {release}()`"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn records_iis_follows_are_sorted_and_bound() {
        let table = super::windows_types::FOLLOWED_BY_IIS;
        assert!(table.windows(2).all(|pair| pair[0] < pair[1]));
        for name in table {
            assert!(
                super::known_path(name).is_some(),
                "{name} is no bound record"
            );
        }
        assert!(super::followed_by_iis("_HTTP_REQUEST_V2") && super::followed_by_iis("sockaddr"));
        assert!(!super::followed_by_iis("HTTP_CACHE_POLICY"));
    }

    #[test]
    fn windows_types_are_sorted_for_binary_search() {
        let table = super::windows_types::WINDOWS_TYPES;
        assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
