//! Request memory: what `IHttpContext::AllocateRequestMemory` and `IModuleAllocator` hand out,
//! and where the test server keeps every string it gives a module (header values, server
//! variables, the reason phrase, the method), NUL-terminated as IIS hands them out. Like IIS,
//! nothing is freed before the request ends, so a pointer a module got stays valid for the
//! whole request; then everything is freed at once. Also the helpers that read what modules
//! pass (NUL-terminated strings, out pointers, memory chunks) and the socket addresses handed
//! out.

use alloc::vec::Vec;
use core::alloc::Layout;
use core::ptr::NonNull;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};

use windows_sys::Win32::Networking::HttpServer::{HttpDataChunkFromMemory, HTTP_DATA_CHUNK};
use windows_sys::Win32::Networking::WinSock::{
    AF_INET, AF_INET6, IN6_ADDR, IN6_ADDR_0, IN_ADDR, IN_ADDR_0, SOCKADDR, SOCKADDR_IN,
    SOCKADDR_IN6,
};

/// The alignment of every block: what IIS's allocators give, enough for any object a module
/// places there (`IHttpStoredContext::new_in_place`).
const ALIGNMENT: usize = 16;

/// The blocks of one request.
pub(crate) struct RequestMemory {
    blocks: Mutex<Vec<Block>>,
}

struct Block {
    start: NonNull<u8>,
    layout: Layout,
}

// SAFETY: a block is plain memory owned by the request; the list is behind a mutex, and what
// modules do with the bytes is their (IIS's) contract.
unsafe impl Send for Block {}

/// Bytes copied into request memory with a NUL after them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CText {
    start: NonNull<u8>,
    len: usize,
}

// SAFETY: the bytes are written once, before the `CText` exists, and only read afterwards.
unsafe impl Send for CText {}
// SAFETY: as above.
unsafe impl Sync for CText {}

impl CText {
    /// The `PCSTR` a module receives.
    pub fn as_ptr(&self) -> *const u8 {
        self.start.as_ptr()
    }

    /// The length without the NUL.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The bytes, without the NUL.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: written once in request memory before the `CText` existed; request memory
        // lives as long as the request whose state holds the `CText`.
        unsafe { core::slice::from_raw_parts(self.start.as_ptr(), self.len) }
    }
}

/// UTF-16 copied into request memory with a NUL after it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WideText {
    start: NonNull<u16>,
    len: usize,
}

// SAFETY: as for CText.
unsafe impl Send for WideText {}
// SAFETY: as for CText.
unsafe impl Sync for WideText {}

impl WideText {
    /// The `PCWSTR` a module receives.
    pub fn as_ptr(&self) -> *const u16 {
        self.start.as_ptr()
    }

    /// The length in UTF-16 units without the NUL.
    pub fn len(&self) -> usize {
        self.len
    }
}

impl RequestMemory {
    pub fn new() -> RequestMemory {
        RequestMemory {
            blocks: Mutex::new(Vec::new()),
        }
    }

    /// `size` bytes (at least one), 16-aligned, uninitialized (so Miri reports a module that
    /// reads memory it never wrote); null if the allocator fails.
    pub fn allocate(&self, size: usize) -> *mut u8 {
        let Ok(layout) = Layout::from_size_align(size.max(1), ALIGNMENT) else {
            return core::ptr::null_mut();
        };
        // SAFETY: the layout's size is not zero.
        let start = unsafe { alloc::alloc::alloc(layout) };
        let Some(start) = NonNull::new(start) else {
            return core::ptr::null_mut();
        };
        self.lock().push(Block { start, layout });
        start.as_ptr()
    }

    /// A NUL-terminated copy of `bytes`.
    pub fn c_text(&self, bytes: &[u8]) -> CText {
        let start = self.allocate(bytes.len() + 1);
        let start = NonNull::new(start).unwrap_or_else(|| out_of_memory(bytes.len() + 1));
        // SAFETY: `start` is a fresh block of `bytes.len() + 1` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), start.as_ptr(), bytes.len());
            start.as_ptr().add(bytes.len()).write(0);
        }
        CText {
            start,
            len: bytes.len(),
        }
    }

    /// A NUL-terminated copy of `units`.
    pub fn wide_text(&self, units: &[u16]) -> WideText {
        let size = (units.len() + 1) * 2;
        let start =
            NonNull::new(self.allocate(size).cast::<u16>()).unwrap_or_else(|| out_of_memory(size));
        // SAFETY: `start` is a fresh 16-aligned block of `units.len() + 1` UTF-16 units.
        unsafe {
            core::ptr::copy_nonoverlapping(units.as_ptr(), start.as_ptr(), units.len());
            start.as_ptr().add(units.len()).write(0);
        }
        WideText {
            start,
            len: units.len(),
        }
    }

    /// Frees every block: the request is over, and with it every pointer handed out.
    pub fn free_all(&self) {
        let blocks = core::mem::take(&mut *self.lock());
        for block in blocks {
            // SAFETY: allocated in `allocate` with this layout, freed once (taken out of the
            // list).
            unsafe { alloc::alloc::dealloc(block.start.as_ptr(), block.layout) };
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Block>> {
        // A panic while the list is locked leaves it consistent (push is the only change).
        self.blocks.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for RequestMemory {
    fn drop(&mut self) {
        self.free_all();
    }
}

fn out_of_memory(size: usize) -> ! {
    std::alloc::handle_alloc_error(
        Layout::from_size_align(size, ALIGNMENT).unwrap_or(Layout::new::<u8>()),
    )
}

/// A `SOCKADDR_IN` or `SOCKADDR_IN6` for `address` in request memory.
pub(crate) fn socket_address(memory: &RequestMemory, address: SocketAddr) -> *mut SOCKADDR {
    match address {
        SocketAddr::V4(v4) => {
            let value = SOCKADDR_IN {
                sin_family: AF_INET,
                sin_port: v4.port().to_be(),
                sin_addr: IN_ADDR {
                    S_un: IN_ADDR_0 {
                        S_addr: u32::from_ne_bytes(v4.ip().octets()),
                    },
                },
                sin_zero: [0; 8],
            };
            place(memory, value).cast()
        }
        SocketAddr::V6(v6) => {
            let value = SOCKADDR_IN6 {
                sin6_family: AF_INET6,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo(),
                sin6_addr: IN6_ADDR {
                    u: IN6_ADDR_0 {
                        Byte: v6.ip().octets(),
                    },
                },
                ..Default::default()
            };
            place(memory, value).cast()
        }
    }
}

/// Moves `value` into request memory (16-aligned, enough for these structures).
pub(crate) fn place<T: Copy>(memory: &RequestMemory, value: T) -> *mut T {
    debug_assert!(core::mem::align_of::<T>() <= 16);
    let at = memory.allocate(core::mem::size_of::<T>()).cast::<T>();
    if !at.is_null() {
        // SAFETY: a fresh block of T's size, aligned for it.
        unsafe { at.write(value) };
    }
    at
}

/// The bytes of a NUL-terminated string a module passed; `None` for null.
///
/// # Safety
/// `text` must be null or NUL-terminated and live for `'a` (the C++ method's contract).
pub(crate) unsafe fn c_str<'a>(text: *const u8) -> Option<&'a [u8]> {
    // SAFETY: the caller's contract.
    (!text.is_null()).then(|| unsafe { core::ffi::CStr::from_ptr(text.cast()) }.to_bytes())
}

/// The UTF-16 units of a NUL-terminated wide string a module passed; `None` for null.
///
/// # Safety
/// `text` must be null or NUL-terminated and live for `'a` (the C++ method's contract).
pub(crate) unsafe fn wide_str<'a>(text: *const u16) -> Option<&'a [u16]> {
    if text.is_null() {
        return None;
    }
    let mut len = 0;
    // SAFETY: the caller's contract: every unit up to the NUL is readable.
    unsafe {
        while *text.add(len) != 0 {
            len += 1;
        }
        Some(core::slice::from_raw_parts(text, len))
    }
}

/// A wide string a module passed, as Rust text (invalid UTF-16 replaced); empty for null.
///
/// # Safety
/// As [`wide_str`].
pub(crate) unsafe fn wide_string(text: *const u16) -> alloc::string::String {
    // SAFETY: the caller's contract.
    alloc::string::String::from_utf16_lossy(unsafe { wide_str(text) }.unwrap_or_default())
}

/// Writes `value` through an out pointer a module passed, when it is not null.
///
/// # Safety
/// `out` must be null or valid for a write of `T` (the C++ method's contract).
pub(crate) unsafe fn put<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: the caller's contract.
        unsafe { out.write(value) };
    }
}

/// A copy of the bytes of a chunk a module passes to `WriteEntityChunks`: `E_NOTIMPL` for a
/// chunk not in memory (the test server models no files or fragment caches), `E_INVALIDARG`
/// for a null buffer with a length.
///
/// # Safety
/// A memory chunk's buffer must be readable for its length (IIS's contract).
pub(crate) unsafe fn chunk_bytes(
    chunk: &HTTP_DATA_CHUNK,
) -> Result<Vec<u8>, crate::runtime::HRESULT> {
    if chunk.DataChunkType != HttpDataChunkFromMemory {
        return Err(crate::runtime::E_NOTIMPL);
    }
    // SAFETY: a memory chunk, so `FromMemory` is the union's live field.
    let memory = unsafe { chunk.Anonymous.FromMemory };
    let len = memory.BufferLength as usize;
    if memory.pBuffer.is_null() && len != 0 {
        return Err(crate::runtime::E_INVALIDARG);
    }
    if len == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts(memory.pBuffer.cast::<u8>(), len) }.to_vec())
}
