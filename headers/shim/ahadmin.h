/*
 * ahadmin.h (shim) -- stand-in for the Windows SDK's um/ahadmin.h, which the
 * Debian mingw-w64 headers do not ship.
 *
 * httpserv.h only passes these IIS configuration (Application Host
 * Administration) COM interfaces around by pointer, so forward declarations
 * with their interface ids are enough:
 *   IAppHostAdminManager    - IHttpServer::GetAdminManager
 *   IAppHostConfigException - IHttpResponse::SetStatus / GetStatus
 * Both derive from IUnknown in the SDK. Uuids match Windows SDK 10.0.26100.
 * Written for httpserv-rs; see headers/README.md.
 */
#ifndef HTTPSERV_RS_SHIM_AHADMIN_H
#define HTTPSERV_RS_SHIM_AHADMIN_H

#ifdef __cplusplus

#ifndef __IAppHostAdminManager_FWD_DEFINED__
#define __IAppHostAdminManager_FWD_DEFINED__
struct __declspec(uuid("9be77978-73ed-4a9a-87fd-13f09fec1b13")) IAppHostAdminManager;
#endif

#ifndef __IAppHostConfigException_FWD_DEFINED__
#define __IAppHostConfigException_FWD_DEFINED__
struct __declspec(uuid("4dfa1df3-8900-4bc7-bbb5-d1a458c52410")) IAppHostConfigException;
#endif

#else /* C */

#ifndef __IAppHostAdminManager_FWD_DEFINED__
#define __IAppHostAdminManager_FWD_DEFINED__
typedef struct IAppHostAdminManager IAppHostAdminManager;
#endif

#ifndef __IAppHostConfigException_FWD_DEFINED__
#define __IAppHostConfigException_FWD_DEFINED__
typedef struct IAppHostConfigException IAppHostConfigException;
#endif

#endif /* __cplusplus */

#endif /* HTTPSERV_RS_SHIM_AHADMIN_H */
