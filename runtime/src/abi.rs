//! The calling convention of C++ virtual member functions under MSVC: `thiscall` on x86
//! (`this` in ECX, callee pops the arguments), the platform convention (`system`) on every
//! other target. Generated vtables and thunks are written with these two macros, so the
//! choice is made in one place; a module author writing a slot by hand uses them too.

/// The function pointer type of a C++ virtual member function: `thiscall` on x86, the
/// platform convention elsewhere. `member_fn!((*mut IFoo, u32) -> i32)` is the type of a
/// vtable field whose method takes one `DWORD` and returns an `int`.
#[cfg(target_arch = "x86")]
#[macro_export]
macro_rules! member_fn {
    (($($arg:ty),* $(,)?) -> $ret:ty) => { unsafe extern "thiscall" fn($($arg),*) -> $ret };
}

/// The function pointer type of a C++ virtual member function: `thiscall` on x86, the
/// platform convention elsewhere. `member_fn!((*mut IFoo, u32) -> i32)` is the type of a
/// vtable field whose method takes one `DWORD` and returns an `int`.
#[cfg(not(target_arch = "x86"))]
#[macro_export]
macro_rules! member_fn {
    (($($arg:ty),* $(,)?) -> $ret:ty) => { unsafe extern "system" fn($($arg),*) -> $ret };
}

/// Defines a function with the member function convention of the target, generic over the
/// implementing type, to be stored in a vtable field of the matching [`member_fn!`] type:
/// `member_thunk! { fn on_begin<T: Trait>(this: *mut IFoo, flags: u32) -> i32 { … } }`.
#[macro_export]
macro_rules! member_thunk {
    (fn $name:ident<$t:ident: $bound:path>($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        #[cfg(target_arch = "x86")]
        unsafe extern "thiscall" fn $name<$t: $bound>($($arg: $ty),*) -> $ret $body
        #[cfg(not(target_arch = "x86"))]
        unsafe extern "system" fn $name<$t: $bound>($($arg: $ty),*) -> $ret $body
    };
}
