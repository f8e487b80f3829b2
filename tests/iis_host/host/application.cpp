/*
 * application.cpp -- the IIS host's one application (IHttpApplication), named as the test
 * server names its own (/LM/W3SVC/1/ROOT, C:\inetpub\wwwroot, MACHINE/WEBROOT/APPHOST/Default
 * Web Site), with a module context container of its own. It starts on its first request:
 * GL_APPLICATION_START, then GL_APPLICATION_RESOLVE_MODULES, before that request's
 * GL_PRE_BEGIN_REQUEST, their lines at the head of the request's log. A module that sets a
 * failure with SetErrorStatus leaves it stopped: that request is answered 500 without its
 * pipeline, and the next one starts it again. At shutdown, before the modules are terminated:
 * GL_STOP_LISTENING, then GL_APPLICATION_STOP if it runs, then CleanupStoredContext for every
 * context stored on it.
 */
#include "global.h"

/* ---- the module context container ---------------------------------------------------- */

IHttpStoredContext *ApplicationContainer::GetModuleContext(HTTP_MODULE_ID id)
{
    AcquireSRWLockShared(&lock);
    IHttpStoredContext *found = stored.GetModuleContext(id);
    ReleaseSRWLockShared(&lock);
    return found;
}

HRESULT ApplicationContainer::SetModuleContext(IHttpStoredContext *context, HTTP_MODULE_ID id)
{
    AcquireSRWLockExclusive(&lock);
    HRESULT hr = stored.SetModuleContext(context, id);
    ReleaseSRWLockExclusive(&lock);
    return hr;
}

void ApplicationContainer::cleanup()
{
    /* Taken out under the lock, cleaned up outside it: a context's cleanup may read the
       container. */
    AcquireSRWLockExclusive(&lock);
    ContextContainer taken = stored;
    stored.count = 0;
    ReleaseSRWLockExclusive(&lock);
    taken.cleanup();
}

/* ---- starting and stopping ------------------------------------------------------------ */

HRESULT Application::start(Context *c)
{
    if (running()) return S_OK;
    AcquireSRWLockExclusive(&starting);
    HRESULT result = S_OK;
    static const DWORD kStart[2] = {GL_APPLICATION_START, GL_APPLICATION_RESOLVE_MODULES};
    for (int i = 0; i < 2 && !running(); ++i) {
        GlobalProvider provider;
        provider.host = host;
        provider.application = this;
        Raised raised;
        raise_global(host, kStart[i], provider, c, &raised);
        if (raised.error_set && FAILED(raised.error)) {
            rt::Text code;
            code.add("0x").add_hex((unsigned)raised.error);
            host->log(c, "application-start-failed", code.c_str());
            result = raised.error;
            break;
        }
    }
    if (SUCCEEDED(result)) InterlockedExchange(&started, 1);
    ReleaseSRWLockExclusive(&starting);
    return result;
}

void Application::shutdown()
{
    GlobalProvider listening;
    listening.host = host;
    raise_global(host, GL_STOP_LISTENING, listening, 0, 0);
    AcquireSRWLockExclusive(&starting);
    if (running()) {
        GlobalProvider stopping;
        stopping.host = host;
        stopping.application = this;
        raise_global(host, GL_APPLICATION_STOP, stopping, 0, 0);
        container.cleanup();
        InterlockedExchange(&started, 0);
    }
    ReleaseSRWLockExclusive(&starting);
    /* The site's stored contexts end with the host. */
    host->site.container.cleanup();
}

IHttpApplication *Context::GetApplication() { return &host->application; }
