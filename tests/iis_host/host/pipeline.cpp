/*
 * pipeline.cpp -- the IIS integrated pipeline of the host. A request gets GL_PRE_BEGIN_REQUEST
 * (global modules, by priority, until one returns GL_NOTIFICATION_HANDLED), a module instance
 * from each factory, then the twelve stages in order, each notification followed by its
 * post-notification, every one delivered to the modules registered for it by priority.
 *
 * - RQ_NOTIFICATION_FINISH_REQUEST skips the rest of the request stages (other modules of the
 *   same notification included) to the response; during RQ_LOG_REQUEST or RQ_END_REQUEST it
 *   skips to the next of those two stages.
 * - The response is sent after RQ_UPDATE_REQUEST_CACHE (or on finishing early), preceded by
 *   RQ_SEND_RESPONSE, delivered lowest priority first; RQ_LOG_REQUEST and RQ_END_REQUEST run
 *   after it.
 * - RQ_NOTIFICATION_PENDING parks the request where it is. IndicateCompletion(status) resumes
 *   it as if the notification had returned `status`; PostCompletion(bytes) first calls the
 *   module's OnAsyncCompletion, whose status counts instead.
 * - A failed IHttpEventProvider::SetErrorStatus makes a 500 and finishes the request.
 * - IIS's request filtering refuses a URL over maxUrl (404.14), a query over maxQueryString
 *   (404.15) and a declared Content-Length over maxAllowedContentLength (413.1) before any
 *   module's RQ_BEGIN_REQUEST (its module is listed ahead of added ones), which then skips
 *   to the response.
 * - At the end: CleanupStoredContext for stored contexts, then Dispose for each module, then
 *   DereferenceUser for the user an authentication module set.
 *
 * Each entry point runs on a pool thread holding the request's lock (Host::dispatch in
 * pool.cpp), so a request's notifications run one at a time.
 */
#include "host.h"

static const DWORD kStages[kStageCount] = {
    RQ_BEGIN_REQUEST, RQ_AUTHENTICATE_REQUEST, RQ_AUTHORIZE_REQUEST, RQ_RESOLVE_REQUEST_CACHE,
    RQ_MAP_REQUEST_HANDLER, RQ_ACQUIRE_REQUEST_STATE, RQ_PRE_EXECUTE_REQUEST_HANDLER,
    RQ_EXECUTE_REQUEST_HANDLER, RQ_RELEASE_REQUEST_STATE, RQ_UPDATE_REQUEST_CACHE,
    RQ_LOG_REQUEST, RQ_END_REQUEST,
};
static const char *const kStageNames[kStageCount] = {
    "BEGIN_REQUEST", "AUTHENTICATE_REQUEST", "AUTHORIZE_REQUEST", "RESOLVE_REQUEST_CACHE",
    "MAP_REQUEST_HANDLER", "ACQUIRE_REQUEST_STATE", "PRE_EXECUTE_REQUEST_HANDLER",
    "EXECUTE_REQUEST_HANDLER", "RELEASE_REQUEST_STATE", "UPDATE_REQUEST_CACHE", "LOG_REQUEST",
    "END_REQUEST",
};
static const int kLogStage = 10;
/* RQ_EXECUTE_REQUEST_HANDLER's index, where IIS's static file handler answers. */
static const int kHandlerStage = 7;

/* Calls the notification method of `stage` (or its post-notification) on `m`. */
static REQUEST_NOTIFICATION_STATUS deliver(Context *c, CHttpModule *m, int stage, bool post)
{
    IHttpEventProvider *p = c->providers.plain();
    switch (stage) {
    case 0: return post ? m->OnPostBeginRequest(c, p) : m->OnBeginRequest(c, p);
    case 1:
        return post ? m->OnPostAuthenticateRequest(c, p)
                    : m->OnAuthenticateRequest(c, static_cast<IAuthenticationProvider *>(&c->providers));
    case 2: return post ? m->OnPostAuthorizeRequest(c, p) : m->OnAuthorizeRequest(c, p);
    case 3: return post ? m->OnPostResolveRequestCache(c, p) : m->OnResolveRequestCache(c, p);
    case 4:
        return post ? m->OnPostMapRequestHandler(c, p)
                    : m->OnMapRequestHandler(c, static_cast<IMapHandlerProvider *>(&c->providers));
    case 5: return post ? m->OnPostAcquireRequestState(c, p) : m->OnAcquireRequestState(c, p);
    case 6:
        return post ? m->OnPostPreExecuteRequestHandler(c, p)
                    : m->OnPreExecuteRequestHandler(c, p);
    case 7:
        return post ? m->OnPostExecuteRequestHandler(c, p) : m->OnExecuteRequestHandler(c, p);
    case 8: return post ? m->OnPostReleaseRequestState(c, p) : m->OnReleaseRequestState(c, p);
    case 9: return post ? m->OnPostUpdateRequestCache(c, p) : m->OnUpdateRequestCache(c, p);
    case 10: return post ? m->OnPostLogRequest(c, p) : m->OnLogRequest(c, p);
    case 11: return post ? m->OnPostEndRequest(c, p) : m->OnEndRequest(c, p);
    }
    return RQ_NOTIFICATION_CONTINUE;
}

static void trace_notification(Context *c, int module, const char *stage, bool post)
{
    if (!c->host->trace) return;
    rt::Text what;
    what.add(post ? "POST_" : "").add(stage).add(" ").add_wide(c->host->registrations[module].name);
    c->host->log(c, "notify", what.c_str());
}

/* A status >= 400 gets IIS's error page instead of its body where <httpErrors> says IIS
   would replace it (errors.cpp; always when there is no body). A response no module touched
   (no status set, no entity) that reached the handler stage is IIS's static file handler's
   (files.cpp: a file of --site-root, else a 404); one a module finished before that stage
   goes as it is. */
static void add_error_body(Context *c)
{
    /* A flushed response's head is on the wire: IIS can no longer replace it. */
    if (c->response.flushed) return;
    HTTP_RESPONSE_V2 &raw = c->response.raw;
    if (!c->at.finished_before_handler && !c->response.status_set && !raw.EntityChunkCount &&
        raw.StatusCode == 200) {
        USHORT status, sub_status;
        const char *reason;
        if (!serve_static_file(c, &status, &sub_status, &reason))
            c->response.SetStatus(status, reason, sub_status, S_OK, 0, FALSE);
    }
    apply_http_errors(c);
}

/* Content-Length as IIS sets it on a buffered response (a flushed one keeps the head its
   first flush fixed, stream.cpp), then the transport sends. */
static void transmit(Context *c)
{
    if (c->response.flushed) {
        c->response.restore_sent_head();
    } else {
        rt::Text length;
        length.add_number(c->response.entity_length());
        c->response.SetHeader(HttpHeaderContentLength, length.c_str(), (USHORT)length.size(),
                              TRUE);
    }
    c->host->log(c, "send", 0);
    c->host->transport->send(c);
    c->at.sent = true;
}

/* RQ_NOTIFICATION_FINISH_REQUEST: where the pipeline goes next. */
static void skip_to_end(Context *c)
{
    Position &at = c->at;
    if (!at.sending && !at.sent && at.stage <= kHandlerStage) at.finished_before_handler = true;
    if (at.sending) {
        at.next = kMaxModules;
    } else if (!at.sent) {
        at.sending = true;
        at.post = false;
        at.next = 0;
    } else {
        ++at.stage;
        at.post = false;
        at.next = 0;
    }
}

static void complete(Context *c)
{
    c->container.cleanup();
    if (c->connection) c->connection->container.stored.cleanup();
    for (int i = 0; i < kMaxModules; ++i)
        if (c->modules[i]) {
            c->modules[i]->Dispose();
            c->modules[i] = 0;
        }
    if (c->user) {
        c->user->DereferenceUser();
        c->user = 0;
    }
    c->host->log(c, "done", 0);
    c->done = true;
    c->host->transport->finished(c);
    InterlockedDecrement(&c->host->in_flight);
    /* Freed by Host::dispatch once every completion posted to it has been handled. */
}

static void after_status(Context *c, REQUEST_NOTIFICATION_STATUS status)
{
    if (c->finish_after_event) {
        c->finish_after_event = false;
        status = RQ_NOTIFICATION_FINISH_REQUEST;
    }
    if (FAILED(c->providers.error)) {
        USHORT code = c->response.raw.StatusCode;
        if (code < 400)
            c->response.SetStatus(500, "Internal Server Error", 0, c->providers.error, 0, FALSE);
        c->providers.error = S_OK;
        status = RQ_NOTIFICATION_FINISH_REQUEST;
    }
    if (status == RQ_NOTIFICATION_FINISH_REQUEST) skip_to_end(c);
}

/* IIS needs the file to choose the handler: the request's path is mapped by now, with
   RQ_MAP_PATH if nothing asked for it earlier (events.cpp). Only what the event's modules set
   counts here (an earlier error is left for whoever reads it then). */
static void map_request_path(Context *c)
{
    c->at.path_mapped = true;
    HRESULT earlier = c->providers.error;
    c->providers.error = S_OK;
    c->GetPhysicalPath(0);
    after_status(c, RQ_NOTIFICATION_CONTINUE);
    if (c->providers.error == S_OK) c->providers.error = earlier;
}

/* Runs the pipeline from where the request stands until it is done or pending. */
static void run(Context *c)
{
    Position &at = c->at;
    for (;;) {
        if (at.stage >= kStageCount) {
            complete(c);
            return;
        }
        if (!at.sending && kStages[at.stage] == RQ_MAP_REQUEST_HANDLER && !at.path_mapped) {
            map_request_path(c);
            continue;
        }
        if (at.sending && !at.prepared) {
            /* RQ_SEND_RESPONSE sees the status and body that will be sent. */
            add_error_body(c);
            at.prepared = true;
        }
        DWORD flag = at.sending ? RQ_SEND_RESPONSE : kStages[at.stage];
        int order[kMaxModules];
        int n = c->host->order(flag, at.post, order);
        if (at.next < n) {
            int index = order[at.next++];
            CHttpModule *m = c->modules[index];
            if (!m) continue;
            if ((at.post ? c->disabled_post[index] : c->disabled[index]) & flag) continue;
            c->current_module = index;
            at.notification = flag;
            trace_notification(c, index, at.sending ? "SEND_RESPONSE" : kStageNames[at.stage],
                               at.post);
            REQUEST_NOTIFICATION_STATUS status =
                at.sending ? m->OnSendResponse(c, static_cast<ISendResponseProvider *>(&c->providers))
                           : deliver(c, m, at.stage, at.post);
            if (status == RQ_NOTIFICATION_PENDING) {
                at.pending_module = index;
                c->host->log(c, "pending", 0);
                return;
            }
            after_status(c, status);
            continue;
        }
        /* Every module had this notification: move on. */
        if (at.sending) {
            at.sending = false;
            transmit(c);
            at.stage = kLogStage;
            at.post = false;
            at.next = 0;
        } else if (!at.post) {
            at.post = true;
            at.next = 0;
            if (kStages[at.stage] == RQ_MAP_REQUEST_HANDLER) c->handler_mapped = true;
        } else {
            at.post = false;
            at.next = 0;
            if (kStages[at.stage] == RQ_UPDATE_REQUEST_CACHE && !at.sent) at.sending = true;
            else ++at.stage;
        }
    }
}

/* IIS's request filtering <requestLimits>, in this order (Microsoft's Request Limits reference
   gives the limits and substatuses, not the order): maxUrl, the raw path without its query
   (404.14); maxQueryString, what follows `?` (404.15); maxAllowedContentLength, a declared
   Content-Length (413.1, "Content Length Too Large"; IIS 7 logged it as 404.13). Bodies of
   unknown length (chunked) are not counted as they are read. */
static bool filtered_out(Context *c)
{
    const Request &r = c->request;
    const Host *host = c->host;
    const char *url = r.raw->pRawUrl ? r.raw->pRawUrl : "", *path = 0;
    size_t url_len = r.raw->pRawUrl ? r.raw->RawUrlLength : 0, path_len = 0;
    url_path(url, url_len, &path, &path_len);
    size_t query_start = (size_t)(path - url) + path_len;
    bool has_query = query_start < url_len;
    size_t query_len = has_query ? url_len - query_start - 1 : 0;
    USHORT status = 0, sub = 0;
    const char *reason = "Not Found", *why = 0;
    if (path_len > host->max_url) {
        status = 404, sub = 14, why = "404.14 URL over maxUrl";
    } else if (has_query && query_len > host->max_query_string) {
        status = 404, sub = 15, why = "404.15 query string over maxQueryString";
    } else if (r.length_known && r.content_length > host->max_content_length) {
        status = 413, sub = 1, reason = "Request Entity Too Large";
        why = "413.1 Content-Length over maxAllowedContentLength";
    }
    if (!status) return false;
    c->response.SetStatus(status, reason, sub, S_OK, 0, FALSE);
    c->host->log(c, "request filtering", why);
    return true;
}

void pipeline_start(Context *c)
{
    Host *host = c->host;
    /* The application starts on its first request (application.cpp); a failed start answers
       500 without the pipeline. */
    HRESULT started = host->application.start(c);
    if (FAILED(started)) {
        c->response.SetStatus(500, "Internal Server Error", 0, started, 0, FALSE);
        c->at.stage = 0;
        skip_to_end(c);
        run(c);
        return;
    }
    int order[kMaxModules];
    int n = host->global_order(GL_PRE_BEGIN_REQUEST, order);
    for (int i = 0; i < n; ++i) {
        if (host->trace) {
            rt::Text what;
            what.add("GL_PRE_BEGIN_REQUEST ").add_wide(host->registrations[order[i]].name);
            host->log(c, "notify", what.c_str());
        }
        IPreBeginRequestProvider *provider = &c->providers;
        if (host->registrations[order[i]].global->OnGlobalPreBeginRequest(provider) ==
            GL_NOTIFICATION_HANDLED)
            break;
    }
    for (int i = 0; i < host->count; ++i) {
        Registration &r = host->registrations[i];
        if (!r.factory) continue;
        HRESULT hr = r.factory->GetHttpModule(&c->modules[i], &c->allocator);
        if (FAILED(hr) || !c->modules[i]) {
            c->modules[i] = 0;
            c->response.SetStatus(500, "Internal Server Error", 0, hr, 0, FALSE);
            c->at.finish = true;
        }
    }
    c->at.stage = 0;
    if (!c->at.finish && filtered_out(c)) c->at.finish = true;
    if (c->at.finish) skip_to_end(c);
    run(c);
}

/* A completion arrived: false if the request cannot take it (it is not pending, or done). */
static bool take_completion(Context *c)
{
    ++c->completions_handled;
    if (c->done) return false;
    if (c->at.pending_module < 0) {
        c->host->log(c, "completion ignored: the request is not pending", 0);
        return false;
    }
    return true;
}

void pipeline_resume(Context *c, REQUEST_NOTIFICATION_STATUS status)
{
    if (!take_completion(c)) return;
    c->host->log(c, "resume", 0);
    if (status == RQ_NOTIFICATION_PENDING) return; /* still pending, on the same module */
    c->at.pending_module = -1;
    after_status(c, status);
    run(c);
}

void pipeline_async_completion(Context *c, DWORD bytes)
{
    if (!take_completion(c)) return;
    int index = c->at.pending_module;
    c->providers.completion_bytes = bytes;
    c->providers.completion_status = S_OK;
    c->host->log(c, "async-completion", 0);
    IHttpEventProvider *provider = c->at.sending
        ? static_cast<ISendResponseProvider *>(&c->providers)
        : c->providers.plain();
    REQUEST_NOTIFICATION_STATUS status = c->modules[index]->OnAsyncCompletion(
        c, c->at.notification, c->at.post, provider, &c->providers);
    if (status == RQ_NOTIFICATION_PENDING) return;
    c->at.pending_module = -1;
    after_status(c, status);
    run(c);
}
