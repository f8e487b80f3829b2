/*
 * global.h -- what global.cpp and application.cpp share of the global notifications beyond
 * GL_PRE_BEGIN_REQUEST: the provider object every one of them gets (a base per provider
 * class of httpserv.h), what raising one did, and the raising itself. The rest of the host
 * reaches them through the few functions host.h declares.
 */
#pragma once
#include "host.h"

/* The providers of the global notifications beyond GL_PRE_BEGIN_REQUEST: one object, a base
   per provider class, holding what the notification is about. */
class GlobalProvider : public IHttpApplicationResolveModulesProvider,
                       public IGlobalStopListeningProvider,
                       public IGlobalConfigurationChangeProvider,
                       public IGlobalFileChangeProvider,
                       public IGlobalTraceEventProvider,
                       public IGlobalThreadCleanupProvider,
                       public ICustomNotificationProvider,
                       public IGlobalApplicationPreloadProvider,
                       public ICacheProvider,
                       public IGlobalRSCAQueryProvider
{
public:
    Host *host = 0;
    IHttpApplication *application = 0;
    /* The changed configuration path or file, the custom notification's type, the RSCA
       function's name; the RSCA function's parameters. */
    PCWSTR text = 0, parameters = 0;
    HTTP_TRACE_EVENT *event = 0;
    CACHE_OPERATION cache_operation = CACHE_OPERATION_RETRIEVE;
    /* GetOutputBuffer's buffers (the newest first), freed with the provider; SetResult. */
    struct Buffer { Buffer *next; DWORD size; BYTE data[1]; } *buffers = 0;
    bool result_set = false;
    DWORD result_bytes = 0;
    HRESULT result = S_OK;
    /* The request that raised the trace event. */
    Context *context = 0;
    /* The last SetErrorStatus (a failure stops the notification). */
    bool error_set = false;
    HRESULT error = S_OK;

    VOID SetErrorStatus(HRESULT hr) override { error_set = true; error = hr; }
    IHttpApplication *GetApplication() override { return application; }
    HRESULT RegisterModule(HTTP_MODULE_ID, IHttpModuleFactory *, PCWSTR, PCWSTR, PCWSTR, DWORD,
                           DWORD) override { return E_NOTIMPL; }
    HRESULT SetPriorityForRequestNotification(PCWSTR, DWORD, PCWSTR) override
    { return E_NOTIMPL; }
    /* The host drains: the requests in flight have ended when it stops listening. */
    BOOL DrainRequestsGracefully() const override { return TRUE; }
    PCWSTR GetChangePath() const override { return text; }
    PCWSTR GetFileName() const override { return text; }
    IHttpFileMonitor *GetFileMonitor() override { return 0; }
    PCWSTR QueryNotificationType() override { return text; }
    HRESULT GetTraceEvent(HTTP_TRACE_EVENT **out) override;
    BOOL CheckSubscription(HTTP_MODULE_ID id) override;
    HRESULT GetCurrentHttpRequestContext(IHttpContext **out) override;
    /* Not modelled, as in the test server: no preload contexts, no cache behind the
       operation, no resizing. */
    HRESULT CreateContext(IHttpContext **) override { return E_NOTIMPL; }
    HRESULT ExecuteRequest(IHttpContext *, IHttpUser *) override { return E_NOTIMPL; }
    CACHE_OPERATION GetCacheOperation() const override { return cache_operation; }
    IHttpCacheKey *GetCacheKey() const override { return 0; }
    IHttpCacheSpecificData *GetCacheRecord() const override { return 0; }
    VOID SetCacheRecord(IHttpCacheSpecificData *) override {}
    IHttpTraceContext *GetTraceContext() const override { return 0; }
    PCWSTR GetFunctionName() const override { return text; }
    PCWSTR GetFunctionParameters() const override { return parameters ? parameters : L""; }
    HRESULT GetOutputBuffer(DWORD size, BYTE **out) override;
    HRESULT ResizeOutputBuffer(DWORD, DWORD, BYTE **) override { return E_NOTIMPL; }
    VOID SetResult(DWORD bytes, HRESULT hr) override;
    ~GlobalProvider();
};

/* What raising one global notification did: the `notify` lines, whether a module answered
   GL_NOTIFICATION_HANDLED, and the last SetErrorStatus. */
struct Raised
{
    rt::Text trace;
    bool handled = false;
    bool error_set = false;
    HRESULT error = S_OK;
    /* GL_RSCA_QUERY's answer: the bytes SetResult counted of the newest output buffer (at
       most its size), and the result. */
    bool result_set = false;
    rt::Text result_bytes;
    HRESULT result = S_OK;
};

/* Raises global notification `flag` with `provider` to the modules registered for it, by
   priority, until one handles it or sets a failure; its lines go to `request`'s log (or the
   host's) and to `raised` when given. */
void raise_global(Host *host, DWORD flag, GlobalProvider &provider, Context *request,
                  Raised *raised);
