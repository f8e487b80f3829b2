/*
 * site.cpp -- the request's site, configuration, connection and physical path (site.h):
 * what IHttpContext's GetSite, GetMetadata, GetConnection, GetPhysicalPath and
 * GetScriptTranslated answer.
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

/* The URL's path under the application's physical root, '/' turned to '\'; whether a file is
   there is not looked at, as IIS does not. */
PCWSTR Context::GetPhysicalPath(DWORD *len)
{
    static const wchar_t kRoot[] = L"C:\\inetpub\\wwwroot";
    const DWORD root = sizeof kRoot / sizeof kRoot[0] - 1;
    const HTTP_COOKED_URL &url = request.raw->CookedUrl;
    DWORD n = url.AbsPathLength / sizeof(wchar_t);
    wchar_t *path = (wchar_t *)allocate((root + n + 1) * sizeof(wchar_t));
    if (!path) {
        if (len) *len = 0;
        return 0;
    }
    rt::copy(path, kRoot, root * sizeof(wchar_t));
    for (DWORD i = 0; i < n; ++i)
        path[root + i] = url.pAbsPath[i] == L'/' ? L'\\' : url.pAbsPath[i];
    path[root + n] = 0;
    if (len) *len = root + n;
    return path;
}

PCWSTR Context::GetScriptTranslated(DWORD *len) { return GetPhysicalPath(len); }
