/*
 * application.h -- the host's one application and its module context container
 * (application.cpp), and the global notifications the rest of the host raises or answers
 * (global.cpp); included by host.h, after the request's objects it refers to.
 */
#pragma once

/* The application's IHttpModuleContextContainer: the request's kind, behind a lock (requests
   of the application on every thread reach it), cleaned up once the application stops. */
class ApplicationContainer : public IHttpModuleContextContainer
{
public:
    ContextContainer stored;
    SRWLOCK lock = SRWLOCK_INIT;

    IHttpStoredContext *GetModuleContext(HTTP_MODULE_ID id) override;
    HRESULT SetModuleContext(IHttpStoredContext *context, HTTP_MODULE_ID id) override;
    void cleanup();
};

/* The host's one application, named as the test server names its own. It starts on the
   first request (GL_APPLICATION_START, GL_APPLICATION_RESOLVE_MODULES) and stops at
   shutdown (GL_STOP_LISTENING, GL_APPLICATION_STOP, then its stored contexts' cleanup). */
class Application : public IHttpApplication
{
public:
    Host *host = 0;
    ApplicationContainer container;
    volatile LONG started = 0;
    /* Held while the application starts: the requests arriving meanwhile wait. */
    SRWLOCK starting = SRWLOCK_INIT;

    PCWSTR GetApplicationPhysicalPath() const override { return L"C:\\inetpub\\wwwroot"; }
    PCWSTR GetApplicationId() const override { return L"/LM/W3SVC/1/ROOT"; }
    PCWSTR GetAppConfigPath() const override
    { return L"MACHINE/WEBROOT/APPHOST/Default Web Site"; }
    IHttpModuleContextContainer *GetModuleContextContainer() override { return &container; }

    bool running() { return InterlockedCompareExchange(&started, 0, 0) != 0; }
    /* Starts the application for request `c` unless it runs: S_OK, or the failure a module
       set with SetErrorStatus (the application stays stopped; the next request tries again). */
    HRESULT start(Context *c);
    /* GL_STOP_LISTENING, then, if it runs, GL_APPLICATION_STOP and the cleanup. */
    void shutdown();
};

/* GL_TRACE_EVENT for `event`, raised on request `c`, when the host traces (--trace-events). */
void raise_trace_event(Context *c, HTTP_TRACE_EVENT *event);
/* Answers a host-internal /__global/... request (an on-demand global notification); false
   when `raw` is not one. */
bool answer_global(Host &host, HANDLE queue, const HTTP_REQUEST_V2 *raw);
