/*
 * pool.cpp -- the host's worker pool and event queue. IIS runs notifications on the threads
 * of a pool, never more than one at a time for one request; so does the host: `threads`
 * threads (--threads, 4 unless told) take events off one I/O completion port -- a request
 * to start, a completion a module posted (IndicateCompletion, PostCompletion) -- and run
 * each under the request's lock. A completion posted from another thread before the
 * notification that went pending has returned therefore waits for it, and then finds the
 * request pending. A module about to block calls IHttpServer::IncrementThreadCount, which
 * starts one more pool thread (up to kMaxThreads in all), and DecrementThreadCount after,
 * which retires one.
 *
 * Also what the host counts: contexts, request memory chunks, receive buffers and pool
 * threads made and freed, reported at exit (a difference is a leak), and the module
 * allocations --fail-allocation-every refused.
 */
#include "host.h"

/* ---- the queue ------------------------------------------------------------------------ */

void Host::post(Event event, Context *context, DWORD value)
{
    PostQueuedCompletionStatus(queue, value, (ULONG_PTR)event, (LPOVERLAPPED)context);
}

void Host::dispatch(Event event, Context *c, DWORD value)
{
    EnterCriticalSection(&c->lock);
    switch (event) {
    case kStart: pipeline_start(c); break;
    case kIndicate: pipeline_resume(c, (REQUEST_NOTIFICATION_STATUS)value); break;
    case kAsyncCompletion: pipeline_async_completion(c, value); break;
    default: break;
    }
    /* Nobody else holds the context once it is done and every completion posted to it has
       been handled here (a handler not yet in has not counted its completion). */
    bool free_it = c->done && c->completions_handled == c->completions_posted;
    LeaveCriticalSection(&c->lock);
    if (free_it) delete c;
}

bool Host::handle_one(DWORD timeout_ms)
{
    DWORD value = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED overlapped = 0;
    if (!GetQueuedCompletionStatus(queue, &value, &key, &overlapped, timeout_ms)) return false;
    Event event = (Event)key;
    if (event == kQuit || event == kRetire) return false;
    dispatch(event, (Context *)overlapped, value);
    return true;
}

/* ---- the pool ------------------------------------------------------------------------- */

static DWORD WINAPI pool_thread(void *parameter)
{
    Host *host = (Host *)parameter;
    while (host->handle_one(INFINITE)) {
    }
    InterlockedIncrement64(&host->counts.threads_ended);
    InterlockedDecrement(&host->threads_alive);
    return 0;
}

bool Host::add_thread()
{
    if (InterlockedIncrement(&threads_alive) > kMaxThreads) {
        InterlockedDecrement(&threads_alive);
        return false;
    }
    HANDLE thread = CreateThread(0, 0, pool_thread, this, 0, 0);
    if (!thread) {
        InterlockedDecrement(&threads_alive);
        return false;
    }
    InterlockedIncrement64(&counts.threads_made);
    CloseHandle(thread);
    return true;
}

void Host::start_pool()
{
    for (LONG i = 0; i < threads; ++i) add_thread();
}

/* One kQuit per thread alive; a thread retiring meanwhile leaves a kQuit unread, which is
   harmless: the queue is closed after. */
void Host::stop_pool()
{
    LONG alive = threads_alive;
    for (LONG i = 0; i < alive; ++i) post(kQuit, 0, 0);
    while (threads_alive > 0) Sleep(5);
}

VOID Server::IncrementThreadCount()
{
    if (!host) return;
    if (host->add_thread()) InterlockedIncrement(&host->threads_added);
    else rt::out("host: IncrementThreadCount: the pool is at its limit\n");
}

/* Retires a thread IncrementThreadCount added; one without an increment before it is
   ignored, so the pool never shrinks below --threads. */
VOID Server::DecrementThreadCount()
{
    if (!host) return;
    if (InterlockedDecrement(&host->threads_added) < 0) {
        InterlockedIncrement(&host->threads_added);
        return;
    }
    host->post(kRetire, 0, 0);
}

/* ---- counts --------------------------------------------------------------------------- */

bool Host::refuse_allocation()
{
    if (!fail_allocation_every) return false;
    /* 32 bits: no 64-bit division helpers without a C runtime on x86. */
    ULONG n = (ULONG)InterlockedIncrement(&module_allocations);
    if (n % fail_allocation_every) return false;
    InterlockedIncrement64(&counts.allocations_refused);
    return true;
}

static void add_pair(rt::Text &line, const char *what, LONG64 made, LONG64 freed)
{
    line.add(what).add(" ").add_number((unsigned long long)freed).add(" of ")
        .add_number((unsigned long long)made);
}

bool Host::report_counts()
{
    const Counts &k = counts;
    rt::Text line;
    line.add("host: freed");
    add_pair(line, " contexts", k.contexts_made, k.contexts_freed);
    add_pair(line, ", request memory chunks", k.chunks_made, k.chunks_freed);
    add_pair(line, ", receive buffers", k.buffers_made, k.buffers_freed);
    add_pair(line, ", pool threads ended", k.threads_made, k.threads_ended);
    rt::out_line(line);
    LONG64 leaked = (k.contexts_made - k.contexts_freed) + (k.chunks_made - k.chunks_freed) +
                    (k.buffers_made - k.buffers_freed) + (k.threads_made - k.threads_ended);
    line.clear();
    line.add("host: leaked ").add_number((unsigned long long)leaked).add(" objects");
    rt::out_line(line);
    if (fail_allocation_every) {
        line.clear();
        line.add("host: module allocations refused: ")
            .add_number((unsigned long long)k.allocations_refused)
            .add(" (--fail-allocation-every ")
            .add_number(fail_allocation_every).add(")");
        rt::out_line(line);
    }
    return leaked == 0;
}
