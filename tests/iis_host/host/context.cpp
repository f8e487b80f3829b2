/*
 * context.cpp -- IHttpContext of the IIS host and what hangs off it: request memory, server
 * variables (computed from the HTTP_REQUEST_V2, or set by modules), the module context
 * container, the trace context and the providers notifications receive. Asynchronous
 * completion (IndicateCompletion, PostCompletion) is posted to the host's queue, so the
 * pipeline resumes on a pool thread, under the request's lock, whatever thread the module
 * completes on. Contexts and request memory chunks are counted as made and freed.
 */
#include "host.h"

/* ---- the context ---------------------------------------------------------------------- */

Context::Context(Host *h, HTTP_REQUEST_V2 *raw, unsigned long long n) : host(h), number(n)
{
    request.context = this;
    request.raw = raw;
    response.context = this;
    response.reset();
    providers.context = this;
    allocator.context = this;
    trace.context = this;
    InitializeCriticalSection(&lock);
    InterlockedIncrement64(&host->counts.contexts_made);
    trace.activity = GUID{(unsigned long)n, 0x1157, 0x4d5e, {0x80, 0, 0, 0, 0, 0, 0, 0x17}};
    for (int i = 0; i < kMaxModules; ++i) modules[i] = 0;
    /* Header values as NUL-terminated strings, which modules may rely on as IIS's are. */
    HTTP_REQUEST_HEADERS &headers = raw->Headers;
    for (int i = 0; i < HttpHeaderRequestMaximum; ++i) {
        HTTP_KNOWN_HEADER &h = headers.KnownHeaders[i];
        if (h.pRawValue) h.pRawValue = copy_string(h.pRawValue, h.RawValueLength);
    }
    for (USHORT i = 0; i < headers.UnknownHeaderCount; ++i) {
        HTTP_UNKNOWN_HEADER &h = headers.pUnknownHeaders[i];
        h.pName = copy_string(h.pName, h.NameLength);
        h.pRawValue = copy_string(h.pRawValue, h.RawValueLength);
    }
    if (raw->pRawUrl) raw->pRawUrl = copy_string(raw->pRawUrl, raw->RawUrlLength);
    if (raw->pUnknownVerb) raw->pUnknownVerb = copy_string(raw->pUnknownVerb, raw->UnknownVerbLength);
}

Context::~Context()
{
    while (blocks) {
        Block *next = blocks->next;
        ::operator delete(blocks);
        InterlockedIncrement64(&host->counts.chunks_freed);
        blocks = next;
    }
    DeleteCriticalSection(&lock);
    InterlockedIncrement64(&host->counts.contexts_freed);
}

VOID Providers::SetUser(IHttpUser *user)
{
    if (!user) return;
    if (context->user) context->user->DereferenceUser();
    context->user = user;
}

void *Context::allocate(size_t size)
{
    /* Sizes rounded up to 16 keep every piece 16-aligned: a chunk's data starts 16 bytes in
       (behind its header), and operator new is 16-aligned. */
    if (size > ((size_t)-1 >> 1)) return 0;
    size = (size + 15) & ~(size_t)15;
    if (size > pool_left) {
        size_t chunk = size > kPoolChunk ? size : kPoolChunk;
        Block *block = (Block *)::operator new(chunk + 16);
        if (!block) return 0;
        InterlockedIncrement64(&host->counts.chunks_made);
        block->next = blocks;
        blocks = block;
        pool_next = (char *)block + 16;
        pool_left = chunk;
    }
    void *memory = pool_next;
    pool_next += size;
    pool_left -= size;
    return memory;
}

char *Context::copy_string(const char *text, size_t len)
{
    char *copy = (char *)allocate(len + 1);
    rt::copy(copy, text, len);
    copy[len] = 0;
    return copy;
}

/* A module's request memory; NULL as IIS gives it when there is none, which
   --fail-allocation-every makes happen on purpose. */
VOID *Context::AllocateRequestMemory(DWORD size)
{
    return host->refuse_allocation() ? 0 : allocate(size);
}

VOID Context::IndicateCompletion(REQUEST_NOTIFICATION_STATUS status)
{
    InterlockedIncrement(&completions_posted);
    host->post(kIndicate, this, (DWORD)status);
}

HRESULT Context::PostCompletion(DWORD bytes)
{
    InterlockedIncrement(&completions_posted);
    host->post(kAsyncCompletion, this, bytes);
    return S_OK;
}

/* The completion waits on the request's lock, held by the pool thread running the call that
   started the operation, so it arrives once that call has answered pending (a call that
   answers anything else has it ignored, as the log says). */
bool Context::complete_later(BOOL async, DWORD bytes)
{
    if (!async || !host->async_io_later) return false;
    PostCompletion(bytes);
    return true;
}

PCWSTR Context::GetScriptName(DWORD *len) const
{
    const HTTP_COOKED_URL &url = request.raw->CookedUrl;
    DWORD n = url.AbsPathLength / sizeof(wchar_t);
    Context *self = const_cast<Context *>(this);
    wchar_t *copy = (wchar_t *)self->allocate((n + 1) * sizeof(wchar_t));
    rt::copy(copy, url.pAbsPath, n * sizeof(wchar_t));
    copy[n] = 0;
    if (len) *len = n;
    return copy;
}

HRESULT Context::GetCurrentExecutionStats(DWORD *notification, DWORD *start, PCWSTR *module,
                                          DWORD *module_start, DWORD *async,
                                          DWORD *async_start) const
{
    if (notification) *notification = at.notification;
    if (start) *start = 0;
    if (module) *module = 0;
    if (module_start) *module_start = 0;
    if (async) *async = 0;
    if (async_start) *async_start = 0;
    return S_OK;
}

/* ---- server variables ----------------------------------------------------------------- */

static void add_address(rt::Text &text, const SOCKADDR *address, bool port)
{
    if (!address) return;
    if (address->sa_family == AF_INET) {
        const SOCKADDR_IN *v4 = (const SOCKADDR_IN *)address;
        const unsigned char *b = (const unsigned char *)&v4->sin_addr;
        if (port) {
            text.add_number((unsigned)((v4->sin_port & 0xff) << 8 | v4->sin_port >> 8));
            return;
        }
        for (int i = 0; i < 4; ++i) {
            if (i) text.add_char('.');
            text.add_number(b[i]);
        }
    } else if (address->sa_family == AF_INET6) {
        const SOCKADDR_IN6 *v6 = (const SOCKADDR_IN6 *)address;
        if (port) {
            text.add_number((unsigned)((v6->sin6_port & 0xff) << 8 | v6->sin6_port >> 8));
            return;
        }
        const unsigned char *b = (const unsigned char *)&v6->sin6_addr;
        for (int i = 0; i < 16; i += 2) {
            if (i) text.add_char(':');
            text.add_hex((unsigned)(b[i] << 8 | b[i + 1]));
        }
    }
}

/* `NAME` of HTTP_NAME as a header name: underscores become dashes (any case matches). */
static PCSTR header_variable(const Request &request, const char *name, USHORT *len)
{
    char header[128];
    size_t n = rt::length(name);
    if (n >= sizeof header) return 0;
    for (size_t i = 0; i <= n; ++i) header[i] = name[i] == '_' ? '-' : name[i];
    return request.GetHeader(header, len);
}

const char *Context::builtin_variable(const char *name, size_t *len)
{
    const HTTP_REQUEST_V2 *raw = request.raw;
    const char *url = raw->pRawUrl ? raw->pRawUrl : "";
    size_t url_len = rt::length(url), path_len = 0;
    const char *path = url;
    url_path(url, url_len, &path, &path_len);
    size_t query_at = (size_t)(path - url) + path_len;
    rt::Text text;
    if (rt::equal(name, "REQUEST_METHOD")) {
        text.add(request.GetHttpMethod());
    } else if (rt::equal(name, "URL") || rt::equal(name, "PATH_INFO") ||
               rt::equal(name, "SCRIPT_NAME")) {
        cooked_path(path, path_len, text);
    } else if (rt::equal(name, "QUERY_STRING")) {
        if (query_at < url_len) text.add(url + query_at + 1, url_len - query_at - 1);
    } else if (rt::equal(name, "UNENCODED_URL") || rt::equal(name, "CACHE_URL")) {
        text.add(url, url_len);
    } else if (rt::equal(name, "SERVER_PROTOCOL")) {
        text.add("HTTP/").add_number(raw->Version.MajorVersion).add(".")
            .add_number(raw->Version.MinorVersion);
    } else if (rt::equal(name, "REMOTE_ADDR") || rt::equal(name, "REMOTE_HOST")) {
        add_address(text, raw->Address.pRemoteAddress, false);
    } else if (rt::equal(name, "REMOTE_PORT")) {
        add_address(text, raw->Address.pRemoteAddress, true);
    } else if (rt::equal(name, "LOCAL_ADDR")) {
        add_address(text, raw->Address.pLocalAddress, false);
    } else if (rt::equal(name, "SERVER_PORT")) {
        add_address(text, raw->Address.pLocalAddress, true);
    } else if (rt::equal(name, "SERVER_NAME")) {
        USHORT n = 0;
        PCSTR host_header = request.GetHeader(HttpHeaderHost, &n);
        USHORT end = 0;
        while (end < n && host_header[end] != ':') ++end;
        text.add(host_header ? host_header : "", end);
    } else if (rt::equal(name, "CONTENT_LENGTH")) {
        USHORT n = 0;
        PCSTR value = request.GetHeader(HttpHeaderContentLength, &n);
        text.add(value ? value : "0", value ? n : 1);
    } else if (rt::equal(name, "CONTENT_TYPE")) {
        USHORT n = 0;
        PCSTR value = request.GetHeader(HttpHeaderContentType, &n);
        if (value) text.add(value, n);
    } else if (rt::equal(name, "PATH_TRANSLATED")) {
        DWORD n = 0;
        PCWSTR physical = GetPhysicalPath(&n);
        if (!physical) return 0;
        char *narrow = rt::to_narrow(physical, n);
        text.add(narrow, n);
        delete[] narrow;
    } else if (rt::equal(name, "HTTPS")) {
        text.add("off");
    } else if (rt::equal(name, "INSTANCE_ID")) {
        text.add("1");
    } else if (rt::equal(name, "APP_POOL_ID")) {
        text.add("httpserv-rs");
    } else if (rt::equal(name, "SERVER_SOFTWARE")) {
        text.add("httpserv-rs-iis-host");
    } else if (rt::starts_with(name, "HTTP_")) {
        USHORT n = 0;
        PCSTR value = header_variable(request, name + 5, &n);
        if (!value) return 0;
        *len = n;
        return value;
    } else {
        return 0;
    }
    *len = text.size();
    return copy_string(text.data() ? text.data() : "", text.size());
}

HRESULT Context::GetServerVariable(PCSTR name, PCSTR *value, DWORD *len)
{
    if (!name || !value) return E_INVALIDARG;
    for (Variable *v = variables; v; v = v->next)
        if (rt::equal(v->name, name)) {
            *value = v->narrow;
            if (len) *len = (DWORD)rt::length(v->narrow);
            return S_OK;
        }
    size_t n = 0;
    const char *found = builtin_variable(name, &n);
    if (!found) {
        *value = 0;
        if (len) *len = 0;
        return HRESULT_FROM_WIN32(ERROR_INVALID_INDEX);
    }
    *value = found;
    if (len) *len = (DWORD)n;
    return S_OK;
}

HRESULT Context::GetServerVariable(PCSTR name, PCWSTR *value, DWORD *len)
{
    if (!name || !value) return E_INVALIDARG;
    for (Variable *v = variables; v; v = v->next)
        if (rt::equal(v->name, name)) {
            *value = v->wide;
            if (len) *len = (DWORD)rt::wide_length(v->wide);
            return S_OK;
        }
    PCSTR narrow = 0;
    DWORD n = 0;
    HRESULT hr = GetServerVariable(name, &narrow, &n);
    if (FAILED(hr)) {
        *value = 0;
        return hr;
    }
    wchar_t *wide = (wchar_t *)allocate((n + 1) * sizeof(wchar_t));
    int written = MultiByteToWideChar(CP_UTF8, 0, narrow, (int)n, wide, (int)n);
    wide[written] = 0;
    *value = wide;
    if (len) *len = (DWORD)written;
    return S_OK;
}

/* The name must be a token and the value hold no control but HTAB (wire_ in message.cpp):
   HTTP_ variables are request headers and URL Rewrite sends RESPONSE_ ones as response
   headers, so CR LF here could split a message; as the test server, E_INVALIDARG. */
HRESULT Context::SetServerVariable(PCSTR name, PCWSTR value)
{
    if (!name || !value) return E_INVALIDARG;
    size_t n = rt::wide_length(value);
    if (!wire_token(name, rt::length(name)) || !wire_field(value, n)) return E_INVALIDARG;
    Variable *v = 0;
    for (Variable *each = variables; each; each = each->next)
        if (rt::equal(each->name, name)) v = each;
    if (!v) {
        v = (Variable *)allocate(sizeof(Variable));
        v->name = copy_string(name, rt::length(name));
        v->next = variables;
        variables = v;
    }
    v->wide = (wchar_t *)allocate((n + 1) * sizeof(wchar_t));
    rt::copy(v->wide, value, (n + 1) * sizeof(wchar_t));
    int bytes = WideCharToMultiByte(CP_UTF8, 0, value, (int)n, 0, 0, 0, 0);
    v->narrow = (char *)allocate(bytes + 1);
    WideCharToMultiByte(CP_UTF8, 0, value, (int)n, v->narrow, bytes, 0, 0);
    v->narrow[bytes] = 0;
    return S_OK;
}

/* ---- module context container, trace, providers -------------------------------------- */

IHttpStoredContext *ContextContainer::GetModuleContext(HTTP_MODULE_ID id)
{
    for (int i = 0; i < count; ++i)
        if (ids[i] == id) return stored[i];
    return 0;
}

HRESULT ContextContainer::SetModuleContext(IHttpStoredContext *context, HTTP_MODULE_ID id)
{
    if (!id) return E_INVALIDARG;
    for (int i = 0; i < count; ++i)
        if (ids[i] == id) return HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED);
    if (count == kMaxModules) return E_OUTOFMEMORY;
    ids[count] = id;
    stored[count++] = context;
    return S_OK;
}

void ContextContainer::cleanup()
{
    for (int i = 0; i < count; ++i)
        if (stored[i]) stored[i]->CleanupStoredContext();
    count = 0;
}

HRESULT Trace::GetTraceConfiguration(HTTP_TRACE_CONFIGURATION *configuration)
{
    if (!configuration) return E_INVALIDARG;
    /* No trace provider is enabled, unless the host traces (--trace-events): then every one
       is, all areas, verbose (as the test server's tracing). */
    bool on = context->host->tracing;
    configuration->fProviderEnabled = on ? TRUE : FALSE;
    if (on) {
        configuration->dwAreas = 0xffffffff;
        configuration->dwVerbosity = 5;
    }
    return S_OK;
}

HRESULT Trace::RaiseTraceEvent(HTTP_TRACE_EVENT *event)
{
    if (!event) return E_INVALIDARG;
    rt::Text detail;
    detail.add("event ").add_wide(event->pszEventName).add(" level ").add_number(event->dwVerbosity);
    context->host->log(context, "trace-event", detail.c_str());
    raise_trace_event(context, event);
    return S_OK;
}

HRESULT Trace::QuickTrace(PCWSTR data1, PCWSTR data2, HRESULT hr, UCHAR level)
{
    rt::Text line;
    line.add("quick-trace: request ").add_number(context->number).add(" ").add_wide(data1);
    if (data2) line.add(" ").add_wide(data2);
    line.add(" hr=0x").add_hex((unsigned)hr).add(" level=").add_number(level);
    rt::out_line(line);
    return S_OK;
}

IHttpContext *Providers::GetHttpContext() { return context; }

VOID *Allocator::AllocateMemory(DWORD size) { return context->AllocateRequestMemory(size); }
