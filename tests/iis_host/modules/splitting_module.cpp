/*
 * splitting_module.cpp -- tests/examples/splitting_module.rs in C++, answering byte for byte
 * as the Rust module does: at RQ_BEGIN_REQUEST, every request, it makes the raw calls that
 * would split the response if the server passed them through (a CR LF in header values by
 * name and by HTTP_HEADER_ID, in a header name, a redirect target, a reason phrase, a
 * request header and a server variable; a NUL in a value), a valid header and an error
 * description, and answers 200 text/plain with one line per call: what was called and its
 * HRESULT; then, per kind of text, which of the 256 octets the server took. Nothing the
 * sweep sets is left behind. tests/tests/response_splitting.rs reads the raw bytes of that
 * answer.
 */
#include "../host/rt.h"

namespace {

const char kInjected[] = "a\r\nX-Injected: 1";
const USHORT kInjectedLen = sizeof kInjected - 1;

/* One line of the report: `what`, then the HRESULT as 0x and eight hex digits. */
void line(rt::Text &report, const char *what, HRESULT hr)
{
    char digits[11] = "0x";
    for (int i = 0; i < 8; ++i) digits[2 + i] = "0123456789abcdef"[((DWORD)hr >> (28 - 4 * i)) & 15];
    digits[10] = 0;
    report.add(what).add(" ").add(digits).add("\n");
}

/* The sweep's line: `what`, then per octet 0-255 `1` taken, `0` refused, `-` for NUL where a
   C string cannot carry it (the Rust module's marks). */
void sweep_line(rt::Text &report, const char *what, const char marks[256])
{
    report.add("octets in ").add(what).add(": ").add(marks, 256).add("\n");
}

void sweep_response(rt::Text &report, IHttpResponse *response)
{
    char marks[256];
    for (int o = 0; o < 256; ++o) {
        const char value[3] = {'a', (char)o, 'z'};
        bool taken = SUCCEEDED(response->SetHeader("X-Octet", value, 3, TRUE));
        marks[o] = taken && SUCCEEDED(response->DeleteHeader("X-Octet")) ? '1' : '0';
    }
    sweep_line(report, "a header value", marks);
    for (int o = 0; o < 256; ++o) {
        const char name[4] = {'X', '-', (char)o, 0};
        bool taken = o && SUCCEEDED(response->SetHeader(name, "1", 1, TRUE));
        marks[o] = !o ? '-' : taken && SUCCEEDED(response->DeleteHeader(name)) ? '1' : '0';
    }
    sweep_line(report, "a header name", marks);
    for (int o = 0; o < 256; ++o) {
        const char reason[4] = {'a', (char)o, 'z', 0};
        marks[o] = !o ? '-' : SUCCEEDED(response->SetStatus(299, reason, 0, S_OK, 0, FALSE)) ? '1' : '0';
    }
    sweep_line(report, "a reason phrase", marks);
    for (int o = 0; o < 256; ++o) {
        const char url[5] = {'/', 'a', (char)o, 'z', 0};
        bool taken = o && SUCCEEDED(response->Redirect(url, FALSE, FALSE));
        marks[o] = !o ? '-' : taken && SUCCEEDED(response->DeleteHeader(HttpHeaderLocation)) ? '1' : '0';
    }
    sweep_line(report, "a redirect target", marks);
    response->SetStatus(200, "OK", 0, S_OK, 0, FALSE);
}

void sweep_variable(rt::Text &report, IHttpContext *context)
{
    char marks[256];
    for (int o = 0; o < 256; ++o) {
        const wchar_t value[4] = {L'a', (wchar_t)o, L'z', 0};
        marks[o] = !o ? '-' : SUCCEEDED(context->SetServerVariable("X_OCTET", value)) ? '1' : '0';
    }
    sweep_line(report, "a server variable", marks);
}

void try_response(rt::Text &report, IHttpResponse *response)
{
    line(report, "response.SetStatus(200, OK)", response->SetStatus(200, "OK", 0, S_OK, 0, FALSE));
    line(report, "response.SetHeader(X-Echo, CRLF in the value)",
         response->SetHeader("X-Echo", kInjected, kInjectedLen, TRUE));
    line(report, "response.SetHeader(HttpHeaderContentLanguage, CRLF in the value)",
         response->SetHeader(HttpHeaderContentLanguage, kInjected, kInjectedLen, TRUE));
    line(report, "response.SetHeader(CRLF in the name)",
         response->SetHeader("X-Bad\r\nX-Name-Injected", "1", 1, TRUE));
    line(report, "response.SetHeader(X-Nul, NUL in the value)",
         response->SetHeader("X-Nul", "a\0b", 3, TRUE));
    line(report, "response.Redirect(CRLF in the URL)",
         response->Redirect("/next\r\nX-Redirect-Injected: 1", TRUE, FALSE));
    line(report, "response.SetStatus(200, CRLF in the reason)",
         response->SetStatus(200, "OK\r\nX-Status-Injected: 1", 0, S_OK, 0, FALSE));
    line(report, "response.SetHeader(X-Valid, HTAB and obs-text)",
         response->SetHeader("X-Valid", "a\tb \xe9", 5, TRUE));
}

void try_request(rt::Text &report, IHttpContext *context)
{
    IHttpRequest *request = context->GetRequest();
    line(report, "request.SetHeader(X-Fwd, CRLF in the value)",
         request->SetHeader("X-Fwd", kInjected, kInjectedLen, TRUE));
    line(report, "request.SetHeader(HttpHeaderReferer, CRLF in the value)",
         request->SetHeader(HttpHeaderReferer, kInjected, kInjectedLen, TRUE));
    line(report, "context.SetServerVariable(RESPONSE_X, CRLF in the value)",
         context->SetServerVariable("RESPONSE_X", L"a\r\nX-Injected: 1"));
}

void try_description(rt::Text &report, IHttpResponse *response)
{
    const wchar_t *description = L"no <such> page";
    line(report, "response.SetErrorDescription(no <such> page)",
         response->SetErrorDescription(description, (DWORD)rt::wide_length(description), TRUE));
    DWORD len = 0;
    PCWSTR kept = response->GetErrorDescription(&len);
    report.add("response.GetErrorDescription ");
    if (!kept) {
        report.add("None\n");
        return;
    }
    report.add("Some(\"");
    for (DWORD i = 0; i < len; ++i) report.add_char(kept[i] < 128 ? (char)kept[i] : '?');
    report.add("\")\n");
}

class SplittingModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext *context, IHttpEventProvider *) override
    {
        IHttpResponse *response = context->GetResponse();
        rt::Text octets, report;
        sweep_response(octets, response);
        sweep_variable(octets, context);
        try_response(report, response);
        try_request(report, context);
        try_description(report, response);
        report.add(octets.data(), octets.size());
        response->SetHeader(HttpHeaderContentType, "text/plain", 10, TRUE);
        HTTP_DATA_CHUNK chunk;
        chunk.DataChunkType = HttpDataChunkFromMemory;
        chunk.FromMemory.pBuffer = (PVOID)report.data();
        chunk.FromMemory.BufferLength = (ULONG)report.size();
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
        *module = new SplittingModule;
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
