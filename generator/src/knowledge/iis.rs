//! IIS's rules for its classes, one row per declaration of `headers/httpserv.h` (the
//! Microsoft reference's native-code API pages are the source). A row applies to the
//! declaration in derived classes too (`IHttpContext3::PostCompletion` follows
//! `IHttpContext::PostCompletion`); `generator/tests/knowledge.rs` holds every row to exactly
//! one declaration of the header.

use super::Fact::*;
use super::Lifetime::*;
use super::Subject::*;
use super::Threading::*;
use super::{Fact, Rule, Subject};

const fn rule(subject: Subject, fact: Fact) -> Rule {
    Rule { subject, fact }
}

#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    // The slots, besides the destructor, that end or count an object's life. The first six
    // are IIS's calls into a module's objects; the rest are a module's calls into IIS's (a
    // Rust implementation of those, as the test server has, follows the same rule).
    rule(Method("CHttpModule", "Dispose"), Lifetime(Release)),
    rule(Method("IHttpModuleFactory", "Terminate"), Lifetime(Release)),
    rule(Method("CGlobalModule", "Terminate"), Lifetime(Release)),
    rule(Method("IHttpStoredContext", "CleanupStoredContext"), Lifetime(Release)),
    rule(Method("IHttpCacheSpecificData", "ReferenceCacheData"), Lifetime(AddReference)),
    rule(Method("IHttpCacheSpecificData", "DereferenceCacheData"), Lifetime(DropReference)),
    rule(Method("IDispensedHttpModuleContextContainer", "ReleaseContainer"), Lifetime(Release)),
    rule(Method("IHttpUser", "ReferenceUser"), Lifetime(AddReference)),
    rule(Method("IHttpUser", "DereferenceUser"), Lifetime(DropReference)),
    rule(Method("IReferencedMetadataInfo", "ReferenceMetadata"), Lifetime(AddReference)),
    rule(Method("IReferencedMetadataInfo", "DereferenceMetadata"), Lifetime(DropReference)),
    rule(Method("IHttpFileMonitor", "DereferenceFileMonitor"), Lifetime(DropReference)),

    // The classes IIS calls from more than one thread; derived classes inherit the bound
    // through their base's trait.
    rule(Class("CHttpModule"), Threading(OneAtATime,
        "IIS makes one per request and calls its notifications one at a time, possibly on \
         different threads (and again on asynchronous completion)")),
    rule(Class("IHttpModuleFactory"), Threading(Concurrent,
        "IIS calls `GetHttpModule` from many worker threads at once")),
    rule(Class("CGlobalModule"), Threading(Concurrent,
        "IIS calls global notifications from many worker threads at once")),
    rule(Class("IHttpStoredContext"), Threading(Concurrent,
        "a stored context can be reachable from several requests at once (connection, \
         application and site containers) and is cleaned up on any thread")),
    rule(Class("IHttpCacheSpecificData"), Threading(Concurrent,
        "cache entries are shared between requests and referenced from several threads")),
    rule(Class("IHttpUser"), Threading(Concurrent,
        "IIS keeps a user it was given (`SetUser`) and references, reads and releases it from \
         the threads of the request and of its child requests, in any order")),

    // The classes IIS gives a request one at a time: their non-`const` methods may borrow
    // `self` exclusively. Any other class may be reached from several requests or threads
    // at once: its methods only ever borrow `self` shared.
    rule(Class("IHttpContext"), RequestOwned),
    rule(Class("IHttpRequest"), RequestOwned),
    rule(Class("IHttpResponse"), RequestOwned),
    rule(Class("IHttpCachePolicy"), RequestOwned),
    rule(Class("IHttpUser"), RequestOwned),
    rule(Class("IHttpTraceContext"), RequestOwned),
    rule(Class("IHttpEventProvider"), RequestOwned),
    rule(Class("IHttpCompletionInfo"), RequestOwned),
    rule(Class("ISendResponseProvider"), RequestOwned),
    rule(Class("IAuthenticationProvider"), RequestOwned),
    rule(Class("IMapHandlerProvider"), RequestOwned),
    rule(Class("IMapPathProvider"), RequestOwned),
    rule(Class("IReadEntityProvider"), RequestOwned),
    rule(Class("ICustomNotificationProvider"), RequestOwned),
    // The providers of global notifications: one notification's, on its thread.
    rule(Class("ICacheProvider"), RequestOwned),
    rule(Class("IGlobalApplicationPreloadProvider"), RequestOwned),
    rule(Class("IGlobalConfigurationChangeProvider"), RequestOwned),
    rule(Class("IGlobalFileChangeProvider"), RequestOwned),
    rule(Class("IGlobalRSCAQueryProvider"), RequestOwned),
    rule(Class("IGlobalStopListeningProvider"), RequestOwned),
    rule(Class("IGlobalThreadCleanupProvider"), RequestOwned),
    rule(Class("IGlobalTraceEventProvider"), RequestOwned),
    rule(Class("IHttpApplicationProvider"), RequestOwned),
    rule(Class("IHttpApplicationResolveModulesProvider"), RequestOwned),
    rule(Class("IPreBeginRequestProvider"), RequestOwned),

    // IIS sends the chunk's memory after the call returns.
    rule(Method("IHttpResponse", "WriteEntityChunkByReference"), RetainsArguments),
    // IIS uses the object for the rest of the request, and neither the header (no release
    // or reference slot on `IScriptMapInfo`) nor Microsoft's reference (which calls
    // `SetFileInfo` "not supported") says who releases it or when it may go.
    rule(Method("IMapHandlerProvider", "SetScriptMap"), RetainsArguments),
    rule(Method("IMapHandlerProvider", "SetFileInfo"), RetainsArguments),
    // IIS reads the inserted body after the call returns (it keeps no copy: the buffer must
    // live until the request ends).
    rule(Method("IHttpRequest", "InsertEntityBody"), RetainsArguments),
    // The reader gets the new entity after the notification returns: IIS reads the buffer
    // then (Microsoft's sample hands it request memory).
    rule(Method("IReadEntityProvider", "SetEntity"), RetainsArguments),

    // SAL says elements; the count's name (`pcb…`), Microsoft's reference (a byte count in and
    // out) and IIS's `MapPath` say bytes: offered the element count, IIS would see half the
    // buffer and report back bytes the caller reads as elements.
    rule(Parameter("IHttpContext", "MapPath", "pszPhysicalPath"), CountsBytes),

    // IIS calls the module again (`OnAsyncCompletion`, or the next notification), from
    // another thread, possibly before the call returns.
    rule(Method("IHttpContext", "PostCompletion"), ResumesPipeline),
    rule(Method("IHttpContext", "IndicateCompletion"), ResumesPipeline),

    // IIS takes the Rust-made object over and releases it through its release slot.
    rule(Parameter("IHttpModuleRegistrationInfo", "SetRequestNotifications", "pModuleFactory"), TakesOwnership),
    rule(Parameter("IHttpModuleRegistrationInfo", "SetGlobalNotifications", "pGlobalModule"), TakesOwnership),
    rule(Parameter("IHttpModuleContextContainer", "SetModuleContext", "ppStoredContext"), TakesOwnership),
    rule(Parameter("INamedContextContainer", "SetNamedContext", "ppStoredContext"), TakesOwnership),
    rule(Parameter("IHttpConnectionModuleContextContainer", "SetConnectionModuleContext", "ppStoredContext"), TakesOwnership),
    rule(Parameter("IHttpApplicationResolveModulesProvider", "RegisterModule", "pModuleFactory"), TakesOwnership),
    // The caller makes the user on the heap; the provider's implementer (IIS) owns it from
    // then on and calls `DereferenceUser` when done with it.
    rule(Parameter("IAuthenticationProvider", "SetUser", "pUser"), TakesOwnership),

    // The object handed out is the caller's until it calls the release, which frees it; a
    // child context is released before its parent (else IIS answers
    // `ERROR_INVALID_PARAMETER`).
    rule(Parameter("IHttpContext", "CloneContext", "ppHttpContext"), ReleasedBy("ReleaseClonedContext")),
];
