/*
 * url.cpp -- the URL as IIS hands it to modules, the twin of the test server's url.rs: the
 * path of a raw URL, the path as http.sys cooks it (escapes decoded, `\` as `/`, UTF-8 or
 * else each byte as Latin-1, dot segments removed: the URL, PATH_INFO and SCRIPT_NAME server
 * variables), and the target IIS sends for a Redirect (absolute within the request's Host,
 * with its query when asked).
 */
#include "host.h"

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The byte of "%XX" at `p` (before `end`), or -1 when it is no escape. */
int escaped_byte(const char *p, const char *end)
{
    if (end - p < 3 || p[0] != '%') return -1;
    int high = hex_digit(p[1]), low = hex_digit(p[2]);
    return high < 0 || low < 0 ? -1 : high * 16 + low;
}

void url_path(const char *url, size_t len, const char **path, size_t *path_len)
{
    size_t start = 0;
    if (len > 7 && rt::equal_nocase(url, 7, "http://", 7)) {
        start = 7;
        while (start < len && url[start] != '/') ++start;
    }
    size_t stop = start;
    while (stop < len && url[stop] != '?') ++stop;
    *path = url + start;
    *path_len = stop - start;
}

/* Whether `text[0..len)` is well-formed UTF-8 (no overlong forms, surrogates or values
   above U+10FFFF, as Rust's `String::from_utf8` checks). */
static bool is_utf8(const unsigned char *text, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = text[i];
        size_t more = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2
                    : c >= 0xF0 && c <= 0xF4 ? 3 : 9;
        if (more == 9 || i + more >= len) return false;
        unsigned char low = 0x80, high = 0xBF;
        if (c == 0xE0) low = 0xA0;
        if (c == 0xED) high = 0x9F;
        if (c == 0xF0) low = 0x90;
        if (c == 0xF4) high = 0x8F;
        for (size_t k = 1; k <= more; ++k) {
            unsigned char next = text[i + k];
            if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return false;
        }
        i += more + 1;
    }
    return true;
}

void cooked_path(const char *raw, size_t len, rt::Text &out)
{
    /* Escapes decoded, `\` read as `/`. */
    rt::Text decoded;
    const char *end = raw + len;
    for (const char *p = raw; p < end;) {
        int byte = escaped_byte(p, end);
        char c = byte >= 0 ? (char)byte : *p;
        decoded.add_char(c == '\\' ? '/' : c);
        p += byte >= 0 ? 3 : 1;
    }
    /* Not UTF-8: each byte read as Latin-1 (url.rs says why). */
    rt::Text text;
    const unsigned char *bytes = (const unsigned char *)decoded.data();
    if (is_utf8(bytes, decoded.size())) {
        text.add(decoded.data(), decoded.size());
    } else {
        for (size_t i = 0; i < decoded.size(); ++i) {
            if (bytes[i] < 0x80) {
                text.add_char((char)bytes[i]);
            } else {
                text.add_char((char)(0xC0 | bytes[i] >> 6)).add_char((char)(0x80 | (bytes[i] & 0x3F)));
            }
        }
    }
    /* Dot segments removed (RFC 3986 5.2.4): `out` holds the kept segments, each after its
       `/`; a `..` drops the last one, never above the root. */
    const char *t = text.data() ? text.data() : "";
    size_t n = text.size(), at = 0;
    bool absolute = n > 0 && t[0] == '/', ends_with_slash = false;
    out.clear();
    if (absolute) at = 1;
    while (at <= n) {
        size_t stop = at;
        while (stop < n && t[stop] != '/') ++stop;
        bool last = stop >= n;
        size_t seg = stop - at;
        if (seg == 1 && t[at] == '.') {
            ends_with_slash = last;
        } else if (seg == 2 && t[at] == '.' && t[at + 1] == '.') {
            size_t keep = out.size();
            while (keep > 0 && out.data()[keep - 1] != '/') --keep;
            out.truncate(keep > 0 ? keep - 1 : 0);
            ends_with_slash = last;
        } else {
            if (absolute || out.size() > 0) out.add_char('/');
            out.add(t + at, seg);
            ends_with_slash = false;
        }
        at = stop + 1;
    }
    if (ends_with_slash || (absolute && out.size() == 0)) out.add_char('/');
}

/* Whether `url` starts with a scheme (`http:`, `mailto:`): letters, digits, `+-.` up to `:`. */
static bool has_scheme(const char *url)
{
    size_t i = 0;
    while (url[i] && url[i] != ':') {
        char c = url[i];
        bool scheme_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
        if (!scheme_char) return false;
        ++i;
    }
    return i > 0 && url[i] == ':';
}

void redirect_target(const char *url, const char *host, size_t host_len, const char *raw_url,
                     size_t raw_len, bool include_parameters, rt::Text &out)
{
    const char *path = raw_url;
    size_t path_len = 0;
    url_path(raw_url, raw_len, &path, &path_len);
    size_t query_at = (size_t)(path - raw_url) + path_len;
    out.clear();
    if (host && !has_scheme(url)) {
        out.add("http://").add(host, host_len);
        if (url[0] != '/') {
            size_t directory = path_len;
            while (directory > 0 && path[directory - 1] != '/') --directory;
            if (directory == 0) out.add("/");
            out.add(path, directory);
        }
    }
    out.add(url);
    bool url_has_query = false;
    for (const char *p = url; *p; ++p) url_has_query = url_has_query || *p == '?';
    if (include_parameters && query_at + 1 < raw_len)
        out.add(url_has_query ? "&" : "?").add(raw_url + query_at + 1, raw_len - query_at - 1);
}
