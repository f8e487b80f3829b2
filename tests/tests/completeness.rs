//! headers/httpserv.h is complete: the SDK's 67 classes, 352 virtual functions and 767
//! vtable slots, class by class, so nothing can silently drop out of the header or the
//! parser. The per-class numbers are the Windows SDK 10.0.26100 layout (cross-checked with
//! clang's MSVC vtable dump and TerraFX.Interop.Windows's VtblIndex data, see
//! headers/README.md).

use httpserv_tests::support::{options, workspace_root};

/// (class, slots including inherited ones, inherited slots), in header order.
const SDK_CLASSES: &[(&str, usize, usize)] = &[
    ("IHttpStoredContext", 1, 0),
    ("IHttpModuleContextContainer", 2, 0),
    ("INamedContextContainer", 2, 0),
    ("IDispensedHttpModuleContextContainer", 3, 2),
    ("IHttpConnectionStoredContext", 2, 1),
    ("IHttpConnectionModuleContextContainer", 4, 2),
    ("IHttpPerfCounterInfo", 2, 0),
    ("IHttpSite", 4, 0),
    ("IHttpApplication", 4, 0),
    ("IHttpApplication2", 7, 4),
    ("IHttpUrlInfo", 2, 0),
    ("IScriptMapInfo", 11, 0),
    ("IMetadataInfo", 4, 0),
    ("IReferencedMetadataInfo", 6, 4),
    ("IHttpRequest", 24, 0),
    ("IHttpRequest2", 25, 24),
    ("IHttpRequest3", 26, 25),
    ("IHttpRequest4", 27, 26),
    ("IHttpCachePolicy", 14, 0),
    ("IHttpCachePolicy2", 16, 14),
    ("IHttpResponse", 28, 0),
    ("IHttpResponse2", 30, 28),
    ("IHttpResponse3", 31, 30),
    ("IHttpResponse4", 36, 31),
    ("IHttpUser", 11, 0),
    ("IHttpConnection", 3, 0),
    ("IHttpTraceContext", 5, 0),
    ("IHttpCacheKey", 5, 0),
    ("IHttpCacheSpecificData", 7, 0),
    ("IHttpFileMonitor", 2, 0),
    ("IHttpFileInfo", 21, 7),
    ("IHttpTokenEntry", 10, 7),
    ("IHttpContext", 39, 0),
    ("IHttpContext2", 40, 39),
    ("IHttpContext3", 44, 40),
    ("IHttpContext4", 46, 44),
    ("IHttpServer", 26, 0),
    ("IHttpServer2", 31, 26),
    ("IHttpServer3", 32, 31),
    ("IHttpEventProvider", 1, 0),
    ("IHttpCompletionInfo", 2, 0),
    ("IHttpCompletionInfo2", 3, 2),
    ("ICustomNotificationProvider", 2, 1),
    ("IAuthenticationProvider", 2, 1),
    ("IMapHandlerProvider", 4, 1),
    ("IMapPathProvider", 4, 1),
    ("ISendResponseProvider", 7, 1),
    ("IReadEntityProvider", 3, 1),
    ("IPreBeginRequestProvider", 2, 1),
    ("IHttpApplicationProvider", 2, 1),
    ("IHttpApplicationResolveModulesProvider", 4, 2),
    ("IGlobalRSCAQueryProvider", 6, 1),
    ("IGlobalStopListeningProvider", 2, 1),
    ("ICacheProvider", 6, 1),
    ("IGlobalConfigurationChangeProvider", 2, 1),
    ("IGlobalFileChangeProvider", 3, 1),
    ("IGlobalTraceEventProvider", 4, 1),
    ("IGlobalThreadCleanupProvider", 2, 1),
    ("IGlobalApplicationPreloadProvider", 3, 1),
    ("IGlobalApplicationPreloadProvider2", 4, 3),
    ("IGlobalSuspendProcessCallback", 2, 1),
    ("CHttpModule", 31, 0),
    ("CGlobalModule", 17, 0),
    ("IModuleAllocator", 1, 0),
    ("IHttpModuleFactory", 2, 0),
    ("IHttpModuleRegistrationInfo", 6, 0),
    ("IHttpModuleRegistrationInfo2", 7, 6),
];

#[test]
fn every_class_and_slot_of_the_sdk_is_declared() {
    let api =
        generator::parse::parse(&options(workspace_root().join("headers/httpserv.h"))).unwrap();
    let model = generator::layout::LaidOutApi::new(api.clone()).unwrap();
    let found: Vec<(&str, usize, usize)> = model
        .classes()
        .map(|(c, l)| (c.name.as_str(), l.slots.len(), l.inherited))
        .collect();
    assert_eq!(found, SDK_CLASSES);
    assert_eq!(api.classes.len(), 67);
    assert_eq!(
        api.classes
            .iter()
            .filter(|c| c.name.starts_with('I'))
            .count(),
        65
    );
    let functions: usize = api.classes.iter().map(|c| c.methods.len()).sum();
    assert_eq!(functions, 352);
    let destructors: Vec<&str> = api
        .classes
        .iter()
        .flat_map(|c| {
            c.methods
                .iter()
                .filter(|m| m.is_destructor)
                .map(move |_| c.name.as_str())
        })
        .collect();
    assert_eq!(destructors, ["CHttpModule"]);
    assert_eq!(model.slot_count(), 767);
    // Every interface carries its uuid; the two module base classes have none.
    let without_uuid: Vec<&str> = api
        .classes
        .iter()
        .filter(|c| c.uuid.is_none())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(without_uuid, ["CHttpModule", "CGlobalModule"]);
}

#[test]
fn enums_constants_and_typedefs_are_declared() {
    let api =
        generator::parse::parse(&options(workspace_root().join("headers/httpserv.h"))).unwrap();
    let enums: Vec<&str> = api.enums.iter().map(|e| e.name.as_str()).collect();
    for name in [
        "REQUEST_NOTIFICATION_STATUS",
        "GLOBAL_NOTIFICATION_STATUS",
        "CACHE_OPERATION",
        "HTTP_CONTEXT_INTERFACE_VERSION",
        "HTTP_SERVER_INTERFACE_VERSION",
    ] {
        assert!(enums.contains(&name), "{name} missing from {enums:?}");
    }
    let typedefs: Vec<&str> = api.typedefs.iter().map(|t| t.name.as_str()).collect();
    for name in [
        "HTTP_MODULE_ID",
        "PFN_ASYNC_COMPLETION",
        "PFN_REGISTERMODULE",
        "IHttpApplicationStartProvider",
        "IHttpApplicationStopProvider",
    ] {
        assert!(typedefs.contains(&name), "{name} missing from {typedefs:?}");
    }
    let constants: Vec<&str> = api.constants.iter().map(|c| c.name.as_str()).collect();
    for prefix in [
        "RQ_",
        "GL_",
        "CLONE_FLAG_",
        "EXECUTE_FLAG_",
        "PRIORITY_ALIAS_",
    ] {
        assert!(
            constants.iter().any(|c| c.starts_with(prefix)),
            "no {prefix}* constant"
        );
    }
}
