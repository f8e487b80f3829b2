/*
 * message.cpp -- IHttpRequest and IHttpResponse of the IIS host. The request reads and edits
 * the HTTP_REQUEST_V2 the HTTP Server API delivered (known headers by HTTP_HEADER_ID, the
 * others in its unknown-header array); the response fills the HTTP_RESPONSE_V2 the host
 * sends. New strings and grown arrays live in request memory, freed with the request.
 * Setting a header that exists without `replace` appends ", value", as IIS does. The entity
 * body is read as modules ask for it (ReadEntityBody): the part copied with the request,
 * then the rest from the transport, to its end. Text a module puts on the wire (header names
 * and values, a reason phrase, a redirect target; server variables in context.cpp) is checked
 * first by the `wire_` functions below and refused with E_INVALIDARG, nothing stored, as the
 * test server refuses it: a CR or LF passed through would split the response.
 */
#include "host.h"

/* ---- header names -------------------------------------------------------------------- */

/* HTTP_HEADER_ID 0-19 name the same headers in requests and responses. */
static const char *const kCommonHeaders[20] = {
    "Cache-Control", "Connection", "Date", "Keep-Alive", "Pragma", "Trailer",
    "Transfer-Encoding", "Upgrade", "Via", "Warning", "Allow", "Content-Length",
    "Content-Type", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5",
    "Content-Range", "Expires", "Last-Modified",
};
static const char *const kRequestHeaders[HttpHeaderRequestMaximum - 20] = {
    "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Authorization",
    "Cookie", "Expect", "From", "Host", "If-Match", "If-Modified-Since", "If-None-Match",
    "If-Range", "If-Unmodified-Since", "Max-Forwards", "Proxy-Authorization", "Referer",
    "Range", "TE", "Translate", "User-Agent",
};
static const char *const kResponseHeaders[HttpHeaderResponseMaximum - 20] = {
    "Accept-Ranges", "Age", "ETag", "Location", "Proxy-Authenticate", "Retry-After", "Server",
    "Set-Cookie", "Vary", "WWW-Authenticate",
};

const char *request_header_name(int id)
{
    return id < 20 ? kCommonHeaders[id] : kRequestHeaders[id - 20];
}

const char *response_header_name(int id)
{
    return id < 20 ? kCommonHeaders[id] : kResponseHeaders[id - 20];
}

static int header_id(const char *name, size_t len, int maximum, const char *(*name_of)(int))
{
    for (int id = 0; id < maximum; ++id) {
        const char *known = name_of(id);
        if (rt::equal_nocase(name, len, known, rt::length(known))) return id;
    }
    return -1;
}

int request_header_id(const char *name, size_t len)
{
    return header_id(name, len, HttpHeaderRequestMaximum, request_header_name);
}

int response_header_id(const char *name, size_t len)
{
    return header_id(name, len, HttpHeaderResponseMaximum, response_header_name);
}

/* ---- what may go on the wire ----------------------------------------------------------- */

/* The test server's rule (test-server/src/headers.rs, `sendable` and `field_text`): a field
   value or reason phrase holds HTAB, SP, visible ASCII and octets from 0x80 (RFC 9110's
   obs-text), never CR, LF, NUL, another control or DEL; for UTF-16 text, the same per unit. */
static bool field_unit(unsigned c)
{
    return c == '\t' || c == ' ' || (c > 0x20 && c != 0x7f);
}

bool wire_field(const char *text, size_t len)
{
    for (size_t i = 0; i < len; ++i)
        if (!field_unit((unsigned char)text[i])) return false;
    return true;
}

bool wire_field(const wchar_t *text, size_t len)
{
    for (size_t i = 0; i < len; ++i)
        if (!field_unit((unsigned)text[i])) return false;
    return true;
}

/* An RFC 9110 token (a header name, a server variable's name): visible ASCII but for the
   delimiters, not empty. */
bool wire_token(const char *name, size_t len)
{
    static const char kDelimiters[] = "\"(),/:;<=>?@[\\]{}";
    if (!len) return false;
    for (size_t i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f) return false;
        for (const char *d = kDelimiters; *d; ++d)
            if (c == (unsigned char)*d) return false;
    }
    return true;
}

/* ---- shared header editing ------------------------------------------------------------ */

/* `value` (len bytes), or `old`, ", " and `value` when appending; in request memory. */
static const char *header_value(Context *c, const char *old, USHORT old_len, PCSTR value,
                                USHORT len, BOOL replace, USHORT *out_len)
{
    if (replace || !old || !old_len) {
        *out_len = len;
        return c->copy_string(value, len);
    }
    size_t total = (size_t)old_len + 2 + len;
    char *joined = (char *)c->allocate(total + 1);
    rt::copy(joined, old, old_len);
    rt::copy(joined + old_len, ", ", 2);
    rt::copy(joined + old_len + 2, value, len);
    joined[total] = 0;
    *out_len = (USHORT)total;
    return joined;
}

/* An unknown header `name` set in (`*headers`, `*count`), growing the array when new. */
static HRESULT set_unknown(Context *c, HTTP_UNKNOWN_HEADER **headers, USHORT *count,
                           DWORD *capacity, PCSTR name, PCSTR value, USHORT len, BOOL replace)
{
    size_t name_len = rt::length(name);
    for (USHORT i = 0; i < *count; ++i) {
        HTTP_UNKNOWN_HEADER &h = (*headers)[i];
        if (rt::equal_nocase(h.pName, h.NameLength, name, name_len)) {
            h.pRawValue = header_value(c, h.pRawValue, h.RawValueLength, value, len, replace,
                                       &h.RawValueLength);
            return S_OK;
        }
    }
    if (*count >= *capacity) {
        DWORD grown = *capacity ? *capacity * 2 : 8;
        if (grown < (DWORD)*count + 1) grown = *count + 1;
        HTTP_UNKNOWN_HEADER *bigger =
            (HTTP_UNKNOWN_HEADER *)c->allocate(grown * sizeof(HTTP_UNKNOWN_HEADER));
        rt::copy(bigger, *headers, *count * sizeof(HTTP_UNKNOWN_HEADER));
        *headers = bigger;
        *capacity = grown;
    }
    HTTP_UNKNOWN_HEADER &h = (*headers)[(*count)++];
    h.NameLength = (USHORT)name_len;
    h.pName = c->copy_string(name, name_len);
    h.RawValueLength = len;
    h.pRawValue = c->copy_string(value, len);
    return S_OK;
}

static HRESULT delete_unknown(HTTP_UNKNOWN_HEADER *headers, USHORT *count, PCSTR name)
{
    size_t name_len = rt::length(name);
    for (USHORT i = 0; i < *count; ++i)
        if (rt::equal_nocase(headers[i].pName, headers[i].NameLength, name, name_len)) {
            for (USHORT j = i + 1; j < *count; ++j) headers[j - 1] = headers[j];
            --*count;
            return S_OK;
        }
    return S_OK;
}

static PCSTR get_unknown(const HTTP_UNKNOWN_HEADER *headers, USHORT count, PCSTR name,
                         USHORT *len)
{
    size_t name_len = rt::length(name);
    for (USHORT i = 0; i < count; ++i)
        if (rt::equal_nocase(headers[i].pName, headers[i].NameLength, name, name_len)) {
            if (len) *len = headers[i].RawValueLength;
            return headers[i].pRawValue;
        }
    if (len) *len = 0;
    return 0;
}

static PCSTR get_known(const HTTP_KNOWN_HEADER &h, USHORT *len)
{
    if (len) *len = h.pRawValue ? h.RawValueLength : 0;
    return h.pRawValue;
}

/* ---- IHttpRequest -------------------------------------------------------------------- */

PCSTR Request::GetHeader(PCSTR name, USHORT *len) const
{
    int id = request_header_id(name, rt::length(name));
    if (id >= 0) return get_known(raw->Headers.KnownHeaders[id], len);
    return get_unknown(raw->Headers.pUnknownHeaders, raw->Headers.UnknownHeaderCount, name, len);
}

PCSTR Request::GetHeader(HTTP_HEADER_ID id, USHORT *len) const
{
    if ((unsigned)id >= HttpHeaderRequestMaximum) {
        if (len) *len = 0;
        return 0;
    }
    return get_known(raw->Headers.KnownHeaders[id], len);
}

HRESULT Request::SetHeader(PCSTR name, PCSTR value, USHORT len, BOOL replace)
{
    if (!name || !value) return E_INVALIDARG;
    if (!wire_token(name, rt::length(name)) || !wire_field(value, len)) return E_INVALIDARG;
    int id = request_header_id(name, rt::length(name));
    if (id >= 0) return SetHeader((HTTP_HEADER_ID)id, value, len, replace);
    /* The HTTP Server API's array is exactly full: a new header copies it, bigger. */
    DWORD capacity = raw->Headers.UnknownHeaderCount;
    return set_unknown(context, &raw->Headers.pUnknownHeaders, &raw->Headers.UnknownHeaderCount,
                       &capacity, name, value, len, replace);
}

HRESULT Request::SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT len, BOOL replace)
{
    if ((unsigned)id >= HttpHeaderRequestMaximum || !value) return E_INVALIDARG;
    if (!wire_field(value, len)) return E_INVALIDARG;
    HTTP_KNOWN_HEADER &h = raw->Headers.KnownHeaders[id];
    h.pRawValue = header_value(context, h.pRawValue, h.RawValueLength, value, len, replace,
                               &h.RawValueLength);
    return S_OK;
}

HRESULT Request::DeleteHeader(PCSTR name)
{
    int id = request_header_id(name, rt::length(name));
    if (id >= 0) return DeleteHeader((HTTP_HEADER_ID)id);
    return delete_unknown(raw->Headers.pUnknownHeaders, &raw->Headers.UnknownHeaderCount, name);
}

HRESULT Request::DeleteHeader(HTTP_HEADER_ID id)
{
    if ((unsigned)id >= HttpHeaderRequestMaximum) return E_INVALIDARG;
    raw->Headers.KnownHeaders[id].pRawValue = 0;
    raw->Headers.KnownHeaders[id].RawValueLength = 0;
    return S_OK;
}

const char *http_method(const HTTP_REQUEST_V2 *raw)
{
    static const char *const verbs[] = {
        0, 0, 0, "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT",
        "TRACK", "MOVE", "COPY", "PROPFIND", "PROPPATCH", "MKCOL", "LOCK", "UNLOCK", "SEARCH",
    };
    if (raw->Verb == HttpVerbUnknown) return raw->pUnknownVerb;
    if ((unsigned)raw->Verb < sizeof verbs / sizeof *verbs) return verbs[raw->Verb];
    return 0;
}

PCSTR Request::GetHttpMethod() const
{
    return http_method(raw);
}

/* ---- the entity body ----------------------------------------------------------------- */

void Request::attach_entity()
{
    if (raw->EntityChunkCount && raw->pEntityChunks[0].DataChunkType == HttpDataChunkFromMemory) {
        entity = (const BYTE *)raw->pEntityChunks[0].FromMemory.pBuffer;
        entity_left = raw->pEntityChunks[0].FromMemory.BufferLength;
    }
    more_entity = (raw->Flags & HTTP_REQUEST_FLAG_MORE_ENTITY_BODY_EXISTS) != 0;
    USHORT len = 0;
    PCSTR length = GetHeader(HttpHeaderContentLength, &len);
    /* Transfer-Encoding wins over Content-Length (RFC 9112, 6.3). */
    if (length && !GetHeader(HttpHeaderTransferEncoding, 0)) {
        length_known = true;
        content_length = rt::parse_number(length, len, 0);
    }
}

/* Read at the call whether or not the module asks for fAsync. Asked for it, the read
   completes at once (*pending = FALSE, as IIS may), or with --async-io-later reports pending
   and completes with its byte count through OnAsyncCompletion; the end of the body is
   answered at once either way. The chunk copied with the request is served from memory; the
   rest is read from the client when a module asks, so the host holds no more of a body than
   the module does. */
HRESULT Request::ReadEntityBody(VOID *buffer, DWORD size, BOOL async, DWORD *received,
                                BOOL *pending)
{
    if (pending) *pending = FALSE;
    if (!buffer || !received) return E_INVALIDARG;
    *received = 0;
    DWORD n = 0;
    HRESULT hr = read(buffer, size, &n);
    /* RQ_READ_ENTITY after every read, the end of the body included (events.cpp). */
    bool end = hr == HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
    if (SUCCEEDED(hr) || end) n = read_entity_event(context, buffer, n, size);
    if (end && n) hr = S_OK;
    if (SUCCEEDED(hr) && pending && context->complete_later(async, n)) {
        *pending = TRUE;
        return S_OK;
    }
    *received = n;
    return hr;
}

HRESULT Request::read(VOID *buffer, DWORD size, DWORD *received)
{
    while (inserted && !inserted->left) inserted = inserted->next;
    if (inserted) {
        DWORD n = size < inserted->left ? size : inserted->left;
        rt::copy(buffer, inserted->data, n);
        inserted->data += n;
        inserted->left -= n;
        inserted_left -= n;
        *received = n;
        return S_OK;
    }
    if (entity_left) {
        DWORD n = size < entity_left ? size : entity_left;
        rt::copy(buffer, entity, n);
        entity += n;
        entity_left -= n;
        consumed += n;
        *received = n;
        return S_OK;
    }
    if (length_known && consumed >= content_length) more_entity = false;
    if (!more_entity) return HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
    if (!size) return S_OK;
    DWORD n = 0;
    ULONG rc = context->host->transport->read_entity(context, buffer, size, &n);
    if (rc != NO_ERROR) more_entity = false;
    if (rc != NO_ERROR && rc != ERROR_HANDLE_EOF) return HRESULT_FROM_WIN32(rc);
    if (!n) {
        more_entity = false;
        return HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
    }
    consumed += n;
    *received = n;
    return S_OK;
}

/* `size` bytes read next, before the rest of the body (and of bodies inserted before); the
   Content-Length header stays as it is, as IIS leaves it. As the test server's `entity.rs`. */
HRESULT Request::InsertEntityBody(VOID *buffer, DWORD size)
{
    if (!buffer && size) return E_INVALIDARG;
    if (!size) return S_OK;
    Inserted *piece = (Inserted *)context->allocate(sizeof(Inserted));
    if (!piece) return E_OUTOFMEMORY;
    piece->data = (const BYTE *)buffer;
    piece->left = size;
    piece->next = inserted;
    inserted = piece;
    inserted_left += size;
    return S_OK;
}

/* What is left of a declared Content-Length (and of inserted bodies); for a body of unknown
   length, what is left in memory, or MAXDWORD while more may come from the client. */
DWORD Request::GetRemainingEntityBytes()
{
    ULONGLONG left;
    if (length_known) left = content_length > consumed ? content_length - consumed : 0;
    else left = more_entity ? MAXDWORD : entity_left;
    left += inserted_left;
    return left > MAXDWORD ? MAXDWORD : (DWORD)left;
}

VOID Request::GetHttpVersion(USHORT *major, USHORT *minor) const
{
    if (major) *major = raw->Version.MajorVersion;
    if (minor) *minor = raw->Version.MinorVersion;
}

/* ---- IHttpResponse ------------------------------------------------------------------- */

void Response::reset()
{
    memset(&raw, 0, sizeof raw);
    raw.Version.MajorVersion = 1;
    raw.Version.MinorVersion = 1;
    raw.StatusCode = 200;
    raw.pReason = "OK";
    raw.ReasonLength = 2;
}

HRESULT Response::SetStatus(USHORT code, PCSTR reason, USHORT sub, HRESULT hr,
                            IAppHostConfigException *, BOOL skip)
{
    size_t len = rt::length(reason);
    if (code < 100 || code > 999 || !wire_field(reason, len)) return E_INVALIDARG;
    raw.StatusCode = code;
    raw.pReason = context->copy_string(reason ? reason : "", len);
    raw.ReasonLength = (USHORT)len;
    sub_status = sub;
    error_to_report = hr;
    status_set = true;
    skip_custom_errors = skip != FALSE;
    return S_OK;
}

VOID Response::GetStatus(USHORT *code, USHORT *sub, PCSTR *reason, USHORT *reason_len,
                         HRESULT *hr, PCWSTR *module, DWORD *notification,
                         IAppHostConfigException **exception, BOOL *skip_custom_errors)
{
    if (code) *code = raw.StatusCode;
    if (sub) *sub = sub_status;
    if (reason) *reason = raw.pReason;
    if (reason_len) *reason_len = raw.ReasonLength;
    if (hr) *hr = error_to_report;
    if (module) *module = 0;
    if (notification) *notification = 0;
    if (exception) *exception = 0;
    if (skip_custom_errors) *skip_custom_errors = this->skip_custom_errors ? TRUE : FALSE;
}

HRESULT Response::SetHeader(PCSTR name, PCSTR value, USHORT len, BOOL replace)
{
    if (!name || !value) return E_INVALIDARG;
    if (!wire_token(name, rt::length(name)) || !wire_field(value, len)) return E_INVALIDARG;
    int id = response_header_id(name, rt::length(name));
    if (id >= 0) return SetHeader((HTTP_HEADER_ID)id, value, len, replace);
    return set_unknown(context, &raw.Headers.pUnknownHeaders, &raw.Headers.UnknownHeaderCount,
                       &unknown_capacity, name, value, len, replace);
}

HRESULT Response::SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT len, BOOL replace)
{
    if ((unsigned)id >= HttpHeaderResponseMaximum || !value) return E_INVALIDARG;
    if (!wire_field(value, len)) return E_INVALIDARG;
    HTTP_KNOWN_HEADER &h = raw.Headers.KnownHeaders[id];
    h.pRawValue = header_value(context, h.pRawValue, h.RawValueLength, value, len, replace,
                               &h.RawValueLength);
    return S_OK;
}

HRESULT Response::DeleteHeader(PCSTR name)
{
    int id = response_header_id(name, rt::length(name));
    if (id >= 0) return DeleteHeader((HTTP_HEADER_ID)id);
    return delete_unknown(raw.Headers.pUnknownHeaders, &raw.Headers.UnknownHeaderCount, name);
}

HRESULT Response::DeleteHeader(HTTP_HEADER_ID id)
{
    if ((unsigned)id >= HttpHeaderResponseMaximum) return E_INVALIDARG;
    raw.Headers.KnownHeaders[id].pRawValue = 0;
    raw.Headers.KnownHeaders[id].RawValueLength = 0;
    return S_OK;
}

PCSTR Response::GetHeader(PCSTR name, USHORT *len) const
{
    int id = response_header_id(name, rt::length(name));
    if (id >= 0) return get_known(raw.Headers.KnownHeaders[id], len);
    return get_unknown(raw.Headers.pUnknownHeaders, raw.Headers.UnknownHeaderCount, name, len);
}

PCSTR Response::GetHeader(HTTP_HEADER_ID id, USHORT *len) const
{
    if ((unsigned)id >= HttpHeaderResponseMaximum) {
        if (len) *len = 0;
        return 0;
    }
    return get_known(raw.Headers.KnownHeaders[id], len);
}

/* What a flush sent stays sent (stream.cpp). */
VOID Response::Clear()
{
    raw.EntityChunkCount = sent_chunks;
}

VOID Response::ClearHeaders()
{
    memset(&raw.Headers, 0, sizeof raw.Headers);
    unknown_capacity = 0;
}

/* The target as IIS sends it: absolute within the request's Host, with its query when
   include_parameters (url.cpp, `redirect_target`). */
HRESULT Response::Redirect(PCSTR url, BOOL reset_status, BOOL include_parameters)
{
    if (!url || !wire_field(url, rt::length(url))) return E_INVALIDARG;
    const HTTP_REQUEST_V2 *raw = context->request.raw;
    const char *raw_url = raw->pRawUrl ? raw->pRawUrl : "";
    USHORT host_len = 0;
    PCSTR host = context->request.GetHeader(HttpHeaderHost, &host_len);
    rt::Text target;
    redirect_target(url, host, host_len, raw_url, rt::length(raw_url), include_parameters, target);
    if (!wire_field(target.data(), target.size()) || target.size() > 0xFFFF) return E_INVALIDARG;
    Clear();
    if (reset_status) SetStatus(302, "Redirect", 0, S_OK, 0, FALSE);
    return SetHeader(HttpHeaderLocation, target.c_str(), (USHORT)target.size(), TRUE);
}

/* Kept as given, in request memory; the detailed error page (errors.cpp) shows it
   HTML-encoded whatever `fHtmlEncode` says, as the test server. A null description clears
   it. */
HRESULT Response::SetErrorDescription(PCWSTR description, DWORD len, BOOL)
{
    if (!description) {
        if (len) return E_INVALIDARG;
        error_description = 0;
        error_description_len = 0;
        return S_OK;
    }
    if (len > 0x10000000) return E_INVALIDARG;
    wchar_t *copy = (wchar_t *)context->allocate(((size_t)len + 1) * sizeof(wchar_t));
    rt::copy(copy, description, (size_t)len * sizeof(wchar_t));
    copy[len] = 0;
    error_description = copy;
    error_description_len = len;
    return S_OK;
}

PCWSTR Response::GetErrorDescription(DWORD *len)
{
    if (len) *len = error_description_len;
    return error_description;
}

HRESULT Response::add_chunk(const HTTP_DATA_CHUNK &chunk, LONG position)
{
    if (chunk.DataChunkType != HttpDataChunkFromMemory) return E_NOTIMPL;
    if (raw.EntityChunkCount >= chunk_capacity) {
        DWORD grown = chunk_capacity ? chunk_capacity * 2 : 4;
        HTTP_DATA_CHUNK *bigger = (HTTP_DATA_CHUNK *)context->allocate(grown * sizeof chunk);
        rt::copy(bigger, raw.pEntityChunks, raw.EntityChunkCount * sizeof chunk);
        raw.pEntityChunks = bigger;
        chunk_capacity = grown;
    }
    USHORT at = raw.EntityChunkCount;
    /* Nothing goes in front of what a flush sent. */
    if (position >= 0 && position < sent_chunks) position = sent_chunks;
    if (position >= 0 && position < at) {
        for (USHORT i = at; i > position; --i) raw.pEntityChunks[i] = raw.pEntityChunks[i - 1];
        at = (USHORT)position;
    }
    raw.pEntityChunks[at] = chunk;
    ++raw.EntityChunkCount;
    return S_OK;
}

HRESULT Response::WriteEntityChunkByReference(HTTP_DATA_CHUNK *chunk, LONG position)
{
    if (!chunk) return E_INVALIDARG;
    return add_chunk(*chunk, position);
}

/* Buffered, as IIS buffers by default: the bytes are copied and sent with the response.
   Asked for fAsync, complete at once, or later with --async-io-later (as ReadEntityBody). */
HRESULT Response::WriteEntityChunks(HTTP_DATA_CHUNK *chunks, DWORD n, BOOL async, BOOL,
                                    DWORD *sent, BOOL *completion_expected)
{
    if (completion_expected) *completion_expected = FALSE;
    if (!chunks && n) return E_INVALIDARG;
    DWORD total = 0;
    for (DWORD i = 0; i < n; ++i) {
        if (chunks[i].DataChunkType != HttpDataChunkFromMemory) return E_NOTIMPL;
        HTTP_DATA_CHUNK copy = chunks[i];
        ULONG len = copy.FromMemory.BufferLength;
        void *bytes = context->allocate(len ? len : 1);
        rt::copy(bytes, copy.FromMemory.pBuffer, len);
        copy.FromMemory.pBuffer = bytes;
        HRESULT hr = add_chunk(copy, -1);
        if (FAILED(hr)) return hr;
        total += len;
    }
    if (completion_expected && context->complete_later(async, total)) {
        *completion_expected = TRUE;
        if (sent) *sent = 0;
        return S_OK;
    }
    if (sent) *sent = total;
    return S_OK;
}

ULONGLONG Response::entity_length() const
{
    ULONGLONG total = 0;
    for (USHORT i = 0; i < raw.EntityChunkCount; ++i)
        total += raw.pEntityChunks[i].FromMemory.BufferLength;
    return total;
}
