//! An in-process IIS for unit tests (`httpserv::testing`, feature `testing` of `httpserv`): the IIS side of the API —
//! `IHttpServer`, `IHttpContext`, `IHttpRequest`, `IHttpResponse`,
//! `IHttpModuleRegistrationInfo2`, `IHttpModuleContextContainer`, `IHttpTraceContext`,
//! `IModuleAllocator`, `IHttpApplication`, the providers of the request and global
//! notifications and `IHttpCompletionInfo2` — written in Rust with the
//! generated `_Impl` traits and typed constructors, so the module under test is driven through
//! exactly the vtables IIS gives it. It runs requests through IIS's pipeline as the C++ host
//! of `tests/iis_host` does (the two are held to the same answers by the test suite), with
//! no Windows API call, so the tests run on any OS and under Miri.
//!
//! # A test in ten lines
//!
//! ```
//! use httpserv::testing::{Request, TestServer};
//! # use httpserv::*;
//! # struct Hello;
//! # impl CHttpModule_Impl for Hello {}
//! # struct Factory;
//! # // SAFETY: GetHttpModule writes a module it has just made.
//! # unsafe impl IHttpModuleFactory_Impl for Factory {
//! #     unsafe fn GetHttpModule(
//! #         &self,
//! #         m: *mut *mut CHttpModule,
//! #         _: *mut IModuleAllocator,
//! #     ) -> runtime::HRESULT {
//! #         // SAFETY: the slot's contract: `m` is valid for writes.
//! #         unsafe { *m = CHttpModule::new_boxed(Hello) };
//! #         runtime::S_OK
//! #     }
//! # }
//! # httpserv::register_module!(|r| unsafe {
//! #     let factory = IHttpModuleFactory::new_boxed(Factory);
//! #     r.info.SetRequestNotifications(factory, RQ_BEGIN_REQUEST, 0).ok()
//! # });
//!
//! let server = TestServer::new().load("my_module", RegisterModule);
//! let response = server.request(Request::get("/hello?name=you").header("X-Echo", "1"));
//! assert_eq!(response.status, 404); // no module answered: IIS's static file handler's 404
//! assert_eq!(
//!     response.trace,
//!     ["notify BEGIN_REQUEST my_module", "send", "done"]
//! );
//! ```
//!
//! [`TestServer::load`] takes a module's `RegisterModule` export (what
//! [`register_module!`](httpserv_framework::register_module) writes), [`TestServer::load_with`] a
//! registration function. [`TestServer::request`] returns a [`Response`]: status, reason,
//! headers, body, the notifications delivered ([`Response::trace`], the C++ host's `--trace`
//! lines) and the module's `QuickTrace` calls. A panic in the module is caught by the
//! bindings' guard and answers 500, and the server keeps serving.
//!
//! [`TestServer::load`]: crate::TestServer::load
//! [`TestServer::async_io`]: crate::TestServer::async_io
//! [`TestServer::http_errors`]: crate::TestServer::http_errors
//! [`AsyncIo::Later`]: crate::AsyncIo::Later
//! [`TestServer::load_with`]: crate::TestServer::load_with
//! [`TestServer::request`]: crate::TestServer::request
//! [`TestServer::messages`]: crate::TestServer::messages
//! [`TestServer::tracing`]: crate::TestServer::tracing
//! [`TestServer::shutdown`]: crate::TestServer::shutdown
//! [`TestServer::configuration_change`]: crate::TestServer::configuration_change
//! [`Raised`]: crate::Raised
//! [`Response`]: crate::Response
//! [`Response::trace`]: crate::Response::trace
//! [`Request::body`]: crate::Request::body
//! [`Request::body_in_pieces`]: crate::Request::body_in_pieces
//! [`Request::chunked`]: crate::Request::chunked
//! [`HttpSysLimits`]: crate::HttpSysLimits
//! [`RequestLimits`]: crate::RequestLimits
//!
//! # What it models
//!
//! - **Loading**: `RegisterModule(7, info, server)`; one factory (request and post-request
//!   masks) and one global module per module;
//!   `SetPriorityFor{Request,PostRequest,Global}Notification` with FIRST, HIGH, MEDIUM
//!   (default), LOW, LAST; `GetId`. On drop, after the shutdown's global notifications, for
//!   each module in reverse load order: the global module's `Terminate`, then the factory's.
//! - **The pipeline**: `GL_PRE_BEGIN_REQUEST` (until `GL_NOTIFICATION_HANDLED`), a module from
//!   each factory (`GetHttpModule` with a request-memory `IModuleAllocator`), the twelve
//!   stages each with its post-notification, `RQ_SEND_RESPONSE` (lowest priority first), the
//!   send, `RQ_LOG_REQUEST`, `RQ_END_REQUEST`, `CleanupStoredContext`, `Dispose`;
//!   `RQ_NOTIFICATION_FINISH_REQUEST`, `RQ_NOTIFICATION_PENDING` with `IndicateCompletion` or
//!   `PostCompletion` → `OnAsyncCompletion` from any thread (by default on the request's
//!   thread once the notification has returned; with [`TestServer::reentrant_completions`]
//!   inside `PostCompletion`, on the posting thread, as IIS may); a failed `SetErrorStatus`
//!   is a 500. Each request runs on the thread calling [`TestServer::request`]; several
//!   threads may run requests at once.
//! - **Responses**: `SetStatus`, `GetStatus` (with the `fTrySkipCustomErrors` set), headers
//!   by name and `HTTP_HEADER_ID` (set,
//!   append with `", "`, delete, get), `Clear` (the body: status and headers stay, as in the
//!   C++ host), `ClearHeaders` (every header), `Redirect`,
//!   `WriteEntityChunks` and `WriteEntityChunkByReference` with memory chunks (copied at the
//!   call), `SetErrorDescription` and `GetErrorDescription` (the description kept as given,
//!   the last one in [`Response`]'s `error_description`, shown HTML-encoded in the detailed
//!   error page). A status of 400 or more gets IIS's error page instead of its body where the
//!   site's `<httpErrors>` says IIS would replace it ([`HttpErrors`], set with
//!   [`TestServer::http_errors`]; IIS's defaults, `DetailedLocalOnly` and `Auto`: the
//!   module's body stays only if it set `fTrySkipCustomErrors`; the pages are
//!   [`detailed_page`] and [`custom_page`], IIS's shortened, as `docs/testing.md` says);
//!   a response nobody touched that reached the handler stage is a 404 (one a module
//!   finished earlier goes as it is); `Content-Length` is set at the send, and a `HEAD`
//!   request gets no body; `Redirect` makes the target absolute within the request's
//!   `Host`. Text that
//!   could split the response (a header name that is not an RFC 9110 token; a CR, LF, NUL
//!   or other control in a header value, reason phrase, redirect target or server
//!   variable) is refused with `E_INVALIDARG`, nothing stored.
//! - **Requests**: headers by name and id, `GetHttpMethod`, `GetHttpVersion`, local and
//!   remote addresses, `GetSiteId` (1); `IHttpContext::GetScriptName` (the URL's path);
//!   `AllocateRequestMemory` (16-aligned, freed when the request ends). URL and header
//!   values are bytes as the test gives them (invalid UTF-8, NUL, long values).
//! - **Where the request runs** (`site.rs`, as the IIS host of `tests/iis_host`): `GetSite`
//!   (id 1, `Default Web Site`, with its own module context container), `GetMetadata` (the
//!   configuration path `MACHINE/WEBROOT/APPHOST/Default Web Site`, the virtual directory's
//!   root `C:\inetpub\wwwroot`), `GetConnection` (connected while the request runs, with its
//!   module context container; one per request, where IIS keeps one per keep-alive client), `GetPhysicalPath` and `GetScriptTranslated` (the URL's path under that root, or where an `RQ_MAP_PATH` module put it).
//! - **The request events** (`events.rs`), raised inside the call that causes them to the
//!   request's modules registered for them, by priority (a module answering
//!   `RQ_NOTIFICATION_FINISH_REQUEST` stops the event and finishes the request when the
//!   notification that raised it returns): `RQ_MAP_PATH` (`map_path.rs`) when the request's
//!   URL is first mapped (`GetPhysicalPath`, `GetScriptTranslated`, `PATH_TRANSLATED`, at the
//!   latest before `RQ_MAP_REQUEST_HANDLER`; later readers see a module's `SetPhysicalPath`)
//!   and on every `IHttpContext::MapPath` (its buffer sized in bytes, `ERROR_INSUFFICIENT_BUFFER`
//!   with the size needed); `RQ_READ_ENTITY` (`read_entity.rs`) after every `ReadEntityBody`,
//!   the end of the body included, where `SetEntity` replaces what the reader gets;
//!   `RQ_CUSTOM_NOTIFICATION` from `IHttpContext::NotifyCustomNotification` with the module's
//!   provider (`*pfCompletionExpected` `FALSE` unless a module answered pending).
//! - **The entity body**: given whole, in pieces or chunked ([`Request::body`],
//!   [`Request::body_in_pieces`], [`Request::chunked`]); `ReadEntityBody` returns at most the
//!   rest of a piece, never past a declared `Content-Length`; `GetRemainingEntityBytes`
//!   (what is left of the declared length; `u32::MAX` for a chunked body until its last
//!   byte is read); `InsertEntityBody` (read next, before the rest; copied at the call).
//! - **Static files**: with [`TestServer::site_root`], a request no module answered is served
//!   as IIS's static file handler serves it, from the file its physical path names (after
//!   `RQ_MAP_PATH`): the MIME map (`404.3` outside it), default documents, the trailing-slash
//!   `301`, `403.14`, `ETag`/`Last-Modified`, RFC 9110's preconditions (`304`, `412`) and byte
//!   ranges (`206`, `multipart/byteranges`, `416`, `If-Range`) (`static_files.rs`); without
//!   one, such a request is a `404`. `IHttpContext::GetFileInfo` describes the same file
//!   from `POST_MAP_REQUEST_HANDLER` on: path, size, times, the handler's `ETag`; no contents
//!   (`file_info.rs`), null without a site root or a file.
//! - **A response in parts**: `Flush` sends the head (fixed from then on,
//!   `GetResponseHeadersSent` TRUE) and the body written since the last flush, chunked for an
//!   HTTP/1.1 client when there is no `Content-Length`; [`Response::parts`] holds what each
//!   send carried (`streaming.rs`).
//! - **Asynchronous I/O**: `ReadEntityBody`, `WriteEntityChunks` and `Flush` asked for `fAsync` complete at once,
//!   as the C++ host does, or with [`TestServer::async_io`]`(`[`AsyncIo::Later`]`)` later, as
//!   IIS may: pending, then `OnAsyncCompletion` with the bytes and status once the
//!   notification has returned `RQ_NOTIFICATION_PENDING` (the end of the body is answered at
//!   once either way).
//! - **What refuses a request first**: http.sys's limits ([`HttpSysLimits`]: `414`, `400`
//!   with http.sys's error page, no module notified), then IIS's request filtering
//!   ([`RequestLimits`]: `404.14`, `404.15`, `413.1` before any module's `RQ_BEGIN_REQUEST`,
//!   for the site or by URL).
//! - **The handler mapping**: `GetScriptMap` is a default installation's `StaticFile`
//!   handler from `POST_MAP_REQUEST_HANDLER` on, null before.
//! - **`DisableNotifications`**: the module being called is skipped for those notifications
//!   (and post-notifications) for the rest of the request.
//! - **The raw request**: `IHttpRequest::GetRawHttpRequest` hands out one `HTTP_REQUEST_V2`
//!   for the request (its verb, raw and cooked URL, version, addresses and every header,
//!   which follow the changes modules make; no entity chunks, SSL or request info).
//! - **Server variables**: `REQUEST_METHOD`, `URL`, `PATH_INFO`, `SCRIPT_NAME` (the path
//!   decoded and resolved as http.sys cooks it: `/a%20b/../c` is `/c`),
//!   `QUERY_STRING`, `UNENCODED_URL`, `CACHE_URL` (as sent), `SERVER_PROTOCOL`, `REMOTE_ADDR`,
//!   `REMOTE_HOST`, `REMOTE_PORT`, `LOCAL_ADDR`, `SERVER_PORT`, `SERVER_NAME`,
//!   `CONTENT_LENGTH`, `CONTENT_TYPE`, `HTTPS` (`off`), `INSTANCE_ID`, `APP_POOL_ID`,
//!   `SERVER_SOFTWARE`, `HTTP_<HEADER>`, and whatever modules set with `SetServerVariable`
//!   (which wins); others fail with `HRESULT_FROM_WIN32(ERROR_INVALID_INDEX)`.
//! - **Per request**: the module context container (one stored context per module id),
//!   `QuickTrace` (recorded), `RaiseTraceEvent` (a trace line, and `GL_TRACE_EVENT` while
//!   tracing), `GetTraceActivityId`, `GetTraceConfiguration` (no provider enabled, or all of
//!   them with [`TestServer::tracing`]), `GetCurrentExecutionStats` (the notification),
//!   `GetApplication` (the server's one application).
//! - **The application and the global notifications**: one application
//!   (`/LM/W3SVC/1/ROOT`, `C:\inetpub\wwwroot`, its own module context container, cleaned
//!   up when it stops), started on the first request (`GL_APPLICATION_START`,
//!   `GL_APPLICATION_RESOLVE_MODULES`, before that request's `GL_PRE_BEGIN_REQUEST`; a failed
//!   `SetErrorStatus` answers the request 500 and the next request starts it again);
//!   `GL_STOP_LISTENING` and `GL_APPLICATION_STOP` at shutdown ([`TestServer::shutdown`] or
//!   the drop); `GL_TRACE_EVENT` while tracing; `GL_CONFIGURATION_CHANGE`, `GL_FILE_CHANGE`,
//!   `GL_CUSTOM_NOTIFICATION`, `GL_HEALTH_CHECK`, `GL_CACHE_CLEANUP`, `GL_THREAD_CLEANUP`,
//!   `GL_APPLICATION_PRELOAD`, `GL_CACHE_OPERATION` and `GL_RSCA_QUERY` on demand ([`TestServer::configuration_change`] and the others, each returning a
//!   [`Raised`]) or from a module (`IHttpServer::NotifyConfigurationChange`,
//!   `NotifyFileChange`, `NotifyCustomNotification`). Every one goes through the slot the framework's notification table names,
//!   by priority, until a module answers `GL_NOTIFICATION_HANDLED` or sets a failed
//!   `SetErrorStatus`.
//! - **Ownership handed over**: `IAuthenticationProvider::SetUser` takes the user over
//!   (`GetUser` returns it; its `DereferenceUser` is called once, when another user replaces
//!   it or the request ends); `CloneContext` hands out a context over the same request (not a
//!   copy) that `ReleaseClonedContext` releases, clones before their parent (else
//!   `ERROR_INVALID_PARAMETER`, also for a context that is not a clone); clones left are
//!   released with the request.
//!
//! # What it does not model
//!
//! These return `E_NOTIMPL`, or null / `FALSE` / 0 where the method returns no `HRESULT`:
//! `IHttpContext::GetUrlInfo`,
//! `ExecuteRequest`, `GetServerVarChanges`, `CancelIo`,
//! `MapHandler`, `GetExtendedInterface` (so no `IHttpContext2`–`4`), `GetNextNotification`,
//! `GetIsLastNotification`, `GetParentContext`; `SetRequestHandled` is ignored. `IHttpRequest::SetHttpMethod`,
//! `SetUrl`, `GetClientCertificate`, `NegotiateClientCertificate`,
//! `GetHeaderChanges`, `GetForwardedUrl`. `IHttpResponse::GetRawHttpResponse`,
//! `GetCachePolicy`, `GetHeaderChanges`, data
//! chunks other than memory. The providers'
//! `SetScriptName`, `GetLogData`, `SetLogData` (`SetScriptMap`, `SetFileInfo` are
//! ignored). `IHttpTraceContext::SetTraceConfiguration`. `IHttpServer` beyond
//! `IsCommandLineLaunch` (TRUE), `GetAppPoolName`, `SatisfiesPrecondition` (TRUE, unknown),
//! the messages of `ReportUnhealthy` and `RecycleProcess` ([`TestServer::messages`]) and
//! `IHttpServer2` for `HttpGetExtendedInterface` of a registration info's
//! `IHttpModuleRegistrationInfo2` (`server.extended::<IHttpModuleRegistrationInfo2>(info)`;
//! `E_NOINTERFACE` for any other object or interface):
//! `AssociateWithThreadPool`, `GetFileInfo`, `FlushKernelCache`, `DoCacheOperation`, the
//! fragment cache, `GetWorkerProcessSettings`, `GetProtocolManagerCustomInterface`,
//! `RegisterFileChangeMonitor`, `IHttpServer2`'s other methods; null from
//! `GetAdminManager`, `GetPerfCounterInfo`, `DispenseContainer`, `GetTraceContext`.
//! `GL_SUSPEND_PROCESS` is never raised; the preload provider's `CreateContext` and
//! `ExecuteRequest`, the cache provider's key and record, the RSCA provider's
//! `ResizeOutputBuffer`, the resolve-modules provider's `RegisterModule` and
//! `SetPriorityForRequestNotification`, the file change provider's `GetFileMonitor`, and
//! `IHttpApplication2` are not modelled; `RQ_SEND_RESPONSE_STATUS_AND_HEADERS` is not
//! delivered, and an event's module answering `RQ_NOTIFICATION_PENDING` is not completed
//! (the event stops there). One site, one application; no configuration (but the request limits),
//! authentication, caching, files or network.
//!
//! # Lifetimes
//!
//! A module's registration info is valid during its `RegisterModule` only; the server object
//! until the `TestServer` is dropped; a request's objects and request memory until the
//! request ends (its context stays valid, inert, until the server is dropped). A module using
//! anything later is caught by Miri. A thread that completed a request may still be returning
//! from `IndicateCompletion` or `PostCompletion` when the request ends and the server is
//! dropped: the call is unaffected as long as the caller holds no reference to the context
//! across it (call the slot through the vtable, as the framework's `Completion` does).
//!
//! A request still pending when [`TestServer::pending_timeout`] runs out fails the test but
//! is not freed: the module may still reach it through its completion, so the request (and
//! the server object) live until the completion is signalled, which ends the request then
//! (stored contexts cleaned up, modules disposed, memory freed). No timing is assumed
//! anywhere.

#![no_std]

extern crate alloc;
extern crate std;

// The IIS classes this server implements, and the substrate their `_Impl` traits stand on,
// under the names the rest of the crate uses (`crate::IHttpContext`, `crate::runtime::…`).
use httpserv_runtime as runtime;
use httpserv_sys::*;

mod async_io;
mod completion;
mod context;
mod entity;
mod events;
mod exchange;
mod file_info;
mod global;
mod global_objects;
mod handed;
mod header_slots;
mod headers;
mod http_errors;
mod limits;
mod map_path;
mod memory;
mod message;
mod pipeline;
mod providers;
mod raw_request;
mod read_entity;
mod registration;
mod request;
mod script_map;
mod server;
mod site;
mod stages;
mod static_files;
mod streaming;
mod url;

pub use async_io::AsyncIo;
pub use global::Raised;
pub use http_errors::{custom_page, detailed_page, ErrorMode, ExistingResponse, HttpErrors};
pub use limits::{HttpSysLimits, RequestLimits};
pub use request::{QuickTrace, Request, Response};
pub use server::{RegisterModuleFn, TestServer};

#[cfg(test)]
mod tests;
