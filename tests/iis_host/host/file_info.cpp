/*
 * file_info.cpp -- IHttpContext::GetFileInfo, the twin of the test server's file_info.rs: the
 * IHttpFileInfo of the file the request's physical path names under --site-root (the file
 * files.cpp serves, found by the same site_file). IIS sets it while it maps the handler
 * (IMapHandlerProvider::SetFileInfo belongs to that notification), so a module gets it from
 * POST_MAP_REQUEST_HANDLER on, as GetScriptMap, and NULL before; NULL too without
 * --site-root, for a directory and where nothing is. It is made in request memory the first
 * time a module asks, the same object for every later call, and goes with the request's
 * memory when the request ends, never earlier (Reference/DereferenceCacheData change
 * nothing).
 *
 * What it answers, as Microsoft's IHttpFileInfo reference allows: GetFilePath the physical
 * path (C:\inetpub\wwwroot\...), GetSize, GetLastModifiedTime the last write time,
 * GetLastModifiedString its IMF-fixdate and GetETag the handler's ETag (files.cpp's
 * http_date and file_etag), GetAttributes the file's attributes; no contents: GetFileBuffer
 * NULL, GetFileHandle INVALID_HANDLE_VALUE; GetHttpCacheAllowed FALSE (the host caches no
 * file); AccessCheck S_OK (no ACLs); CheckIfFileHasChanged compares size and time with those
 * read; GetVrPath, GetVrToken, GetCacheKey and GetModuleContextContainer NULL.
 */
#include "host.h"

namespace {

class FileInfo : public IHttpFileInfo
{
public:
    PCWSTR physical = 0, local = 0;
    WIN32_FILE_ATTRIBUTE_DATA data;
    const char *etag = 0, *date = 0;
    USHORT etag_len = 0;
    BOOL flushed = FALSE;

    /* IHttpCacheSpecificData: nothing is cached. */
    IHttpCacheKey *GetCacheKey() const override { return 0; }
    VOID ReferenceCacheData() override {}
    VOID DereferenceCacheData() override {}
    VOID ResetTTL() override {}
    VOID DecrementTTL(BOOL *expired) override
    {
        if (expired) *expired = FALSE;
    }
    VOID SetFlushed() override { flushed = TRUE; }
    BOOL GetFlushed() const override { return flushed; }

    DWORD GetAttributes() const override { return data.dwFileAttributes; }
    VOID GetSize(ULARGE_INTEGER *size) const override
    {
        if (!size) return;
        size->LowPart = data.nFileSizeLow;
        size->HighPart = data.nFileSizeHigh;
    }
    const BYTE *GetFileBuffer() const override { return 0; }
    HANDLE GetFileHandle() const override { return INVALID_HANDLE_VALUE; }
    PCWSTR GetFilePath() const override { return physical; }
    PCSTR GetETag(USHORT *len) const override
    {
        if (len) *len = etag_len;
        return etag;
    }
    VOID GetLastModifiedTime(FILETIME *time) const override
    {
        if (time) *time = data.ftLastWriteTime;
    }
    PCSTR GetLastModifiedString() const override { return date; }
    BOOL GetHttpCacheAllowed(DWORD *seconds) const override
    {
        if (seconds) *seconds = 0;
        return FALSE;
    }
    HRESULT AccessCheck(HANDLE, PSID) override { return S_OK; }
    HANDLE GetVrToken() const override { return 0; }
    PCWSTR GetVrPath() const override { return 0; }
    IHttpModuleContextContainer *GetModuleContextContainer() override { return 0; }
    BOOL CheckIfFileHasChanged(HANDLE) override
    {
        WIN32_FILE_ATTRIBUTE_DATA now;
        if (!GetFileAttributesExW(local, GetFileExInfoStandard, &now)) return TRUE;
        return now.nFileSizeLow != data.nFileSizeLow || now.nFileSizeHigh != data.nFileSizeHigh ||
               CompareFileTime(&now.ftLastWriteTime, &data.ftLastWriteTime) != 0;
    }
};

/* The file info of `c`'s file, in its request memory; null when there is none. */
FileInfo *make_file_info(Context *c)
{
    DWORD len = 0;
    PCWSTR physical = c->GetPhysicalPath(&len);
    PCWSTR local = site_file(c, physical, len);
    WIN32_FILE_ATTRIBUTE_DATA data;
    if (!local || !GetFileAttributesExW(local, GetFileExInfoStandard, &data) ||
        (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        return 0;
    void *memory = c->allocate(sizeof(FileInfo));
    wchar_t *path = (wchar_t *)c->allocate((len + 1) * sizeof(wchar_t));
    if (!memory || !path) return 0;
    rt::copy(path, physical, len * sizeof(wchar_t));
    path[len] = 0;
    FileInfo *info = new (memory) FileInfo();
    info->physical = path;
    info->local = local;
    info->data = data;
    rt::Text etag, date;
    file_etag(data.ftLastWriteTime, etag);
    http_date(data.ftLastWriteTime, date);
    info->etag = c->copy_string(etag.data(), etag.size());
    info->etag_len = (USHORT)etag.size();
    info->date = c->copy_string(date.data(), date.size());
    return info;
}

} // namespace

IHttpFileInfo *Context::GetFileInfo() const
{
    Context *c = const_cast<Context *>(this);
    if (!c->file_info && handler_mapped) c->file_info = make_file_info(c);
    return c->file_info;
}
