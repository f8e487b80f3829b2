/*
 * http.cpp -- real HTTP for the IIS host, through the HTTP Server API as IIS uses it: a
 * server session, a URL group bound to a request queue for http://127.0.0.1:PORT/ (version 2
 * of the API; version 1's HttpCreateHttpHandle/HttpAddUrl when that is all there is), then
 * HttpReceiveHttpRequest for each request, HttpReceiveRequestEntityBody for the rest of its
 * body when a module reads it, and HttpSendHttpResponse for its response.
 *
 * Each request is received into a buffer of Host::receive_bytes (1 MiB unless told), whose
 * unused tail is given back once the request is in. Windows answers a buffer too small with
 * ERROR_MORE_DATA and the size needed, and the host receives again, bigger, with the same
 * request id; wine's http.sys instead fails in a way that stops it serving anyone (FACTS.md),
 * so the first buffer must hold whatever wine delivers: wine never delivers a request larger
 * than about 8 KiB plus the socket's receive buffer (tcp_rmem's default, 128 KiB here), and a
 * head of tiny headers takes about 7 times its size in the HTTP_REQUEST.
 *
 * Requests http.sys would refuse (limits.cpp) are answered here, as it would, and never reach
 * the pipeline. One bad request never stops the loop.
 *
 * `Host::receivers` threads receive (so as many receives are pending at once, see serve()),
 * each handing its requests to the worker pool (pool.cpp) through the host's
 * queue, so a request that is pending or a module that blocks does not stop the next one from
 * being served. The loop ends after `max_requests` requests or a request for /__shutdown
 * (answered by the host itself); then the requests in flight finish, the pool stops and what
 * the host made and freed is reported.
 */
#include "host.h"

namespace {

/* A receive buffer given back (counted: the host reports buffers not freed at exit). */
void release_buffer(Host &host, char *buffer)
{
    VirtualFree(buffer, 0, MEM_RELEASE);
    InterlockedIncrement64(&host.counts.buffers_freed);
}

/* A client that went away before its answer: no fault of the host (IIS logs these as
   sc-win32-status 64 or 1229). */
bool client_gone(ULONG rc)
{
    return rc == ERROR_CONNECTION_INVALID || rc == ERROR_NETNAME_DELETED ||
           rc == ERROR_CONNECTION_ABORTED;
}

class HttpTransport : public Transport
{
public:
    HANDLE queue = 0;
    volatile LONG sent = 0, failed = 0, gone = 0;

    void send(Context *c) override
    {
        ULONG bytes = 0;
        ULONG flags = c->response.need_disconnect ? HTTP_SEND_RESPONSE_FLAG_DISCONNECT : 0;
        ULONG rc = HttpSendHttpResponse(queue, c->request.raw->RequestId, flags,
                                        (HTTP_RESPONSE *)&c->response.raw, 0, &bytes, 0, 0, 0, 0);
        if (rc == NO_ERROR) {
            InterlockedIncrement(&sent);
            return;
        }
        InterlockedIncrement(client_gone(rc) ? &gone : &failed);
        rt::Text line;
        line.add("host: request ").add_number(c->number).add(": HttpSendHttpResponse failed with ")
            .add_number(rc).add(client_gone(rc) ? " (the client is gone)" : "");
        rt::out_line(line);
    }

    ULONG read_entity(Context *c, void *buffer, DWORD size, DWORD *received) override
    {
        ULONG bytes = 0;
        ULONG rc = HttpReceiveRequestEntityBody(queue, c->request.raw->RequestId, 0, buffer, size,
                                                &bytes, 0);
        *received = bytes;
        return rc;
    }

    void finished(Context *c) override { release_buffer(*c->host, (char *)c->transport); }
};

/* Opens the request queue for `url`: API version 2 as IIS does, else version 1. */
bool open_queue(const wchar_t *url, HANDLE *queue, const char **api)
{
    HTTPAPI_VERSION v2 = HTTPAPI_VERSION_2;
    HTTP_SERVER_SESSION_ID session = 0;
    HTTP_URL_GROUP_ID group = 0;
    if (HttpInitialize(v2, HTTP_INITIALIZE_SERVER, 0) == NO_ERROR &&
        HttpCreateServerSession(v2, &session, 0) == NO_ERROR &&
        HttpCreateUrlGroup(session, &group, 0) == NO_ERROR &&
        HttpCreateRequestQueue(v2, 0, 0, 0, queue) == NO_ERROR) {
        HTTP_BINDING_INFO binding;
        memset(&binding, 0, sizeof binding);
        binding.Flags.Present = 1;
        binding.RequestQueueHandle = *queue;
        if (HttpSetUrlGroupProperty(group, HttpServerBindingProperty, &binding, sizeof binding) ==
                NO_ERROR &&
            HttpAddUrlToUrlGroup(group, url, 0, 0) == NO_ERROR) {
            *api = "HTTP Server API 2.0";
            return true;
        }
    }
    HTTPAPI_VERSION v1 = HTTPAPI_VERSION_1;
    if (HttpInitialize(v1, HTTP_INITIALIZE_SERVER, 0) == NO_ERROR &&
        HttpCreateHttpHandle(queue, 0) == NO_ERROR && HttpAddUrl(*queue, url, 0) == NO_ERROR) {
        *api = "HTTP Server API 1.0";
        return true;
    }
    return false;
}

/* A request as received: its buffer (VirtualAlloc'd) and where its data ends. */
struct Received
{
    char *buffer = 0;
    HTTP_REQUEST_V2 *raw = 0;
    const char *end = 0;
};

/* The next request into a buffer of its own, `size` bytes first, then as large as
   ERROR_MORE_DATA says. Pages past the request are decommitted (only the address range stays
   reserved until the request is done): the buffer is large for wine's sake, not for use. */
ULONG receive(Host &host, HANDLE queue, ULONG size, Received *out)
{
    HTTP_REQUEST_ID id = HTTP_NULL_ID;
    for (;;) {
        char *buffer = (char *)VirtualAlloc(0, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        if (!buffer) return ERROR_NOT_ENOUGH_MEMORY;
        InterlockedIncrement64(&host.counts.buffers_made);
        HTTP_REQUEST_V2 *request = (HTTP_REQUEST_V2 *)buffer;
        ULONG bytes = 0;
        ULONG rc = HttpReceiveHttpRequest(queue, id, HTTP_RECEIVE_REQUEST_FLAG_COPY_BODY,
                                          (HTTP_REQUEST *)request, size, &bytes, 0);
        if (rc == NO_ERROR) {
            SIZE_T used = ((SIZE_T)bytes + 4095) & ~(SIZE_T)4095;
            if (used < size) VirtualFree(buffer + used, size - used, MEM_DECOMMIT);
            out->buffer = buffer;
            out->raw = request;
            out->end = buffer + bytes;
            return NO_ERROR;
        }
        HTTP_REQUEST_ID next = request->RequestId;
        release_buffer(host, buffer);
        if (rc != ERROR_MORE_DATA || next == HTTP_NULL_ID) return rc;
        id = next;
        size = bytes > size ? bytes : size * 2;
    }
}

bool is_shutdown(const HTTP_REQUEST_V2 *request)
{
    const char *url = request->pRawUrl;
    return url && request->RawUrlLength == 11 && rt::equal_n(url, "/__shutdown", 11);
}

void answer_shutdown(HANDLE queue, HTTP_REQUEST_V2 *request)
{
    HTTP_RESPONSE_V2 response;
    memset(&response, 0, sizeof response);
    response.Version.MajorVersion = 1;
    response.Version.MinorVersion = 1;
    response.StatusCode = 200;
    response.pReason = "OK";
    response.ReasonLength = 2;
    static char body[] = "shutting down\n";
    HTTP_DATA_CHUNK chunk;
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = body;
    chunk.FromMemory.BufferLength = sizeof body - 1;
    response.EntityChunkCount = 1;
    response.pEntityChunks = &chunk;
    response.Headers.KnownHeaders[HttpHeaderContentLength].pRawValue = "14";
    response.Headers.KnownHeaders[HttpHeaderContentLength].RawValueLength = 2;
    ULONG bytes = 0;
    HttpSendHttpResponse(queue, request->RequestId, 0, (HTTP_RESPONSE *)&response, 0, &bytes, 0,
                         0, 0, 0);
}

/* Answers `in` as http.sys would when it is beyond its limits; true when it did. */
bool refuse(HANDLE queue, const Received &in)
{
    rt::Text why;
    const Refusal *refusal = refusal_for(in.raw, in.end, why);
    if (!refusal) return false;
    ULONG rc = send_refusal(queue, in.raw, *refusal);
    rt::Text line;
    line.add("host: refused a request before the pipeline: ").add_number(refusal->status)
        .add(" ").add(refusal->reason).add(" (").add(why.data(), why.size()).add(")");
    if (rc != NO_ERROR) line.add("; HttpSendHttpResponse failed with ").add_number(rc);
    rt::out_line(line);
    return true;
}

/* What the receiving threads share: the requests taken so far (numbering them), the refused,
   and whether to stop. */
struct Receiving
{
    Host *host;
    HANDLE queue;
    unsigned long long max_requests;
    volatile LONG64 received = 0, refused = 0;
    volatile LONG stop = 0;
};

/* Ends every thread's receive: the stop flag, then the receives pending are cancelled. */
void stop_receiving(Receiving &r)
{
    InterlockedExchange(&r.stop, 1);
    CancelIoEx(r.queue, 0);
}

/* One receiving thread: receives and dispatches until the requests counted reach
   `max_requests` or /__shutdown comes. Failures to receive are logged and the loop goes on,
   unless the queue itself is gone or they keep coming. */
DWORD WINAPI receive_loop(void *parameter)
{
    Receiving &r = *(Receiving *)parameter;
    Host &host = *r.host;
    int failures = 0;
    while (!r.stop && (unsigned long long)r.received < r.max_requests) {
        Received in;
        ULONG rc = receive(host, r.queue, host.receive_bytes, &in);
        if (rc != NO_ERROR) {
            if (r.stop) break;
            rt::Text line;
            line.add("host: HttpReceiveHttpRequest failed with ").add_number(rc);
            rt::out_line(line);
            if (rc == ERROR_INVALID_HANDLE || rc == ERROR_OPERATION_ABORTED || ++failures >= 10)
                break;
            continue;
        }
        failures = 0;
        if (is_shutdown(in.raw)) {
            answer_shutdown(r.queue, in.raw);
            release_buffer(host, in.buffer);
            stop_receiving(r);
            break;
        }
        if (answer_global(host, r.queue, in.raw)) {
            release_buffer(host, in.buffer);
            continue;
        }
        if (refuse(r.queue, in)) {
            release_buffer(host, in.buffer);
            InterlockedIncrement64(&r.refused);
            continue;
        }
        unsigned long long number = (unsigned long long)InterlockedIncrement64(&r.received);
        Context *c = new Context(&host, in.raw, number);
        c->transport = in.buffer;
        c->request.attach_entity();
        /* Logged here, on the receiving thread: a test can tell a request the HTTP Server
           API never delivered from one the pipeline has not answered. */
        host.log(c, "received", 0);
        InterlockedIncrement(&host.in_flight);
        host.post(kStart, c, 0);
        if (number >= r.max_requests) stop_receiving(r);
    }
    return 0;
}

void report(unsigned long long received, unsigned long long refused, HttpTransport &transport)
{
    rt::Text line;
    line.add("host: served ").add_number(received).add(" requests, ").add_number(transport.sent)
        .add(" responses sent, ").add_number(transport.failed).add(" failed");
    rt::out_line(line);
    if (transport.gone) {
        line.clear();
        line.add("host: ").add_number(transport.gone).add(" responses found their client gone");
        rt::out_line(line);
    }
    if (refused) {
        line.clear();
        line.add("host: refused ").add_number(refused).add(" requests before the pipeline");
        rt::out_line(line);
    }
}

} // namespace

int serve(Host &host, unsigned port, unsigned long long max_requests)
{
    rt::Text url;
    url.add("http://127.0.0.1:").add_number(port).add("/");
    wchar_t *wide_url = rt::to_wide(url.data(), url.size());
    HttpTransport transport;
    const char *api = 0;
    if (!open_queue(wide_url, &transport.queue, &api)) {
        rt::out("host: cannot listen through the HTTP Server API\n");
        delete[] wide_url;
        return 2;
    }
    delete[] wide_url;
    host.transport = &transport;
    host.start_pool();
    rt::Text line;
    line.add("host: listening on ").add(url.c_str()).add(" (").add(api).add(", ")
        .add_number((unsigned long long)host.threads).add(" pool threads, ")
        .add_number((unsigned long long)host.receivers).add(" receiving)");
    rt::out_line(line);

    /* Receives pending all the time, one per receiving thread: wine's http.sys hands a
       request that finds none pending to a later receive only when its connection comes
       first in its list, so with fewer than the client's connections some wait unanswered
       (README, "Concurrency"). */
    Receiving receiving;
    receiving.host = &host;
    receiving.queue = transport.queue;
    receiving.max_requests = max_requests;
    HANDLE receivers[kMaxReceivers];
    int started = 0;
    for (; started < host.receivers; ++started) {
        receivers[started] = CreateThread(0, 0, receive_loop, &receiving, 0, 0);
        if (!receivers[started]) break;
    }
    /* A thread that checked the stop flag just before it was set issues its receive after
       the cancel: cancel again until every thread has ended. */
    for (int i = 0; i < started; ++i) {
        while (WaitForSingleObject(receivers[i], 50) == WAIT_TIMEOUT)
            if (receiving.stop) CancelIoEx(transport.queue, 0);
        CloseHandle(receivers[i]);
    }
    unsigned long long received = (unsigned long long)receiving.received;
    unsigned long long refused = (unsigned long long)receiving.refused;
    /* Let the requests in flight finish (pending ones included), then stop the pool. */
    while (host.in_flight > 0) Sleep(5);
    host.stop_pool();
    report(received, refused, transport);
    bool clean = host.report_counts();
    CloseHandle(transport.queue);
    return transport.failed || !clean ? 1 : 0;
}
