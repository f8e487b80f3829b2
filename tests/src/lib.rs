//! The fixture catalogue's expected outputs, compiled: every directory under
//! `tests/expected/` is a module here (found by `build.rs`), so an expectation that is not
//! valid Rust fails the build (bindgen's expectations style). Also the helpers the
//! integration tests share (`support`).

include!(concat!(env!("OUT_DIR"), "/expected_modules.rs"));

pub mod pages;
pub mod support;

/// `httpserv::register_module!` without `#[no_mangle]`, for the example modules built into
/// a test binary and run in process: the real one exports `RegisterModule` unmangled, and
/// several examples in one binary would clash. A test crate that includes examples makes
/// `httpserv` itself (`extern crate self as httpserv`), re-exports the real crate, and this
/// macro as its `register_module`; the paths below resolve there.
#[macro_export]
macro_rules! register_module_in_process {
    ($register:expr) => {
        /// The module's entry point, as `httpserv::register_module!` writes it.
        ///
        /// # Safety
        /// Called as IIS calls it, with its registration info and server.
        #[allow(non_snake_case)]
        pub unsafe extern "system" fn RegisterModule(
            server_version: u32,
            info: *mut ::httpserv::IHttpModuleRegistrationInfo,
            server: *mut ::httpserv::IHttpServer,
        ) -> ::httpserv::runtime::HRESULT {
            let register = ::httpserv::runtime::registration_fn($register);
            // SAFETY: the caller passes a live registration info and server.
            unsafe { ::httpserv::runtime::register(server_version, info, server, register) }
        }
        const _: ::httpserv::PFN_REGISTERMODULE = Some(RegisterModule);
    };
}
