//! `httpserv::runtime`: the ABI substrate of crate `httpserv-runtime` (member-function
//! conventions, [`Object`], [`Owned`], the panic guard, `HRESULT`s), and the one function IIS
//! calls by name in a module DLL, `RegisterModule`, written by [`register_module!`].

pub use crate::register::{install_request_failure, register, registration_fn, Registration};
pub use crate::register_module;
pub use httpserv_runtime::*;
