//! The Rust half of the wine runtime proof: a `no_std` IIS module on the raw vtables of the
//! generated `httpserv` crate, linked into the C++ host of `tests/wine/host/`.
//!
//! - C++ → Rust: `RegisterModule`, an `IHttpModuleFactory` and a `CHttpModule` whose
//!   vtables are Rust statics with every slot filled. Each method tells the host where it
//!   landed (`host_rust_landed`, its own C++ name, `this` and two arguments); the host
//!   compares that with the method it called.
//! - Rust → C++: `OnBeginRequest` walks the host's `IHttpContext`, `IHttpRequest`,
//!   `IHttpResponse` and `IHttpEventProvider` through the generated `*_Vtbl` fields, and
//!   after each call reports which method it meant and whether the returned value is the
//!   one that method returns (`host_cpp_called`); the host compares that with the C++
//!   method that actually ran.
#![no_std]
#![allow(non_snake_case)]

use core::ffi::{c_char, c_void};
use httpserv::runtime::{E_OUTOFMEMORY, HRESULT, S_OK};
use httpserv::*;
use windows_sys::core::{BOOL, PCSTR};
use windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderHost, HttpHeaderServer, HttpHeaderUserAgent,
};

/// An argument slot of `landed` that the method does not have.
const NONE: *const c_void = core::ptr::null();

/// The process heap as Rust's allocator: `httpserv` links `alloc` (its boxed objects), and a
/// `no_std` static library has no allocator of its own. Alignments above what HeapAlloc gives
/// (16 bytes on x64) are refused.
struct ProcessHeap;

unsafe impl core::alloc::GlobalAlloc for ProcessHeap {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        use windows_sys::Win32::System::Memory::{GetProcessHeap, HeapAlloc};
        if layout.align() > 16 {
            return core::ptr::null_mut();
        }
        HeapAlloc(GetProcessHeap(), 0, layout.size()).cast()
    }
    // The host links no C runtime, so the defaults (which call memset and memcpy) are
    // replaced by the heap's own zeroing and reallocation.
    unsafe fn alloc_zeroed(&self, layout: core::alloc::Layout) -> *mut u8 {
        use windows_sys::Win32::System::Memory::{GetProcessHeap, HeapAlloc, HEAP_ZERO_MEMORY};
        if layout.align() > 16 {
            return core::ptr::null_mut();
        }
        HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, layout.size()).cast()
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: core::alloc::Layout, size: usize) -> *mut u8 {
        use windows_sys::Win32::System::Memory::{GetProcessHeap, HeapReAlloc};
        if layout.align() > 16 {
            return core::ptr::null_mut();
        }
        HeapReAlloc(GetProcessHeap(), 0, ptr.cast(), size).cast()
    }
    unsafe fn dealloc(&self, ptr: *mut u8, _: core::alloc::Layout) {
        use windows_sys::Win32::System::Memory::{GetProcessHeap, HeapFree};
        HeapFree(GetProcessHeap(), 0, ptr.cast());
    }
}

#[global_allocator]
static HEAP: ProcessHeap = ProcessHeap;

extern "C" {
    /// Implemented by the host: a C++ → Rust call arrived in `name` (`Class::Method`).
    fn host_rust_landed(
        name: *const u8,
        name_len: usize,
        this: *const c_void,
        a: *const c_void,
        b: *const c_void,
    );
    /// Implemented by the host: Rust called `name`; `value_ok` says whether it returned
    /// what that C++ method returns.
    fn host_cpp_called(name: *const u8, name_len: usize, value_ok: BOOL);
    /// Implemented by the host: print `why` and exit with a failure code.
    fn host_abort(why: *const c_char) -> !;
}

fn landed<T, A, B>(name: &str, this: *const T, a: *const A, b: *const B) {
    unsafe { host_rust_landed(name.as_ptr(), name.len(), this.cast(), a.cast(), b.cast()) }
}

fn cpp_called(name: &str, value_ok: bool) {
    unsafe { host_cpp_called(name.as_ptr(), name.len(), value_ok as BOOL) }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    unsafe { host_abort(c"the Rust module panicked".as_ptr()) }
}

/// `vcall!(p.Method(args))` is the C++ call `p->Method(args)`, through the generated raw
/// wrapper (one vtable load and one indirect call).
macro_rules! vcall {
    ($p:ident . $method:ident ( $($arg:expr),* )) => {
        (*$p).$method($($arg),*)
    };
}

/// Whether the C string `(p, len)` a C++ getter returned is `expected`.
unsafe fn is_text(p: PCSTR, len: u16, expected: &[u8]) -> bool {
    if p.is_null() || len as usize != expected.len() {
        return false;
    }
    let mut i = 0;
    while i < expected.len() {
        if *p.add(i) != expected[i] {
            return false;
        }
        i += 1;
    }
    *p.add(i) == 0
}

/// Lets a static hold an object with a vtable pointer (raw pointers are not `Sync`; the
/// object is never written).
#[repr(transparent)]
struct Shared<T>(T);
unsafe impl<T> Sync for Shared<T> {}

// ---- RegisterModule --------------------------------------------------------------------

/// The module's entry point, as IIS calls it: registers the factory for `RQ_BEGIN_REQUEST`.
///
/// # Safety
/// `info` must be a live `IHttpModuleRegistrationInfo`, as IIS passes it.
#[no_mangle]
pub unsafe extern "system" fn RegisterModule(
    _server_version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
) -> HRESULT {
    landed("RegisterModule", NONE, info, server);
    let factory = &FACTORY.0 as *const IHttpModuleFactory as *mut IHttpModuleFactory;
    let hr = vcall!(info.SetRequestNotifications(factory, RQ_BEGIN_REQUEST, 0));
    cpp_called(
        "IHttpModuleRegistrationInfo::SetRequestNotifications",
        hr == S_OK,
    );
    hr
}

/// `RegisterModule` has the type the header gives it.
const _: PFN_REGISTERMODULE = Some(RegisterModule);

// ---- IHttpModuleFactory ----------------------------------------------------------------

// SAFETY: FACTORY_VTBL's slots implement the factory for this object.
static FACTORY: Shared<IHttpModuleFactory> =
    Shared(unsafe { IHttpModuleFactory::with_vtable(&FACTORY_VTBL) });

/// Both slots, each filled by the Rust function of the same name.
static FACTORY_VTBL: IHttpModuleFactory_Vtbl = {
    use factory::*;
    IHttpModuleFactory_Vtbl {
        GetHttpModule,
        Terminate,
    }
};

mod factory {
    use super::*;

    pub unsafe extern "system" fn GetHttpModule(
        this: *mut IHttpModuleFactory,
        module: *mut *mut CHttpModule,
        allocator: *mut IModuleAllocator,
    ) -> HRESULT {
        landed("IHttpModuleFactory::GetHttpModule", this, module, allocator);
        let size = core::mem::size_of::<Module>() as u32;
        let memory = vcall!(allocator.AllocateMemory(size)).cast::<Module>();
        let aligned = memory.is_aligned();
        cpp_called(
            "IModuleAllocator::AllocateMemory",
            !memory.is_null() && aligned,
        );
        if memory.is_null() || !aligned {
            return E_OUTOFMEMORY;
        }
        memory.write(Module {
            // SAFETY: MODULE_VTBL's slots implement the module for a `Module`, which
            // starts with this.
            base: CHttpModule::with_vtable(&MODULE_VTBL),
            requests: 0,
        });
        *module = memory.cast();
        S_OK
    }

    pub unsafe extern "system" fn Terminate(this: *mut IHttpModuleFactory) {
        landed("IHttpModuleFactory::Terminate", this, NONE, NONE);
    }
}

// ---- CHttpModule -----------------------------------------------------------------------

/// The module object: the `CHttpModule` part (its vtable pointer) first, so a
/// `*mut Module` is the C++ `CHttpModule*`.
#[repr(C)]
struct Module {
    base: CHttpModule,
    requests: u32,
}

/// All 31 slots, each filled by the Rust function of the same name (field init shorthand:
/// a slot name and its implementation cannot drift apart).
static MODULE_VTBL: CHttpModule_Vtbl = {
    use module::*;
    CHttpModule_Vtbl {
        OnBeginRequest,
        OnPostBeginRequest,
        OnAuthenticateRequest,
        OnPostAuthenticateRequest,
        OnAuthorizeRequest,
        OnPostAuthorizeRequest,
        OnResolveRequestCache,
        OnPostResolveRequestCache,
        OnMapRequestHandler,
        OnPostMapRequestHandler,
        OnAcquireRequestState,
        OnPostAcquireRequestState,
        OnPreExecuteRequestHandler,
        OnPostPreExecuteRequestHandler,
        OnExecuteRequestHandler,
        OnPostExecuteRequestHandler,
        OnReleaseRequestState,
        OnPostReleaseRequestState,
        OnUpdateRequestCache,
        OnPostUpdateRequestCache,
        OnLogRequest,
        OnPostLogRequest,
        OnEndRequest,
        OnPostEndRequest,
        OnSendResponse,
        OnMapPath,
        OnReadEntity,
        OnCustomRequestNotification,
        OnAsyncCompletion,
        Dispose,
        ScalarDeletingDestructor,
    }
};

mod module {
    use super::*;

    /// The handlers that only report where they landed and continue.
    macro_rules! continue_handlers {
        ($($name:ident($provider:ty);)*) => {$(
            pub unsafe extern "system" fn $name(
                this: *mut CHttpModule,
                context: *mut IHttpContext,
                provider: *mut $provider,
            ) -> REQUEST_NOTIFICATION_STATUS {
                landed(concat!("CHttpModule::", stringify!($name)), this, context, provider);
                RQ_NOTIFICATION_CONTINUE
            }
        )*};
    }

    continue_handlers! {
        OnPostBeginRequest(IHttpEventProvider);
        OnAuthenticateRequest(IAuthenticationProvider);
        OnPostAuthenticateRequest(IHttpEventProvider);
        OnAuthorizeRequest(IHttpEventProvider);
        OnPostAuthorizeRequest(IHttpEventProvider);
        OnResolveRequestCache(IHttpEventProvider);
        OnPostResolveRequestCache(IHttpEventProvider);
        OnMapRequestHandler(IMapHandlerProvider);
        OnPostMapRequestHandler(IHttpEventProvider);
        OnAcquireRequestState(IHttpEventProvider);
        OnPostAcquireRequestState(IHttpEventProvider);
        OnPreExecuteRequestHandler(IHttpEventProvider);
        OnPostPreExecuteRequestHandler(IHttpEventProvider);
        OnExecuteRequestHandler(IHttpEventProvider);
        OnPostExecuteRequestHandler(IHttpEventProvider);
        OnReleaseRequestState(IHttpEventProvider);
        OnPostReleaseRequestState(IHttpEventProvider);
        OnUpdateRequestCache(IHttpEventProvider);
        OnPostUpdateRequestCache(IHttpEventProvider);
        OnLogRequest(IHttpEventProvider);
        OnPostLogRequest(IHttpEventProvider);
        OnEndRequest(IHttpEventProvider);
        OnPostEndRequest(IHttpEventProvider);
        OnSendResponse(ISendResponseProvider);
        OnMapPath(IMapPathProvider);
        OnReadEntity(IReadEntityProvider);
        OnCustomRequestNotification(ICustomNotificationProvider);
    }

    /// The request handler: calls the host's request and response, then finishes.
    pub unsafe extern "system" fn OnBeginRequest(
        this: *mut CHttpModule,
        context: *mut IHttpContext,
        provider: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        landed("CHttpModule::OnBeginRequest", this, context, provider);
        (*this.cast::<Module>()).requests += 1;

        let request = vcall!(context.GetRequest());
        cpp_called("IHttpContext::GetRequest", !request.is_null());
        if !request.is_null() {
            call_request(request);
        }
        let response = vcall!(context.GetResponse());
        cpp_called("IHttpContext::GetResponse", !response.is_null());
        if !response.is_null() {
            call_response(response);
        }
        vcall!(provider.SetErrorStatus(HRESULT(0x0000_0123)));
        cpp_called("IHttpEventProvider::SetErrorStatus", true);
        RQ_NOTIFICATION_FINISH_REQUEST
    }

    /// Both overloads of `GetRawHttpRequest`, `GetHeader` and `SetHeader`.
    unsafe fn call_request(request: *mut IHttpRequest) {
        let raw = vcall!(request.GetRawHttpRequest());
        cpp_called(
            "IHttpRequest::GetRawHttpRequest()",
            !raw.is_null() && (*raw).Base.RequestId == 0x1001,
        );
        let raw = vcall!(request.GetRawHttpRequest_const());
        cpp_called(
            "IHttpRequest::GetRawHttpRequest() const",
            !raw.is_null() && (*raw).Base.RequestId == 0x1001,
        );
        let mut len = 0u16;
        let value = vcall!(request.GetHeader_HTTP_HEADER_ID(HttpHeaderHost, &mut len));
        cpp_called(
            "IHttpRequest::GetHeader(HTTP_HEADER_ID)",
            is_text(value, len, b"www.example.test"),
        );
        let mut len = 0u16;
        let value = vcall!(request.GetHeader(c"X-Probe".as_ptr().cast(), &mut len));
        cpp_called(
            "IHttpRequest::GetHeader(PCSTR)",
            is_text(value, len, b"request-by-name"),
        );
        let hr = vcall!(request.SetHeader_HTTP_HEADER_ID(
            HttpHeaderUserAgent,
            c"rust".as_ptr().cast(),
            4,
            1
        ));
        cpp_called("IHttpRequest::SetHeader(HTTP_HEADER_ID)", hr == HRESULT(0x101));
        let hr = vcall!(request.SetHeader(c"X-Rust".as_ptr().cast(), c"yes".as_ptr().cast(), 3, 0));
        cpp_called("IHttpRequest::SetHeader(PCSTR)", hr == HRESULT(0x102));
    }

    /// Both overloads of `GetRawHttpResponse`, `GetHeader` and `SetHeader`.
    unsafe fn call_response(response: *mut IHttpResponse) {
        let raw = vcall!(response.GetRawHttpResponse());
        cpp_called(
            "IHttpResponse::GetRawHttpResponse()",
            !raw.is_null() && (*raw).Base.StatusCode == 299,
        );
        let raw = vcall!(response.GetRawHttpResponse_const());
        cpp_called(
            "IHttpResponse::GetRawHttpResponse() const",
            !raw.is_null() && (*raw).Base.StatusCode == 299,
        );
        let mut len = 0u16;
        let value = vcall!(response.GetHeader_HTTP_HEADER_ID(HttpHeaderServer, &mut len));
        cpp_called(
            "IHttpResponse::GetHeader(HTTP_HEADER_ID)",
            is_text(value, len, b"httpserv-rs"),
        );
        let mut len = 0u16;
        let value = vcall!(response.GetHeader(c"X-Probe".as_ptr().cast(), &mut len));
        cpp_called(
            "IHttpResponse::GetHeader(PCSTR)",
            is_text(value, len, b"response-by-name"),
        );
        let hr = vcall!(response.SetHeader_HTTP_HEADER_ID(
            HttpHeaderServer,
            c"rust".as_ptr().cast(),
            4,
            1
        ));
        cpp_called("IHttpResponse::SetHeader(HTTP_HEADER_ID)", hr == HRESULT(0x201));
        let hr =
            vcall!(response.SetHeader(c"X-Rust".as_ptr().cast(), c"yes".as_ptr().cast(), 3, 0));
        cpp_called("IHttpResponse::SetHeader(PCSTR)", hr == HRESULT(0x202));
    }

    /// Lands only if the two scalar arguments between the pointers arrived intact.
    pub unsafe extern "system" fn OnAsyncCompletion(
        this: *mut CHttpModule,
        context: *mut IHttpContext,
        notification: u32,
        post_notification: BOOL,
        _provider: *mut IHttpEventProvider,
        completion: *mut IHttpCompletionInfo,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let name = if notification == RQ_SEND_RESPONSE && post_notification == 1 {
            "CHttpModule::OnAsyncCompletion"
        } else {
            "CHttpModule::OnAsyncCompletion with wrong dwNotification/fPostNotification"
        };
        landed(name, this, context, completion);
        RQ_NOTIFICATION_CONTINUE
    }

    /// IIS's "done with the module": this module lives in request memory, nothing to free.
    pub unsafe extern "system" fn Dispose(this: *mut CHttpModule) {
        landed("CHttpModule::Dispose", this, NONE, NONE);
    }

    /// Slot 30, the scalar deleting destructor: reports its flags (bit 0: "then free").
    pub unsafe extern "system" fn ScalarDeletingDestructor(
        this: *mut CHttpModule,
        flags: u32,
    ) -> *mut c_void {
        landed(
            "CHttpModule::~CHttpModule",
            this,
            flags as usize as *const c_void,
            NONE,
        );
        this.cast()
    }
}

// ---- Lifetimes: typed objects released by the slots IIS calls -----------------------------

/// The objects `lifetime_objects` makes, by index; each counts its drops in `DROPS`.
mod lifetimes {
    use core::sync::atomic::{AtomicU32, Ordering};
    use httpserv::runtime::{HRESULT, S_OK};
    use httpserv::*;

    /// How many times the object of each index was dropped.
    pub static DROPS: [AtomicU32; 7] = [const { AtomicU32::new(0) }; 7];

    /// Counts its drop under its index.
    pub struct Counted(pub usize);

    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS[self.0].fetch_add(1, Ordering::SeqCst);
        }
    }

    impl CHttpModule_Impl for Counted {}

    // SAFETY: it hands out nothing (no module, no cache key): null pointers only.
    unsafe impl IHttpModuleFactory_Impl for Counted {
        unsafe fn GetHttpModule(
            &self,
            _: *mut *mut CHttpModule,
            _: *mut IModuleAllocator,
        ) -> HRESULT {
            S_OK
        }
    }

    // SAFETY: it hands out nothing (no module, no cache key): null pointers only.
    unsafe impl CGlobalModule_Impl for Counted {}

    impl IHttpStoredContext_Impl for Counted {}

    impl IHttpConnectionStoredContext_Impl for Counted {
        fn NotifyDisconnect(&self) {}
    }

    // SAFETY: it hands out nothing (no module, no cache key): null pointers only.
    unsafe impl IHttpCacheSpecificData_Impl for Counted {
        fn GetCacheKey(&self) -> *mut IHttpCacheKey {
            core::ptr::null_mut()
        }
        fn ResetTTL(&self) {}
        unsafe fn DecrementTTL(&self, _: *mut windows_sys::core::BOOL) {}
        fn SetFlushed(&self) {}
        fn GetFlushed(&self) -> windows_sys::core::BOOL {
            0
        }
    }
}

/// Makes, with the typed constructors, the objects whose release slots the host calls:
/// 0 a module (Dispose), 1 a module (its destructor), 2 a factory (Terminate), 3 a global
/// module (Terminate), 4 a stored context and 5 a connection stored context
/// (CleanupStoredContext), 6 cache data (reference counted).
///
/// # Safety
/// `objects` must be valid for writes of 7 pointers.
#[no_mangle]
pub unsafe extern "C" fn lifetime_objects(objects: *mut *mut c_void) {
    use lifetimes::Counted;
    let made: [*mut c_void; 7] = [
        CHttpModule::new_boxed(Counted(0)).cast(),
        CHttpModule::new_boxed(Counted(1)).cast(),
        IHttpModuleFactory::new_boxed(Counted(2)).cast(),
        CGlobalModule::new_boxed(Counted(3)).cast(),
        IHttpStoredContext::new_boxed(Counted(4)).cast(),
        IHttpConnectionStoredContext::new_boxed(Counted(5)).cast(),
        IHttpCacheSpecificData::new_boxed(Counted(6)).cast(),
    ];
    let mut i = 0;
    while i < made.len() {
        *objects.add(i) = made[i];
        i += 1;
    }
}

/// How many times the object `index` of `lifetime_objects` was dropped.
#[no_mangle]
pub extern "C" fn lifetime_drops(index: usize) -> u32 {
    lifetimes::DROPS[index].load(core::sync::atomic::Ordering::SeqCst)
}
