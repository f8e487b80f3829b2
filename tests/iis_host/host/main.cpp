/*
 * main.cpp -- the IIS host's entry point (no CRT: `host_main`, output through kernel32).
 *
 *   iis_host.exe --module NAME=PATH.dll [--module ...] [--port N] [--requests N]
 *                [--seconds N] [--trace] [--trace-events] [--max-allowed-content-length BYTES]
 *                [--max-url BYTES] [--max-query-string BYTES]
 *                [--receive-buffer BYTES] [--threads N] [--receivers N]
 *                [--fail-allocation-every N] [--async-io-later]
 *                [--error-mode DetailedLocalOnly|Custom|Detailed]
 *                [--existing-response Auto|Replace|PassThrough] [--site-root DIR]
 *                [--bench N --url /path?query]
 *
 * Loads each module in order, as IIS loads its <globalModules>, then either serves HTTP on
 * 127.0.0.1:PORT until N requests (default 100) or /__shutdown, or (--bench) drives N
 * synthetic GET requests for --url through the pipeline in process, with no HTTP, and prints
 * the elapsed performance-counter ticks. A watchdog ends the process after --seconds
 * (default 60) whatever happens. Then every module is terminated and its DLL freed.
 * --max-allowed-content-length, --max-url and --max-query-string are IIS's request filtering
 * limits (defaults 30000000, 4096 and 2048 bytes);
 * --receive-buffer the size each request is received into (default 1 MiB; see http.cpp);
 * --trace-events turns tracing on (trace events raised as GL_TRACE_EVENT, see global.cpp);
 * --threads the worker pool's size (default 4, pool.cpp); --receivers the threads receiving
 * requests (default 64, http.cpp); --fail-allocation-every N makes
 * every Nth module allocation of request memory return NULL (a fault to survive);
 * --async-io-later completes asynchronous reads, writes and flushes later, through the pool,
 * as IIS may (by default they complete at once; see message.cpp).
 * --error-mode and --existing-response are the site's <httpErrors> attributes (IIS's
 * defaults DetailedLocalOnly and Auto; errors.cpp). --site-root is the directory the site's
 * C:\inetpub\wwwroot stands for: IIS's static file handler serves it (files.cpp); without it
 * a request no module answered is a 404.
 * Exit code: 0 when everything went through, 1 when a response failed, 2 on a usage or load
 * error, 3 when the watchdog fired.
 */
#include "host.h"

int serve(Host &host, unsigned port, unsigned long long max_requests);

namespace {

struct Options
{
    wchar_t *names[kMaxModules];
    wchar_t *images[kMaxModules];
    int modules = 0;
    unsigned port = 8123;
    unsigned long long requests = 100, seconds = 60, bench = 0;
    unsigned long long max_content_length = 30000000, receive_bytes = 1024 * 1024;
    unsigned long long max_url = 4096, max_query_string = 2048;
    unsigned long long threads = 4, receivers = 64, fail_allocation_every = 0;
    char *url = 0;
    const wchar_t *site_root = 0;
    bool trace = false, trace_events = false, async_io_later = false;
    int error_mode = kDetailedLocalOnly, existing_response = kAuto;
};

/* The command line split at spaces outside double quotes. */
int split(wchar_t *line, wchar_t **argv, int max)
{
    int argc = 0;
    while (*line && argc < max) {
        while (*line == L' ' || *line == L'\t') ++line;
        if (!*line) break;
        bool quoted = *line == L'"';
        if (quoted) ++line;
        argv[argc++] = line;
        while (*line && (quoted ? *line != L'"' : (*line != L' ' && *line != L'\t'))) ++line;
        if (*line) *line++ = 0;
    }
    return argc;
}

bool same(const wchar_t *a, const wchar_t *b)
{
    while (*a && *a == *b) { ++a; ++b; }
    return *a == *b;
}

unsigned long long number(const wchar_t *text)
{
    unsigned long long n = 0;
    for (; *text >= L'0' && *text <= L'9'; ++text) n = n * 10 + (unsigned)(*text - L'0');
    return n;
}

bool parse(Options &o)
{
    wchar_t *argv[64];
    int argc = split(GetCommandLineW(), argv, 64);
    for (int i = 1; i < argc; ++i) {
        const wchar_t *arg = argv[i];
        const wchar_t *value = i + 1 < argc ? argv[i + 1] : 0;
        if (same(arg, L"--trace")) { o.trace = true; continue; }
        if (same(arg, L"--trace-events")) { o.trace_events = true; continue; }
        if (same(arg, L"--async-io-later")) { o.async_io_later = true; continue; }
        if (!value) return false;
        ++i;
        if (same(arg, L"--port")) o.port = (unsigned)number(value);
        else if (same(arg, L"--requests")) o.requests = number(value);
        else if (same(arg, L"--seconds")) o.seconds = number(value);
        else if (same(arg, L"--bench")) o.bench = number(value);
        else if (same(arg, L"--max-allowed-content-length")) o.max_content_length = number(value);
        else if (same(arg, L"--max-url")) o.max_url = number(value);
        else if (same(arg, L"--max-query-string")) o.max_query_string = number(value);
        else if (same(arg, L"--receive-buffer")) o.receive_bytes = number(value);
        else if (same(arg, L"--threads")) o.threads = number(value);
        else if (same(arg, L"--receivers")) o.receivers = number(value);
        else if (same(arg, L"--fail-allocation-every")) o.fail_allocation_every = number(value);
        else if (same(arg, L"--error-mode"))
            o.error_mode = same(value, L"DetailedLocalOnly") ? kDetailedLocalOnly
                           : same(value, L"Custom")          ? kCustom
                           : same(value, L"Detailed")        ? kDetailed
                                                             : -1;
        else if (same(arg, L"--existing-response"))
            o.existing_response = same(value, L"Auto")          ? kAuto
                                  : same(value, L"Replace")     ? kReplace
                                  : same(value, L"PassThrough") ? kPassThrough
                                                                : -1;
        else if (same(arg, L"--site-root")) o.site_root = value;
        else if (same(arg, L"--url")) o.url = rt::to_narrow(value, rt::wide_length(value));
        else if (same(arg, L"--module") && o.modules < kMaxModules) {
            wchar_t *equals = argv[i];
            while (*equals && *equals != L'=') ++equals;
            if (!*equals) return false;
            *equals = 0;
            o.names[o.modules] = argv[i];
            o.images[o.modules++] = equals + 1;
        } else {
            return false;
        }
    }
    /* Room for the request structure at least; a 32-bit size for the API. */
    bool buffer_ok = o.receive_bytes >= 4096 && o.receive_bytes <= 0x7fffffff;
    bool threads_ok = o.threads >= 1 && o.threads <= (unsigned long long)Host::kMaxThreads &&
                      o.receivers >= 1 && o.receivers <= (unsigned long long)kMaxReceivers &&
                      o.fail_allocation_every <= 0xffffffffull;
    bool errors_ok = o.error_mode >= 0 && o.existing_response >= 0;
    return o.modules > 0 && (!o.bench || o.url) && buffer_ok && threads_ok && errors_ok;
}

DWORD WINAPI watchdog(void *parameter)
{
    unsigned long long seconds = *(unsigned long long *)parameter;
    Sleep((DWORD)(seconds * 1000));
    rt::out("host: time limit reached, exiting\n");
    ExitProcess(3);
}

/* ---- in-process benchmark ------------------------------------------------------------- */

class NullTransport : public Transport
{
public:
    unsigned long long bytes = 0, finished_count = 0;
    USHORT last_status = 0;

    void send(Context *c) override
    {
        bytes += c->response.entity_length();
        last_status = c->response.raw.StatusCode;
    }
    void finished(Context *c) override
    {
        ++finished_count;
        delete[] (char *)c->transport;
    }
};

/* A GET request as the HTTP Server API would deliver it, in one buffer of its own. */
HTTP_REQUEST_V2 *synthetic_request(const char *url, unsigned long long id, char **buffer_out)
{
    static const char host[] = "127.0.0.1:8123", agent[] = "iis-host-bench";
    static wchar_t wide_path[256];
    size_t url_len = rt::length(url);
    char *buffer = new char[sizeof(HTTP_REQUEST_V2) + 2 * sizeof(SOCKADDR_IN)];
    memset(buffer, 0, sizeof(HTTP_REQUEST_V2) + 2 * sizeof(SOCKADDR_IN));
    HTTP_REQUEST_V2 *r = (HTTP_REQUEST_V2 *)buffer;
    SOCKADDR_IN *addresses = (SOCKADDR_IN *)(buffer + sizeof(HTTP_REQUEST_V2));
    for (int i = 0; i < 2; ++i) {
        addresses[i].sin_family = AF_INET;
        addresses[i].sin_port = (USHORT)(i ? 0xbb1f : 0x8c9c); /* 8123, 40076, big-endian */
        addresses[i].sin_addr.s_addr = 0x0100007f;             /* 127.0.0.1 */
    }
    r->Address.pLocalAddress = (PSOCKADDR)&addresses[1];
    r->Address.pRemoteAddress = (PSOCKADDR)&addresses[0];
    r->RequestId = id;
    r->Version.MajorVersion = 1;
    r->Version.MinorVersion = 1;
    r->Verb = HttpVerbGET;
    r->pRawUrl = url;
    r->RawUrlLength = (USHORT)url_len;
    size_t path = 0;
    for (; path < url_len && path < 255; ++path) wide_path[path] = (wchar_t)url[path];
    r->CookedUrl.pAbsPath = wide_path;
    r->CookedUrl.AbsPathLength = (USHORT)(path * sizeof(wchar_t));
    r->Headers.KnownHeaders[HttpHeaderHost].pRawValue = host;
    r->Headers.KnownHeaders[HttpHeaderHost].RawValueLength = sizeof host - 1;
    r->Headers.KnownHeaders[HttpHeaderUserAgent].pRawValue = agent;
    r->Headers.KnownHeaders[HttpHeaderUserAgent].RawValueLength = sizeof agent - 1;
    *buffer_out = buffer;
    return r;
}

/* Runs one request through the pipeline to its end (pending ones included). */
void run_one(Host &host, NullTransport &transport, const char *url, unsigned long long id)
{
    char *buffer = 0;
    HTTP_REQUEST_V2 *raw = synthetic_request(url, id, &buffer);
    Context *c = new Context(&host, raw, id);
    c->transport = buffer;
    InterlockedIncrement(&host.in_flight);
    unsigned long long target = transport.finished_count + 1;
    host.dispatch(kStart, c, 0);
    while (transport.finished_count < target) host.handle_one(INFINITE);
}

/* Valgrind's client requests, by its documented machine-code protocol: a no-op outside
   valgrind; under `valgrind --tool=callgrind --instr-atstart=no` they switch counting on and
   off, so the instruction count covers the benchmark loop alone. */
enum CallgrindRequest { kCallgrindStart = 0x43540004, kCallgrindStop = 0x43540005 };

void callgrind(CallgrindRequest request)
{
    volatile ULONG_PTR args[6] = {(ULONG_PTR)request, 0, 0, 0, 0, 0};
    ULONG_PTR result = 0;
#if defined(_M_X64)
    __asm__ volatile("rolq $3, %%rdi; rolq $13, %%rdi; rolq $61, %%rdi; rolq $51, %%rdi\n\t"
                     "xchgq %%rbx, %%rbx"
                     : "=d"(result) : "a"(&args[0]), "0"(result) : "cc", "memory");
#else
    __asm__ volatile("roll $3, %%edi; roll $13, %%edi; roll $29, %%edi; roll $19, %%edi\n\t"
                     "xchgl %%ebx, %%ebx"
                     : "=d"(result) : "a"(&args[0]), "0"(result) : "cc", "memory");
#endif
}

int bench(Host &host, const char *url, unsigned long long n)
{
    NullTransport transport;
    host.transport = &transport;
    /* Warm-up: caches, lazily initialized module state, the heap. */
    unsigned long long warmup = n / 10 + 1;
    for (unsigned long long i = 0; i < warmup; ++i) run_one(host, transport, url, i + 1);
    unsigned long long bytes_before = transport.bytes;
    LARGE_INTEGER start, end, frequency;
    QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&start);
    callgrind(kCallgrindStart);
    for (unsigned long long i = 0; i < n; ++i) run_one(host, transport, url, warmup + i + 1);
    callgrind(kCallgrindStop);
    QueryPerformanceCounter(&end);
    rt::Text line;
    line.add("bench: url=").add(url).add(" requests=").add_number(n)
        .add(" ticks=").add_number((unsigned long long)(end.QuadPart - start.QuadPart))
        .add(" frequency=").add_number((unsigned long long)frequency.QuadPart)
        .add(" status=").add_number(transport.last_status)
        .add(" bytes=").add_number(transport.bytes - bytes_before);
    rt::out_line(line);
    return transport.last_status == 200 ? 0 : 1;
}

} // namespace

extern "C" void host_main()
{
    Options options;
    if (!parse(options)) {
        rt::out("usage: iis_host.exe --module NAME=PATH.dll [--module ...] [--port N] "
                "[--requests N] [--seconds N] [--trace] [--trace-events] "
                "[--max-allowed-content-length BYTES] [--max-url BYTES] [--max-query-string BYTES] "
                "[--receive-buffer BYTES (4096 or more)] [--threads 1-256] "
                "[--receivers 1-256] [--fail-allocation-every N] [--async-io-later] "
                "[--error-mode DetailedLocalOnly|Custom|Detailed] "
                "[--existing-response Auto|Replace|PassThrough] [--site-root DIR] "
                "[--bench N --url /path]\n");
        ExitProcess(2);
    }
    CreateThread(0, 0, watchdog, &options.seconds, 0, 0);
    Host host;
    host.trace = options.trace;
    host.tracing = options.trace_events;
    host.async_io_later = options.async_io_later;
    host.error_mode = (ErrorMode)options.error_mode;
    host.existing_response = (ExistingResponse)options.existing_response;
    host.max_content_length = options.max_content_length;
    host.max_url = options.max_url;
    host.max_query_string = options.max_query_string;
    host.receive_bytes = (ULONG)options.receive_bytes;
    host.threads = (LONG)options.threads;
    host.receivers = (int)options.receivers;
    host.fail_allocation_every = (ULONG)options.fail_allocation_every;
    host.site_root = options.site_root;
    host.server.host = &host;
    /* Concurrency 0: as many running threads as processors (the pool may hold more). */
    host.queue = CreateIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, 0);
    for (int i = 0; i < options.modules; ++i)
        if (!host.load(options.names[i], options.images[i])) {
            host.unload();
            ExitProcess(2);
        }
    int code = options.bench ? bench(host, options.url, options.bench)
                             : serve(host, options.port, options.requests);
    host.unload();
    CloseHandle(host.queue);
    rt::out(code == 0 ? "host: exit 0\n" : "host: exit with errors\n");
    ExitProcess((UINT)code);
}
