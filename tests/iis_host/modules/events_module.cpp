/*
 * events_module.cpp -- tests/examples/events_module.rs in C++, answering as the Rust module
 * does: at RQ_MAP_PATH, URLs under /docs/ map to D:\manuals\ (IMapPathProvider::
 * SetPhysicalPath) and `GET /docs/...` answers that path; at RQ_READ_ENTITY the readers of a
 * body get 16 bytes of it at most (IReadEntityProvider::SetEntity with a copy in request
 * memory), and X-Entity-Read says how many were passed on; a custom notification of kind
 * `events/ping` is answered in X-Pinged.
 */
#include "../host/rt.h"

namespace {

const DWORD kLimit = 16;
const wchar_t kDocs[] = L"/docs/";
const wchar_t kManuals[] = L"D:\\manuals\\";
const wchar_t kPing[] = L"events/ping";

bool starts_with_wide(PCWSTR text, const wchar_t *prefix)
{
    size_t n = rt::wide_length(prefix);
    if (rt::wide_length(text) < n) return false;
    for (size_t i = 0; i < n; ++i)
        if (text[i] != prefix[i]) return false;
    return true;
}

/* What the Rust framework's `respond` does (see body_module.cpp). */
REQUEST_NOTIFICATION_STATUS respond(IHttpContext *context, PCSTR body, DWORD len)
{
    IHttpResponse *response = context->GetResponse();
    response->Clear();
    response->SetStatus(200, "OK", 0, S_OK, 0, TRUE);
    response->SetHeader("Content-Type", "text/plain", 10, TRUE);
    HTTP_DATA_CHUNK chunk;
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = (PVOID)body;
    chunk.FromMemory.BufferLength = len;
    DWORD sent = 0;
    BOOL completion_expected = FALSE;
    response->WriteEntityChunks(&chunk, 1, FALSE, TRUE, &sent, &completion_expected);
    return RQ_NOTIFICATION_FINISH_REQUEST;
}

class EventsModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS OnMapPath(IHttpContext *context, IMapPathProvider *provider) override
    {
        PCWSTR url = provider->GetUrl();
        if (!url || !starts_with_wide(url, kDocs)) return RQ_NOTIFICATION_CONTINUE;
        size_t prefix = rt::wide_length(kManuals), skip = rt::wide_length(kDocs);
        size_t rest = rt::wide_length(url) - skip;
        wchar_t *path =
            (wchar_t *)context->AllocateRequestMemory((DWORD)((prefix + rest) * sizeof(wchar_t)));
        HRESULT hr = E_OUTOFMEMORY;
        if (path) {
            rt::copy(path, kManuals, prefix * sizeof(wchar_t));
            for (size_t i = 0; i < rest; ++i)
                path[prefix + i] = url[skip + i] == L'/' ? L'\\' : url[skip + i];
            hr = provider->SetPhysicalPath(path, (DWORD)(prefix + rest));
        }
        if (FAILED(hr)) {
            provider->SetErrorStatus(hr);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnReadEntity(IHttpContext *context,
                                             IReadEntityProvider *provider) override
    {
        PVOID buffer = 0;
        DWORD data = 0, size = 0;
        provider->GetEntity(&buffer, &data, &size);
        read_ = true;
        DWORD room = kLimit - passed_;
        if (data <= room) {
            passed_ += data;
            return RQ_NOTIFICATION_CONTINUE;
        }
        /* IIS reads the new entity after this returns: a copy in request memory. */
        BYTE *kept = (BYTE *)context->AllocateRequestMemory(room ? room : 1);
        if (!kept) {
            provider->SetErrorStatus(E_OUTOFMEMORY);
            return RQ_NOTIFICATION_FINISH_REQUEST;
        }
        rt::copy(kept, buffer, room);
        provider->SetEntity(kept, room, room);
        passed_ = kLimit;
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnCustomRequestNotification(
        IHttpContext *, ICustomNotificationProvider *provider) override
    {
        PCWSTR kind = provider->QueryNotificationType();
        if (kind && starts_with_wide(kind, kPing) && !kind[rt::wide_length(kPing)]) pinged_ = true;
        return RQ_NOTIFICATION_CONTINUE;
    }

    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext *context,
                                                        IHttpEventProvider *) override
    {
        PCWSTR path = 0;
        DWORD path_len = 0;
        if (FAILED(context->GetServerVariable("URL", &path, &path_len)) ||
            !starts_with_wide(path, kDocs))
            return RQ_NOTIFICATION_CONTINUE;
        DWORD n = 0;
        PCWSTR file = context->GetPhysicalPath(&n);
        rt::Text text;
        if (file) text.add_wide(file);
        text.add("\n");
        char *body = (char *)context->AllocateRequestMemory((DWORD)text.size());
        if (!body) return RQ_NOTIFICATION_CONTINUE;
        rt::copy(body, text.data(), text.size());
        return respond(context, body, (DWORD)text.size());
    }

    REQUEST_NOTIFICATION_STATUS OnSendResponse(IHttpContext *context,
                                               ISendResponseProvider *) override
    {
        IHttpResponse *response = context->GetResponse();
        if (read_) {
            rt::Text number;
            number.add_number(passed_);
            response->SetHeader("X-Entity-Read", number.c_str(), (USHORT)number.size(), TRUE);
        }
        if (pinged_) response->SetHeader("X-Pinged", "events/ping", 11, TRUE);
        return RQ_NOTIFICATION_CONTINUE;
    }

private:
    DWORD passed_ = 0;
    bool read_ = false, pinged_ = false;
};

class Factory final : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(CHttpModule **module, IModuleAllocator *) override
    {
        if (!module) return E_INVALIDARG;
        *module = new EventsModule;
        return S_OK;
    }
    VOID Terminate() override { delete this; }
};

} // namespace

extern "C" __declspec(dllexport) HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo *info,
                                                               IHttpServer *)
{
    if (!info) return E_INVALIDARG;
    return info->SetRequestNotifications(new Factory,
                                         RQ_MAP_PATH | RQ_READ_ENTITY | RQ_CUSTOM_NOTIFICATION |
                                             RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE,
                                         0);
}
