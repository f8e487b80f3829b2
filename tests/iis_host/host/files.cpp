/*
 * files.cpp -- IIS's static file handler (StaticFileModule with DefaultDocumentModule) for a
 * host given --site-root DIR, the twin of the test server's static_files.rs: a request no
 * module answered is served from the file its physical path names (after RQ_MAP_PATH), the
 * site's C:\inetpub\wwwroot standing for DIR.
 *
 * - A file: 200 with its bytes, the Content-Type of its extension from part of IIS's default
 *   MIME map (an extension outside it is 404.3), Last-Modified, an ETag (the file time in hex
 *   and ":0", IIS's form as observed) and Accept-Ranges: bytes; 304 Not Modified when the
 *   request's If-None-Match names that ETag.
 * - A directory: without its trailing '/', a 301 to the URL with one (absolute, as a
 *   Redirect's); with it, the first of IIS's default documents that exists, else 403.14.
 * - Nothing there: 404, as without --site-root.
 */
#include "host.h"

namespace {

const wchar_t kApplicationPath[] = L"C:\\inetpub\\wwwroot";

const wchar_t *const kDefaultDocuments[] = {L"Default.htm", L"Default.asp",  L"index.htm",
                                             L"index.html",  L"iisstart.htm", L"default.aspx"};

struct Mime
{
    const wchar_t *extension;
    const char *type;
};

/* The test server's MIME_MAP, the same sixteen entries. */
const Mime kMimeMap[] = {
    {L"css", "text/css"},         {L"gif", "image/gif"},
    {L"htm", "text/html"},        {L"html", "text/html"},
    {L"ico", "image/x-icon"},     {L"jpeg", "image/jpeg"},
    {L"jpg", "image/jpeg"},       {L"js", "application/javascript"},
    {L"json", "application/json"}, {L"pdf", "application/pdf"},
    {L"png", "image/png"},        {L"svg", "image/svg+xml"},
    {L"txt", "text/plain"},       {L"woff2", "font/woff2"},
    {L"xml", "text/xml"},         {L"zip", "application/x-zip-compressed"},
};

/* A path longer than this is not served (and the frame stays under a page: no stack probes). */
const size_t kPathMax = 1024;

wchar_t lower(wchar_t c) { return c >= L'A' && c <= L'Z' ? (wchar_t)(c - L'A' + L'a') : c; }

bool same_nocase(const wchar_t *a, size_t a_len, const wchar_t *b)
{
    size_t b_len = rt::wide_length(b);
    if (a_len != b_len) return false;
    for (size_t i = 0; i < a_len; ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

/* A path being built in a fixed buffer; `ok` false once it would not fit. */
struct Path
{
    wchar_t text[kPathMax];
    size_t len = 0;
    bool ok = true;

    void add(const wchar_t *part, size_t n)
    {
        if (len + n + 1 > kPathMax) { ok = false; return; }
        rt::copy(text + len, part, n * sizeof(wchar_t));
        len += n;
        text[len] = 0;
    }
    void add(const wchar_t *part) { add(part, rt::wide_length(part)); }
};

/* The local file a physical path names: under --site-root when the path is under the site's
   C:\inetpub\wwwroot (any case), with no ".." part; false otherwise. */
bool local_path(const wchar_t *physical, DWORD len, const wchar_t *root, Path &out)
{
    size_t prefix = rt::wide_length(kApplicationPath);
    if (len < prefix || !same_nocase(physical, prefix, kApplicationPath)) return false;
    out.add(root);
    size_t at = prefix;
    while (at < len) {
        while (at < len && physical[at] == L'\\') ++at;
        size_t end = at;
        while (end < len && physical[end] != L'\\') ++end;
        size_t n = end - at;
        if (n == 2 && physical[at] == L'.' && physical[at + 1] == L'.') return false;
        if (n && !(n == 1 && physical[at] == L'.')) {
            out.add(L"\\", 1);
            out.add(physical + at, n);
        }
        at = end;
    }
    return out.ok;
}

const char *mime_type(const Path &file)
{
    size_t dot = file.len;
    while (dot > 0 && file.text[dot - 1] != L'.' && file.text[dot - 1] != L'\\') --dot;
    if (dot == 0 || file.text[dot - 1] != L'.') return 0;
    for (const Mime &m : kMimeMap)
        if (same_nocase(file.text + dot, file.len - dot, m.extension)) return m.type;
    return 0;
}

void put(Response &r, HTTP_HEADER_ID id, const char *value, size_t len)
{
    r.SetHeader(id, value, (USHORT)len, TRUE);
}

/* IMF-fixdate, from the file time. */
void http_date(const FILETIME &time, rt::Text &out)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    SYSTEMTIME t;
    FileTimeToSystemTime(&time, &t);
    auto two = [&out](unsigned n) { out.add_char((char)('0' + n / 10)).add_char((char)('0' + n % 10)); };
    out.add(days[t.wDayOfWeek % 7]).add(", ");
    two(t.wDay);
    out.add(" ").add(months[(t.wMonth + 11) % 12]).add(" ").add_number(t.wYear).add(" ");
    two(t.wHour);
    out.add(":");
    two(t.wMinute);
    out.add(":");
    two(t.wSecond);
    out.add(" GMT");
}

/* Whether If-None-Match names `etag` (or is "*"). */
bool unchanged(Context *c, const rt::Text &etag)
{
    USHORT len = 0;
    PCSTR tags = c->request.GetHeader(HttpHeaderIfNoneMatch, &len);
    for (USHORT at = 0; tags && at < len;) {
        USHORT end = at;
        while (end < len && tags[end] != ',') ++end;
        USHORT from = at, to = end;
        while (from < to && (tags[from] == ' ' || tags[from] == '\t')) ++from;
        while (to > from && (tags[to - 1] == ' ' || tags[to - 1] == '\t')) --to;
        size_t n = (size_t)(to - from);
        if ((n == 1 && tags[from] == '*') ||
            (n == etag.size() && rt::equal_n(tags + from, etag.data(), n)))
            return true;
        at = (USHORT)(end + 1);
    }
    return false;
}

/* The file's bytes into request memory, as one entity chunk; false if it cannot be read. */
bool send_file(Context *c, const Path &file, ULONGLONG size)
{
    if (size > 0x7fffffff) return false;
    HANDLE handle = CreateFileW(file.text, GENERIC_READ, FILE_SHARE_READ, 0, OPEN_EXISTING,
                                FILE_ATTRIBUTE_NORMAL, 0);
    if (handle == INVALID_HANDLE_VALUE) return false;
    DWORD want = (DWORD)size, got = 0;
    void *bytes = c->allocate(want ? want : 1);
    bool read = bytes && ReadFile(handle, bytes, want, &got, 0) && got == want;
    CloseHandle(handle);
    if (!read) return false;
    if (!want) return true;
    HTTP_DATA_CHUNK chunk;
    memset(&chunk, 0, sizeof chunk);
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = bytes;
    chunk.FromMemory.BufferLength = want;
    return SUCCEEDED(c->response.add_chunk(chunk, -1));
}

} // namespace

/* Serves the request from --site-root (see above); the status to set, with its substatus,
   when it is an error for IIS's error page. */
bool serve_static_file(Context *c, USHORT *status, USHORT *sub_status, const char **reason)
{
    *status = 404, *sub_status = 0, *reason = "Not Found";
    const wchar_t *root = c->host->site_root;
    DWORD physical_len = 0;
    PCWSTR physical = root ? c->GetPhysicalPath(&physical_len) : 0;
    Path file;
    if (!physical || !local_path(physical, physical_len, root, file)) return false;
    WIN32_FILE_ATTRIBUTE_DATA data;
    if (!GetFileAttributesExW(file.text, GetFileExInfoStandard, &data)) return false;
    if (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
        const HTTP_REQUEST_V2 *raw = c->request.raw;
        const char *url = raw->pRawUrl ? raw->pRawUrl : "";
        size_t url_len = rt::length(url), path_len = 0;
        while (path_len < url_len && url[path_len] != '?') ++path_len;
        if (!path_len || url[path_len - 1] != '/') {
            rt::Text slashed, target;
            slashed.add(url, path_len).add("/");
            USHORT host_len = 0;
            PCSTR host = c->request.GetHeader(HttpHeaderHost, &host_len);
            redirect_target(slashed.c_str(), host, host_len, url, url_len, TRUE, target);
            c->response.SetStatus(301, "Moved Permanently", 0, S_OK, 0, FALSE);
            put(c->response, HttpHeaderLocation, target.data(), target.size());
            return true;
        }
        size_t directory = file.len;
        bool found = false;
        for (const wchar_t *name : kDefaultDocuments) {
            file.len = directory;
            file.add(L"\\", 1);
            file.add(name);
            if (file.ok && GetFileAttributesExW(file.text, GetFileExInfoStandard, &data) &&
                !(data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
                found = true;
                break;
            }
        }
        if (!found) {
            *status = 403, *sub_status = 14, *reason = "Forbidden";
            return false;
        }
    }
    const char *type = mime_type(file);
    if (!type) {
        *sub_status = 3;
        return false;
    }
    ULONGLONG size = ((ULONGLONG)data.nFileSizeHigh << 32) | data.nFileSizeLow;
    ULONGLONG since_1601 =
        ((ULONGLONG)data.ftLastWriteTime.dwHighDateTime << 32) | data.ftLastWriteTime.dwLowDateTime;
    rt::Text etag, date;
    etag.add("\"").add_hex(since_1601).add(":0\"");
    http_date(data.ftLastWriteTime, date);
    if (unchanged(c, etag)) {
        c->response.SetStatus(304, "Not Modified", 0, S_OK, 0, FALSE);
    } else {
        if (!send_file(c, file, size)) return false;
        c->response.SetStatus(200, "OK", 0, S_OK, 0, FALSE);
        put(c->response, HttpHeaderContentType, type, rt::length(type));
    }
    put(c->response, HttpHeaderLastModified, date.data(), date.size());
    put(c->response, HttpHeaderEtag, etag.data(), etag.size());
    put(c->response, HttpHeaderAcceptRanges, "bytes", 5);
    return true;
}
