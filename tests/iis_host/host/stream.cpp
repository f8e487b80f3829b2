/*
 * stream.cpp -- IHttpResponse::Flush as IIS has it: the first flush sends the status line and
 * headers and fixes them (GetResponseHeadersSent is TRUE from then on; later changes reach no
 * client), every flush sends the body written since the last one, and what a flush sent is no
 * longer cleared by Clear. A flushed response without a Content-Length goes chunked to an
 * HTTP/1.1 client and with "Connection: close" to an HTTP/1.0 one. The twin of the test
 * server's streaming.rs.
 *
 * Under wine the host cannot send a response in parts: wine 8's HttpSendResponseEntityBody is
 * a stub (ERROR_CALL_NOT_IMPLEMENTED) and its HttpSendHttpResponse ignores
 * HTTP_SEND_RESPONSE_FLAG_MORE_DATA and always adds a Content-Length. So a flush here fixes
 * the head and counts what it sent, and the transport sends everything when the request ends,
 * with the head the first flush fixed and a Content-Length (no chunked framing): the client
 * gets the same status, headers and body as from IIS, at the end instead of in parts.
 */
#include "host.h"

/* The head as the first flush sent it: a copy of the status, reason and headers (the unknown
   headers' array copied too, since SetHeader edits its entries in place; values live in
   request memory until the request ends and are never written over). */
static void fix_head(Response &r)
{
    Context *c = r.context;
    if (!r.raw.Headers.KnownHeaders[HttpHeaderContentLength].RawValueLength) {
        const HTTP_REQUEST_V2 *request = c->request.raw;
        bool http_1_1 = request->Version.MajorVersion > 1 ||
                        (request->Version.MajorVersion == 1 && request->Version.MinorVersion >= 1);
        /* The chunked framing is not sent under wine (see above); an HTTP/1.0 client's
           connection closes after the body, as IIS closes it. */
        if (!http_1_1) {
            r.SetHeader(HttpHeaderConnection, "close", 5, TRUE);
            r.need_disconnect = true;
        }
    }
    r.sent_head = r.raw;
    USHORT count = r.raw.Headers.UnknownHeaderCount;
    if (count) {
        size_t bytes = count * sizeof(HTTP_UNKNOWN_HEADER);
        HTTP_UNKNOWN_HEADER *copy = (HTTP_UNKNOWN_HEADER *)c->allocate(bytes);
        rt::copy(copy, r.raw.Headers.pUnknownHeaders, bytes);
        r.sent_head.Headers.pUnknownHeaders = copy;
    }
    r.flushed = true;
}

/* Sends (here: counts as sent) the head the first time and the chunks written since the last
   flush; *sent is their bytes. Asked for fAsync it completes at once, or later with
   --async-io-later, as the other asynchronous calls. */
HRESULT Response::Flush(BOOL async, BOOL, DWORD *sent, BOOL *completion_expected)
{
    if (completion_expected) *completion_expected = FALSE;
    if (!flushed) fix_head(*this);
    ULONGLONG bytes = 0;
    for (USHORT i = sent_chunks; i < raw.EntityChunkCount; ++i)
        bytes += raw.pEntityChunks[i].FromMemory.BufferLength;
    sent_chunks = raw.EntityChunkCount;
    if (context->request.raw->Verb == HttpVerbHEAD) bytes = 0;
    DWORD count = bytes > 0xFFFFFFFFull ? 0xFFFFFFFFu : (DWORD)bytes;
    rt::Text detail;
    detail.add_number(count);
    context->host->log(context, "flush", detail.c_str());
    if (completion_expected && context->complete_later(async, count)) {
        *completion_expected = TRUE;
        if (sent) *sent = 0;
        return S_OK;
    }
    if (sent) *sent = count;
    return S_OK;
}

void Response::restore_sent_head()
{
    HTTP_RESPONSE_V2 head = sent_head;
    head.EntityChunkCount = raw.EntityChunkCount;
    head.pEntityChunks = raw.pEntityChunks;
    raw = head;
    unknown_capacity = raw.Headers.UnknownHeaderCount;
}
