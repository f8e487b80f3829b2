/*
 * site.h -- where a request runs, as the host tells a module: the one site (IHttpSite, id 1,
 * "Default Web Site", with a module context container of its own), the configuration of every
 * URL (IMetadataInfo: the site's configuration path and the physical root of its virtual
 * directory) and each request's connection (IHttpConnection, made in request memory when a
 * module first asks). The names are a default IIS installation's, as the test server's.
 */
#pragma once

class Site : public IHttpSite
{
public:
    ApplicationContainer container;

    DWORD GetSiteId() const override { return 1; }
    PCWSTR GetSiteName() const override { return L"Default Web Site"; }
    IHttpModuleContextContainer *GetModuleContextContainer() override { return &container; }
    IHttpPerfCounterInfo *GetPerfCounterInfo() override { return 0; }
};

class Metadata : public IMetadataInfo
{
public:
    PCWSTR GetMetaPath() const override { return L"MACHINE/WEBROOT/APPHOST/Default Web Site"; }
    PCWSTR GetVrPath() const override { return L"C:\\inetpub\\wwwroot"; }
    IHttpTokenEntry *GetVrToken() override { return 0; }
    IHttpModuleContextContainer *GetModuleContextContainer() override { return 0; }
};

/* The handler mapping IIS chose (GetScriptMap): a default installation's StaticFile handler,
   path "*", verb "*", its three modules, resourceType Either (2), requireAccess Read (1), a
   wildcard ("star") mapping; test-server/src/script_map.rs is its twin. A request has it from
   POST_MAP_REQUEST_HANDLER on (pipeline.cpp), null before. */
class StaticFileMapping : public IScriptMapInfo
{
public:
    PCWSTR GetPath() const override { return L"*"; }
    PCSTR GetAllowedVerbs() const override { return "*"; }
    PCWSTR GetModules(DWORD *len) const override
    {
        static const wchar_t modules[] =
            L"StaticFileModule,DefaultDocumentModule,DirectoryListingModule";
        if (len) *len = (DWORD)(sizeof modules / sizeof *modules - 1);
        return modules;
    }
    PCWSTR GetScriptProcessor(DWORD *len) const override
    {
        if (len) *len = 0;
        return L"";
    }
    PCWSTR GetManagedType(DWORD *len) const override
    {
        if (len) *len = 0;
        return L"";
    }
    BOOL GetAllowPathInfoForScriptMappings() const override { return FALSE; }
    DWORD GetRequiredAccess() const override { return 1; }
    DWORD GetResourceType() const override { return 2; }
    BOOL GetIsStarScriptMap() const override { return TRUE; }
    DWORD GetResponseBufferLimit() const override { return 4 * 1024 * 1024; }
    PCWSTR GetName() const override { return L"StaticFile"; }
};

/* A connection's module context container: one stored context per module, set through
   either class (a connection's stored context is a stored context: single inheritance). */
class ConnectionContainer : public IHttpConnectionModuleContextContainer
{
public:
    ContextContainer stored;

    IHttpStoredContext *GetModuleContext(HTTP_MODULE_ID id) override
    { return stored.GetModuleContext(id); }
    HRESULT SetModuleContext(IHttpStoredContext *context, HTTP_MODULE_ID id) override
    { return stored.SetModuleContext(context, id); }
    IHttpConnectionStoredContext *GetConnectionModuleContext(HTTP_MODULE_ID id) override
    { return static_cast<IHttpConnectionStoredContext *>(stored.GetModuleContext(id)); }
    HRESULT SetConnectionModuleContext(IHttpConnectionStoredContext *context,
                                       HTTP_MODULE_ID id) override
    { return stored.SetModuleContext(context, id); }
};

/* Connected while its request runs (the host does not watch the client); IIS keeps one
   connection across a client's keep-alive requests, the host makes one per request, which
   closes (its stored contexts cleaned up) when the request is done. */
class Connection : public IHttpConnection
{
public:
    Context *context = 0;
    ConnectionContainer container;

    BOOL IsConnected() const override { return TRUE; }
    VOID *AllocateMemory(DWORD size) override;
    IHttpConnectionModuleContextContainer *GetModuleContextContainer() override
    { return &container; }
};

/* `url` (n characters) under the site's physical root, in request memory (site.cpp). */
PCWSTR site_path(Context *c, const wchar_t *url, DWORD n, DWORD *len);
/* RQ_READ_ENTITY for `bytes` read into `buffer` (`size` bytes); what the reader gets
   (events.cpp). */
DWORD read_entity_event(Context *c, VOID *buffer, DWORD bytes, DWORD size);

/* files.cpp: the local file a physical path names under --site-root (in request memory), or
   null; a file time as an IMF-fixdate (Last-Modified) and as the static handler's ETag. */
PCWSTR site_file(Context *c, PCWSTR physical, DWORD len);
void http_date(const FILETIME &time, rt::Text &out);
void file_etag(const FILETIME &time, rt::Text &out);
