/*
 * host.cpp -- the host of the wine runtime proof (tests/tests/wine_runtime.rs): plays IIS
 * for the Rust module of tests/wine/module, checks every call in both directions and
 * prints one line per check, then a summary. Exit code 0 only if every check passed.
 *
 * No CRT: the entry point is host_main, output goes through kernel32 (WriteFile).
 *   C++ -> Rust: RegisterModule, IHttpModuleFactory and all 31 CHttpModule slots; each
 *                Rust method reports (host_rust_landed) the method it is, `this` and two
 *                arguments, compared here with the call just made.
 *   Rust -> C++: the module calls the classes of server.h and reports (host_cpp_called)
 *                the method it meant; compared here with the method that recorded itself.
 */
#include <winsock2.h>
#include <windows.h>
#include <httpserv_rs_compat.h>
#include <httpserv.h>

#include "server.h"

extern "C" HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo *, IHttpServer *);
extern "C" void lifetime_objects(void **objects);
/* The marker MSVC's CRT defines for code that uses floating point; Rust's prebuilt core
   refers to it, and this host links no CRT. */
extern "C" int _fltused = 0;
extern "C" unsigned lifetime_drops(size_t index);

/* ---- output, counting --------------------------------------------------------------- */

static const int kExpectedChecks = 58;
static int g_checks, g_failures;

static void write(const char *text, size_t len)
{
    DWORD written;
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, (DWORD)len, &written, NULL);
}

static size_t length(const char *text)
{
    size_t len = 0;
    while (text[len]) ++len;
    return len;
}

static void print(const char *text) { write(text, length(text)); }

static void print_number(int n)
{
    char digits[12];
    int i = sizeof digits;
    do { digits[--i] = (char)('0' + n % 10); n /= 10; } while (n && i);
    write(digits + i, sizeof digits - i);
}

static bool same_n(const char *a, size_t a_len, const char *b)
{
    size_t i = 0;
    for (; i < a_len; ++i)
        if (b[i] != a[i]) return false;
    return b[i] == 0;
}

/* One line: "ok <direction> <method>" or "FAIL <direction> <method>: <why>". */
static void report(const char *direction, const char *method, size_t method_len,
                   const char *why)
{
    ++g_checks;
    if (why) ++g_failures;
    print(why ? "FAIL " : "ok ");
    print(direction);
    print(" ");
    write(method, method_len);
    if (why) { print(": "); print(why); }
    print("\n");
}

extern "C" __declspec(noreturn) void host_abort(const char *why)
{
    print("FAIL abort: ");
    print(why);
    print("\n");
    ExitProcess(3);
}

/* ---- C++ -> Rust ---------------------------------------------------------------------- */

static struct {
    const char *name;
    size_t name_len;
    const void *self, *a, *b;
} g_rust;

extern "C" void host_rust_landed(const char *name, size_t name_len, const void *self,
                                 const void *a, const void *b)
{
    g_rust.name = name;
    g_rust.name_len = name_len;
    g_rust.self = self;
    g_rust.a = a;
    g_rust.b = b;
}

/* The C++ call to `method` just returned (`value_ok`: with the value that method returns). */
static void expect_rust(const char *method, const void *self, const void *a, const void *b,
                        bool value_ok)
{
    const char *why = NULL;
    if (!g_rust.name) why = "no Rust method ran";
    else if (!same_n(g_rust.name, g_rust.name_len, method)) why = "landed in another Rust method";
    else if (g_rust.self != self || g_rust.a != a || g_rust.b != b)
        why = "`this` or arguments arrived wrong";
    else if (!value_ok) why = "wrong return value";
    report("cpp->rust", method, length(method), why);
    if (why && g_rust.name) {
        print("    (landed in: ");
        write(g_rust.name, g_rust.name_len);
        print(")\n");
    }
    g_rust.name = NULL;
}

/* ---- Rust -> C++ ---------------------------------------------------------------------- */

extern "C" void host_cpp_called(const char *method, size_t method_len, BOOL value_ok)
{
    const char *why = NULL;
    if (!g_cpp_landed) why = "no C++ method ran";
    else if (!same_n(method, method_len, g_cpp_landed)) why = "landed in another C++ method";
    else if (!g_cpp_args_ok) why = "arguments arrived wrong";
    else if (!value_ok) why = "Rust got the wrong return value";
    report("rust->cpp", method, method_len, why);
    if (why && g_cpp_landed) {
        print("    (landed in: ");
        print(g_cpp_landed);
        print(")\n");
    }
    g_cpp_landed = NULL;
}

/* A stand-in provider of another type for the notifications that only pass it along. */
template <class T> static T *as(IHttpEventProvider *p) { return reinterpret_cast<T *>(p); }

/* ---- the run ------------------------------------------------------------------------- */

/* ---- Lifetimes: the release slots end Rust objects exactly once ------------------------ */

/* One check: object `index` was dropped `before` times before `release` ran (as C++ would
   call it) and `after` times after. */
template <typename Release>
static void expect_drops(size_t index, const char *slot, unsigned before, unsigned after,
                         Release release)
{
    const char *why = NULL;
    if (lifetime_drops(index) != before) why = "dropped before its release slot";
    release();
    if (!why && lifetime_drops(index) != after)
        why = after == 1 ? "not dropped exactly once by its release slot"
                         : "dropped too early (references were left)";
    report("cpp->rust", slot, length(slot), why);
}

static void check_lifetimes()
{
    void *objects[7];
    lifetime_objects(objects);
    expect_drops(0, "CHttpModule::Dispose releases", 0, 1,
                 [&] { static_cast<CHttpModule *>(objects[0])->Dispose(); });
    /* The header's own Dispose is `delete this`: the scalar deleting destructor, flags 1. */
    expect_drops(1, "delete this (the destructor slot) releases", 0, 1,
                 [&] { static_cast<CHttpModule *>(objects[1])->CHttpModule::Dispose(); });
    expect_drops(2, "IHttpModuleFactory::Terminate releases", 0, 1,
                 [&] { static_cast<IHttpModuleFactory *>(objects[2])->Terminate(); });
    expect_drops(3, "CGlobalModule::Terminate releases", 0, 1,
                 [&] { static_cast<CGlobalModule *>(objects[3])->Terminate(); });
    expect_drops(4, "IHttpStoredContext::CleanupStoredContext releases", 0, 1,
                 [&] { static_cast<IHttpStoredContext *>(objects[4])->CleanupStoredContext(); });
    expect_drops(5, "IHttpConnectionStoredContext::CleanupStoredContext releases", 0, 1, [&] {
        static_cast<IHttpConnectionStoredContext *>(objects[5])->CleanupStoredContext();
    });
    IHttpCacheSpecificData *data = static_cast<IHttpCacheSpecificData *>(objects[6]);
    data->ReferenceCacheData();
    data->ReferenceCacheData();
    data->DereferenceCacheData();
    data->DereferenceCacheData();
    expect_drops(6, "IHttpCacheSpecificData::DereferenceCacheData releases at the last reference",
                 0, 1, [&] { data->DereferenceCacheData(); });
}

extern "C" void host_main()
{
    g_raw_request.RequestId = 0x1001;
    g_raw_response.StatusCode = 299;

    Registration registration;
    HRESULT hr = RegisterModule(10, &registration, NULL);
    expect_rust("RegisterModule", NULL, &registration, NULL,
                hr == S_OK && registration.factory);

    IHttpModuleFactory *factory = registration.factory;
    CHttpModule *module = NULL;
    Allocator allocator;
    if (factory) {
        hr = factory->GetHttpModule(&module, &allocator);
        expect_rust("IHttpModuleFactory::GetHttpModule", factory, &module, &allocator,
                    hr == S_OK && module == (void *)allocator.block);
    }

    if (module) {
        Context context;
        EventProvider provider;
        IHttpCompletionInfo *completion = as<IHttpCompletionInfo>(&provider);

        REQUEST_NOTIFICATION_STATUS status = module->OnBeginRequest(&context, &provider);
        expect_rust("CHttpModule::OnBeginRequest", module, &context, &provider,
                    status == RQ_NOTIFICATION_FINISH_REQUEST);

        /* The other notifications: each must land in its own Rust function and continue. */
#define NOTIFY(method, provider_type)                                                     \
        status = module->method(&context, as<provider_type>(&provider));                  \
        expect_rust("CHttpModule::" #method, module, &context, &provider,                  \
                    status == RQ_NOTIFICATION_CONTINUE);
        NOTIFY(OnPostBeginRequest, IHttpEventProvider)
        NOTIFY(OnAuthenticateRequest, IAuthenticationProvider)
        NOTIFY(OnPostAuthenticateRequest, IHttpEventProvider)
        NOTIFY(OnAuthorizeRequest, IHttpEventProvider)
        NOTIFY(OnPostAuthorizeRequest, IHttpEventProvider)
        NOTIFY(OnResolveRequestCache, IHttpEventProvider)
        NOTIFY(OnPostResolveRequestCache, IHttpEventProvider)
        NOTIFY(OnMapRequestHandler, IMapHandlerProvider)
        NOTIFY(OnPostMapRequestHandler, IHttpEventProvider)
        NOTIFY(OnAcquireRequestState, IHttpEventProvider)
        NOTIFY(OnPostAcquireRequestState, IHttpEventProvider)
        NOTIFY(OnPreExecuteRequestHandler, IHttpEventProvider)
        NOTIFY(OnPostPreExecuteRequestHandler, IHttpEventProvider)
        NOTIFY(OnExecuteRequestHandler, IHttpEventProvider)
        NOTIFY(OnPostExecuteRequestHandler, IHttpEventProvider)
        NOTIFY(OnReleaseRequestState, IHttpEventProvider)
        NOTIFY(OnPostReleaseRequestState, IHttpEventProvider)
        NOTIFY(OnUpdateRequestCache, IHttpEventProvider)
        NOTIFY(OnPostUpdateRequestCache, IHttpEventProvider)
        NOTIFY(OnLogRequest, IHttpEventProvider)
        NOTIFY(OnPostLogRequest, IHttpEventProvider)
        NOTIFY(OnEndRequest, IHttpEventProvider)
        NOTIFY(OnPostEndRequest, IHttpEventProvider)
        NOTIFY(OnSendResponse, ISendResponseProvider)
        NOTIFY(OnMapPath, IMapPathProvider)
        NOTIFY(OnReadEntity, IReadEntityProvider)
        NOTIFY(OnCustomRequestNotification, ICustomNotificationProvider)
#undef NOTIFY

        status = module->OnAsyncCompletion(&context, RQ_SEND_RESPONSE, TRUE, &provider,
                                           completion);
        expect_rust("CHttpModule::OnAsyncCompletion", module, &context, completion,
                    status == RQ_NOTIFICATION_CONTINUE);

        module->Dispose();
        expect_rust("CHttpModule::Dispose", module, NULL, NULL, true);

        /* The header's own CHttpModule::Dispose, i.e. `delete this`: the compiler's virtual
           call of the scalar deleting destructor (slot 30), flags 1 = "then free". */
        module->CHttpModule::Dispose();
        expect_rust("CHttpModule::~CHttpModule", module, (const void *)1, NULL, true);
    }

    if (factory) {
        factory->Terminate();
        expect_rust("IHttpModuleFactory::Terminate", factory, NULL, NULL, true);
    }

    check_lifetimes();

    bool complete = g_checks == kExpectedChecks;
    print(g_failures == 0 && complete ? "PASS" : "FAIL");
    print(": ");
    print_number(g_checks - g_failures);
    print(" of ");
    print_number(kExpectedChecks);
    print(" checks ok");
    if (!complete) { print(", but "); print_number(g_checks); print(" ran"); }
    print("\n");
    ExitProcess(g_failures == 0 && complete ? 0 : 1);
}
