/*
 * minimal_module.cpp -- the README's minimal module (tests/examples/minimal_module.rs) in
 * C++, for the side-by-side test and benchmark of tests/tests/iis_host.rs: a factory
 * registered for RQ_BEGIN_REQUEST whose per-request module sets `X-Powered-By` (here to
 * "C++", the one difference from the Rust module's answers).
 */
#include "../host/rt.h"

namespace {

class HeaderModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext *context, IHttpEventProvider *) override
    {
        IHttpResponse *response = context ? context->GetResponse() : 0;
        if (response) response->SetHeader("X-Powered-By", "C++", 3, TRUE);
        return RQ_NOTIFICATION_CONTINUE;
    }
};

class Factory final : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(CHttpModule **module, IModuleAllocator *) override
    {
        if (!module) return E_INVALIDARG;
        *module = new HeaderModule;
        return S_OK;
    }
    VOID Terminate() override { delete this; }
};

} // namespace

extern "C" __declspec(dllexport) HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo *info,
                                                               IHttpServer *)
{
    if (!info) return E_INVALIDARG;
    return info->SetRequestNotifications(new Factory, RQ_BEGIN_REQUEST, 0);
}
