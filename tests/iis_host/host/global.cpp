/*
 * global.cpp -- the global notifications of the IIS host beyond GL_PRE_BEGIN_REQUEST (which
 * pipeline.cpp raises) and the application's start and stop (application.cpp), as the test
 * server raises them: each through the CGlobalModule method of its flag, to the global
 * modules registered for it by priority (equal ones in load order), until one answers
 * GL_NOTIFICATION_HANDLED or sets a failure with SetErrorStatus.
 *
 * - GL_TRACE_EVENT while the host traces (--trace-events), during the request's
 *   IHttpTraceContext::RaiseTraceEvent, with the event and the request.
 * - GL_CONFIGURATION_CHANGE, GL_FILE_CHANGE and GL_CUSTOM_NOTIFICATION when a module calls
 *   IHttpServer::NotifyConfigurationChange, NotifyFileChange or NotifyCustomNotification (the
 *   last with the module's own provider, until a module handles it), during the call.
 * - On demand, through URLs the host answers itself (as /__shutdown): /__global/health-check,
 *   /__global/cache-cleanup, /__global/thread-cleanup, /__global/application-preload, and
 *   /__global/configuration-change,
 *   /__global/file-change, /__global/custom-notification, /__global/cache-operation and
 *   /__global/rsca-query with their arguments in the query (`path=`, `file=`, `type=`,
 *   `operation=`, `function=` and `parameters=`, percent-decoded). The answer is what was
 *   raised: one `notify GL_NAME module` line per module called, then `handled true|false`,
 *   `error none|0xHRESULT`, and for an answered RSCA query `result HEXBYTES 0xHRESULT`.
 */
#include "global.h"

namespace {

struct Name
{
    DWORD flag;
    const char *name;
};

const Name kNames[] = {
    {GL_STOP_LISTENING, "GL_STOP_LISTENING"},
    {GL_CACHE_CLEANUP, "GL_CACHE_CLEANUP"},
    {GL_HEALTH_CHECK, "GL_HEALTH_CHECK"},
    {GL_CONFIGURATION_CHANGE, "GL_CONFIGURATION_CHANGE"},
    {GL_FILE_CHANGE, "GL_FILE_CHANGE"},
    {GL_APPLICATION_START, "GL_APPLICATION_START"},
    {GL_APPLICATION_RESOLVE_MODULES, "GL_APPLICATION_RESOLVE_MODULES"},
    {GL_APPLICATION_STOP, "GL_APPLICATION_STOP"},
    {GL_TRACE_EVENT, "GL_TRACE_EVENT"},
    {GL_CUSTOM_NOTIFICATION, "GL_CUSTOM_NOTIFICATION"},
    {GL_THREAD_CLEANUP, "GL_THREAD_CLEANUP"},
    {GL_APPLICATION_PRELOAD, "GL_APPLICATION_PRELOAD"},
    {GL_CACHE_OPERATION, "GL_CACHE_OPERATION"},
    {GL_RSCA_QUERY, "GL_RSCA_QUERY"},
};

const char *name_of(DWORD flag)
{
    for (const Name &n : kNames)
        if (n.flag == flag) return n.name;
    return "GL_UNKNOWN";
}

/* Calls the method of `flag` on `m` with the provider class it takes. */
GLOBAL_NOTIFICATION_STATUS deliver(CGlobalModule *m, DWORD flag, GlobalProvider &p)
{
    switch (flag) {
    case GL_STOP_LISTENING:
        return m->OnGlobalStopListening(static_cast<IGlobalStopListeningProvider *>(&p));
    case GL_CACHE_CLEANUP: return m->OnGlobalCacheCleanup();
    case GL_HEALTH_CHECK: return m->OnGlobalHealthCheck();
    case GL_CONFIGURATION_CHANGE:
        return m->OnGlobalConfigurationChange(
            static_cast<IGlobalConfigurationChangeProvider *>(&p));
    case GL_FILE_CHANGE:
        return m->OnGlobalFileChange(static_cast<IGlobalFileChangeProvider *>(&p));
    case GL_APPLICATION_START:
        return m->OnGlobalApplicationStart(static_cast<IHttpApplicationProvider *>(&p));
    case GL_APPLICATION_RESOLVE_MODULES:
        return m->OnGlobalApplicationResolveModules(
            static_cast<IHttpApplicationResolveModulesProvider *>(&p));
    case GL_APPLICATION_STOP:
        return m->OnGlobalApplicationStop(static_cast<IHttpApplicationProvider *>(&p));
    case GL_TRACE_EVENT:
        return m->OnGlobalTraceEvent(static_cast<IGlobalTraceEventProvider *>(&p));
    case GL_CUSTOM_NOTIFICATION:
        return m->OnGlobalCustomNotification(static_cast<ICustomNotificationProvider *>(&p));
    case GL_THREAD_CLEANUP:
        return m->OnGlobalThreadCleanup(static_cast<IGlobalThreadCleanupProvider *>(&p));
    case GL_APPLICATION_PRELOAD:
        return m->OnGlobalApplicationPreload(static_cast<IGlobalApplicationPreloadProvider *>(&p));
    case GL_CACHE_OPERATION: return m->OnGlobalCacheOperation(static_cast<ICacheProvider *>(&p));
    case GL_RSCA_QUERY:
        return m->OnGlobalRSCAQuery(static_cast<IGlobalRSCAQueryProvider *>(&p));
    }
    return GL_NOTIFICATION_CONTINUE;
}

/* `notify GL_NAME module` in the request's log, or the host's global one. */
void log_notify(Host *host, Context *request, const char *what)
{
    if (request) {
        host->log(request, "notify", what);
    } else if (host->trace) {
        rt::Text line;
        line.add("trace: global notify ").add(what);
        rt::out_line(line);
    }
}

} // namespace

void raise_global(Host *host, DWORD flag, GlobalProvider &provider, Context *request,
                  Raised *raised)
{
    int order[kMaxModules];
    int n = host->global_order(flag, order);
    for (int i = 0; i < n; ++i) {
        Registration &r = host->registrations[order[i]];
        rt::Text what;
        what.add(name_of(flag)).add(" ").add_wide(r.name);
        log_notify(host, request, what.c_str());
        if (raised) raised->trace.add("notify ").add(what.data(), what.size()).add("\n");
        GLOBAL_NOTIFICATION_STATUS status = deliver(r.global, flag, provider);
        if (raised) {
            raised->error_set = provider.error_set;
            raised->error = provider.error;
        }
        if (status == GL_NOTIFICATION_HANDLED) {
            if (raised) raised->handled = true;
            break;
        }
        if (provider.error_set && FAILED(provider.error)) break;
    }
    if (raised && provider.result_set) {
        raised->result_set = true;
        raised->result = provider.result;
        const GlobalProvider::Buffer *newest = provider.buffers;
        DWORD n = !newest ? 0 : provider.result_bytes < newest->size ? provider.result_bytes
                                                                     : newest->size;
        if (n) raised->result_bytes.add((const char *)newest->data, n);
    }
}

/* ---- the providers' methods ---------------------------------------------------------- */

HRESULT GlobalProvider::GetTraceEvent(HTTP_TRACE_EVENT **out)
{
    if (!out) return E_POINTER;
    if (!event) return E_NOTIMPL;
    *out = event;
    return S_OK;
}

/* While the host traces, every loaded module is subscribed to every provider. */
BOOL GlobalProvider::CheckSubscription(HTTP_MODULE_ID id)
{
    for (int i = 0; i < host->count; ++i)
        if (host->registrations[i].GetId() == id) return TRUE;
    return FALSE;
}

HRESULT GlobalProvider::GetCurrentHttpRequestContext(IHttpContext **out)
{
    if (!out) return E_POINTER;
    if (!context) return E_NOTIMPL;
    *out = context;
    return S_OK;
}

/* A zeroed buffer of `size` bytes, valid until the notification ends. */
HRESULT GlobalProvider::GetOutputBuffer(DWORD size, BYTE **out)
{
    if (!out) return E_POINTER;
    Buffer *buffer = (Buffer *)::operator new(sizeof(Buffer) + size);
    if (!buffer) return E_OUTOFMEMORY;
    memset(buffer, 0, sizeof(Buffer) + size);
    buffer->next = buffers;
    buffer->size = size;
    buffers = buffer;
    *out = buffer->data;
    return S_OK;
}

VOID GlobalProvider::SetResult(DWORD bytes, HRESULT hr)
{
    result_set = true;
    result_bytes = bytes;
    result = hr;
}

GlobalProvider::~GlobalProvider()
{
    while (buffers) {
        Buffer *next = buffers->next;
        ::operator delete(buffers);
        buffers = next;
    }
}

void raise_trace_event(Context *c, HTTP_TRACE_EVENT *event)
{
    if (!c->host->tracing) return;
    GlobalProvider provider;
    provider.host = c->host;
    provider.event = event;
    provider.context = c;
    raise_global(c->host, GL_TRACE_EVENT, provider, c, 0);
}

/* ---- raised by modules through the server --------------------------------------------- */

VOID Server::NotifyConfigurationChange(PCWSTR path)
{
    GlobalProvider provider;
    provider.host = host;
    provider.text = path;
    raise_global(host, GL_CONFIGURATION_CHANGE, provider, 0, 0);
}

VOID Server::NotifyFileChange(PCWSTR file)
{
    GlobalProvider provider;
    provider.host = host;
    provider.text = file;
    raise_global(host, GL_FILE_CHANGE, provider, 0, 0);
}

/* With the calling module's own provider: by priority until a module handles it (what the
   modules tell the provider with SetErrorStatus is the caller's business). */
GLOBAL_NOTIFICATION_STATUS Server::NotifyCustomNotification(ICustomNotificationProvider *p)
{
    if (!p) return GL_NOTIFICATION_CONTINUE;
    int order[kMaxModules];
    int n = host->global_order(GL_CUSTOM_NOTIFICATION, order);
    for (int i = 0; i < n; ++i) {
        Registration &r = host->registrations[order[i]];
        rt::Text what;
        what.add("GL_CUSTOM_NOTIFICATION ").add_wide(r.name);
        log_notify(host, 0, what.c_str());
        if (r.global->OnGlobalCustomNotification(p) == GL_NOTIFICATION_HANDLED)
            return GL_NOTIFICATION_HANDLED;
    }
    return GL_NOTIFICATION_CONTINUE;
}

/* ---- on demand: /__global/... ---------------------------------------------------------- */

namespace {

int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The value of parameter `name` of the query, percent-decoded, as UTF-16; null when the
   query has none. The caller frees it with delete[]. */
wchar_t *query_value(const char *query, size_t len, const char *name)
{
    size_t name_len = rt::length(name), at = 0;
    for (;;) {
        if (at + name_len < len && rt::equal_n(query + at, name, name_len) &&
            query[at + name_len] == '=')
            break;
        while (at < len && query[at] != '&') ++at;
        if (at++ >= len) return 0;
    }
    size_t end = at + name_len + 1;
    while (end < len && query[end] != '&') ++end;
    len = end;
    rt::Text decoded;
    for (size_t i = at + name_len + 1; i < len; ++i) {
        int high = i + 2 < len ? hex_digit(query[i + 1]) : -1;
        int low = i + 2 < len ? hex_digit(query[i + 2]) : -1;
        if (query[i] == '%' && high >= 0 && low >= 0) {
            decoded.add_char((char)(high * 16 + low));
            i += 2;
        } else {
            decoded.add_char(query[i]);
        }
    }
    int n = MultiByteToWideChar(CP_UTF8, 0, decoded.data(), (int)decoded.size(), 0, 0);
    wchar_t *wide = new wchar_t[n + 1];
    MultiByteToWideChar(CP_UTF8, 0, decoded.data(), (int)decoded.size(), wide, n);
    wide[n] = 0;
    return wide;
}

/* An on-demand notification: its URL's name, its flag, and the query parameter of its
   provider's text (required) when it has one. */
struct OnDemand
{
    const char *path;
    DWORD flag;
    const char *argument;
};

const OnDemand kOnDemand[] = {
    {"health-check", GL_HEALTH_CHECK, 0},
    {"cache-cleanup", GL_CACHE_CLEANUP, 0},
    {"thread-cleanup", GL_THREAD_CLEANUP, 0},
    {"configuration-change", GL_CONFIGURATION_CHANGE, "path"},
    {"file-change", GL_FILE_CHANGE, "file"},
    {"custom-notification", GL_CUSTOM_NOTIFICATION, "type"},
    {"application-preload", GL_APPLICATION_PRELOAD, 0},
    {"cache-operation", GL_CACHE_OPERATION, 0},
    {"rsca-query", GL_RSCA_QUERY, "function"},
};

/* Raises what `name` (the path after /__global/) names; false when it names nothing. */
bool raise_on_demand(Host &host, const char *name, size_t name_len, const char *query,
                     size_t query_len, Raised &raised)
{
    for (const OnDemand &d : kOnDemand) {
        if (rt::length(d.path) != name_len || !rt::equal_n(d.path, name, name_len)) continue;
        wchar_t *argument = d.argument ? query_value(query, query_len, d.argument) : 0;
        if (d.argument && !argument) return false;
        wchar_t *parameters = query_value(query, query_len, "parameters");
        wchar_t *operation = query_value(query, query_len, "operation");
        GlobalProvider provider;
        provider.host = &host;
        provider.text = argument;
        provider.parameters = parameters;
        /* GL_CACHE_OPERATION: the operation's number (CACHE_OPERATION_RETRIEVE unless told). */
        for (const wchar_t *digit = operation; digit && *digit >= L'0' && *digit <= L'9'; ++digit)
            provider.cache_operation =
                (CACHE_OPERATION)(provider.cache_operation * 10 + (*digit - L'0'));
        /* GL_THREAD_CLEANUP: the application the thread worked for, if it runs. */
        if (d.flag == GL_THREAD_CLEANUP && host.application.running())
            provider.application = &host.application;
        raise_global(&host, d.flag, provider, 0, &raised);
        delete[] argument;
        delete[] parameters;
        delete[] operation;
        return true;
    }
    return false;
}

/* `hr` as the test server's `{:#010x}`: 0x and eight hex digits. */
void add_code(rt::Text &text, HRESULT hr)
{
    rt::Text digits;
    digits.add_hex((unsigned)hr);
    text.add("0x");
    for (size_t i = digits.size(); i < 8; ++i) text.add("0");
    text.add(digits.data(), digits.size());
}

void send_text(HANDLE queue, const HTTP_REQUEST_V2 *raw, USHORT status, const char *reason,
               rt::Text &body)
{
    HTTP_RESPONSE_V2 response;
    memset(&response, 0, sizeof response);
    response.Version.MajorVersion = 1;
    response.Version.MinorVersion = 1;
    response.StatusCode = status;
    response.pReason = reason;
    response.ReasonLength = (USHORT)rt::length(reason);
    HTTP_DATA_CHUNK chunk;
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = (void *)body.c_str();
    chunk.FromMemory.BufferLength = (ULONG)body.size();
    response.EntityChunkCount = 1;
    response.pEntityChunks = &chunk;
    rt::Text length;
    length.add_number(body.size());
    HTTP_KNOWN_HEADER &content_length = response.Headers.KnownHeaders[HttpHeaderContentLength];
    content_length.pRawValue = length.c_str();
    content_length.RawValueLength = (USHORT)length.size();
    HTTP_KNOWN_HEADER &content_type = response.Headers.KnownHeaders[HttpHeaderContentType];
    content_type.pRawValue = "text/plain";
    content_type.RawValueLength = 10;
    ULONG bytes = 0;
    HttpSendHttpResponse(queue, raw->RequestId, 0, (HTTP_RESPONSE *)&response, 0, &bytes, 0, 0,
                         0, 0);
}

} // namespace

bool answer_global(Host &host, HANDLE queue, const HTTP_REQUEST_V2 *raw)
{
    static const char kPrefix[] = "/__global/";
    const size_t prefix = sizeof kPrefix - 1;
    const char *url = raw->pRawUrl;
    size_t len = raw->RawUrlLength;
    if (!url || len < prefix || !rt::equal_n(url, kPrefix, prefix)) return false;
    size_t end = prefix;
    while (end < len && url[end] != '?') ++end;
    const char *query = end < len ? url + end + 1 : url + len;
    Raised raised;
    rt::Text body;
    if (!raise_on_demand(host, url + prefix, end - prefix, query, url + len - query, raised)) {
        body.add("no such global notification: ").add(url, len).add("\n");
        send_text(queue, raw, 404, "Not Found", body);
        return true;
    }
    body.add(raised.trace.data() ? raised.trace.data() : "", raised.trace.size());
    body.add("handled ").add(raised.handled ? "true" : "false").add("\n");
    body.add("error ");
    if (raised.error_set) {
        add_code(body, raised.error);
    } else {
        body.add("none");
    }
    body.add("\n");
    if (raised.result_set) {
        /* GL_RSCA_QUERY's answer: the bytes in hex, and the result. */
        body.add("result ");
        for (size_t i = 0; i < raised.result_bytes.size(); ++i) {
            unsigned char byte = (unsigned char)raised.result_bytes.data()[i];
            body.add_char("0123456789abcdef"[byte >> 4]).add_char("0123456789abcdef"[byte & 15]);
        }
        add_code(body.add(" "), raised.result);
        body.add("\n");
    }
    send_text(queue, raw, 200, "OK", body);
    rt::Text line;
    line.add("host: raised on demand: ").add(url, len);
    rt::out_line(line);
    return true;
}
