/*
 * files.cpp -- IIS's static file handler (StaticFileModule with DefaultDocumentModule) for a
 * host given --site-root DIR, the twin of the test server's static_files.rs: a request no
 * module answered is served from the file its physical path names (after RQ_MAP_PATH), the
 * site's C:\inetpub\wwwroot standing for DIR.
 *
 * - A file: 200 with its bytes, the Content-Type of its extension from part of IIS's default
 *   MIME map (an extension outside it is 404.3), Last-Modified, an ETag (the file time in hex
 *   and ":0", IIS's form as observed) and Accept-Ranges: bytes.
 * - Preconditions (RFC 9110, 13.2.2): If-Match (else If-Unmodified-Since) failing is 412;
 *   If-None-Match (else If-Modified-Since) matching is 304 for GET and HEAD. Dates are
 *   IMF-fixdates only; any other date is ignored.
 * - Ranges (GET and HEAD): Range: bytes=a-b, a-, -n, cut to the file, is 206 with
 *   Content-Range, several are multipart/byteranges with IIS's boundary (as observed), none
 *   in the file is 416 with a Content-Range of "*" and the length, a malformed header or an
 *   If-Range naming another ETag or date is the whole file.
 * - A directory: without its trailing '/', a 301 to the URL with one (absolute, as a
 *   Redirect's); with it, the first of IIS's default documents that exists, else 403.14.
 * - Nothing there: 404, as without --site-root.
 *
 * Where RFC 9110 leaves a choice (several ranges unmerged, in the order asked; a suffix range
 * of an empty file answered 200 with the file), both hosts make the one the test server's
 * static_files/conditions.rs lists. IHttpContext::GetFileInfo describes the same file with
 * the same ETag and Last-Modified (file_info.cpp, through site_file, file_etag, http_date).
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


/* A header of the request, its spaces and tabs trimmed; false if absent. */
bool header(Context *c, HTTP_HEADER_ID id, const char **text, size_t *len)
{
    USHORT n = 0;
    const char *value = c->request.GetHeader(id, &n);
    if (!value) return false;
    size_t from = 0, to = n;
    while (from < to && (value[from] == ' ' || value[from] == '\t')) ++from;
    while (to > from && (value[to - 1] == ' ' || value[to - 1] == '\t')) --to;
    *text = value + from, *len = to - from;
    return true;
}

/* A list element [from, to) with spaces and tabs trimmed. */
void trim(const char *text, size_t *from, size_t *to)
{
    while (*from < *to && (text[*from] == ' ' || text[*from] == '\t')) ++*from;
    while (*to > *from && (text[*to - 1] == ' ' || text[*to - 1] == '\t')) --*to;
}

/* Whether a list of entity tags (or "*") names `etag`: strongly (a W/ tag never matches) or
   weakly (W/ ignored). */
bool tags_match(const char *tags, size_t len, const rt::Text &etag, bool strong)
{
    for (size_t at = 0; at <= len;) {
        size_t end = at;
        while (end < len && tags[end] != ',') ++end;
        size_t from = at, to = end;
        trim(tags, &from, &to);
        const char *tag = tags + from;
        size_t n = to - from;
        if (n == 1 && tag[0] == '*') return true;
        bool weak = n >= 2 && tag[0] == 'W' && tag[1] == '/';
        if (weak) tag += 2, n -= 2;
        if ((!weak || !strong) && n == etag.size() && rt::equal_n(tag, etag.data(), n))
            return true;
        at = end + 1;
    }
    return false;
}

const char *const kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char *const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Two or four digits at `text`; -1 if any is not one. */
long long digits(const char *text, size_t n)
{
    long long value = 0;
    for (size_t i = 0; i < n; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/* Seconds since 1970 of an IMF-fixdate between 1601 and 9999 (the weekday one of the seven
   names, not checked against the date); false for anything else, as the test server's
   parse_http_date. */
bool parse_http_date(const char *t, size_t len, long long *seconds)
{
    if (len != 29 || t[3] != ',' || t[4] != ' ' || t[7] != ' ' || t[11] != ' ' ||
        t[16] != ' ' || t[19] != ':' || t[22] != ':' || !rt::equal_n(t + 25, " GMT", 4))
        return false;
    bool weekday = false;
    for (const char *name : kWeekdays) weekday = weekday || rt::equal_n(t, name, 3);
    long long month = 0;
    for (long long i = 0; i < 12; ++i)
        if (rt::equal_n(t + 8, kMonths[i], 3)) month = i + 1;
    long long day = digits(t + 5, 2), year = digits(t + 12, 4), hour = digits(t + 17, 2),
              minute = digits(t + 20, 2), second = digits(t + 23, 2);
    if (!weekday || !month || day < 1 || year < 1601 || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 59)
        return false;
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    const long long month_days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (day > month_days[month - 1]) return false;
    /* Howard Hinnant's days-from-civil (year >= 1601, so no negative division). */
    long long y = month <= 2 ? year - 1 : year;
    long long era = y / 400, year_of_era = y - era * 400;
    long long day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    long long days = era * 146097 + day_of_era - 719468;
    *seconds = days * 86400 + hour * 3600 + minute * 60 + second;
    return true;
}

/* The file's validators: the ETag and the last write time in whole seconds since 1970. */
struct Validators
{
    const rt::Text &etag;
    long long modified;
};

enum Precondition { kProceed, kNotModified, kFailed };

/* RFC 9110, 13.2.2, as the test server's preconditions(). */
Precondition preconditions(Context *c, const Validators &file, bool get)
{
    const char *text;
    size_t len;
    long long date;
    if (header(c, HttpHeaderIfMatch, &text, &len)) {
        if (!tags_match(text, len, file.etag, true)) return kFailed;
    } else if (header(c, HttpHeaderIfUnmodifiedSince, &text, &len) &&
               parse_http_date(text, len, &date) && file.modified > date) {
        return kFailed;
    }
    bool unchanged;
    if (header(c, HttpHeaderIfNoneMatch, &text, &len))
        unchanged = tags_match(text, len, file.etag, false);
    else
        unchanged = get && header(c, HttpHeaderIfModifiedSince, &text, &len) &&
                    parse_http_date(text, len, &date) && file.modified <= date;
    if (!unchanged) return kProceed;
    return get ? kNotModified : kFailed;
}

struct Range
{
    ULONGLONG first, last;
};

/* What a Range header asks of a file of `len` bytes. */
struct Ranges
{
    enum { kWhole, kPartial, kUnsatisfiable } kind = kWhole;
    Range *list = 0; /* in request memory */
    size_t count = 0;
};

/* Decimal digits only, as a number that fits in 64 bits. */
bool number(const char *text, size_t n, ULONGLONG *value)
{
    if (!n) return false;
    ULONGLONG v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        unsigned digit = (unsigned)(text[i] - '0');
        if (v > (~0ULL - digit) / 10) return false;
        v = v * 10 + digit;
    }
    *value = v;
    return true;
}

/* Whether If-Range (absent: yes) names the file: its ETag, strongly, or its exact date. */
bool if_range_matches(Context *c, const Validators &file)
{
    const char *text;
    size_t len;
    if (!header(c, HttpHeaderIfRange, &text, &len)) return true;
    if ((len && text[0] == '"') || (len >= 2 && text[0] == 'W' && text[1] == '/'))
        return len == file.etag.size() && rt::equal_n(text, file.etag.data(), len);
    long long date;
    return parse_http_date(text, len, &date) && date == file.modified;
}

/* The ranges Range asks for, as the test server's ranges(): a malformed header or If-Range
   not naming the file is the whole file; ranges starting past the end are dropped, a last
   byte past it cut to it; none left is 416; a zero-length file's suffix range the whole. */
Ranges ranges(Context *c, const Validators &file, ULONGLONG len)
{
    Ranges out;
    const char *text;
    size_t n;
    if (!header(c, HttpHeaderRange, &text, &n) || n < 6 ||
        !rt::equal_nocase(text, 6, "bytes=", 6))
        return out;
    size_t elements = 1;
    for (size_t i = 6; i < n; ++i) elements += text[i] == ',';
    Range *list = (Range *)c->allocate(elements * sizeof(Range));
    if (!list) return out;
    size_t specs = 0, count = 0;
    bool empty_file_suffix = false;
    for (size_t at = 6; at <= n;) {
        size_t end = at;
        while (end < n && text[end] != ',') ++end;
        size_t from = at, to = end;
        trim(text, &from, &to);
        at = end + 1;
        if (from == to) continue;
        size_t dash = from;
        while (dash < to && text[dash] != '-') ++dash;
        if (dash == to) return out;
        ULONGLONG first = 0, last = ~0ULL;
        bool has_first = number(text + from, dash - from, &first);
        bool has_last = number(text + dash + 1, to - dash - 1, &last);
        ++specs;
        if (has_first && (has_last || dash + 1 == to)) {
            if (first > last) return out;
            if (first < len) list[count++] = {first, last < len - 1 ? last : len - 1};
        } else if (!has_first && from == dash && has_last) {
            if (last > 0 && len == 0) empty_file_suffix = true;
            if (last > 0 && len > 0) list[count++] = {len - (last < len ? last : len), len - 1};
        } else {
            return out;
        }
    }
    if (!specs || empty_file_suffix || !if_range_matches(c, file)) return out;
    out.kind = count ? Ranges::kPartial : Ranges::kUnsatisfiable;
    out.list = list, out.count = count;
    return out;
}

/* The file's bytes into request memory; null if it cannot be read. */
void *read_file(Context *c, const Path &file, ULONGLONG size)
{
    if (size > 0x7fffffff) return 0;
    HANDLE handle = CreateFileW(file.text, GENERIC_READ, FILE_SHARE_READ, 0, OPEN_EXISTING,
                                FILE_ATTRIBUTE_NORMAL, 0);
    if (handle == INVALID_HANDLE_VALUE) return 0;
    DWORD want = (DWORD)size, got = 0;
    void *bytes = c->allocate(want ? want : 1);
    bool read = bytes && ReadFile(handle, bytes, want, &got, 0) && got == want;
    CloseHandle(handle);
    return read ? bytes : 0;
}

/* Bytes as one entity chunk (none for no bytes). */
bool send(Context *c, const void *bytes, ULONGLONG len)
{
    if (!len) return true;
    HTTP_DATA_CHUNK chunk;
    memset(&chunk, 0, sizeof chunk);
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = (void *)bytes;
    chunk.FromMemory.BufferLength = (ULONG)len;
    return SUCCEEDED(c->response.add_chunk(chunk, -1));
}

/* Text as an entity chunk of its own, copied to request memory. */
bool send_text(Context *c, const rt::Text &text)
{
    return send(c, c->copy_string(text.data(), text.size()), text.size());
}

void add_content_range(rt::Text &out, const Range &range, ULONGLONG len)
{
    out.add("bytes ").add_number(range.first).add("-").add_number(range.last).add("/").add_number(len);
}

const char kBoundary[] = "[lka9uw3et5vxybtp87ghq23dpu7djv84nhls9p]";

/* 206 with the ranges of `bytes`: one as itself with Content-Range, several as
   multipart/byteranges (a CRLF before each boundary, as IIS lays it out). */
bool send_ranges(Context *c, const char *bytes, ULONGLONG len, const Ranges &ranges,
                 const char *type)
{
    Response &r = c->response;
    r.SetStatus(206, "Partial Content", 0, S_OK, 0, FALSE);
    rt::Text text;
    if (ranges.count == 1) {
        const Range &one = ranges.list[0];
        add_content_range(text, one, len);
        put(r, HttpHeaderContentRange, text.data(), text.size());
        put(r, HttpHeaderContentType, type, rt::length(type));
        return send(c, bytes + one.first, one.last - one.first + 1);
    }
    text.add("multipart/byteranges; boundary=").add(kBoundary);
    put(r, HttpHeaderContentType, text.data(), text.size());
    for (size_t i = 0; i < ranges.count; ++i) {
        const Range &range = ranges.list[i];
        text.clear();
        text.add("\r\n--").add(kBoundary).add("\r\nContent-Type: ").add(type);
        text.add("\r\nContent-Range: ");
        add_content_range(text, range, len);
        text.add("\r\n\r\n");
        if (!send_text(c, text) || !send(c, bytes + range.first, range.last - range.first + 1))
            return false;
    }
    text.clear();
    text.add("\r\n--").add(kBoundary).add("--\r\n");
    return send_text(c, text);
}

/* The answer for the file once found (see above); false with the error status to set. */
bool answer_file(Context *c, const Path &file, ULONGLONG size, const char *type,
                 const Validators &validators, USHORT *status, const char **reason)
{
    HTTP_VERB verb = c->request.raw->Verb;
    bool get = verb == HttpVerbGET || verb == HttpVerbHEAD;
    Precondition precondition = preconditions(c, validators, get);
    if (precondition == kFailed) {
        *status = 412, *reason = "Precondition Failed";
        return false;
    }
    Response &r = c->response;
    if (precondition == kNotModified) {
        r.SetStatus(304, "Not Modified", 0, S_OK, 0, FALSE);
        return true;
    }
    /* Ranges are defined for GET (RFC 9110, 14.2); HEAD is answered as GET, without body. */
    Ranges asked = get ? ranges(c, validators, size) : Ranges();
    if (asked.kind == Ranges::kUnsatisfiable) {
        rt::Text unsatisfied;
        unsatisfied.add("bytes */").add_number(size);
        put(r, HttpHeaderContentRange, unsatisfied.data(), unsatisfied.size());
        *status = 416, *reason = "Requested Range Not Satisfiable";
        return false;
    }
    const char *bytes = (const char *)read_file(c, file, size);
    if (!bytes) return false;
    if (asked.kind == Ranges::kPartial) return send_ranges(c, bytes, size, asked, type);
    r.SetStatus(200, "OK", 0, S_OK, 0, FALSE);
    put(r, HttpHeaderContentType, type, rt::length(type));
    return send(c, bytes, size);
}

/* Whole seconds of a file time (100 ns units), by shift and subtract: 32-bit x86 has no
   64-bit divide without MSVC's CRT (__aulldiv), and clang does not open-code this one. */
ULONGLONG seconds_of(ULONGLONG ticks)
{
    const ULONGLONG kTicks = 10000000;
    ULONGLONG quotient = 0, rest = 0;
    for (int bit = 63; bit >= 0; --bit) {
        rest = (rest << 1) | ((ticks >> bit) & 1);
        if (rest >= kTicks) rest -= kTicks, quotient |= 1ULL << bit;
    }
    return quotient;
}

} // namespace

/* IMF-fixdate, from the file time (host.h). */
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

/* The ETag IIS gives a static file: its last write time in hex, then ":0" (host.h). */
void file_etag(const FILETIME &time, rt::Text &out)
{
    ULONGLONG since_1601 = ((ULONGLONG)time.dwHighDateTime << 32) | time.dwLowDateTime;
    out.add("\"").add_hex(since_1601).add(":0\"");
}

/* The local file under --site-root that `physical` names, in request memory (host.h). */
PCWSTR site_file(Context *c, PCWSTR physical, DWORD len)
{
    const wchar_t *root = c->host->site_root;
    Path file;
    if (!root || !physical || !local_path(physical, len, root, file)) return 0;
    wchar_t *copy = (wchar_t *)c->allocate((file.len + 1) * sizeof(wchar_t));
    if (copy) rt::copy(copy, file.text, (file.len + 1) * sizeof(wchar_t));
    return copy;
}

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
    file_etag(data.ftLastWriteTime, etag);
    http_date(data.ftLastWriteTime, date);
    /* Seconds between 1601 and 1970. */
    Validators validators = {etag, (long long)seconds_of(since_1601) - 11644473600LL};
    if (!answer_file(c, file, size, type, validators, status, reason)) return false;
    put(c->response, HttpHeaderLastModified, date.data(), date.size());
    put(c->response, HttpHeaderEtag, etag.data(), etag.size());
    put(c->response, HttpHeaderAcceptRanges, "bytes", 5);
    return true;
}
