//! IIS's rules for Rust implementations of its classes: what a non-pure virtual returns by
//! default and what a method returns when its Rust implementation panics (rules by return
//! type, here), and the questions the emitters ask of the knowledge tables (`knowledge`:
//! lifetimes, threading, ownership, resumes), answered for a declaration through its base
//! chain. The answers for implementing each class and method are worked out once after
//! layout (`implement.rs`, [`Implementations`]), which the emitters print; the idiomatic
//! rules ask the rest. No rule is written anywhere else.

mod implement;

pub use implement::{DefaultBody, Implementations, ImplementedClass, ImplementedMethod};

use crate::ir::{Api, Method, Type, TypeKind, Unit};
use crate::knowledge::{self, Fact, Subject};

/// A value a generated thunk or default method returns, by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// `()`, for `void`.
    Unit,
    /// An enumerator of the API (`RQ_NOTIFICATION_CONTINUE`), by name.
    Enumerator(&'static str),
    /// An `HRESULT` the runtime defines (`E_FAIL`), by name.
    Hresult(&'static str),
    /// `FALSE`.
    False,
    /// A null pointer (const or mut, following the return type).
    Null,
    /// A null function pointer: `None` of the `Option<fn>` Rust gives function pointers.
    NoFunction,
    /// No safe value: the process ends.
    Abort,
}

/// What a thunk does when the Rust implementation panicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnPanic {
    Return(Value),
    /// A request notification: a 500 status through the `IHttpContext` it was given
    /// (`runtime::fail_request`), then the value.
    FailRequestThen(Value),
}

/// Which return types a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Returns {
    Void,
    /// A typedef or enum the return type is or goes through.
    Named(&'static str),
    /// Any data pointer (not a function pointer).
    Pointer,
    /// A function pointer, in place or through typedefs (`Option<fn>` in Rust).
    FunctionPointer,
    Anything,
}

struct ReturnRule {
    returns: Returns,
    /// What a non-pure virtual without a Rust implementation returns (the C++ base class's
    /// behaviour); `None`: the trait method has no default.
    default: Option<Value>,
    on_panic: OnPanic,
    /// "On panic: …" in the trait method's docs.
    on_panic_doc: &'static str,
}

/// First match wins.
const RETURN_RULES: &[ReturnRule] = &[
    ReturnRule {
        returns: Returns::Void,
        default: Some(Value::Unit),
        on_panic: OnPanic::Return(Value::Unit),
        on_panic_doc: "the panic is swallowed (void)",
    },
    ReturnRule {
        returns: Returns::Named("HRESULT"),
        default: None,
        on_panic: OnPanic::Return(Value::Hresult("E_FAIL")),
        on_panic_doc: "returns E_FAIL",
    },
    ReturnRule {
        returns: Returns::Named("REQUEST_NOTIFICATION_STATUS"),
        default: Some(Value::Enumerator("RQ_NOTIFICATION_CONTINUE")),
        on_panic: OnPanic::FailRequestThen(Value::Enumerator("RQ_NOTIFICATION_FINISH_REQUEST")),
        on_panic_doc: "sets a 500 response status, then returns RQ_NOTIFICATION_FINISH_REQUEST",
    },
    ReturnRule {
        returns: Returns::Named("GLOBAL_NOTIFICATION_STATUS"),
        default: Some(Value::Enumerator("GL_NOTIFICATION_CONTINUE")),
        on_panic: OnPanic::Return(Value::Enumerator("GL_NOTIFICATION_CONTINUE")),
        on_panic_doc: "returns GL_NOTIFICATION_CONTINUE",
    },
    ReturnRule {
        returns: Returns::Named("BOOL"),
        default: None,
        on_panic: OnPanic::Return(Value::False),
        on_panic_doc: "returns FALSE",
    },
    ReturnRule {
        returns: Returns::Pointer,
        default: None,
        on_panic: OnPanic::Return(Value::Null),
        on_panic_doc: "returns a null pointer",
    },
    ReturnRule {
        returns: Returns::FunctionPointer,
        default: None,
        on_panic: OnPanic::Return(Value::NoFunction),
        on_panic_doc: "returns no function (a null function pointer)",
    },
    ReturnRule {
        returns: Returns::Anything,
        default: None,
        on_panic: OnPanic::Return(Value::Abort),
        on_panic_doc: "aborts the process (no safe failure value)",
    },
];

/// What the generated Rust does around one implemented method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodPolicy {
    /// The default body of a non-pure virtual, if it has one.
    pub default: Option<Value>,
    pub on_panic: OnPanic,
    pub on_panic_doc: &'static str,
    /// The index of the `IHttpContext *` parameter a failed request notification sets its
    /// status through (set exactly when `on_panic` is `FailRequestThen`).
    pub context_parameter: Option<usize>,
}

/// The rules that apply to `method` in `api` (a rule naming enumerators the API lacks, or
/// failing requests where the API cannot, does not apply).
fn method_policy(api: &Api, method: &Method) -> MethodPolicy {
    let context = context_parameter(method).filter(|_| can_fail_requests(api));
    let rule = RETURN_RULES
        .iter()
        .find(|rule| {
            matches_return(&rule.returns, &method.return_type)
                && values(rule).all(|value| available(api, value))
        })
        .expect("the last rule matches anything");
    let (on_panic, on_panic_doc, context_parameter) = match (rule.on_panic, context) {
        (OnPanic::FailRequestThen(value), None) => (
            OnPanic::Return(value),
            "returns RQ_NOTIFICATION_FINISH_REQUEST",
            None,
        ),
        (OnPanic::FailRequestThen(value), Some(name)) => (
            OnPanic::FailRequestThen(value),
            rule.on_panic_doc,
            Some(name),
        ),
        (on_panic, _) => (on_panic, rule.on_panic_doc, None),
    };
    MethodPolicy {
        default: if method.is_pure { None } else { rule.default },
        on_panic,
        on_panic_doc,
        context_parameter,
    }
}

fn values(rule: &ReturnRule) -> impl Iterator<Item = Value> {
    let on_panic = match rule.on_panic {
        OnPanic::Return(value) | OnPanic::FailRequestThen(value) => value,
    };
    rule.default.into_iter().chain([on_panic])
}

fn available(api: &Api, value: Value) -> bool {
    match value {
        Value::Enumerator(name) => api
            .enums
            .iter()
            .any(|e| e.variants.iter().any(|v| v.name == name)),
        _ => true,
    }
}

fn matches_return(returns: &Returns, ty: &Type) -> bool {
    match returns {
        Returns::Void => matches!(ty.kind, TypeKind::Void),
        Returns::Named(name) => type_names(ty).contains(name),
        // A function pointer, written in place or through any chain of typedefs, is no
        // data pointer: its null is `None` in Rust.
        Returns::Pointer => match ty.resolved() {
            TypeKind::Pointer { pointee, .. } => pointee.function().is_none(),
            _ => false,
        },
        Returns::FunctionPointer => match ty.resolved() {
            TypeKind::Pointer { pointee, .. } => pointee.function().is_some(),
            _ => false,
        },
        Returns::Anything => true,
    }
}

/// The typedef and enum names a type goes through, outermost first.
fn type_names(ty: &Type) -> Vec<&str> {
    match &ty.kind {
        TypeKind::Typedef { name, target } => {
            let mut names = vec![name.as_str()];
            names.extend(type_names(target));
            names
        }
        TypeKind::Enum { name } => vec![name.as_str()],
        _ => Vec::new(),
    }
}

/// True when the runtime's `fail_request` applies: the API has `IHttpContext::GetResponse`
/// and `IHttpResponse::SetStatus` as IIS declares them.
fn can_fail_requests(api: &Api) -> bool {
    let has = |class: &str, method: &str, params: usize| {
        api.class(class).is_some_and(|c| {
            c.methods
                .iter()
                .any(|m| m.name == method && m.params.len() == params)
        })
    };
    has("IHttpContext", "GetResponse", 0) && has("IHttpResponse", "SetStatus", 6)
}

/// The `IHttpContext *` parameter a request notification receives first, if any: its index
/// (always 0).
fn context_parameter(method: &Method) -> Option<usize> {
    let first = method.params.first()?;
    match &first.ty.kind {
        TypeKind::Pointer { pointee, .. } if matches!(&pointee.kind, TypeKind::Record { name } if name == "IHttpContext") => {
            Some(0)
        }
        _ => None,
    }
}

pub use crate::knowledge::{Lifetime, Threading};

/// What calling `class::method` does to the object's life (the knowledge table's
/// `Fact::Lifetime`, for the class or a base); only `void` methods without parameters
/// qualify.
fn lifetime(api: &Api, class: &str, method: &Method) -> Option<Lifetime> {
    if !method.params.is_empty() || !matches!(method.return_type.kind, TypeKind::Void) {
        return None;
    }
    knowledge::method_facts(api, class, &method.name).find_map(|fact| match fact {
        Fact::Lifetime(lifetime) => Some(lifetime),
        _ => None,
    })
}

/// The lifetime slot's docs.
fn lifetime_doc(lifetime: Lifetime) -> &'static str {
    match lifetime {
        Lifetime::Release => {
            "After this returns the object is released: dropped, and freed if boxed. The \
             default does nothing else."
        }
        Lifetime::AddReference => {
            "After this returns the object holds one more reference. The default does \
             nothing else."
        }
        Lifetime::DropReference => {
            "After this returns the object holds one reference fewer; after the last one it \
             is released (dropped, and freed if boxed). The default does nothing else."
        }
    }
}

/// The methods of `class` and its bases, by name, whose call ends the object's life (or
/// may: dropping a reference), for its docs.
fn releasing_methods(api: &Api, class: &str) -> Vec<&'static str> {
    api.chain(class)
        .flat_map(|c| {
            knowledge::RULES
                .iter()
                .filter_map(move |rule| match (rule.subject, rule.fact) {
                    (
                        Subject::Method(rc, m),
                        Fact::Lifetime(Lifetime::Release | Lifetime::DropReference),
                    ) if rc == c => Some(m),
                    _ => None,
                })
        })
        .collect()
}

/// The threading rule of `class` itself (not inherited: a derived class's trait gets its
/// base's bound as a supertrait), with the reason.
fn threading(class: &str) -> Option<(Threading, &'static str)> {
    knowledge::RULES
        .iter()
        .find_map(|rule| match (rule.subject, rule.fact) {
            (Subject::Class(c), Fact::Threading(threading, why)) if c == class => {
                Some((threading, why))
            }
            _ => None,
        })
}

/// The threading rule `class` has through itself or a base, with the reason.
fn inherited_threading(api: &Api, class: &str) -> Option<(Threading, &'static str)> {
    knowledge::class_facts(api, class).find_map(|fact| match fact {
        Fact::Threading(threading, why) => Some((threading, why)),
        _ => None,
    })
}

/// Whether IIS gives `class` (through itself or a base) to one request at a time.
pub fn request_owned(api: &Api, class: &str) -> bool {
    knowledge::class_facts(api, class).any(|fact| fact == Fact::RequestOwned)
}

/// Whether `class::method` keeps a pointer argument after it returns.
pub fn retains_arguments(api: &Api, class: &str, method: &str) -> bool {
    knowledge::method_facts(api, class, method).any(|fact| fact == Fact::RetainsArguments)
}

/// Whether `class::method` resumes a pending request: IIS then calls the module again (its
/// `OnAsyncCompletion`, or the next notification), from another thread. Sound only when the
/// notification answered `RQ_NOTIFICATION_PENDING` and has returned — a contract no borrow
/// can express — so their idiomatic form is an `unsafe fn` with [`RESUME_CONTRACT`] as its
/// `# Safety`, and modules use the framework's `Completion`, which keeps that contract for
/// them.
pub fn resumes_the_pipeline(api: &Api, class: &str, method: &str) -> bool {
    knowledge::method_facts(api, class, method).any(|fact| fact == Fact::ResumesPipeline)
}

/// Whether IIS takes over the Rust-made object passed as `param` of `class::method`: its
/// idiomatic form takes `runtime::Owned<I>` by value, so the object cannot be used (or
/// released) by Rust afterwards; a call that fails hands it back for release.
pub fn takes_ownership(api: &Api, class: &str, method: &str, param: &str) -> bool {
    knowledge::parameter_has(api, class, method, param, Fact::TakesOwnership)
}

/// The unit in which IIS counts the buffer `param` of `class::method`: SAL's, unless a
/// knowledge row says IIS counts bytes where SAL says elements.
pub fn buffer_unit(api: &Api, class: &str, method: &str, param: &str, sal: Unit) -> Unit {
    if knowledge::parameter_has(api, class, method, param, Fact::CountsBytes) {
        Unit::Bytes
    } else {
        sal
    }
}

/// The method that releases the object `class::method` hands out through `param`, when the
/// caller must release it (`CloneContext`'s `ReleaseClonedContext`): the idiomatic form
/// returns `runtime::Child`, a guard that calls it when dropped and borrows `self`
/// exclusively meanwhile, so the object cannot be used after its release, nor outlive the
/// object it came from.
pub fn released_by(api: &Api, class: &str, method: &str, param: &str) -> Option<&'static str> {
    knowledge::parameter_facts(api, class, method, param).find_map(|fact| match fact {
        Fact::ReleasedBy(release) => Some(release),
        _ => None,
    })
}

/// Whether `class::method` is the release of an object of `class` handed out for the caller
/// to release ([`released_by`]): it ends that object's life, which only the guard may do.
pub fn releases_handed_out_object(api: &Api, class: &str, method: &str) -> bool {
    knowledge::releases(api, class).any(|release| release == method)
}

/// How calling `class::method` may end an object's life, which no borrow of the object can
/// express: its own (the destructor, `Dispose`, `Terminate`, `CleanupStoredContext`, the last
/// `DereferenceCacheData`…), or that of an object handed out to be released
/// (`ReleaseClonedContext`). Answered once per method (`ImplementedMethod::ends_life`), which
/// both the raw wrapper (which then takes the object pointer) and the idiomatic rules (which
/// then keep the method raw) read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndsLife {
    /// The object's own.
    Own,
    /// An object of this class that another call handed out to be released.
    HandedOut,
}

/// See [`EndsLife`]; `None` for a method that leaves every object alive.
fn ends_life(api: &Api, class: &str, method: &Method) -> Option<EndsLife> {
    let releases_self = matches!(
        lifetime(api, class, method),
        Some(Lifetime::Release | Lifetime::DropReference)
    );
    if method.is_destructor || releases_self {
        Some(EndsLife::Own)
    } else if releases_handed_out_object(api, class, &method.name) {
        Some(EndsLife::HandedOut)
    } else {
        None
    }
}

/// The caller's contract of a method that [resumes the pipeline](resumes_the_pipeline).
pub const RESUME_CONTRACT: &str = "The notification that handles this request answered \
    `RQ_NOTIFICATION_PENDING` and has returned, and nothing else resumes the request. IIS \
    then calls the module again, possibly on another thread and before this call returns, \
    and hands it the request's objects: from this call on, the caller uses no reference to \
    them it held before. `httpserv::module::Completion` keeps this contract for framework \
    modules.";

/// The parameter name IIS gives the flag that makes a call asynchronous: with `TRUE`, IIS
/// uses the buffers after the call returns, so an idiomatic form (which borrows them for the
/// call only) passes `FALSE`. The name is a tie-breaker only: the rule applies to a `BOOL`
/// parameter of that name ([`is_async_flag`]).
const ASYNC_FLAG: &str = "fAsync";

/// Whether `param` is the flag that makes its call asynchronous: named [`ASYNC_FLAG`] and
/// typed `BOOL`.
pub fn is_async_flag(param: &crate::ir::Param) -> bool {
    param.name == ASYNC_FLAG && type_names(&param.ty).contains(&"BOOL")
}
