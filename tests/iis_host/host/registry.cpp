/*
 * registry.cpp -- module DLLs as IIS loads them: LoadLibraryW on the image of a
 * <globalModules> entry, GetProcAddress("RegisterModule"), a call with the server version,
 * a registration info object (factory, request/post/global notification masks, priorities
 * by alias) and the server object. On shutdown each factory and global module gets
 * Terminate, then the DLL is freed. Also the host's log (the event queue is pool.cpp's).
 */
#include "host.h"

/* ---- registration info --------------------------------------------------------------- */

Registration::Registration()
{
    for (int i = 0; i < 32; ++i)
        request_priority[i] = post_priority[i] = global_priority[i] = kMedium;
}

HRESULT Registration::SetRequestNotifications(IHttpModuleFactory *f, DWORD request, DWORD post)
{
    if (!f || (!request && !post)) return E_INVALIDARG;
    if (factory) return HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED);
    factory = f;
    request_mask = request;
    post_mask = post;
    return S_OK;
}

HRESULT Registration::SetGlobalNotifications(CGlobalModule *module, DWORD mask)
{
    if (!module || !mask) return E_INVALIDARG;
    if (global) return HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED);
    global = module;
    global_mask = mask;
    return S_OK;
}

/* The alias, or 0 for an unknown one (IIS accepts exactly these five). */
static Priority parse_priority(PCWSTR alias)
{
    static const struct { const wchar_t *name; Priority value; } aliases[] = {
        {L"FIRST", kFirst}, {L"HIGH", kHigh}, {L"MEDIUM", kMedium}, {L"LOW", kLow},
        {L"LAST", kLast},
    };
    for (const auto &a : aliases) {
        if (!alias) break;
        size_t i = 0;
        while (a.name[i] && a.name[i] == alias[i]) ++i;
        if (!a.name[i] && !alias[i]) return a.value;
    }
    return (Priority)0;
}

/* Sets `table[bit]` for each bit of `mask`. */
static HRESULT set_priority(Priority *table, DWORD mask, PCWSTR alias)
{
    Priority value = parse_priority(alias);
    if (!value || !mask) return E_INVALIDARG;
    for (int bit = 0; bit < 32; ++bit)
        if (mask & (1u << bit)) table[bit] = value;
    return S_OK;
}

HRESULT Registration::SetPriorityForRequestNotification(DWORD mask, PCWSTR alias)
{
    return set_priority(request_priority, mask, alias);
}

HRESULT Registration::SetPriorityForPostRequestNotification(DWORD mask, PCWSTR alias)
{
    return set_priority(post_priority, mask, alias);
}

HRESULT Registration::SetPriorityForGlobalNotification(DWORD mask, PCWSTR alias)
{
    return set_priority(global_priority, mask, alias);
}

/* ---- the server object --------------------------------------------------------------- */

HRESULT Server::AssociateWithThreadPool(HANDLE, LPOVERLAPPED_COMPLETION_ROUTINE)
{
    return E_NOTIMPL;
}

VOID Server::ReportUnhealthy(PCWSTR reason, HRESULT)
{
    rt::Text line;
    line.add("host: a module reported the process unhealthy: ").add_wide(reason);
    rt::out_line(line);
}

VOID Server::RecycleProcess(PCWSTR reason)
{
    rt::Text line;
    line.add("host: a module asked for a recycle: ").add_wide(reason);
    rt::out_line(line);
}

BOOL Server::SatisfiesPrecondition(PCWSTR, BOOL *unknown) const
{
    if (unknown) *unknown = TRUE;
    return TRUE;
}

/* ---- loading and unloading ----------------------------------------------------------- */

static wchar_t *wide_copy(const wchar_t *text)
{
    size_t n = rt::wide_length(text);
    wchar_t *copy = new wchar_t[n + 1];
    rt::copy(copy, text, (n + 1) * sizeof(wchar_t));
    return copy;
}

bool Host::load(const wchar_t *name, const wchar_t *image)
{
    rt::Text line;
    if (count == kMaxModules) {
        rt::out("host: too many modules\n");
        return false;
    }
    Registration &r = registrations[count];
    r.name = wide_copy(name);
    r.image = wide_copy(image);
    r.dll = LoadLibraryW(image);
    if (!r.dll) {
        line.add("host: LoadLibraryW(").add_wide(image).add(") failed, error ")
            .add_number(GetLastError());
        rt::out_line(line);
        return false;
    }
    PFN_REGISTERMODULE entry = (PFN_REGISTERMODULE)GetProcAddress(r.dll, MODULE_REGISTERMODULE);
    if (!entry) {
        line.add("host: ").add_wide(image).add(" does not export RegisterModule");
        rt::out_line(line);
        FreeLibrary(r.dll);
        return false;
    }
    ++count;
    /* The API version: 7, the IIS 7 integrated pipeline this API describes. */
    HRESULT hr = entry(7, &r, &server);
    line.add("host: loaded ").add_wide(name).add(" at 0x").add_hex((ULONG_PTR)r.dll)
        .add(": RegisterModule returned 0x")
        .add_hex((unsigned)hr).add(", request 0x").add_hex(r.request_mask).add(", post 0x")
        .add_hex(r.post_mask).add(", global 0x").add_hex(r.global_mask);
    rt::out_line(line);
    return SUCCEEDED(hr);
}

void Host::unload()
{
    /* GL_STOP_LISTENING and GL_APPLICATION_STOP before any module is terminated. */
    application.shutdown();
    for (int i = count - 1; i >= 0; --i) {
        Registration &r = registrations[i];
        if (r.global) r.global->Terminate();
        if (r.factory) r.factory->Terminate();
        BOOL freed = FreeLibrary(r.dll);
        rt::Text line;
        line.add("host: unloaded ").add_wide(r.name).add(freed ? "" : " (FreeLibrary failed)");
        rt::out_line(line);
        delete[] r.name;
        delete[] r.image;
    }
    count = 0;
}

/* Stable sort of module indexes by priority, highest first (an insertion sort: n <= 16). */
static int sort_by_priority(int *out, int n, const Priority *priority_of)
{
    for (int i = 1; i < n; ++i) {
        int item = out[i], j = i;
        while (j > 0 && priority_of[out[j - 1]] < priority_of[item]) {
            out[j] = out[j - 1];
            --j;
        }
        out[j] = item;
    }
    return n;
}

int Host::order(DWORD flag, bool post, int out[kMaxModules]) const
{
    int bit = 0;
    while (bit < 31 && !(flag & (1u << bit))) ++bit;
    Priority priority_of[kMaxModules];
    int n = 0;
    for (int i = 0; i < count; ++i) {
        const Registration &r = registrations[i];
        if (!r.factory || !((post ? r.post_mask : r.request_mask) & flag)) continue;
        priority_of[i] = post ? r.post_priority[bit] : r.request_priority[bit];
        out[n++] = i;
    }
    sort_by_priority(out, n, priority_of);
    /* IIS runs RQ_SEND_RESPONSE the other way round: the lowest priority first. */
    if (flag == RQ_SEND_RESPONSE)
        for (int i = 0; i < n / 2; ++i) {
            int t = out[i];
            out[i] = out[n - 1 - i];
            out[n - 1 - i] = t;
        }
    return n;
}

int Host::global_order(DWORD flag, int out[kMaxModules]) const
{
    int bit = 0;
    while (bit < 31 && !(flag & (1u << bit))) ++bit;
    Priority priority_of[kMaxModules];
    int n = 0;
    for (int i = 0; i < count; ++i) {
        const Registration &r = registrations[i];
        if (!r.global || !(r.global_mask & flag)) continue;
        priority_of[i] = r.global_priority[bit];
        out[n++] = i;
    }
    return sort_by_priority(out, n, priority_of);
}

/* ---- the log ------------------------------------------------------------------------ */

void Host::log(Context *context, const char *what, const char *detail)
{
    if (!trace) return;
    rt::Text line;
    line.add("trace: request ").add_number(context ? context->number : 0).add(" ").add(what);
    if (detail) line.add(" ").add(detail);
    rt::out_line(line);
}
