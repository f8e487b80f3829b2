/*
 * body_module.cpp -- tests/examples/body_module.rs in C++, answering byte for byte as the
 * Rust module does: at RQ_EXECUTE_REQUEST_HANDLER, `POST /upper` reads the body 4 KiB at a
 * time through IHttpRequest::ReadEntityBody and answers it in ASCII upper case
 * (application/octet-stream, its length in X-Body-Length); a body over 64 KiB is refused
 * with 413 as soon as it passes the limit; a failed read is a 500 with a trace line, as the
 * Rust framework's `fail` makes it. Other requests go on to the next module.
 */
#include "../host/rt.h"

namespace {

const DWORD kLimit = 64 * 1024;

bool is(PCSTR text, size_t len, const char *literal)
{
    return text && len == rt::length(literal) && rt::equal_n(text, literal, len);
}

/* What the Rust framework's `respond` does: clear the body, status with its usual reason
   (asking IIS to keep the body: fTrySkipCustomErrors), Content-Type replaced, the body (if
   any), then finish the request. */
REQUEST_NOTIFICATION_STATUS respond(IHttpContext *context, USHORT status, PCSTR reason,
                                    PCSTR type, const void *body, DWORD len)
{
    IHttpResponse *response = context->GetResponse();
    response->Clear();
    response->SetStatus(status, reason, 0, S_OK, 0, TRUE);
    response->SetHeader("Content-Type", type, (USHORT)rt::length(type), TRUE);
    if (len) {
        HTTP_DATA_CHUNK chunk;
        chunk.DataChunkType = HttpDataChunkFromMemory;
        chunk.FromMemory.pBuffer = (PVOID)body;
        chunk.FromMemory.BufferLength = len;
        DWORD sent = 0;
        BOOL completion_expected = FALSE;
        response->WriteEntityChunks(&chunk, 1, FALSE, TRUE, &sent, &completion_expected);
    }
    return RQ_NOTIFICATION_FINISH_REQUEST;
}

/* The framework's `fail`: a 500 with no body and the error in the request's trace. */
REQUEST_NOTIFICATION_STATUS fail(IHttpContext *context, HRESULT error)
{
    IHttpResponse *response = context->GetResponse();
    response->Clear();
    response->SetStatus(500, "Internal Server Error", 0, S_OK, 0, FALSE);
    IHttpTraceContext *trace = context->GetTraceContext();
    if (trace) trace->QuickTrace(L"httpserv: a request failed", 0, error, 2);
    return RQ_NOTIFICATION_FINISH_REQUEST;
}

class UpperModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext *context,
                                                        IHttpEventProvider *) override
    {
        PCSTR path = 0;
        DWORD path_len = 0;
        IHttpRequest *request = context->GetRequest();
        if (FAILED(context->GetServerVariable("URL", &path, &path_len)) ||
            !is(path, path_len, "/upper") || !rt::equal(request->GetHttpMethod(), "POST"))
            return RQ_NOTIFICATION_CONTINUE;
        /* In request memory, freed with the request, as the Rust module's Vec is with it. */
        BYTE *body = (BYTE *)context->AllocateRequestMemory(kLimit);
        if (!body) return fail(context, E_OUTOFMEMORY);
        DWORD len = 0;
        BYTE buffer[4096];
        for (;;) {
            DWORD read = 0;
            HRESULT hr = request->ReadEntityBody(buffer, sizeof buffer, FALSE, &read, 0);
            if (hr == HRESULT_FROM_WIN32(ERROR_HANDLE_EOF) || (SUCCEEDED(hr) && !read)) break;
            if (FAILED(hr)) return fail(context, hr);
            if (len + read > kLimit) {
                static const char refusal[] = "the body is over 64 KiB\n";
                return respond(context, 413, "Content Too Large", "text/plain", refusal,
                               sizeof refusal - 1);
            }
            rt::copy(body + len, buffer, read);
            len += read;
        }
        for (DWORD i = 0; i < len; ++i)
            if (body[i] >= 'a' && body[i] <= 'z') body[i] = (BYTE)(body[i] - 32);
        rt::Text length;
        length.add_number(len);
        context->GetResponse()->SetHeader("X-Body-Length", length.c_str(), (USHORT)length.size(),
                                          TRUE);
        return respond(context, 200, "OK", "application/octet-stream", body, len);
    }
};

class Factory final : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(CHttpModule **module, IModuleAllocator *) override
    {
        if (!module) return E_INVALIDARG;
        *module = new UpperModule;
        return S_OK;
    }
    VOID Terminate() override { delete this; }
};

} // namespace

extern "C" __declspec(dllexport) HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo *info,
                                                               IHttpServer *)
{
    if (!info) return E_INVALIDARG;
    return info->SetRequestNotifications(new Factory, RQ_EXECUTE_REQUEST_HANDLER, 0);
}
