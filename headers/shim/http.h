/*
 * http.h shim for httpserv-rs: Debian's mingw-w64 http.h, plus what the IIS API needs
 * from the Windows SDK's http.h that mingw-w64 lacks (HTTP_REQUEST_PROPERTY, used by
 * IHttpServer3::QueryRequestProperty). Our own text; values are the SDK's.
 */
#ifndef HTTPSERV_RS_SHIM_HTTP_H
#define HTTPSERV_RS_SHIM_HTTP_H

#include_next <http.h>

#ifndef HTTPSERV_HAVE_HTTP_REQUEST_PROPERTY
#define HTTPSERV_HAVE_HTTP_REQUEST_PROPERTY
typedef enum _HTTP_REQUEST_PROPERTY {
    HttpRequestPropertyIsb = 0,
    HttpRequestPropertyTcpInfoV0 = 1,
    HttpRequestPropertyQuicStats = 2,
    HttpRequestPropertyTcpInfoV1 = 3,
    HttpRequestPropertySni = 4,
    HttpRequestPropertyStreamError = 5,
    HttpRequestPropertyWskApiTimings = 6,
    HttpRequestPropertyQuicApiTimings = 7,
    HttpRequestPropertyQuicStatsV2 = 8,
    HttpRequestPropertyQuicStreamStats = 9,
    HttpRequestPropertyTcpInfoV2 = 10,
    HttpRequestPropertyTlsClientHello = 11,
    HttpRequestPropertyTransportIdleConnectionTimeout = 12,
    HttpRequestPropertyDscpTag = 13,
    HttpRequestPropertyTlsCipherInfo = 14
} HTTP_REQUEST_PROPERTY, *PHTTP_REQUEST_PROPERTY;
#endif

#endif
