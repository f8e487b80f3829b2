/*
 * hello_module.cpp -- tests/examples/hello_module.rs in C++, answering every request byte for
 * byte as the Rust module does (see there for what it shows): a global module marking each
 * request, RQ_BEGIN_REQUEST at HIGH with a stored context in request memory and a server
 * variable, /deny refused at RQ_AUTHENTICATE_REQUEST, the routes of RQ_EXECUTE_REQUEST_HANDLER,
 * the status header at RQ_SEND_RESPONSE, /async completed from a thread of its own, and /meet
 * blocking until N requests are in it at once (IHttpServer::IncrementThreadCount around it).
 * C++ has no panic: /panic answers what the Rust bindings make of one (500, then
 * RQ_NOTIFICATION_FINISH_REQUEST).
 */
#include "../host/rt.h"

namespace {

struct Counters
{
    volatile LONG64 global, begin, authenticate, handler, post_handler, send_response, end,
        disposed, cleaned, async_completions;
} g_counters;

HTTP_MODULE_ID g_module_id;
IHttpServer *g_server;

/* The requests waiting in /meet, the meetings held so far, and the condition they wait on. */
SRWLOCK g_meeting_lock = SRWLOCK_INIT;
CONDITION_VARIABLE g_meeting_changed = CONDITION_VARIABLE_INIT;
ULONGLONG g_waiting, g_held;

void count(volatile LONG64 &counter) { InterlockedIncrement64(&counter); }

/* A server variable (empty when unset); `*len` gets its length. */
PCSTR server_variable(IHttpContext *context, PCSTR name, DWORD *len)
{
    PCSTR value = 0;
    if (FAILED(context->GetServerVariable(name, &value, len)) || !value) {
        *len = 0;
        return "";
    }
    return value;
}

bool is(PCSTR text, DWORD len, const char *literal)
{
    return len == rt::length(literal) && rt::equal_n(text, literal, len);
}

void write_body(IHttpResponse *response, const char *body, size_t len)
{
    HTTP_DATA_CHUNK chunk;
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = (PVOID)body;
    chunk.FromMemory.BufferLength = (ULONG)len;
    DWORD sent = 0;
    BOOL completion_expected = FALSE;
    response->WriteEntityChunks(&chunk, 1, FALSE, FALSE, &sent, &completion_expected);
}

void respond(IHttpContext *context, USHORT status, PCSTR reason, const char *body, size_t len)
{
    IHttpResponse *response = context->GetResponse();
    if (!response) return;
    /* fTrySkipCustomErrors, as the Rust framework's `respond`: a 403 keeps its body. */
    response->SetStatus(status, reason, 0, S_OK, 0, TRUE);
    response->SetHeader("Content-Type", "text/plain", 10, TRUE);
    write_body(response, body, len);
}

void respond(IHttpContext *context, USHORT status, PCSTR reason, rt::Text &body)
{
    respond(context, status, reason, body.data(), body.size());
}

/* `n` in decimal at the start of `buffer`, NUL-terminated; the number of digits. */
USHORT decimal(USHORT n, char buffer[6])
{
    char reversed[5];
    USHORT len = 0;
    do {
        reversed[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    for (USHORT i = 0; i < len; ++i) buffer[i] = reversed[len - 1 - i];
    buffer[len] = 0;
    return len;
}

/* The value of `key` in a query string `a=1&key=value`; false when absent. */
bool query_value(PCSTR query, DWORD len, const char *key, PCSTR *value, DWORD *value_len)
{
    size_t key_len = rt::length(key);
    DWORD start = 0;
    while (start <= len) {
        DWORD end = start;
        while (end < len && query[end] != '&') ++end;
        DWORD equals = start;
        while (equals < end && query[equals] != '=') ++equals;
        if (equals < end && equals - start == key_len && rt::equal_n(query + start, key, key_len)) {
            *value = query + equals + 1;
            *value_len = end - equals - 1;
            return true;
        }
        start = end + 1;
    }
    return false;
}

/* Per-request state kept in the module context container, in request memory. */
class RequestState : public IHttpStoredContext
{
public:
    bool powered_by_at_begin;
    explicit RequestState(bool powered_by) : powered_by_at_begin(powered_by) {}
    /* The memory belongs to the request; there is nothing to free. */
    VOID CleanupStoredContext() override { count(g_counters.cleaned); }
};

struct AsyncWork
{
    IHttpContext *context;
    DWORD ms;
    bool indicate;
};

DWORD WINAPI complete_later(void *parameter)
{
    AsyncWork *work = (AsyncWork *)parameter;
    Sleep(work->ms);
    if (work->indicate) {
        rt::Text body;
        body.add("async: indicated after ").add_number(work->ms).add(" ms\n");
        respond(work->context, 200, "OK", body);
        work->context->IndicateCompletion(RQ_NOTIFICATION_CONTINUE);
    } else {
        work->context->PostCompletion(work->ms);
    }
    delete work;
    return 0;
}

/* `/async?ms=N[&via=indicate][&early=1]`: completes on another thread after N milliseconds;
   with early=1 (posting only) the notification waits for that thread and 20 ms more, so the
   completion comes well before the notification has returned pending (as when asynchronous
   work finishes at once). */
REQUEST_NOTIFICATION_STATUS start_async(IHttpContext *context, PCSTR query, DWORD query_len)
{
    AsyncWork *work = new AsyncWork{context, 20, false};
    PCSTR value;
    DWORD len;
    if (query_value(query, query_len, "ms", &value, &len) && len > 0 && len <= 9) {
        bool digits = true;
        for (DWORD i = 0; i < len; ++i) digits = digits && value[i] >= '0' && value[i] <= '9';
        if (digits) work->ms = (DWORD)rt::parse_number(value, len, 20);
    }
    work->indicate = query_value(query, query_len, "via", &value, &len) && is(value, len, "indicate");
    /* Not with via=indicate, as in the Rust module (whose thread waits for the return). The
       thread frees `work`: read it first. */
    bool early = !work->indicate &&
                 query_value(query, query_len, "early", &value, &len) && is(value, len, "1");
    HANDLE thread = CreateThread(0, 0, complete_later, work, 0, 0);
    if (thread) {
        /* The completion is posted; 20 ms more before the notification returns. */
        if (early) {
            WaitForSingleObject(thread, INFINITE);
            Sleep(20);
        }
        CloseHandle(thread);
    }
    return RQ_NOTIFICATION_PENDING;
}

/* `/meet?n=N[&threads=no]`: waits until N requests are waiting here (this one included), at
   most 10 s, its thread blocked; asks the server for another thread while it
   blocks unless `threads=no`. */
void meet(IHttpContext *context, PCSTR query, DWORD query_len, rt::Text &body)
{
    ULONGLONG n = 2;
    PCSTR value;
    DWORD len;
    if (query_value(query, query_len, "n", &value, &len) && len > 0 && len <= 9) {
        bool digits = true;
        for (DWORD i = 0; i < len; ++i) digits = digits && value[i] >= '0' && value[i] <= '9';
        if (digits) n = rt::parse_number(value, len, 2);
    }
    n = n < 1 ? 1 : n > 64 ? 64 : n;
    bool ask = !(query_value(query, query_len, "threads", &value, &len) && is(value, len, "no"));
    if (ask && g_server) g_server->IncrementThreadCount();
    AcquireSRWLockExclusive(&g_meeting_lock);
    ULONGLONG held = g_held;
    if (++g_waiting >= n) {
        g_waiting = 0;
        ++g_held;
        WakeAllConditionVariable(&g_meeting_changed);
    }
    ULONGLONG deadline = GetTickCount64() + 10000;
    while (g_held == held) {
        ULONGLONG now = GetTickCount64();
        if (now >= deadline) break;
        SleepConditionVariableSRW(&g_meeting_changed, &g_meeting_lock, (DWORD)(deadline - now), 0);
    }
    bool met = g_held != held;
    if (!met) --g_waiting;
    ReleaseSRWLockExclusive(&g_meeting_lock);
    if (ask && g_server) g_server->DecrementThreadCount();
    if (met) body.add("met ").add_number(n).add("\n");
    else body.add("waited 10 s for ").add_number(n).add("\n");
    respond(context, 200, "OK", body);
}

class HelloModule : public CHttpModule
{
public:
    ~HelloModule() override { count(g_counters.disposed); }

    REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext *context, IHttpEventProvider *) override
    {
        count(g_counters.begin);
        IHttpResponse *response = context->GetResponse();
        USHORT len = 0;
        bool powered_by = response && response->GetHeader("X-Powered-By", &len) != 0;
        void *memory = context->AllocateRequestMemory(sizeof(RequestState));
        IHttpModuleContextContainer *container = context->GetModuleContextContainer();
        if (memory && container)
            container->SetModuleContext(new (memory) RequestState(powered_by), g_module_id);
        context->SetServerVariable("HELLO_GREETING", L"Hello");
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnAuthenticateRequest(IHttpContext *context,
                                                      IAuthenticationProvider *) override
    {
        count(g_counters.authenticate);
        DWORD len;
        PCSTR url = server_variable(context, "URL", &len);
        if (is(url, len, "/deny")) {
            static const char body[] = "denied by hello_module\n";
            respond(context, 403, "Forbidden", body, sizeof body - 1);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext *context,
                                                        IHttpEventProvider *) override
    {
        count(g_counters.handler);
        DWORD url_len, query_len;
        PCSTR url = server_variable(context, "URL", &url_len);
        PCSTR query = server_variable(context, "QUERY_STRING", &query_len);
        rt::Text body;
        if (is(url, url_len, "/hello")) {
            DWORD greeting_len, name_len;
            PCSTR greeting = server_variable(context, "HELLO_GREETING", &greeting_len);
            PCSTR name;
            if (!query_value(query, query_len, "name", &name, &name_len)) {
                name = "world";
                name_len = 5;
            }
            body.add(greeting, greeting_len).add(", ").add(name, name_len).add("!\n");
            respond(context, 200, "OK", body);
        } else if (is(url, url_len, "/echo")) {
            echo(context);
        } else if (is(url, url_len, "/async")) {
            return start_async(context, query, query_len);
        } else if (is(url, url_len, "/panic")) {
            /* What the Rust framework makes of a panic: what was written so far (headers
               included) goes, then a bare 500. */
            IHttpResponse *response = context->GetResponse();
            response->Clear();
            response->ClearHeaders();
            response->SetStatus(500, "Internal Server Error", 0, E_FAIL, 0, FALSE);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        } else if (is(url, url_len, "/meet")) {
            meet(context, query, query_len, body);
        } else if (is(url, url_len, "/stats")) {
            const Counters &c = g_counters;
            body.add("global=").add_number(c.global).add(" begin=").add_number(c.begin)
                .add(" authenticate=").add_number(c.authenticate).add(" handler=")
                .add_number(c.handler).add(" post_handler=").add_number(c.post_handler)
                .add(" send_response=").add_number(c.send_response).add(" end=")
                .add_number(c.end).add(" disposed=").add_number(c.disposed).add(" cleaned=")
                .add_number(c.cleaned).add(" async_completions=")
                .add_number(c.async_completions).add("\n");
            respond(context, 200, "OK", body);
        }
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnPostExecuteRequestHandler(IHttpContext *,
                                                            IHttpEventProvider *) override
    {
        count(g_counters.post_handler);
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext *context,
                                               ISendResponseProvider *) override
    {
        count(g_counters.send_response);
        IHttpResponse *response = context->GetResponse();
        USHORT status = 0;
        BOOL skip = FALSE;
        response->GetStatus(&status, 0, 0, 0, 0, 0, 0, 0, &skip);
        char digits[6];
        USHORT len = decimal(status, digits);
        response->SetHeader("X-Hello-Status", digits, len, TRUE);
        const char *custom_errors = skip ? "TrySkip" : "Apply";
        response->SetHeader("X-Hello-Custom-Errors", custom_errors,
                            (USHORT)rt::length(custom_errors), TRUE);
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnEndRequest(IHttpContext *, IHttpEventProvider *) override
    {
        count(g_counters.end);
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IHttpContext *context, DWORD, BOOL,
                                                  IHttpEventProvider *,
                                                  IHttpCompletionInfo *completion) override
    {
        count(g_counters.async_completions);
        rt::Text body;
        body.add("async: completed after ").add_number(completion ? completion->GetCompletionBytes() : 0)
            .add(" ms\n");
        respond(context, 200, "OK", body);
        return RQ_NOTIFICATION_CONTINUE;
    }

private:
    static void line(rt::Text &body, const char *name, PCSTR value, size_t len)
    {
        body.add(name).add(": ").add(value, len).add("\n");
    }

    void echo(IHttpContext *context)
    {
        rt::Text body;
        static const char *const variables[][2] = {
            {"method", "REQUEST_METHOD"}, {"url", "URL"}, {"query", "QUERY_STRING"},
            {"remote", "REMOTE_ADDR"},
        };
        for (const auto &v : variables) {
            DWORD len;
            PCSTR value = server_variable(context, v[1], &len);
            line(body, v[0], value, len);
        }
        IHttpRequest *request = context->GetRequest();
        static const char *const headers[][2] = {
            {"x-echo", "X-Echo"}, {"x-hello-global", "X-Hello-Global"},
        };
        for (const auto &h : headers) {
            USHORT len = 0;
            PCSTR value = request->GetHeader(h[1], &len);
            if (value) line(body, h[0], value, len);
            else line(body, h[0], "(none)", 6);
        }
        RequestState *state = (RequestState *)context->GetModuleContextContainer()->GetModuleContext(g_module_id);
        const char *at_begin = !state ? "(no stored context)"
                                      : state->powered_by_at_begin ? "set" : "not set";
        line(body, "x-powered-by at begin", at_begin, rt::length(at_begin));
        rt::Text entity;
        char buffer[256];
        for (;;) {
            DWORD received = 0;
            HRESULT hr = request->ReadEntityBody(buffer, sizeof buffer, FALSE, &received, 0);
            if (FAILED(hr) || !received) break;
            entity.add(buffer, received);
        }
        line(body, "entity", entity.data() ? entity.data() : "", entity.size());
        IHttpTraceContext *trace = context->GetTraceContext();
        if (trace) trace->QuickTrace(L"hello_module", L"echo", S_OK, 4);
        respond(context, 200, "OK", body);
    }
};

class Factory final : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(CHttpModule **module, IModuleAllocator *) override
    {
        if (!module) return E_INVALIDARG;
        *module = new HelloModule;
        return S_OK;
    }
    VOID Terminate() override { delete this; }
};

class Global final : public CGlobalModule
{
public:
    GLOBAL_NOTIFICATION_STATUS OnGlobalPreBeginRequest(IPreBeginRequestProvider *provider) override
    {
        count(g_counters.global);
        IHttpContext *context = provider ? provider->GetHttpContext() : 0;
        IHttpRequest *request = context ? context->GetRequest() : 0;
        if (request) request->SetHeader("X-Hello-Global", "pre-begin", 9, TRUE);
        return GL_NOTIFICATION_CONTINUE;
    }
    VOID Terminate() override { delete this; }
};

} // namespace

extern "C" __declspec(dllexport) HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo *info,
                                                               IHttpServer *server)
{
    if (!info) return E_INVALIDARG;
    g_module_id = info->GetId();
    g_server = server;
    DWORD request = RQ_BEGIN_REQUEST | RQ_AUTHENTICATE_REQUEST | RQ_EXECUTE_REQUEST_HANDLER |
                    RQ_SEND_RESPONSE | RQ_END_REQUEST;
    HRESULT hr = info->SetRequestNotifications(new Factory, request, RQ_EXECUTE_REQUEST_HANDLER);
    if (FAILED(hr)) return hr;
    hr = info->SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, PRIORITY_ALIAS_HIGH);
    if (FAILED(hr)) return hr;
    return info->SetGlobalNotifications(new Global, GL_PRE_BEGIN_REQUEST);
}
