/*
 * file_info_module.cpp -- tests/examples/file_info_module.rs in C++: at
 * RQ_EXECUTE_REQUEST_HANDLER, IHttpContext::GetFileInfo; for a file of the site, 200 with one
 * response header per field of its IHttpFileInfo (X-File-Path, -Size, -Attributes, -ETag,
 * -Last-Modified, -Time as the FILETIME in hex, -Cache, -Buffer, -Handle) and "file info\n";
 * with no file info, X-File-Info: none on whatever IIS's static file handler answers.
 * tests/tests/static_files.rs serves both twins and compares them with the test server.
 */
#include "../host/rt.h"

namespace {

void header(IHttpResponse *response, const char *name, rt::Text &value)
{
    response->SetHeader(name, value.c_str(), (USHORT)value.size(), TRUE);
}

class FileInfoModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext *context,
                                                        IHttpEventProvider *) override
    {
        IHttpResponse *response = context->GetResponse();
        IHttpFileInfo *info = context->GetFileInfo();
        if (!info) {
            response->SetHeader("X-File-Info", "none", 4, TRUE);
            return RQ_NOTIFICATION_CONTINUE;
        }
        rt::Text value;
        PCWSTR path = info->GetFilePath();
        if (path) value.add_wide(path);
        header(response, "X-File-Path", value);
        ULARGE_INTEGER size = {};
        info->GetSize(&size);
        value.clear();
        header(response, "X-File-Size", value.add_number(size.QuadPart));
        value.clear();
        header(response, "X-File-Attributes", value.add("0x").add_hex(info->GetAttributes()));
        USHORT etag_len = 0;
        PCSTR etag = info->GetETag(&etag_len);
        value.clear();
        if (etag) value.add(etag, etag_len);
        header(response, "X-File-ETag", value);
        PCSTR date = info->GetLastModifiedString();
        value.clear();
        header(response, "X-File-Last-Modified", value.add(date ? date : ""));
        FILETIME time = {};
        info->GetLastModifiedTime(&time);
        value.clear();
        value.add_hex(((ULONGLONG)time.dwHighDateTime << 32) | time.dwLowDateTime);
        header(response, "X-File-Time", value);
        DWORD seconds = 0;
        BOOL cache = info->GetHttpCacheAllowed(&seconds);
        value.clear();
        value.add(cache ? "true " : "false ").add_number(cache ? seconds : 0);
        header(response, "X-File-Cache", value);
        value.clear();
        header(response, "X-File-Buffer", value.add(info->GetFileBuffer() ? "given" : "null"));
        value.clear();
        value.add(info->GetFileHandle() == INVALID_HANDLE_VALUE ? "invalid" : "given");
        header(response, "X-File-Handle", value);
        /* As the Rust framework's `respond`: fTrySkipCustomErrors. */
        response->SetStatus(200, "OK", 0, S_OK, 0, TRUE);
        response->SetHeader("Content-Type", "text/plain", 10, TRUE);
        static const char kBody[] = "file info\n";
        HTTP_DATA_CHUNK chunk;
        chunk.DataChunkType = HttpDataChunkFromMemory;
        chunk.FromMemory.pBuffer = (PVOID)kBody;
        chunk.FromMemory.BufferLength = sizeof kBody - 1;
        DWORD sent = 0;
        BOOL completion_expected = FALSE;
        response->WriteEntityChunks(&chunk, 1, FALSE, FALSE, &sent, &completion_expected);
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }
};

class Factory final : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(CHttpModule **module, IModuleAllocator *) override
    {
        if (!module) return E_INVALIDARG;
        *module = new FileInfoModule;
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
