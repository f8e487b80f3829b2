/*
 * site.cpp -- the request's site, configuration, connection and physical path (site.h):
 * what IHttpContext's GetSite, GetMetadata, GetConnection and GetScriptTranslated answer, and
 * the site's mapping of a URL that GetPhysicalPath and MapPath start from (events.cpp).
 */
#include "global.h"

VOID *Connection::AllocateMemory(DWORD size) { return context->allocate(size ? size : 1); }

IHttpSite *Context::GetSite() { return &host->site; }

IMetadataInfo *Context::GetMetadata() { return &host->metadata; }
IScriptMapInfo *Context::GetScriptMap() const { return handler_mapped ? &host->script_map : 0; }

IHttpConnection *Context::GetConnection()
{
    if (!connection) {
        void *memory = allocate(sizeof(Connection));
        if (!memory) return 0;
        connection = new (memory) Connection();
        connection->context = this;
    }
    return connection;
}

/* `url` (n characters) under the application's physical root, '/' turned to '\', in request
   memory; whether a file is there is not looked at, as IIS does not. */
PCWSTR site_path(Context *c, const wchar_t *url, DWORD n, DWORD *len)
{
    static const wchar_t kRoot[] = L"C:\\inetpub\\wwwroot";
    const DWORD root = sizeof kRoot / sizeof kRoot[0] - 1;
    wchar_t *path = (wchar_t *)c->allocate((root + n + 1) * sizeof(wchar_t));
    if (!path) {
        *len = 0;
        return 0;
    }
    rt::copy(path, kRoot, root * sizeof(wchar_t));
    for (DWORD i = 0; i < n; ++i) path[root + i] = url[i] == L'/' ? L'\\' : url[i];
    path[root + n] = 0;
    *len = root + n;
    return path;
}

PCWSTR Context::GetScriptTranslated(DWORD *len) { return GetPhysicalPath(len); }
