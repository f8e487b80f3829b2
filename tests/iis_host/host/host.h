/*
 * host.h -- the classes of the IIS host (tests/iis_host): what a module DLL sees of the
 * server. Modules (registry.cpp) are loaded from DLLs and registered as IIS registers them;
 * each request is a Context (context.cpp) owning a Request and a Response (message.cpp) over
 * real HTTP_REQUEST_V2 / HTTP_RESPONSE_V2 structures, run through the stages of pipeline.cpp;
 * requests come from the HTTP Server API (http.cpp; what http.sys itself would refuse is
 * answered in limits.cpp) or, for benchmarks, are made up in process (main.cpp). Methods the
 * host does not model return E_NOTIMPL or a null documented in tests/iis_host/README.md.
 */
#pragma once
#include "rt.h"

const int kMaxModules = 16;
/* At most this many threads receive requests (http.cpp). */
const int kMaxReceivers = 256;
/* The request stages, in pipeline order; their RQ_ flags are 1 << index. */
const int kStageCount = 12;

/* Priority aliases, highest first; a module without one is MEDIUM. */
enum Priority { kLast = 1, kLow, kMedium, kHigh, kFirst };

class Host;
class Context;
class Connection;

/* ---- registration -------------------------------------------------------------------- */

/* One <globalModules> entry: its DLL and what its RegisterModule registered. */
class Registration : public IHttpModuleRegistrationInfo2
{
public:
    wchar_t *name = 0;
    wchar_t *image = 0;
    HMODULE dll = 0;
    IHttpModuleFactory *factory = 0;
    DWORD request_mask = 0, post_mask = 0;
    CGlobalModule *global = 0;
    DWORD global_mask = 0;
    /* Priority per notification bit (request, post-request and global). */
    Priority request_priority[32], post_priority[32], global_priority[32];

    Registration();
    PCWSTR GetName() const override { return name; }
    HTTP_MODULE_ID GetId() const override { return (HTTP_MODULE_ID)this; }
    HRESULT SetRequestNotifications(IHttpModuleFactory *, DWORD, DWORD) override;
    HRESULT SetGlobalNotifications(CGlobalModule *, DWORD) override;
    HRESULT SetPriorityForRequestNotification(DWORD, PCWSTR) override;
    HRESULT SetPriorityForGlobalNotification(DWORD, PCWSTR) override;
    HRESULT SetPriorityForPostRequestNotification(DWORD, PCWSTR) override;
};

/* The server object RegisterModule receives (IHttpServer); mostly inert, see README. */
class Server : public IHttpServer
{
public:
    Host *host = 0;
    BOOL IsCommandLineLaunch() const override { return TRUE; }
    PCWSTR GetAppPoolName() const override { return L"httpserv-rs"; }
    HRESULT AssociateWithThreadPool(HANDLE, LPOVERLAPPED_COMPLETION_ROUTINE) override;
    /* A module about to block asks for one more pool thread, and gives it back (pool.cpp). */
    VOID IncrementThreadCount() override;
    VOID DecrementThreadCount() override;
    VOID ReportUnhealthy(PCWSTR, HRESULT) override;
    VOID RecycleProcess(PCWSTR) override;
    IAppHostAdminManager *GetAdminManager() const override { return 0; }
    HRESULT GetFileInfo(PCWSTR, HANDLE, PSID, PCWSTR, HANDLE, BOOL, IHttpFileInfo **,
                        IHttpTraceContext *) override { return E_NOTIMPL; }
    HRESULT FlushKernelCache(PCWSTR) override { return E_NOTIMPL; }
    HRESULT DoCacheOperation(CACHE_OPERATION, IHttpCacheKey *, IHttpCacheSpecificData **,
                             IHttpTraceContext *) override { return E_NOTIMPL; }
    /* These three raise their global notifications during the call (global.cpp). */
    GLOBAL_NOTIFICATION_STATUS NotifyCustomNotification(ICustomNotificationProvider *) override;
    IHttpPerfCounterInfo *GetPerfCounterInfo() override { return 0; }
    VOID RecycleApplication(PCWSTR) override {}
    VOID NotifyConfigurationChange(PCWSTR path) override;
    VOID NotifyFileChange(PCWSTR file) override;
    IDispensedHttpModuleContextContainer *DispenseContainer() override { return 0; }
    HRESULT AddFragmentToCache(HTTP_DATA_CHUNK *, PCWSTR) override { return E_NOTIMPL; }
    HRESULT ReadFragmentFromCache(PCWSTR, BYTE *, DWORD, DWORD *) override { return E_NOTIMPL; }
    HRESULT RemoveFragmentFromCache(PCWSTR) override { return E_NOTIMPL; }
    HRESULT GetWorkerProcessSettings(IWpfSettings **) override { return E_NOTIMPL; }
    HRESULT GetProtocolManagerCustomInterface(PCWSTR, PCWSTR, DWORD, PVOID *) override
    { return E_NOTIMPL; }
    BOOL SatisfiesPrecondition(PCWSTR, BOOL *unknown) const override;
    IHttpTraceContext *GetTraceContext() const override { return 0; }
    HRESULT RegisterFileChangeMonitor(PCWSTR, HANDLE, IHttpFileMonitor **) override
    { return E_NOTIMPL; }
    HRESULT GetExtendedInterface(HTTP_SERVER_INTERFACE_VERSION, PVOID *) override
    { return E_NOTIMPL; }
};

/* ---- the request and the response ---------------------------------------------------- */

/* IHttpRequest over the HTTP_REQUEST_V2 the HTTP Server API filled in. */
class Request : public IHttpRequest
{
public:
    Context *context = 0;
    HTTP_REQUEST_V2 *raw = 0;
    /* The entity body, read when a module asks (as IIS reads it): first what the HTTP Server
       API copied with the request (`entity_left` bytes left at `entity`), then the rest from
       the transport (HttpReceiveRequestEntityBody) while `more_entity`. */
    const BYTE *entity = 0;
    DWORD entity_left = 0;
    bool more_entity = false;
    /* The declared Content-Length (chunked requests have none); bytes handed out so far. */
    bool length_known = false;
    ULONGLONG content_length = 0, consumed = 0;
    /* Bodies modules inserted (InsertEntityBody), read before the rest, the newest first.
       As IIS, the host keeps the module's buffer, not a copy: a module that frees it before
       the request ends reads freed memory here too (the test server copies it). */
    struct Inserted { const BYTE *data; DWORD left; Inserted *next; } *inserted = 0;
    ULONGLONG inserted_left = 0;

    /* Sets the fields above from `raw` (its entity chunk, flags and headers). */
    void attach_entity();

    HTTP_REQUEST *GetRawHttpRequest() override { return raw; }
    const HTTP_REQUEST *GetRawHttpRequest() const override { return raw; }
    PCSTR GetHeader(PCSTR name, USHORT *len) const override;
    PCSTR GetHeader(HTTP_HEADER_ID id, USHORT *len) const override;
    HRESULT SetHeader(PCSTR name, PCSTR value, USHORT len, BOOL replace) override;
    HRESULT SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT len, BOOL replace) override;
    HRESULT DeleteHeader(PCSTR name) override;
    HRESULT DeleteHeader(HTTP_HEADER_ID id) override;
    PCSTR GetHttpMethod() const override;
    HRESULT SetHttpMethod(PCSTR) override { return E_NOTIMPL; }
    HRESULT SetUrl(PCWSTR, DWORD, BOOL) override { return E_NOTIMPL; }
    HRESULT SetUrl(PCSTR, DWORD, BOOL) override { return E_NOTIMPL; }
    BOOL GetUrlChanged() const override { return FALSE; }
    PCWSTR GetForwardedUrl() const override { return 0; }
    PSOCKADDR GetLocalAddress() const override { return raw->Address.pLocalAddress; }
    PSOCKADDR GetRemoteAddress() const override { return raw->Address.pRemoteAddress; }
    HRESULT ReadEntityBody(VOID *, DWORD, BOOL, DWORD *, BOOL *) override;
    /* The next part of the body into `buffer`, however it is asked for. */
    HRESULT read(VOID *buffer, DWORD size, DWORD *received);
    HRESULT InsertEntityBody(VOID *buffer, DWORD size) override;
    DWORD GetRemainingEntityBytes() override;
    VOID GetHttpVersion(USHORT *major, USHORT *minor) const override;
    HRESULT GetClientCertificate(HTTP_SSL_CLIENT_CERT_INFO **, BOOL *) override { return E_NOTIMPL; }
    HRESULT NegotiateClientCertificate(BOOL, BOOL *) override { return E_NOTIMPL; }
    DWORD GetSiteId() const override { return 1; }
    HRESULT GetHeaderChanges(DWORD, DWORD *, PCSTR[HttpHeaderRequestMaximum], DWORD *, PCSTR **,
                             PCSTR **, DWORD[HttpHeaderRequestMaximum + 1], DWORD *,
                             DWORD **) override { return E_NOTIMPL; }
};

/* IHttpResponse building the HTTP_RESPONSE_V2 the host sends. */
class Response : public IHttpResponse
{
public:
    Context *context = 0;
    HTTP_RESPONSE_V2 raw;
    /* Unknown headers and entity chunks grow in request memory. */
    DWORD unknown_capacity = 0, chunk_capacity = 0;
    /* Set by SetStatus; reported by GetStatus. */
    USHORT sub_status = 0;
    HRESULT error_to_report = S_OK;
    bool headers_suppressed = false, kernel_cache = true, need_disconnect = false;
    /* skip_custom_errors: SetStatus's fTrySkipCustomErrors, for <httpErrors> (errors.cpp). */
    bool status_set = false, skip_custom_errors = false;
    /* SetErrorDescription's copy (len units, NUL-terminated), null when none was set. */
    wchar_t *error_description = 0;
    DWORD error_description_len = 0;
    /* Flush (stream.cpp): the head the first flush fixed, and how many entity chunks at the
       front count as sent (Clear keeps them). */
    bool flushed = false;
    HTTP_RESPONSE_V2 sent_head;
    USHORT sent_chunks = 0;

    void reset();
    HTTP_RESPONSE *GetRawHttpResponse() override { return &raw; }
    const HTTP_RESPONSE *GetRawHttpResponse() const override { return &raw; }
    IHttpCachePolicy *GetCachePolicy() override { return 0; }
    HRESULT SetStatus(USHORT, PCSTR, USHORT, HRESULT, IAppHostConfigException *, BOOL) override;
    HRESULT SetHeader(PCSTR name, PCSTR value, USHORT len, BOOL replace) override;
    HRESULT SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT len, BOOL replace) override;
    HRESULT DeleteHeader(PCSTR name) override;
    HRESULT DeleteHeader(HTTP_HEADER_ID id) override;
    PCSTR GetHeader(PCSTR name, USHORT *len) const override;
    PCSTR GetHeader(HTTP_HEADER_ID id, USHORT *len) const override;
    VOID Clear() override;
    VOID ClearHeaders() override;
    VOID SetNeedDisconnect() override { need_disconnect = true; }
    VOID ResetConnection() override { need_disconnect = true; }
    VOID DisableKernelCache(ULONG) override { kernel_cache = false; }
    BOOL GetKernelCacheEnabled() const override { return kernel_cache; }
    VOID SuppressHeaders() override { headers_suppressed = true; }
    BOOL GetHeadersSuppressed() const override { return headers_suppressed; }
    HRESULT Flush(BOOL async, BOOL more_data, DWORD *sent, BOOL *completion_expected) override;
    HRESULT Redirect(PCSTR url, BOOL reset_status, BOOL include_parameters) override;
    HRESULT WriteEntityChunkByReference(HTTP_DATA_CHUNK *chunk, LONG position) override;
    HRESULT WriteEntityChunks(HTTP_DATA_CHUNK *, DWORD, BOOL, BOOL, DWORD *, BOOL *) override;
    VOID DisableBuffering() override {}
    VOID GetStatus(USHORT *, USHORT *, PCSTR *, USHORT *, HRESULT *, PCWSTR *, DWORD *,
                   IAppHostConfigException **, BOOL *) override;
    HRESULT SetErrorDescription(PCWSTR description, DWORD len, BOOL html_encode) override;
    PCWSTR GetErrorDescription(DWORD *len) override;
    HRESULT GetHeaderChanges(DWORD, DWORD *, PCSTR[HttpHeaderResponseMaximum], DWORD *, PCSTR **,
                             PCSTR **, DWORD[HttpHeaderResponseMaximum + 1], DWORD *,
                             DWORD **) override { return E_NOTIMPL; }
    VOID CloseConnection() override { need_disconnect = true; }

    /* Total entity bytes, for Content-Length. */
    ULONGLONG entity_length() const;
    /* A flushed response goes with the head its first flush fixed (stream.cpp). */
    void restore_sent_head();
    HRESULT add_chunk(const HTTP_DATA_CHUNK &chunk, LONG position);
};

/* Known header names by HTTP_HEADER_ID; -1 when `name` is not a known header. */
int request_header_id(const char *name, size_t len);
int response_header_id(const char *name, size_t len);
const char *response_header_name(int id);
/* What may go on the wire (message.cpp): a field value or reason phrase, narrow or UTF-16,
   and a token (a header or server variable name). The test server's rule. */
bool wire_field(const char *text, size_t len);
bool wire_field(const wchar_t *text, size_t len);
bool wire_token(const char *name, size_t len);

/* ---- per-request objects -------------------------------------------------------------- */

/* The providers notifications receive: one object, a base per provider type. */
class Providers : public IAuthenticationProvider,
                  public IMapHandlerProvider,
                  public ISendResponseProvider,
                  public IPreBeginRequestProvider,
                  public IHttpCompletionInfo2
{
public:
    Context *context = 0;
    HRESULT error = S_OK;
    DWORD send_flags = 0;
    /* What the pending operation completed with (OnAsyncCompletion). */
    DWORD completion_bytes = 0;
    HRESULT completion_status = S_OK;

    VOID SetErrorStatus(HRESULT hr) override { error = hr; }
    /* The user is the request's from here on: the host releases it (DereferenceUser) when
       another replaces it or the request completes (pipeline.cpp). */
    VOID SetUser(IHttpUser *user) override;
    HRESULT SetScriptName(PCWSTR, DWORD) override { return E_NOTIMPL; }
    VOID SetScriptMap(IScriptMapInfo *) override {}
    VOID SetFileInfo(IHttpFileInfo *) override {}
    BOOL GetHeadersBeingSent() const override { return TRUE; }
    DWORD GetFlags() const override { return send_flags; }
    VOID SetFlags(DWORD flags) override { send_flags = flags; }
    HTTP_LOG_DATA *GetLogData() const override { return 0; }
    HRESULT SetLogData(HTTP_LOG_DATA *) override { return E_NOTIMPL; }
    BOOL GetReadyToLogData() const override { return FALSE; }
    IHttpContext *GetHttpContext() override;
    DWORD GetCompletionBytes() const override { return completion_bytes; }
    HRESULT GetCompletionStatus() const override { return completion_status; }
    DWORD GetCompletedOperation() const override { return 0; }

    IHttpEventProvider *plain() { return static_cast<IAuthenticationProvider *>(this); }
};

/* IModuleAllocator: request memory for the modules a factory makes. */
class Allocator : public IModuleAllocator
{
public:
    Context *context = 0;
    VOID *AllocateMemory(DWORD size) override;
};

/* IHttpModuleContextContainer: one stored context per module id, cleaned up at the end. */
class ContextContainer : public IHttpModuleContextContainer
{
public:
    HTTP_MODULE_ID ids[kMaxModules];
    IHttpStoredContext *stored[kMaxModules];
    int count = 0;

    IHttpStoredContext *GetModuleContext(HTTP_MODULE_ID id) override;
    HRESULT SetModuleContext(IHttpStoredContext *context, HTTP_MODULE_ID id) override;
    void cleanup();
};

/* IHttpTraceContext: QuickTrace and RaiseTraceEvent become lines of the host's log. */
class Trace : public IHttpTraceContext
{
public:
    Context *context = 0;
    GUID activity;

    HRESULT GetTraceConfiguration(HTTP_TRACE_CONFIGURATION *) override;
    HRESULT SetTraceConfiguration(HTTP_MODULE_ID, HTTP_TRACE_CONFIGURATION *, DWORD) override
    { return E_NOTIMPL; }
    HRESULT RaiseTraceEvent(HTTP_TRACE_EVENT *event) override;
    LPCGUID GetTraceActivityId() override { return &activity; }
    HRESULT QuickTrace(PCWSTR data1, PCWSTR data2, HRESULT hr, UCHAR level) override;
};

/* A server variable a module set (SetServerVariable), both spellings kept. */
struct Variable
{
    Variable *next;
    char *name;
    char *narrow;
    wchar_t *wide;
};

/* Where a request's pipeline stands. */
struct Position
{
    int stage = -1;           /* index into the stages; kStageCount: done */
    bool post = false;         /* in the post-notification of `stage` */
    bool sending = false;      /* in RQ_SEND_RESPONSE */
    int next = 0;              /* next module in the current notification's order */
    int pending_module = -1;   /* the module that returned RQ_NOTIFICATION_PENDING */
    DWORD notification = 0;    /* the RQ_ flag being delivered */
    bool finish = false;       /* a module asked for RQ_NOTIFICATION_FINISH_REQUEST */
    bool prepared = false;     /* the final status and error body are in place */
    bool finished_before_handler = false; /* a module finished before the handler stage */
    bool path_mapped = false;  /* the URL was mapped ahead of RQ_MAP_REQUEST_HANDLER */
    bool sent = false;
};

/* IHttpContext: one request, from arrival to the last Dispose. */
class Context final : public IHttpContext
{
public:
    Host *host = 0;
    unsigned long long number = 0;
    Request request;
    Response response;
    Providers providers;
    Allocator allocator;
    ContextContainer container;
    Trace trace;
    Variable *variables = 0;
    CHttpModule *modules[kMaxModules];
    Position at;
    bool done = false;
    /* Held while a pool thread runs this request (its start, a completion): one notification
       at a time per request, a completion posted before the notification returned waiting
       for it (pool.cpp). */
    CRITICAL_SECTION lock;
    /* Completions posted (IndicateCompletion, PostCompletion) and handled: the context is
       freed only once every posted one has arrived. */
    volatile LONG completions_posted = 0;
    LONG completions_handled = 0;
    /* Request memory, a pool as in IIS: chunks of at least kPoolChunk bytes handed out
       16-aligned by bumping (pool_left bytes left at pool_next in the newest chunk), all
       freed with the context. */
    static const size_t kPoolChunk = 4096;
    struct Block { Block *next; } *blocks = 0;
    char *pool_next = 0;
    size_t pool_left = 0;
    /* Transport data (the HTTP request buffer, or the synthetic request). */
    void *transport = 0;

    Context(Host *host, HTTP_REQUEST_V2 *raw, unsigned long long number);
    ~Context();
    void *allocate(size_t size);
    char *copy_string(const char *text, size_t len);

    /* Made in request memory when a module first asks (site.cpp). */
    Connection *connection = 0;

    IHttpSite *GetSite() override;
    IHttpApplication *GetApplication() override;
    IHttpConnection *GetConnection() override;
    IHttpRequest *GetRequest() override { return &request; }
    IHttpResponse *GetResponse() override { return &response; }
    BOOL GetResponseHeadersSent() const override { return at.sent || response.flushed; }
    /* The user an authentication module set (SetUser), or null. */
    IHttpUser *user = 0;
    IHttpUser *GetUser() const override { return user; }
    IHttpModuleContextContainer *GetModuleContextContainer() override { return &container; }
    VOID IndicateCompletion(REQUEST_NOTIFICATION_STATUS status) override;
    HRESULT PostCompletion(DWORD bytes) override;
    /* For an operation asked with fAsync: false when it completed at once (the default);
       with --async-io-later, true once its completion (`bytes`) is posted to the pool, which
       delivers it after the call that started it has returned (message.cpp). */
    bool complete_later(BOOL async, DWORD bytes);
    /* What each module turned off for the rest of the request (DisableNotifications, for
       the module being called), by load index: RQ_ bits of notifications and of
       post-notifications; the pipeline skips them (pipeline.cpp). */
    int current_module = -1;
    DWORD disabled[kMaxModules] = {};
    DWORD disabled_post[kMaxModules] = {};
    VOID DisableNotifications(DWORD notifications, DWORD post) override
    {
        if (current_module < 0) return;
        disabled[current_module] |= notifications;
        disabled_post[current_module] |= post;
    }
    BOOL GetNextNotification(REQUEST_NOTIFICATION_STATUS, DWORD *, BOOL *, CHttpModule **,
                             IHttpEventProvider **) override { return FALSE; }
    BOOL GetIsLastNotification(REQUEST_NOTIFICATION_STATUS) override { return FALSE; }
    HRESULT ExecuteRequest(BOOL, IHttpContext *, DWORD, IHttpUser *, BOOL *) override
    { return E_NOTIMPL; }
    DWORD GetExecuteFlags() const override { return 0; }
    HRESULT GetServerVariable(PCSTR name, PCWSTR *value, DWORD *len) override;
    HRESULT GetServerVariable(PCSTR name, PCSTR *value, DWORD *len) override;
    HRESULT SetServerVariable(PCSTR name, PCWSTR value) override;
    VOID *AllocateRequestMemory(DWORD size) override;
    IHttpUrlInfo *GetUrlInfo() override { return 0; }
    IMetadataInfo *GetMetadata() override;
    PCWSTR GetPhysicalPath(DWORD *len) override;
    PCWSTR GetScriptName(DWORD *len) const override;
    PCWSTR GetScriptTranslated(DWORD *len) override;
    /* IIS has mapped the handler (RQ_MAP_REQUEST_HANDLER went to every module). */
    bool handler_mapped = false;
    IScriptMapInfo *GetScriptMap() const override;
    VOID SetRequestHandled() override {}
    IHttpFileInfo *file_info = 0; /* request memory, on the first ask (file_info.cpp) */
    IHttpFileInfo *GetFileInfo() const override;
    /* RQ_MAP_PATH and RQ_CUSTOM_NOTIFICATION (events.cpp): the request's path once mapped, and
       whether an event's module answered RQ_NOTIFICATION_FINISH_REQUEST (pipeline.cpp). */
    PCWSTR physical = 0;
    DWORD physical_len = 0;
    bool finish_after_event = false;
    HRESULT MapPath(PCWSTR url, PWSTR out, DWORD *size) override;
    HRESULT NotifyCustomNotification(ICustomNotificationProvider *, BOOL *) override;
    IHttpContext *GetParentContext() const override { return 0; }
    IHttpContext *GetRootContext() const override { return const_cast<Context *>(this); }
    HRESULT CloneContext(DWORD, IHttpContext **) override { return E_NOTIMPL; }
    HRESULT ReleaseClonedContext() override { return E_NOTIMPL; }
    HRESULT GetCurrentExecutionStats(DWORD *, DWORD *, PCWSTR *, DWORD *, DWORD *,
                                     DWORD *) const override;
    IHttpTraceContext *GetTraceContext() const override
    { return const_cast<Trace *>(&trace); }
    HRESULT GetServerVarChanges(DWORD, DWORD *, DWORD *, PCSTR **, PCWSTR **, DWORD *,
                                DWORD **) override { return E_NOTIMPL; }
    HRESULT CancelIo() override { return E_NOTIMPL; }
    HRESULT MapHandler(DWORD, PCWSTR, PCWSTR, PCSTR, IScriptMapInfo **, BOOL) override
    { return E_NOTIMPL; }
    HRESULT GetExtendedInterface(HTTP_CONTEXT_INTERFACE_VERSION, PVOID *) override
    { return E_NOTIMPL; }

private:
    /* A variable computed from the request, or null; `scratch` holds built values. */
    const char *builtin_variable(const char *name, size_t *len);
};

#include "application.h"

/* ---- the host ---------------------------------------------------------------------- */

/* Where finished responses go: the HTTP Server API, or nowhere (benchmarks). */
#include "site.h"

class Transport
{
public:
    virtual void send(Context *context) = 0;
    virtual void finished(Context *context) = 0;
    /* The next bytes of the request's entity body from the client: a Win32 error code,
       ERROR_HANDLE_EOF once it is all read. Synthetic requests have nothing more. */
    virtual ULONG read_entity(Context *, void *, DWORD, DWORD *received)
    {
        *received = 0;
        return ERROR_HANDLE_EOF;
    }
};

/* Events of the request queue (an I/O completion port), as `key`. kRetire ends one pool
   thread (DecrementThreadCount), kQuit one at shutdown. */
enum Event { kStart = 1, kIndicate, kAsyncCompletion, kQuit, kRetire };

/* What the host made and freed, counted as it goes (pool.cpp reports them at exit): every
   one made must be freed by then, or it leaked. */
struct Counts
{
    volatile LONG64 contexts_made = 0, contexts_freed = 0;
    volatile LONG64 chunks_made = 0, chunks_freed = 0;   /* request memory chunks */
    volatile LONG64 buffers_made = 0, buffers_freed = 0; /* receive buffers */
    volatile LONG64 threads_made = 0, threads_ended = 0; /* pool threads */
    volatile LONG64 allocations_refused = 0;             /* --fail-allocation-every */
};

/* <httpErrors errorMode existingResponse> (--error-mode, --existing-response; errors.cpp). */
enum ErrorMode { kDetailedLocalOnly, kCustom, kDetailed };
enum ExistingResponse { kAuto, kReplace, kPassThrough };

class Host
{
public:
    Registration registrations[kMaxModules];
    int count = 0;
    Server server;
    Application application;
    Site site;
    Metadata metadata;
    StaticFileMapping script_map;
    Transport *transport = 0;
    HANDLE queue = 0;
    bool trace = false;
    /* --trace-events: every trace provider enabled, trace events raised as GL_TRACE_EVENT. */
    bool tracing = false;
    /* --async-io-later: asynchronous I/O reports pending and completes through the pool. */
    bool async_io_later = false;
    ErrorMode error_mode = kDetailedLocalOnly;
    ExistingResponse existing_response = kAuto;
    /* IIS's request filtering <requestLimits>: maxAllowedContentLength, maxUrl and
       maxQueryString (their defaults). */
    ULONGLONG max_content_length = 30000000, max_url = 4096, max_query_string = 2048;
    /* The buffer each request is received into: large enough for any request wine's
       http.sys delivers, since a smaller one wedges it (see http.cpp). */
    ULONG receive_bytes = 1024 * 1024;
    /* The requests still in flight (for a clean shutdown). */
    volatile LONG in_flight = 0;
    /* The worker pool: `threads` threads take events off `queue`; IncrementThreadCount adds
       one (up to kMaxThreads in all), DecrementThreadCount retires one. */
    static const LONG kMaxThreads = 256;
    LONG threads = 4;
    volatile LONG threads_alive = 0;
    /* Threads IncrementThreadCount added and DecrementThreadCount has not yet retired. */
    volatile LONG threads_added = 0;
    /* --fail-allocation-every N: every Nth module allocation (AllocateRequestMemory,
       IModuleAllocator::AllocateMemory) returns NULL; 0 never. */
    ULONG fail_allocation_every = 0;
    /* Threads receiving requests from the HTTP Server API, each with a receive pending. */
    int receivers = 64;
    volatile LONG module_allocations = 0;
    /* --site-root: the directory the site's C:\inetpub\wwwroot stands for (files.cpp). */
    const wchar_t *site_root = 0;
    Counts counts;

    Host()
    {
        server.host = this;
        application.host = this;
    }

    /* Loads a module DLL and calls its RegisterModule; false (with a message) on failure. */
    bool load(const wchar_t *name, const wchar_t *image);
    /* Terminate for factories and global modules, then FreeLibrary, in reverse load order. */
    void unload();
    /* Modules registered for `flag` (post: as a post-notification), by priority. */
    int order(DWORD flag, bool post, int out[kMaxModules]) const;
    int global_order(DWORD flag, int out[kMaxModules]) const;

    void post(Event event, Context *context, DWORD value);
    /* Takes one event off the queue and handles it; false on kQuit, kRetire or timeout. */
    bool handle_one(DWORD timeout_ms);
    /* Runs one event of `context` under its lock, then frees it when it is done and every
       completion posted to it has been handled. */
    void dispatch(Event event, Context *context, DWORD value);
    /* The pool (pool.cpp): start `threads` threads; add one; stop them all and wait. */
    void start_pool();
    bool add_thread();
    void stop_pool();
    /* Whether a module's allocation is to fail (--fail-allocation-every). */
    bool refuse_allocation();
    /* `host: made and freed ...` lines; false when something made was not freed. */
    bool report_counts();
    void log(Context *context, const char *what, const char *detail);
};

/* files.cpp: IIS's static file handler for a request no module answered. True when it
   answered (a file, a 304 or a 301); false with the error status and substatus to set. */
bool serve_static_file(Context *c, USHORT *status, USHORT *sub_status, const char **reason);

/* limits.cpp: what the HTTP Server API refuses before IIS sees a request. */
/* An answer given instead of the pipeline's: http.sys's error page (its <title>, <h2>
   heading and text), or, with no title, `text` as a plain text body (the host's own). */
struct Refusal
{
    USHORT status;
    const char *reason; /* the status line's */
    const char *title;
    const char *heading;
    const char *text;
};
/* What the request is refused with, and why in `why`; 0 when it goes to the pipeline. */
const Refusal *refusal_for(const HTTP_REQUEST_V2 *raw, const char *end, rt::Text &why);
/* Sends `refusal` as the HTTP Server API sends its own errors, closing the connection. */
ULONG send_refusal(HANDLE queue, const HTTP_REQUEST_V2 *raw, const Refusal &refusal);
/* Whether the host runs under wine (ntdll exports wine_get_version). */
bool under_wine();

/* url.cpp: the URL as IIS hands it to modules (test-server/src/url.rs is its twin). */
/* The byte of "%XX" at `p` (before `end`), or -1 when it is no escape. */
int escaped_byte(const char *p, const char *end);
/* The path of a raw URL (`/a/b?q` or `http://host/a/b?q`), up to its query. */
void url_path(const char *url, size_t len, const char **path, size_t *path_len);
/* The path as http.sys cooks it for IIS: escapes decoded, `\\` as `/`, UTF-8 (else each
   byte as Latin-1), dot segments removed. */
void cooked_path(const char *raw, size_t len, rt::Text &out);
/* The Location IIS sends for Redirect(url, ..., include_parameters) on a request with `host`
   (null: none) and raw URL `raw_url`: a URL with a scheme as it is; one starting with `/`
   under http:// and the Host; any other under the directory of the raw path; without a Host
   as given; then the request's query after `?` (or `&`) when asked. */
void redirect_target(const char *url, const char *host, size_t host_len, const char *raw_url,
                     size_t raw_len, bool include_parameters, rt::Text &out);

/* message.cpp: the method of a request as text (known verbs by name). */
const char *http_method(const HTTP_REQUEST_V2 *raw);
const char *request_header_name(int id);

/* pipeline.cpp */
void pipeline_start(Context *context);
/* IIS's error page instead of an error response, where <httpErrors> says so (errors.cpp). */
void apply_http_errors(Context *context);
void pipeline_resume(Context *context, REQUEST_NOTIFICATION_STATUS status);
void pipeline_async_completion(Context *context, DWORD bytes);
