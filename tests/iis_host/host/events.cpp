/*
 * events.cpp -- the request notifications IIS raises while something else runs (the twin of
 * the test server's events.rs, map_path.rs and read_entity.rs): RQ_MAP_PATH when a path is
 * mapped, RQ_READ_ENTITY when the request body is read, RQ_CUSTOM_NOTIFICATION when a module
 * raises one. Each goes to the request's modules registered for it, by priority, inside the
 * call that raised it; the log says `notify MAP_PATH module` as for a stage.
 *
 * - RQ_MAP_PATH: the request's URL once, the first time anything asks for its physical path
 *   (GetPhysicalPath, GetScriptTranslated, PATH_TRANSLATED) and at the latest before
 *   RQ_MAP_REQUEST_HANDLER (pipeline.cpp), the same path for every later reader; every
 *   IHttpContext::MapPath anew, its buffer sized in bytes (__out_bcount). SetPhysicalPath
 *   copies the path (Microsoft's example passes a buffer on its stack).
 * - RQ_READ_ENTITY: after every ReadEntityBody, the end of the body included (Microsoft's
 *   IReadEntityProvider remarks). SetEntity's bytes reach the reader's buffer when the event is
 *   over, as many as fit, the rest read next; at the end of the body they are answered
 *   instead of ERROR_HANDLE_EOF (assumed: the reference is silent).
 * - RQ_CUSTOM_NOTIFICATION: IHttpContext::NotifyCustomNotification with the module's provider.
 *
 * A module answering RQ_NOTIFICATION_FINISH_REQUEST stops the event and finishes the request
 * when the notification that raised it returns; RQ_NOTIFICATION_PENDING is not modelled (the
 * event stops; a custom notification answers *pfCompletionExpected = TRUE).
 */
#include "host.h"

/* IMapPathProvider of one mapping: the URL and the physical path so far (request memory). */
class MapPathProvider : public IMapPathProvider
{
public:
    Context *context;
    PCWSTR url, physical;
    DWORD physical_len;

    VOID SetErrorStatus(HRESULT hr) override { context->providers.error = hr; }
    PCWSTR GetUrl() const override { return url; }
    PCWSTR GetPhysicalPath() const override { return physical; }
    HRESULT SetPhysicalPath(PCWSTR path, DWORD len) override
    {
        if (!path || !len) return HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER);
        wchar_t *copy = (wchar_t *)context->allocate((len + 1) * sizeof(wchar_t));
        if (!copy) return E_OUTOFMEMORY;
        rt::copy(copy, path, len * sizeof(wchar_t));
        copy[len] = 0;
        physical = copy;
        physical_len = len;
        return S_OK;
    }
};

/* IReadEntityProvider of one read: the entity (buffer, bytes of data, buffer size). */
class ReadEntityProvider : public IReadEntityProvider
{
public:
    Context *context;
    PVOID buffer;
    DWORD data, size;

    VOID SetErrorStatus(HRESULT hr) override { context->providers.error = hr; }
    VOID GetEntity(PVOID *out, DWORD *out_data, DWORD *out_size) override
    {
        if (out) *out = buffer;
        if (out_data) *out_data = data;
        if (out_size) *out_size = size;
    }
    VOID SetEntity(PVOID new_buffer, DWORD new_data, DWORD new_size) override
    {
        if (!new_buffer && new_data) return;
        buffer = new_buffer, data = new_data, size = new_size;
    }
};

static const char *event_name(DWORD flag)
{
    switch (flag) {
    case RQ_MAP_PATH: return "MAP_PATH";
    case RQ_READ_ENTITY: return "READ_ENTITY";
    default: return "CUSTOM_NOTIFICATION";
    }
}

static REQUEST_NOTIFICATION_STATUS deliver_event(Context *c, CHttpModule *m, DWORD flag,
                                                 IHttpEventProvider *p)
{
    switch (flag) {
    case RQ_MAP_PATH: return m->OnMapPath(c, static_cast<IMapPathProvider *>(p));
    case RQ_READ_ENTITY: return m->OnReadEntity(c, static_cast<IReadEntityProvider *>(p));
    default:
        return m->OnCustomRequestNotification(c, static_cast<ICustomNotificationProvider *>(p));
    }
}

/* Delivers the event `flag` to the request's modules registered for it, by priority; the
   call's own notification is restored after each. True if one answered pending. */
static bool raise_event(Context *c, DWORD flag, IHttpEventProvider *p)
{
    int order[kMaxModules];
    int n = c->host->order(flag, false, order);
    int outer_module = c->current_module;
    DWORD outer_notification = c->at.notification;
    bool pending = false;
    for (int i = 0; i < n; ++i) {
        int index = order[i];
        CHttpModule *m = c->modules[index];
        if (!m || (c->disabled[index] & flag)) continue;
        c->current_module = index;
        c->at.notification = flag;
        if (c->host->trace) {
            rt::Text what;
            what.add(event_name(flag)).add(" ").add_wide(c->host->registrations[index].name);
            c->host->log(c, "notify", what.c_str());
        }
        REQUEST_NOTIFICATION_STATUS status = deliver_event(c, m, flag, p);
        c->current_module = outer_module;
        c->at.notification = outer_notification;
        if (status == RQ_NOTIFICATION_PENDING) {
            c->host->log(c, event_name(flag), "pending: not modelled");
            pending = true;
            break;
        }
        if (status == RQ_NOTIFICATION_FINISH_REQUEST) {
            c->finish_after_event = true;
            break;
        }
    }
    return pending;
}

/* `url` (n characters) mapped: the site's path (site.cpp), then RQ_MAP_PATH's changes. */
static PCWSTR map_url(Context *c, const wchar_t *url, DWORD n, DWORD *len)
{
    PCWSTR mapped = site_path(c, url, n, len);
    int order[kMaxModules];
    if (!mapped || !c->host->order(RQ_MAP_PATH, false, order)) return mapped;
    wchar_t *url_copy = (wchar_t *)c->allocate((n + 1) * sizeof(wchar_t));
    if (!url_copy) return mapped;
    rt::copy(url_copy, url, n * sizeof(wchar_t));
    url_copy[n] = 0;
    MapPathProvider provider;
    provider.context = c;
    provider.url = url_copy;
    provider.physical = mapped;
    provider.physical_len = *len;
    raise_event(c, RQ_MAP_PATH, &provider);
    *len = provider.physical_len;
    return provider.physical;
}

PCWSTR Context::GetPhysicalPath(DWORD *len)
{
    if (!physical) {
        const HTTP_COOKED_URL &url = request.raw->CookedUrl;
        DWORD n = 0;
        PCWSTR mapped = map_url(this, url.pAbsPath, url.AbsPathLength / sizeof(wchar_t), &n);
        /* A module that read the path during the event mapped it first: its answer stands. */
        if (!physical) physical = mapped, physical_len = n;
    }
    if (len) *len = physical ? physical_len : 0;
    return physical;
}

HRESULT Context::MapPath(PCWSTR url, PWSTR out, DWORD *size)
{
    if (!url || !size) return E_INVALIDARG;
    DWORD n = 0;
    PCWSTR mapped = map_url(this, url, (DWORD)rt::wide_length(url), &n);
    if (!mapped) return E_OUTOFMEMORY;
    DWORD needed = (n + 1) * sizeof(wchar_t);
    if (!out || *size < needed) {
        *size = needed;
        return HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
    }
    rt::copy(out, mapped, needed);
    *size = needed;
    return S_OK;
}

HRESULT Context::NotifyCustomNotification(ICustomNotificationProvider *provider, BOOL *expected)
{
    if (expected) *expected = FALSE;
    if (!provider) return E_INVALIDARG;
    if (raise_event(this, RQ_CUSTOM_NOTIFICATION, provider) && expected) *expected = TRUE;
    return S_OK;
}

DWORD read_entity_event(Context *c, VOID *buffer, DWORD bytes, DWORD size)
{
    int order[kMaxModules];
    if (!c->host->order(RQ_READ_ENTITY, false, order)) return bytes;
    ReadEntityProvider provider;
    provider.context = c;
    provider.buffer = buffer;
    provider.data = bytes;
    provider.size = size;
    raise_event(c, RQ_READ_ENTITY, &provider);
    if (provider.buffer == buffer && provider.data == bytes) return bytes;
    if (!provider.data) return 0;
    DWORD fits = provider.data < size ? provider.data : size;
    const BYTE *source = (const BYTE *)provider.buffer;
    if (provider.data > fits) {
        /* Copied first: the module's buffer may be the reader's, which the copy overwrites. */
        DWORD rest = provider.data - fits;
        BYTE *copy = (BYTE *)c->allocate(rest);
        if (copy) {
            rt::copy(copy, source + fits, rest);
            c->request.InsertEntityBody(copy, rest);
        }
    }
    /* memmove: a module may point into the reader's buffer. */
    BYTE *to = (BYTE *)buffer;
    if (to < source)
        for (DWORD i = 0; i < fits; ++i) to[i] = source[i];
    else if (to > source)
        for (DWORD i = fits; i-- > 0;) to[i] = source[i];
    return fits;
}
