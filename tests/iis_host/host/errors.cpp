/*
 * errors.cpp -- IIS's <httpErrors> as the host applies it to an error response (status 400
 * or more) before RQ_SEND_RESPONSE: whether IIS replaces what the modules built
 * (existingResponse, --existing-response, and the module's fTrySkipCustomErrors) and with
 * which page (errorMode, --error-mode, the client local or not). The pages are the test
 * server's (test-server/src/http_errors.rs) byte for byte, so a module answers the same in
 * both hosts. Microsoft's reference:
 * https://learn.microsoft.com/en-us/iis/configuration/system.webserver/httperrors/
 */
#include "host.h"

/* `text` HTML-encoded: &, <, >, " and ' as entities. */
static void add_html(rt::Text &out, const char *text, size_t len)
{
    for (size_t i = 0; i < len; ++i) {
        switch (text[i]) {
        case '&': out.add("&amp;"); break;
        case '<': out.add("&lt;"); break;
        case '>': out.add("&gt;"); break;
        case '"': out.add("&quot;"); break;
        case '\'': out.add("&#39;"); break;
        default: out.add_char(text[i]);
        }
    }
}

/* UTF-16 as UTF-8, an unpaired surrogate as U+FFFD (as Rust's from_utf16_lossy). */
static void add_utf8(rt::Text &out, const wchar_t *text, size_t len)
{
    for (size_t i = 0; i < len; ++i) {
        unsigned long c = (unsigned short)text[i];
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < len && (unsigned short)text[i + 1] >= 0xdc00 &&
            (unsigned short)text[i + 1] < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + ((unsigned short)text[++i] - 0xdc00);
        } else if (c >= 0xd800 && c < 0xe000) {
            c = 0xfffd;
        }
        if (c < 0x80) {
            out.add_char((char)c);
        } else if (c < 0x800) {
            out.add_char((char)(0xc0 | (c >> 6))).add_char((char)(0x80 | (c & 0x3f)));
        } else if (c < 0x10000) {
            out.add_char((char)(0xe0 | (c >> 12))).add_char((char)(0x80 | ((c >> 6) & 0x3f)));
            out.add_char((char)(0x80 | (c & 0x3f)));
        } else {
            out.add_char((char)(0xf0 | (c >> 18))).add_char((char)(0x80 | ((c >> 12) & 0x3f)));
            out.add_char((char)(0x80 | ((c >> 6) & 0x3f))).add_char((char)(0x80 | (c & 0x3f)));
        }
    }
}

/* 127.0.0.0/8 or ::1, as Rust's IpAddr::is_loopback. */
static bool is_loopback(const SOCKADDR *address)
{
    if (!address) return false;
    if (address->sa_family == AF_INET)
        return (((const SOCKADDR_IN *)address)->sin_addr.s_addr & 0xff) == 127;
    if (address->sa_family != AF_INET6) return false;
    const unsigned char *bytes = ((const SOCKADDR_IN6 *)address)->sin6_addr.s6_addr;
    for (int i = 0; i < 15; ++i)
        if (bytes[i]) return false;
    return bytes[15] == 1;
}

/* Whether IIS replaces a response of `status`: Auto keeps it only with the flag and a body
   (an empty error response gets IIS's page even with the flag, as users of
   TrySkipIisCustomErrors report), Replace never, PassThrough whenever it has a body. */
static bool replaces(const Host *host, USHORT status, bool skip, bool has_body)
{
    if (status < 400) return false;
    switch (host->existing_response) {
    case kReplace: return true;
    case kPassThrough: return !has_body;
    default: return !(skip && has_body);
    }
}

/* IIS's detailed error page, shortened (see test-server/src/http_errors.rs, detailed_page). */
static void detailed_page(rt::Text &page, Response &r)
{
    rt::Text title;
    title.add_number(r.raw.StatusCode).add(".").add_number(r.sub_status).add(" - ");
    add_html(title, r.raw.pReason ? r.raw.pReason : "", r.raw.ReasonLength);
    page.add("<!DOCTYPE html>\n<html>\n<head><title>IIS Detailed Error - ")
        .add(title.data(), title.size())
        .add("</title></head>\n<body>\n<div id=\"header\"><h1>Server Error</h1></div>\n"
             "<div id=\"content\">\n<h3>HTTP Error ")
        .add(title.data(), title.size())
        .add("</h3>\n");
    if (r.error_description) {
        rt::Text description;
        add_utf8(description, r.error_description, r.error_description_len);
        page.add("<h4>");
        add_html(page, description.data(), description.size());
        page.add("</h4>\n");
    }
    rt::Text code;
    code.add_hex((unsigned long)r.error_to_report);
    page.add("<fieldset><h4>Detailed Error Information:</h4>\n<table>\n"
             "<tr><th>Error Code</th><td>0x");
    for (size_t pad = code.size(); pad < 8; ++pad) page.add("0");
    page.add(code.data(), code.size())
        .add("</td></tr>\n</table></fieldset>\n</div>\n</body>\n</html>\n");
}

/* IIS's custom error page, shortened (see test-server/src/http_errors.rs, custom_page). */
static void custom_page(rt::Text &page, Response &r)
{
    rt::Text line;
    line.add_number(r.raw.StatusCode).add(" - ");
    add_html(line, r.raw.pReason ? r.raw.pReason : "", r.raw.ReasonLength);
    page.add("<!DOCTYPE html>\n<html>\n<head><title>")
        .add(line.data(), line.size())
        .add("</title></head>\n<body>\n<div id=\"header\"><h1>Server Error</h1></div>\n"
             "<div id=\"content\">\n<fieldset><h2>")
        .add(line.data(), line.size())
        .add("</h2></fieldset>\n</div>\n</body>\n</html>\n");
}

void apply_http_errors(Context *c)
{
    Response &r = c->response;
    if (!replaces(c->host, r.raw.StatusCode, r.skip_custom_errors, r.entity_length() > 0)) return;
    bool local = c->request.raw && is_loopback(c->request.raw->Address.pRemoteAddress);
    bool detailed = c->host->error_mode == kDetailed ||
                    (c->host->error_mode == kDetailedLocalOnly && local);
    rt::Text page;
    if (detailed)
        detailed_page(page, r);
    else
        custom_page(page, r);
    HTTP_DATA_CHUNK chunk;
    chunk.DataChunkType = HttpDataChunkFromMemory;
    chunk.FromMemory.pBuffer = c->copy_string(page.data(), page.size());
    chunk.FromMemory.BufferLength = (ULONG)page.size();
    r.Clear();
    r.add_chunk(chunk, -1);
    r.SetHeader(HttpHeaderContentType, "text/html", 9, TRUE);
}
