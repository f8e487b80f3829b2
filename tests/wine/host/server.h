/*
 * server.h -- the C++ (IIS) side of the wine runtime proof: the interfaces a module
 * receives, implemented in C++ by deriving from our headers/httpserv.h, so their vtables
 * are the compiler's own. The Rust module calls them through the generated *_Vtbl structs.
 *
 * Every pure virtual is implemented (the boring ones return 0/NULL). The ones the module
 * calls record that they ran, with land("Class::Method", arguments_ok), and return a value
 * of their own (distinct text, HRESULT or object) that the module checks.
 */
#pragma once

/* Which C++ method the module reached last, and whether its arguments arrived intact. */
static const char *g_cpp_landed;
static bool g_cpp_args_ok;

static void land(const char *method, bool args_ok)
{
    g_cpp_landed = method;
    g_cpp_args_ok = args_ok;
}

static bool same(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    while (*a && *a == *b) { ++a; ++b; }
    return *a == *b;
}

/* What GetRawHttpRequest/GetRawHttpResponse hand out (zero-initialized, set in host_main). */
static HTTP_REQUEST g_raw_request;
static HTTP_RESPONSE g_raw_response;

class Request : public IHttpRequest
{
public:
    HTTP_REQUEST *GetRawHttpRequest() override
    { land("IHttpRequest::GetRawHttpRequest()", true); return &g_raw_request; }
    const HTTP_REQUEST *GetRawHttpRequest() const override
    { land("IHttpRequest::GetRawHttpRequest() const", true); return &g_raw_request; }
    PCSTR GetHeader(PCSTR name, USHORT *len) const override
    {
        land("IHttpRequest::GetHeader(PCSTR)", same(name, "X-Probe") && len);
        if (len) *len = 15;
        return "request-by-name";
    }
    PCSTR GetHeader(HTTP_HEADER_ID id, USHORT *len) const override
    {
        land("IHttpRequest::GetHeader(HTTP_HEADER_ID)", id == HttpHeaderHost && len);
        if (len) *len = 16;
        return "www.example.test";
    }
    HRESULT SetHeader(PCSTR name, PCSTR value, USHORT len, BOOL replace) override
    {
        land("IHttpRequest::SetHeader(PCSTR)",
             same(name, "X-Rust") && same(value, "yes") && len == 3 && !replace);
        return 0x102;
    }
    HRESULT SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT len, BOOL replace) override
    {
        land("IHttpRequest::SetHeader(HTTP_HEADER_ID)",
             id == HttpHeaderUserAgent && same(value, "rust") && len == 4 && replace);
        return 0x101;
    }

    HRESULT DeleteHeader(PCSTR) override { return E_NOTIMPL; }
    HRESULT DeleteHeader(HTTP_HEADER_ID) override { return E_NOTIMPL; }
    PCSTR GetHttpMethod() const override { return NULL; }
    HRESULT SetHttpMethod(PCSTR) override { return E_NOTIMPL; }
    HRESULT SetUrl(PCWSTR, DWORD, BOOL) override { return E_NOTIMPL; }
    HRESULT SetUrl(PCSTR, DWORD, BOOL) override { return E_NOTIMPL; }
    BOOL GetUrlChanged() const override { return FALSE; }
    PCWSTR GetForwardedUrl() const override { return NULL; }
    PSOCKADDR GetLocalAddress() const override { return NULL; }
    PSOCKADDR GetRemoteAddress() const override { return NULL; }
    HRESULT ReadEntityBody(VOID *, DWORD, BOOL, DWORD *, BOOL *) override { return E_NOTIMPL; }
    HRESULT InsertEntityBody(VOID *, DWORD) override { return E_NOTIMPL; }
    DWORD GetRemainingEntityBytes() override { return 0; }
    VOID GetHttpVersion(USHORT *, USHORT *) const override {}
    HRESULT GetClientCertificate(HTTP_SSL_CLIENT_CERT_INFO **, BOOL *) override { return E_NOTIMPL; }
    HRESULT NegotiateClientCertificate(BOOL, BOOL *) override { return E_NOTIMPL; }
    DWORD GetSiteId() const override { return 0; }
    HRESULT GetHeaderChanges(DWORD, DWORD *, PCSTR[HttpHeaderRequestMaximum], DWORD *, PCSTR **,
                             PCSTR **, DWORD[HttpHeaderRequestMaximum + 1], DWORD *,
                             DWORD **) override { return E_NOTIMPL; }
};

class Response : public IHttpResponse
{
public:
    HTTP_RESPONSE *GetRawHttpResponse() override
    { land("IHttpResponse::GetRawHttpResponse()", true); return &g_raw_response; }
    const HTTP_RESPONSE *GetRawHttpResponse() const override
    { land("IHttpResponse::GetRawHttpResponse() const", true); return &g_raw_response; }
    HRESULT SetHeader(PCSTR name, PCSTR value, USHORT len, BOOL replace) override
    {
        land("IHttpResponse::SetHeader(PCSTR)",
             same(name, "X-Rust") && same(value, "yes") && len == 3 && !replace);
        return 0x202;
    }
    HRESULT SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT len, BOOL replace) override
    {
        land("IHttpResponse::SetHeader(HTTP_HEADER_ID)",
             id == HttpHeaderServer && same(value, "rust") && len == 4 && replace);
        return 0x201;
    }
    PCSTR GetHeader(PCSTR name, USHORT *len) const override
    {
        land("IHttpResponse::GetHeader(PCSTR)", same(name, "X-Probe") && len);
        if (len) *len = 16;
        return "response-by-name";
    }
    PCSTR GetHeader(HTTP_HEADER_ID id, USHORT *len) const override
    {
        land("IHttpResponse::GetHeader(HTTP_HEADER_ID)", id == HttpHeaderServer && len);
        if (len) *len = 11;
        return "httpserv-rs";
    }

    IHttpCachePolicy *GetCachePolicy() override { return NULL; }
    HRESULT SetStatus(USHORT, PCSTR, USHORT, HRESULT, IAppHostConfigException *, BOOL) override
    { return E_NOTIMPL; }
    HRESULT DeleteHeader(PCSTR) override { return E_NOTIMPL; }
    HRESULT DeleteHeader(HTTP_HEADER_ID) override { return E_NOTIMPL; }
    VOID Clear() override {}
    VOID ClearHeaders() override {}
    VOID SetNeedDisconnect() override {}
    VOID ResetConnection() override {}
    VOID DisableKernelCache(ULONG) override {}
    BOOL GetKernelCacheEnabled() const override { return FALSE; }
    VOID SuppressHeaders() override {}
    BOOL GetHeadersSuppressed() const override { return FALSE; }
    HRESULT Flush(BOOL, BOOL, DWORD *, BOOL *) override { return E_NOTIMPL; }
    HRESULT Redirect(PCSTR, BOOL, BOOL) override { return E_NOTIMPL; }
    HRESULT WriteEntityChunkByReference(HTTP_DATA_CHUNK *, LONG) override { return E_NOTIMPL; }
    HRESULT WriteEntityChunks(HTTP_DATA_CHUNK *, DWORD, BOOL, BOOL, DWORD *, BOOL *) override
    { return E_NOTIMPL; }
    VOID DisableBuffering() override {}
    VOID GetStatus(USHORT *, USHORT *, PCSTR *, USHORT *, HRESULT *, PCWSTR *, DWORD *,
                   IAppHostConfigException **, BOOL *) override {}
    HRESULT SetErrorDescription(PCWSTR, DWORD, BOOL) override { return E_NOTIMPL; }
    PCWSTR GetErrorDescription(DWORD *) override { return NULL; }
    HRESULT GetHeaderChanges(DWORD, DWORD *, PCSTR[HttpHeaderResponseMaximum], DWORD *, PCSTR **,
                             PCSTR **, DWORD[HttpHeaderResponseMaximum + 1], DWORD *,
                             DWORD **) override { return E_NOTIMPL; }
    VOID CloseConnection() override {}
};

/* Hands out its request and response; the rest is inert. */
class Context : public IHttpContext
{
public:
    Request request;
    Response response;

    IHttpRequest *GetRequest() override { land("IHttpContext::GetRequest", true); return &request; }
    IHttpResponse *GetResponse() override { land("IHttpContext::GetResponse", true); return &response; }

    IHttpSite *GetSite() override { return NULL; }
    IHttpApplication *GetApplication() override { return NULL; }
    IHttpConnection *GetConnection() override { return NULL; }
    BOOL GetResponseHeadersSent() const override { return FALSE; }
    IHttpUser *GetUser() const override { return NULL; }
    IHttpModuleContextContainer *GetModuleContextContainer() override { return NULL; }
    VOID IndicateCompletion(REQUEST_NOTIFICATION_STATUS) override {}
    HRESULT PostCompletion(DWORD) override { return E_NOTIMPL; }
    VOID DisableNotifications(DWORD, DWORD) override {}
    BOOL GetNextNotification(REQUEST_NOTIFICATION_STATUS, DWORD *, BOOL *, CHttpModule **,
                             IHttpEventProvider **) override { return FALSE; }
    BOOL GetIsLastNotification(REQUEST_NOTIFICATION_STATUS) override { return FALSE; }
    HRESULT ExecuteRequest(BOOL, IHttpContext *, DWORD, IHttpUser *, BOOL *) override
    { return E_NOTIMPL; }
    DWORD GetExecuteFlags() const override { return 0; }
    HRESULT GetServerVariable(PCSTR, PCWSTR *, DWORD *) override { return E_NOTIMPL; }
    HRESULT GetServerVariable(PCSTR, PCSTR *, DWORD *) override { return E_NOTIMPL; }
    HRESULT SetServerVariable(PCSTR, PCWSTR) override { return E_NOTIMPL; }
    VOID *AllocateRequestMemory(DWORD) override { return NULL; }
    IHttpUrlInfo *GetUrlInfo() override { return NULL; }
    IMetadataInfo *GetMetadata() override { return NULL; }
    PCWSTR GetPhysicalPath(DWORD *) override { return NULL; }
    PCWSTR GetScriptName(DWORD *) const override { return NULL; }
    PCWSTR GetScriptTranslated(DWORD *) override { return NULL; }
    IScriptMapInfo *GetScriptMap() const override { return NULL; }
    VOID SetRequestHandled() override {}
    IHttpFileInfo *GetFileInfo() const override { return NULL; }
    HRESULT MapPath(PCWSTR, PWSTR, DWORD *) override { return E_NOTIMPL; }
    HRESULT NotifyCustomNotification(ICustomNotificationProvider *, BOOL *) override
    { return E_NOTIMPL; }
    IHttpContext *GetParentContext() const override { return NULL; }
    IHttpContext *GetRootContext() const override { return NULL; }
    HRESULT CloneContext(DWORD, IHttpContext **) override { return E_NOTIMPL; }
    HRESULT ReleaseClonedContext() override { return E_NOTIMPL; }
    HRESULT GetCurrentExecutionStats(DWORD *, DWORD *, PCWSTR *, DWORD *, DWORD *,
                                     DWORD *) const override { return E_NOTIMPL; }
    IHttpTraceContext *GetTraceContext() const override { return NULL; }
    HRESULT GetServerVarChanges(DWORD, DWORD *, DWORD *, PCSTR **, PCWSTR **, DWORD *,
                                DWORD **) override { return E_NOTIMPL; }
    HRESULT CancelIo() override { return E_NOTIMPL; }
    HRESULT MapHandler(DWORD, PCWSTR, PCWSTR, PCSTR, IScriptMapInfo **, BOOL) override
    { return E_NOTIMPL; }
    HRESULT GetExtendedInterface(HTTP_CONTEXT_INTERFACE_VERSION, PVOID *) override
    { return E_NOTIMPL; }
};

class EventProvider : public IHttpEventProvider
{
public:
    VOID SetErrorStatus(HRESULT hr) override
    { land("IHttpEventProvider::SetErrorStatus", hr == 0x123); }
};

/* Request memory for the module object: one aligned block. */
class Allocator : public IModuleAllocator
{
public:
    alignas(16) unsigned char block[256];

    VOID *AllocateMemory(DWORD size) override
    {
        land("IModuleAllocator::AllocateMemory", size > 0 && size <= sizeof block);
        return size <= sizeof block ? block : NULL;
    }
};

/* What RegisterModule is given; keeps the factory the module registers. */
class Registration : public IHttpModuleRegistrationInfo
{
public:
    IHttpModuleFactory *factory = NULL;

    HRESULT SetRequestNotifications(IHttpModuleFactory *f, DWORD request, DWORD post) override
    {
        land("IHttpModuleRegistrationInfo::SetRequestNotifications",
             f && request == RQ_BEGIN_REQUEST && post == 0);
        factory = f;
        return S_OK;
    }

    PCWSTR GetName() const override { return L"httpserv-wine-module"; }
    HTTP_MODULE_ID GetId() const override { return NULL; }
    HRESULT SetGlobalNotifications(CGlobalModule *, DWORD) override { return E_NOTIMPL; }
    HRESULT SetPriorityForRequestNotification(DWORD, PCWSTR) override { return E_NOTIMPL; }
    HRESULT SetPriorityForGlobalNotification(DWORD, PCWSTR) override { return E_NOTIMPL; }
};
