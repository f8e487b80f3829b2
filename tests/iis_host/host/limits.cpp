/*
 * limits.cpp -- what the HTTP Server API refuses before IIS sees a request. Windows' http.sys
 * answers these itself, with the defaults of its registry settings (Microsoft's "Http.sys
 * registry settings for Windows": MaxFieldLength 16384, MaxRequestBytes 16384,
 * UrlSegmentMaxLength 260, UrlSegmentMaxCount 255, AllowRestrictedChars 0); wine's http.sys
 * enforces none of them and delivers such requests, so the host answers them as http.sys
 * would (status, error page, connection closed) instead of running the pipeline.
 *
 * One refusal is the host's own, for wine only: wine's http.sys does not decode chunked
 * request bodies (dlls/http.sys/http.c: "Unhandled Transfer-Encoding header"), so a module
 * would see an empty body; the host answers 501 rather than lose the body silently.
 */
#include "host.h"

namespace {

const size_t kMaxFieldLength = 16384, kMaxRequestBytes = 16384;
const size_t kUrlSegmentMaxLength = 260, kUrlSegmentMaxCount = 255;

const Refusal kUrlTooLong = {414, "Request-URI Too Long", "Request URL Too Long",
                             "Request URL Too Long",
                             "HTTP Error 414. The request URL is too long."};
const Refusal kFieldTooLong = {400, "Bad Request", "Bad Request",
                               "Bad Request - Header Field Too Long",
                               "HTTP Error 400. A request header field is too long."};
const Refusal kRequestTooLong = {400, "Bad Request", "Bad Request",
                                 "Bad Request - Request Too Long",
                                 "HTTP Error 400. The size of the request headers is too long."};
const Refusal kInvalidUrl = {400, "Bad Request", "Bad Request", "Bad Request - Invalid URL",
                             "HTTP Error 400. The request URL is invalid."};
const Refusal kChunkedUnderWine = {
    501, "Not Implemented", 0, 0,
    "501 Not Implemented: wine's http.sys does not deliver chunked request bodies; "
    "send the body with a Content-Length\n"};

/* The length of a string of the request. Under wine the USHORT lengths wrap past 64 KiB,
   but wine ends every string it copies with a NUL: count up to it (within the buffer). */
size_t text_length(const char *text, USHORT len, const char *end)
{
    if (!text) return 0;
    size_t n = len;
    if (under_wine())
        while (text + n < end && text[n]) ++n;
    return n;
}

/* AllowRestrictedChars 0: no escape decoding to U+0000-U+001F or U+007F-U+009F; segments of
   at most UrlSegmentMaxLength characters (an escape counts as one), at most
   UrlSegmentMaxCount of them. */
bool path_is_valid(const char *path, size_t len, rt::Text &why)
{
    const char *p = path, *end = path + len;
    size_t segments = 0, segment = 0;
    for (; p < end; ++p) {
        if (*p == '/') {
            segment = 0;
            continue;
        }
        if (!segment) ++segments;
        int byte = escaped_byte(p, end);
        int next = byte == 0xC2 ? escaped_byte(p + 3, end) : -1;
        if (byte >= 0 && (byte < 0x20 || byte == 0x7F || (next >= 0x80 && next <= 0x9F))) {
            why.add("an escape in the path decodes to a control character");
            return false;
        }
        if (byte >= 0) p += 2;
        if (++segment > kUrlSegmentMaxLength || segments > kUrlSegmentMaxCount) {
            why.add(segments > kUrlSegmentMaxCount ? "more than 255 path segments"
                                                   : "a path segment over 260 characters");
            return false;
        }
    }
    return true;
}

/* The request line and the headers as they came (`name: value` lines), with the longest
   header line in `*longest`. */
size_t head_size(const HTTP_REQUEST_V2 *raw, size_t url_len, const char *end, size_t *longest)
{
    const char *method = http_method(raw);
    size_t size = (method ? rt::length(method) : 0) + 1 + url_len + 1 + 8 + 2 + 2;
    *longest = 0;
    const HTTP_REQUEST_HEADERS &headers = raw->Headers;
    for (int id = 0; id < HttpHeaderRequestMaximum; ++id) {
        const HTTP_KNOWN_HEADER &h = headers.KnownHeaders[id];
        if (!h.pRawValue) continue;
        size_t line = rt::length(request_header_name(id)) + 2 +
                      text_length(h.pRawValue, h.RawValueLength, end);
        if (line > *longest) *longest = line;
        size += line + 2;
    }
    for (USHORT i = 0; i < headers.UnknownHeaderCount; ++i) {
        const HTTP_UNKNOWN_HEADER &h = headers.pUnknownHeaders[i];
        size_t line = text_length(h.pName, h.NameLength, end) + 2 +
                      text_length(h.pRawValue, h.RawValueLength, end);
        if (line > *longest) *longest = line;
        size += line + 2;
    }
    return size;
}

} // namespace

/* The path of a raw URL (`/a/b?q` or `http://host/a/b?q`), up to its query. */
bool under_wine()
{
    static int wine = -1;
    if (wine < 0) {
        HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
        wine = ntdll && GetProcAddress(ntdll, "wine_get_version") ? 1 : 0;
    }
    return wine == 1;
}

/* In the order http.sys parses: the URL, the headers, the whole head, the URL's path. */
const Refusal *refusal_for(const HTTP_REQUEST_V2 *raw, const char *end, rt::Text &why)
{
    size_t url_len = text_length(raw->pRawUrl, raw->RawUrlLength, end), longest = 0;
    if (url_len > kMaxFieldLength) {
        why.add("a URL of ").add_number(url_len).add(" bytes; MaxFieldLength is 16384");
        return &kUrlTooLong;
    }
    size_t head = head_size(raw, url_len, end, &longest);
    if (longest > kMaxFieldLength) {
        why.add("a header line of ").add_number(longest).add(" bytes; MaxFieldLength is 16384");
        return &kFieldTooLong;
    }
    if (head > kMaxRequestBytes) {
        why.add("a request line and headers of ").add_number(head)
            .add(" bytes; MaxRequestBytes is 16384");
        return &kRequestTooLong;
    }
    const char *path = 0;
    size_t path_len = 0;
    url_path(raw->pRawUrl ? raw->pRawUrl : "", url_len, &path, &path_len);
    if (!path_is_valid(path, path_len, why)) return &kInvalidUrl;
    if (under_wine() && raw->Headers.KnownHeaders[HttpHeaderTransferEncoding].pRawValue) {
        why.add("a Transfer-Encoding, whose body wine's http.sys does not deliver");
        return &kChunkedUnderWine;
    }
    return 0;
}

/* http.sys's own error page (text/html, us-ascii, its Server header), then the connection
   closes: "After sending the error response, the HTTP Server API terminates the
   connection" (Microsoft, "Types of Errors Logged by the HTTP Server API"). */
ULONG send_refusal(HANDLE queue, const HTTP_REQUEST_V2 *raw, const Refusal &refusal)
{
    rt::Text body;
    if (refusal.title) {
        body.add("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"")
            .add("\"http://www.w3.org/TR/html4/strict.dtd\">\r\n<HTML><HEAD><TITLE>")
            .add(refusal.title).add("</TITLE>\r\n<META HTTP-EQUIV=\"Content-Type\" ")
            .add("Content=\"text/html; charset=us-ascii\"></HEAD>\r\n<BODY><h2>")
            .add(refusal.heading).add("</h2>\r\n<hr><p>").add(refusal.text)
            .add("</p>\r\n</BODY></HTML>\r\n");
    } else {
        body.add(refusal.text);
    }
    rt::Text length;
    length.add_number(body.size());
    HTTP_RESPONSE_V2 response;
    memset(&response, 0, sizeof response);
    response.Version.MajorVersion = 1;
    response.Version.MinorVersion = 1;
    response.StatusCode = refusal.status;
    response.pReason = refusal.reason;
    response.ReasonLength = (USHORT)rt::length(refusal.reason);
    HTTP_KNOWN_HEADER *known = response.Headers.KnownHeaders;
    const char *type = refusal.title ? "text/html; charset=us-ascii" : "text/plain";
    known[HttpHeaderContentType] = {(USHORT)rt::length(type), type};
    /* http.sys names itself on its own answers; the host's answer for wine does not. */
    if (refusal.title) known[HttpHeaderServer] = {21, "Microsoft-HTTPAPI/2.0"};
    known[HttpHeaderConnection] = {5, "close"};
    known[HttpHeaderContentLength] = {(USHORT)length.size(), length.c_str()};
    HTTP_DATA_CHUNK chunk;
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = (PVOID)body.data();
    chunk.FromMemory.BufferLength = (ULONG)body.size();
    response.EntityChunkCount = 1;
    response.pEntityChunks = &chunk;
    ULONG bytes = 0;
    return HttpSendHttpResponse(queue, raw->RequestId, HTTP_SEND_RESPONSE_FLAG_DISCONNECT,
                                (HTTP_RESPONSE *)&response, 0, &bytes, 0, 0, 0, 0);
}
