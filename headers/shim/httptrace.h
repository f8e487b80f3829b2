/*
 * httptrace.h (shim) -- stand-in for the Windows SDK's um/httptrace.h (IIS
 * trace events), which the Debian mingw-w64 headers do not ship.
 *
 * httpserv.h itself only forward-declares HTTP_TRACE_EVENT and
 * HTTP_TRACE_CONFIGURATION (as the SDK does); include this file as well to
 * get their layouts, e.g. to read the event handed to
 * CGlobalModule::OnGlobalTraceEvent. Matches Windows SDK 10.0.26100.
 * Written for httpserv-rs; see headers/README.md.
 */
#ifndef HTTPSERV_RS_SHIM_HTTPTRACE_H
#define HTTPSERV_RS_SHIM_HTTPTRACE_H

#include <windows.h>

/* Data type of an HTTP_TRACE_EVENT_ITEM (values are VARIANT type codes). */
enum HTTP_TRACE_TYPE
{
    HTTP_TRACE_TYPE_BYTE = 17,
    HTTP_TRACE_TYPE_USHORT = 18,
    HTTP_TRACE_TYPE_ULONG = 19,
    HTTP_TRACE_TYPE_ULONGLONG = 21,
    HTTP_TRACE_TYPE_CHAR = 16,
    HTTP_TRACE_TYPE_SHORT = 2,
    HTTP_TRACE_TYPE_LONG = 3,
    HTTP_TRACE_TYPE_LONGLONG = 20,
    HTTP_TRACE_TYPE_LPCWSTR = 31,
    HTTP_TRACE_TYPE_LPCSTR = 30,
    HTTP_TRACE_TYPE_LPCGUID = 72,
    HTTP_TRACE_TYPE_BOOL = 11
};

/* HTTP_TRACE_EVENT.dwFlags bit */
#define HTTP_TRACE_EVENT_FLAG_STATIC_DESCRIPTIVE_FIELDS 0x01

/* verbosity levels beyond the ETW TRACE_LEVEL_* range */
#define HTTP_TRACE_LEVEL_START 6
#define HTTP_TRACE_LEVEL_END 7

struct HTTP_TRACE_EVENT_ITEM;

struct HTTP_TRACE_EVENT
{
    LPCGUID pProviderGuid;
    DWORD dwArea;
    LPCGUID pAreaGuid;
    DWORD dwEvent;
    LPCWSTR pszEventName;
    DWORD dwEventVersion;
    DWORD dwVerbosity;
    LPCGUID pActivityGuid;
    LPCGUID pRelatedActivityGuid;
    DWORD dwTimeStamp;
    DWORD dwFlags;
    DWORD cEventItems;                         /* number of entries in pEventItems */
    struct HTTP_TRACE_EVENT_ITEM *pEventItems;
};

struct HTTP_TRACE_EVENT_ITEM
{
    LPCWSTR pszName;
    enum HTTP_TRACE_TYPE dwDataType;
    PBYTE pbData;                              /* cbData bytes */
    DWORD cbData;
    LPCWSTR pszDataDescription;
};

struct HTTP_TRACE_CONFIGURATION
{
    LPCGUID pProviderGuid;
    DWORD dwAreas;
    DWORD dwVerbosity;
    BOOL fProviderEnabled;
};

/* Trace provider ids. DEFINE_GUID emits definitions only where INITGUID is
   defined (include <initguid.h> first in exactly one translation unit). */
DEFINE_GUID(GUID_IIS_ALL_TRACE_PROVIDERS,
            0x00000000, 0x0000, 0x0000, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
DEFINE_GUID(GUID_IIS_WWW_SERVER_TRACE_PROVIDER,
            0x3a2a4e84, 0x4c21, 0x4981, 0xae, 0x10, 0x3f, 0xda, 0x0d, 0x9b, 0x0f, 0x83);
DEFINE_GUID(GUID_IIS_WWW_SERVER_V2_TRACE_PROVIDER,
            0xde4649c9, 0x15e8, 0x4fea, 0x9d, 0x85, 0x1c, 0xdd, 0xa5, 0x20, 0xc3, 0x34);
DEFINE_GUID(GUID_IIS_ASPNET_TRACE_PROVIDER,
            0xaff081fe, 0x0247, 0x4275, 0x9c, 0x4e, 0x02, 0x1f, 0x3d, 0xc1, 0xda, 0x35);
DEFINE_GUID(GUID_IIS_ASP_TRACE_TRACE_PROVIDER,
            0x06b94d9a, 0xb15e, 0x456e, 0xa4, 0xef, 0x37, 0xc9, 0x84, 0xa2, 0xcb, 0x4b);
DEFINE_GUID(GUID_IIS_WWW_GLOBAL_TRACE_PROVIDER,
            0xd55d3bc9, 0xcba9, 0x44df, 0x82, 0x7e, 0x13, 0x2d, 0x3a, 0x45, 0x96, 0xc2);
DEFINE_GUID(GUID_IIS_ISAPI_TRACE_PROVIDER,
            0xa1c2040e, 0x8840, 0x4c31, 0xba, 0x11, 0x98, 0x71, 0x03, 0x1a, 0x19, 0xea);

#endif /* HTTPSERV_RS_SHIM_HTTPTRACE_H */
