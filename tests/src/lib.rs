//! The fixture catalogue's expected outputs, compiled: every file in `tests/expected/` is a
//! module here, so an expectation that is not valid Rust fails the build (bindgen's
//! expectations style). Also the helpers the integration tests share.

#[rustfmt::skip]
#[path = "../expected/array_bound.rs"]
pub mod array_bound;
#[rustfmt::skip]
#[path = "../expected/const_pair.rs"]
pub mod const_pair;
#[rustfmt::skip]
#[path = "../expected/constants.rs"]
pub mod constants;
#[rustfmt::skip]
#[path = "../expected/default_arguments.rs"]
pub mod default_arguments;
#[rustfmt::skip]
#[path = "../expected/derived_overload.rs"]
pub mod derived_overload;
#[rustfmt::skip]
#[path = "../expected/derived_override.rs"]
pub mod derived_override;
#[rustfmt::skip]
#[path = "../expected/function_pointer.rs"]
pub mod function_pointer;
#[rustfmt::skip]
#[path = "../expected/interface_alias.rs"]
pub mod interface_alias;
#[rustfmt::skip]
#[path = "../expected/keyword_names.rs"]
pub mod keyword_names;
#[rustfmt::skip]
#[path = "../expected/macro_renamed.rs"]
pub mod macro_renamed;
#[rustfmt::skip]
#[path = "../expected/overload_group.rs"]
pub mod overload_group;
#[rustfmt::skip]
#[path = "../expected/uuid.rs"]
pub mod uuid;
#[rustfmt::skip]
#[path = "../expected/virtual_destructor.rs"]
pub mod virtual_destructor;

#[rustfmt::skip]
#[path = "../expected/sdk_style/sal1_iis7.rs"]
pub mod sdk_style_sal1_iis7;
#[rustfmt::skip]
#[path = "../expected/sdk_style/sal2_crlf.rs"]
pub mod sdk_style_sal2_crlf;

pub mod support;
