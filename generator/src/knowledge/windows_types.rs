//! Facts about the Windows types the IIS API uses (`windows.h` and `http.h` declarations):
//! the Rust path `windows-sys` gives each, or the plain integer it is. Keyed by the
//! declaration's name; a type missing here is followed through its typedef chain by the type
//! mapper, and a record missing here is an error naming it.

/// Rust paths for the Windows typedef and record names the IIS API uses: what windows-sys
/// provides, or a plain integer. Sorted (byte order); looked up by binary search. A name
/// missing here is followed through its typedef chain, and a record missing here is an error.
pub(super) const WINDOWS_TYPES: &[(&str, &str)] = &[
    ("BOOL", "windows_sys::core::BOOL"),
    ("BOOLEAN", "u8"),
    ("BYTE", "u8"),
    ("CHAR", "i8"),
    ("DWORD", "u32"),
    ("DWORD64", "u64"),
    ("DWORD_PTR", "usize"),
    ("FILETIME", "windows_sys::Win32::Foundation::FILETIME"),
    ("GUID", "windows_sys::core::GUID"),
    ("HANDLE", "windows_sys::Win32::Foundation::HANDLE"),
    ("HMODULE", "windows_sys::Win32::Foundation::HMODULE"),
    // windows-result's newtype (re-exported by the runtime): ABI-identical to the i32, with
    // `ok()`, `is_ok()` and the error conversions.
    ("HRESULT", "::httpserv_runtime::HRESULT"),
    (
        "HTTP_CACHE_POLICY",
        "windows_sys::Win32::Networking::HttpServer::HTTP_CACHE_POLICY",
    ),
    (
        "HTTP_COOKED_URL",
        "windows_sys::Win32::Networking::HttpServer::HTTP_COOKED_URL",
    ),
    (
        "HTTP_DATA_CHUNK",
        "windows_sys::Win32::Networking::HttpServer::HTTP_DATA_CHUNK",
    ),
    (
        "HTTP_HEADER_ID",
        "windows_sys::Win32::Networking::HttpServer::HTTP_HEADER_ID",
    ),
    (
        "HTTP_KNOWN_HEADER",
        "windows_sys::Win32::Networking::HttpServer::HTTP_KNOWN_HEADER",
    ),
    (
        "HTTP_LOG_DATA",
        "windows_sys::Win32::Networking::HttpServer::HTTP_LOG_DATA",
    ),
    ("HTTP_OPAQUE_ID", "u64"),
    (
        "HTTP_REQUEST_HEADERS",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_HEADERS",
    ),
    (
        "HTTP_REQUEST_PROPERTY",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_PROPERTY",
    ),
    (
        "HTTP_REQUEST_V1",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_V1",
    ),
    (
        "HTTP_REQUEST_V2",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_V2",
    ),
    (
        "HTTP_RESPONSE_HEADERS",
        "windows_sys::Win32::Networking::HttpServer::HTTP_RESPONSE_HEADERS",
    ),
    (
        "HTTP_RESPONSE_V1",
        "windows_sys::Win32::Networking::HttpServer::HTTP_RESPONSE_V1",
    ),
    (
        "HTTP_RESPONSE_V2",
        "windows_sys::Win32::Networking::HttpServer::HTTP_RESPONSE_V2",
    ),
    (
        "HTTP_SSL_CLIENT_CERT_INFO",
        "windows_sys::Win32::Networking::HttpServer::HTTP_SSL_CLIENT_CERT_INFO",
    ),
    (
        "HTTP_SSL_INFO",
        "windows_sys::Win32::Networking::HttpServer::HTTP_SSL_INFO",
    ),
    (
        "HTTP_TRACE_CONFIGURATION",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_CONFIGURATION",
    ),
    (
        "HTTP_TRACE_EVENT",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT",
    ),
    (
        "HTTP_TRACE_EVENT_ITEM",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT_ITEM",
    ),
    (
        "HTTP_TRACE_TYPE",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_TYPE",
    ),
    (
        "HTTP_UNKNOWN_HEADER",
        "windows_sys::Win32::Networking::HttpServer::HTTP_UNKNOWN_HEADER",
    ),
    (
        "HTTP_VERB",
        "windows_sys::Win32::Networking::HttpServer::HTTP_VERB",
    ),
    (
        "HTTP_VERSION",
        "windows_sys::Win32::Networking::HttpServer::HTTP_VERSION",
    ),
    ("INT", "i32"),
    ("INT_PTR", "isize"),
    ("LARGE_INTEGER", "i64"),
    ("LONG", "i32"),
    ("LONGLONG", "i64"),
    ("LONG_PTR", "isize"),
    ("LPCSTR", "windows_sys::core::PCSTR"),
    ("LPCWSTR", "windows_sys::core::PCWSTR"),
    (
        "LPOVERLAPPED_COMPLETION_ROUTINE",
        "windows_sys::Win32::System::IO::LPOVERLAPPED_COMPLETION_ROUTINE",
    ),
    ("LPSTR", "windows_sys::core::PSTR"),
    ("LPWSTR", "windows_sys::core::PWSTR"),
    ("OVERLAPPED", "windows_sys::Win32::System::IO::OVERLAPPED"),
    ("PCSTR", "windows_sys::core::PCSTR"),
    ("PCWSTR", "windows_sys::core::PCWSTR"),
    ("PSID", "windows_sys::Win32::Security::PSID"),
    ("PSTR", "windows_sys::core::PSTR"),
    ("PWSTR", "windows_sys::core::PWSTR"),
    ("SHORT", "i16"),
    ("SIZE_T", "usize"),
    (
        "SOCKADDR",
        "windows_sys::Win32::Networking::WinSock::SOCKADDR",
    ),
    (
        "SOCKADDR_STORAGE",
        "windows_sys::Win32::Networking::WinSock::SOCKADDR_STORAGE",
    ),
    ("SSIZE_T", "isize"),
    ("UCHAR", "u8"),
    ("UINT", "u32"),
    ("UINT_PTR", "usize"),
    ("ULARGE_INTEGER", "u64"),
    ("ULONG", "u32"),
    ("ULONG64", "u64"),
    ("ULONGLONG", "u64"),
    ("ULONG_PTR", "usize"),
    ("USHORT", "u16"),
    ("WCHAR", "u16"),
    ("WORD", "u16"),
    (
        "sockaddr",
        "windows_sys::Win32::Networking::WinSock::SOCKADDR",
    ),
];

/// The records whose fields IIS follows after handing them out: pointers it dereferences,
/// lengths it reads by, a type tag or address family that says how big the rest is. Safe
/// code given `&mut` to one could store any pointer or length there and make IIS (or the
/// framework, reading them back) touch memory that is not there, so such a record is only
/// ever handed out shared (`&T`). Sorted (byte order). Records left out hold only integers
/// and enums whose every value IIS accepts or refuses (`HTTP_CACHE_POLICY`).
pub(super) const FOLLOWED_BY_IIS: &[&str] = &[
    "HTTP_LOG_DATA",
    "HTTP_REQUEST_V1",
    "HTTP_REQUEST_V2",
    "HTTP_RESPONSE_V1",
    "HTTP_RESPONSE_V2",
    "HTTP_SSL_CLIENT_CERT_INFO",
    "SOCKADDR",
];
