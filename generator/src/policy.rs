//! IIS's rules for Rust implementations of its classes, as data: what a non-pure virtual
//! returns by default, what a method returns when its Rust implementation panics (and how
//! the docs say so), and which slots end an object's life. The emitters turn these tables
//! into tokens and doc text; no rule is written anywhere else.

use crate::ir::{Api, Method, Type, TypeKind};

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
    /// The name of the `IHttpContext *` parameter a failed request notification sets its
    /// status through (set exactly when `on_panic` is `FailRequestThen`).
    pub context_parameter: Option<String>,
}

/// The rules that apply to `method` in `api` (a rule naming enumerators the API lacks, or
/// failing requests where the API cannot, does not apply).
pub fn method_policy(api: &Api, method: &Method) -> MethodPolicy {
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
        Returns::Pointer => {
            matches!(ty.resolved(), TypeKind::Pointer { .. }) && ty.callable().is_none()
        }
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

/// The `IHttpContext *` parameter a request notification receives first, if any.
fn context_parameter(method: &Method) -> Option<String> {
    let first = method.params.first()?;
    match &first.ty.kind {
        TypeKind::Pointer { pointee, .. } if matches!(&pointee.kind, TypeKind::Record { name } if name == "IHttpContext") => {
            Some(first.name.clone())
        }
        _ => None,
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

/// The slots, besides the destructor, that end or count an object's life: (introducing
/// class, method, effect). The first six are IIS's calls into a module's objects; the rest
/// are a module's calls into IIS's (a Rust implementation of those, as the test server has,
/// follows the same rule).
#[rustfmt::skip]
const LIFETIME_SLOTS: &[(&str, &str, Lifetime)] = &[
    ("CHttpModule", "Dispose", Lifetime::Release),
    ("IHttpModuleFactory", "Terminate", Lifetime::Release),
    ("CGlobalModule", "Terminate", Lifetime::Release),
    ("IHttpStoredContext", "CleanupStoredContext", Lifetime::Release),
    ("IHttpCacheSpecificData", "ReferenceCacheData", Lifetime::AddReference),
    ("IHttpCacheSpecificData", "DereferenceCacheData", Lifetime::DropReference),
    ("IDispensedHttpModuleContextContainer", "ReleaseContainer", Lifetime::Release),
    ("IHttpUser", "ReferenceUser", Lifetime::AddReference),
    ("IHttpUser", "DereferenceUser", Lifetime::DropReference),
    ("IReferencedMetadataInfo", "ReferenceMetadata", Lifetime::AddReference),
    ("IReferencedMetadataInfo", "DereferenceMetadata", Lifetime::DropReference),
    ("IHttpFileMonitor", "DereferenceFileMonitor", Lifetime::DropReference),
];

/// What calling `class::method` (the class that introduced the slot) does to the object's
/// life; only `void` methods without parameters qualify.
pub fn lifetime(class: &str, method: &Method) -> Option<Lifetime> {
    LIFETIME_SLOTS
        .iter()
        .find(|(c, m, _)| *c == class && *m == method.name)
        .filter(|_| method.params.is_empty() && matches!(method.return_type.kind, TypeKind::Void))
        .map(|(_, _, lifetime)| *lifetime)
}

/// The lifetime slot's docs.
pub fn lifetime_doc(lifetime: Lifetime) -> &'static str {
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

/// The slots of `class` (own and inherited, by method name) that end its life, for its docs.
pub fn releasing_methods<'a>(classes: impl Iterator<Item = &'a str>) -> Vec<&'static str> {
    let classes: Vec<&str> = classes.collect();
    LIFETIME_SLOTS
        .iter()
        .filter(|(c, _, l)| classes.contains(c) && *l != Lifetime::AddReference)
        .map(|(_, m, _)| *m)
        .collect()
}

/// Which threads IIS calls an implementation from: the bounds its `_Impl` trait carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threading {
    /// One call at a time, possibly on different threads: `Send`.
    OneAtATime,
    /// Calls from many worker threads at once: `Send + Sync`.
    Concurrent,
}

/// The classes IIS calls from more than one thread: (class, threading, why). Derived
/// classes inherit the bound through their base's trait.
const THREADING: &[(&str, Threading, &str)] = &[
    (
        "CHttpModule",
        Threading::OneAtATime,
        "IIS makes one per request and calls its notifications one at a time, possibly on \
         different threads (and again on asynchronous completion)",
    ),
    (
        "IHttpModuleFactory",
        Threading::Concurrent,
        "IIS calls `GetHttpModule` from many worker threads at once",
    ),
    (
        "CGlobalModule",
        Threading::Concurrent,
        "IIS calls global notifications from many worker threads at once",
    ),
    (
        "IHttpStoredContext",
        Threading::Concurrent,
        "a stored context can be reachable from several requests at once (connection, \
         application and site containers) and is cleaned up on any thread",
    ),
    (
        "IHttpCacheSpecificData",
        Threading::Concurrent,
        "cache entries are shared between requests and referenced from several threads",
    ),
];

/// The threading rule of `class` itself (not inherited), with the reason.
pub fn threading(class: &str) -> Option<(Threading, &'static str)> {
    THREADING
        .iter()
        .find(|(c, _, _)| *c == class)
        .map(|(_, threading, why)| (*threading, *why))
}

/// The classes IIS gives a request one at a time (one notification at a time, on one
/// thread at a time): a Rust `&mut` to one of them is unique, so their non-`const` methods
/// may borrow `self` exclusively. Any other class may be reached from several requests or
/// threads at once: its methods only ever borrow `self` shared. Derived classes (`…2`, `…3`)
/// follow their base.
const REQUEST_OWNED: &[&str] = &[
    "IHttpContext",
    "IHttpRequest",
    "IHttpResponse",
    "IHttpCachePolicy",
    "IHttpUser",
    "IHttpTraceContext",
    "IHttpEventProvider",
    "IHttpCompletionInfo",
    "ISendResponseProvider",
    "IAuthenticationProvider",
    "IMapHandlerProvider",
    "IMapPathProvider",
    "IReadEntityProvider",
    "ICustomNotificationProvider",
    // The providers of global notifications: one notification's, on its thread.
    "ICacheProvider",
    "IGlobalApplicationPreloadProvider",
    "IGlobalConfigurationChangeProvider",
    "IGlobalFileChangeProvider",
    "IGlobalRSCAQueryProvider",
    "IGlobalStopListeningProvider",
    "IGlobalThreadCleanupProvider",
    "IGlobalTraceEventProvider",
    "IHttpApplicationProvider",
    "IHttpApplicationResolveModulesProvider",
    "IPreBeginRequestProvider",
];

/// Whether IIS gives `chain` (a class and its bases) to one request at a time.
pub fn request_owned<'a>(mut chain: impl Iterator<Item = &'a str>) -> bool {
    chain.any(|class| REQUEST_OWNED.contains(&class))
}

/// Methods that keep a pointer argument after they return (IIS sends the chunk's memory
/// later): no idiomatic form can borrow it for the call only.
pub const RETAINED_ARGUMENTS: &[(&str, &str)] = &[("IHttpResponse", "WriteEntityChunkByReference")];

/// Methods that resume a pending request: IIS then calls the module again (its
/// `OnAsyncCompletion`, or the next notification), from another thread. Sound only when the
/// notification answered `RQ_NOTIFICATION_PENDING` and has returned — a contract no
/// borrow can express — so their idiomatic form is an `unsafe fn` with
/// [`RESUME_CONTRACT`] as its `# Safety`, and modules use the framework's `Completion`,
/// which keeps that contract for them.
pub const RESUMES_THE_PIPELINE: &[(&str, &str)] = &[
    ("IHttpContext", "PostCompletion"),
    ("IHttpContext", "IndicateCompletion"),
    ("IHttpContext3", "PostCompletion"),
];

/// The caller's contract of a [`RESUMES_THE_PIPELINE`] method.
pub const RESUME_CONTRACT: &str = "The notification that handles this request answered \
    `RQ_NOTIFICATION_PENDING` and has returned, and nothing else resumes the request. IIS \
    then calls the module again, possibly on another thread and before this call returns, \
    and hands it the request's objects: from this call on, the caller uses no reference to \
    them it held before. `httpserv::module::Completion` keeps this contract for framework \
    modules.";

/// Parameters that make an IIS call asynchronous: with `TRUE`, IIS uses the buffers after
/// the call returns, so an idiomatic form (which borrows them for the call only) passes
/// `FALSE`.
pub const ASYNC_FLAGS: &[&str] = &["fAsync"];

/// Parameters through which IIS takes a Rust-made object and later releases it: (class,
/// method, parameter). Their idiomatic form takes `runtime::Owned<I>` by value, so the
/// object cannot be used (or released) by Rust afterwards; a call that fails hands it back
/// for release.
#[rustfmt::skip]
pub const TAKES_OWNERSHIP: &[(&str, &str, &str)] = &[
    ("IHttpModuleRegistrationInfo", "SetRequestNotifications", "pModuleFactory"),
    ("IHttpModuleRegistrationInfo", "SetGlobalNotifications", "pGlobalModule"),
    ("IHttpModuleContextContainer", "SetModuleContext", "ppStoredContext"),
    ("INamedContextContainer", "SetNamedContext", "ppStoredContext"),
    ("IHttpConnectionModuleContextContainer", "SetConnectionModuleContext", "ppStoredContext"),
    ("IHttpApplicationResolveModulesProvider", "RegisterModule", "pModuleFactory"),
];
