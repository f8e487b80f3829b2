//! Every accepted SAL form of the fixture catalogue, called against a C++ side that keeps
//! the annotation to the byte (issue 24). Each fake below implements a fixture class as
//! SAL says C++ does: memory it hands out is exactly as large as the annotation says and
//! initialised exactly as far as it says (the rest is `MaybeUninit`), and it reads exactly
//! the bytes a caller's buffer is said to hold, no more. The safe wrappers are called over
//! a range of lengths and contents and must give back exactly what C++ meant. Natively this
//! checks the values; under Miri (`miri.rs` runs this file) a wrapper that reads one byte
//! too many, slices a capacity where only a filled part was written, or lets safe code read
//! bytes C++ never wrote is undefined behaviour, and fails the run.

use core::cell::RefCell;
use core::ffi::CStr;
use core::mem::MaybeUninit;
use httpserv_runtime::{release_boxed, E_INVALIDARG, HRESULT, S_OK};
use httpserv_tests::hostile_sal_capacity_for_filled::{ICapacity, ICapacity_Impl};
use httpserv_tests::hostile_sal_count_types::{ICounts, ICounts_Impl, SIZE_KIND};
use httpserv_tests::hostile_sal_hidden_annotations::{IHidden, IHidden_Impl};
use httpserv_tests::hostile_sal_optional_sized_defaults::{IOptionalBuffer, IOptionalBuffer_Impl};
use httpserv_tests::hostile_sal_two_out_buffers as two;
use httpserv_tests::sal_sal2_rules::{IHttpResponse, IHttpResponse_Impl, IRules, IRules_Impl};
use std::rc::Rc;
use windows_sys::core::{BOOL, PCSTR, PCWSTR};

/// The lengths every form is tried with: empty, tiny, around powers of two, and one past a
/// `u16` count where a form narrows to one.
const LENGTHS: &[usize] = &[0, 1, 2, 3, 7, 8, 15, 16, 17, 100];

/// Deterministic contents of `len` bytes, different for every `seed`.
fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(len as u32) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// Memory as C++ hands it out: `capacity` elements, the first `filled` written with
/// `content`, the rest never written.
fn handed_out<T: Copy>(capacity: usize, content: &[T]) -> Box<[MaybeUninit<T>]> {
    let mut memory = Box::new_uninit_slice(capacity);
    for (slot, value) in memory.iter_mut().zip(content) {
        slot.write(*value);
    }
    memory
}

/// The bytes a caller's buffer is said to hold: read as exactly `len` bytes at `at`.
///
/// # Safety
/// What the annotation promises C++: `at` is valid for `len` bytes (or null with 0).
unsafe fn read_in(at: *const u8, len: usize) -> Vec<u8> {
    if len == 0 {
        return Vec::new();
    }
    // SAFETY: the caller's promise, which a wrong wrapper breaks (Miri reports it).
    unsafe { core::slice::from_raw_parts(at, len) }.to_vec()
}

/// Makes the C++ object for `value`, lends it out, then releases it.
fn with_object<T, I>(new_boxed: fn(T) -> *mut I, value: T, use_it: impl FnOnce(&mut I)) {
    let object = new_boxed(value);
    // SAFETY: a live object just made, used by this function alone until released.
    use_it(unsafe { &mut *object });
    // SAFETY: made by `new_boxed` for `T` and not used again.
    unsafe { release_boxed::<T, I>(object) }
}

/// `_Ret_writes_bytes_to_(*pcbCapacity, *pcbFilled)` and its UTF-16 and out-pointer kin: a
/// capacity larger than what is written.
struct Capacity {
    bytes: Box<[MaybeUninit<u8>]>,
    text: Box<[MaybeUninit<u16>]>,
    filled: usize,
}

// SAFETY: every pointer handed out is into memory the object owns for its life, and every
// length reported is that memory's (capacity) or its written part's (filled).
unsafe impl ICapacity_Impl for Capacity {
    unsafe fn GetBytes(&self, capacity: *mut u32, filled: *mut u32) -> PCSTR {
        // SAFETY: the wrapper passes two writable counts.
        unsafe { (*capacity, *filled) = (self.bytes.len() as u32, self.filled as u32) };
        self.bytes.as_ptr().cast()
    }
    unsafe fn GetText(&self, capacity: *mut u32, filled: *mut u32) -> PCWSTR {
        // SAFETY: as above.
        unsafe { (*capacity, *filled) = (self.text.len() as u32, self.filled as u32) };
        self.text.as_ptr().cast()
    }
    unsafe fn GetData(&self, data: *mut *mut u8, capacity: *mut u32, filled: *mut u32) -> HRESULT {
        // SAFETY: as above, and a writable pointer.
        unsafe {
            *data = self.bytes.as_ptr().cast_mut().cast();
            (*capacity, *filled) = (self.bytes.len() as u32, self.filled as u32);
        }
        S_OK
    }
}

#[test]
fn a_filled_length_is_sliced_never_the_capacity() {
    for &filled in LENGTHS {
        let bytes = pattern(filled, 1);
        let text: Vec<u16> = bytes.iter().map(|&b| u16::from(b) << 3).collect();
        let capacity = filled * 2 + 1;
        let fake = Capacity {
            bytes: handed_out(capacity, &bytes),
            text: handed_out(capacity, &text),
            filled,
        };
        with_object(ICapacity::new_boxed, fake, |object| {
            assert_eq!(object.bytes(), Some(&bytes[..]));
            assert_eq!(object.text(), Some(&text[..]));
            assert_eq!(object.data().unwrap(), &bytes[..]);
        });
    }
}

/// Counts that come back through the pointer they went in by (`_Inout_updates_bytes_`), and
/// a signed count going in: what C++ writes into the caller's buffer is `content`, as much
/// as fits.
struct Counts {
    content: Vec<u8>,
    received: Rc<RefCell<Vec<u8>>>,
}

impl Counts {
    /// Fills the caller's `capacity` bytes at `buffer` as far as `content` goes; returns
    /// how many.
    ///
    /// # Safety
    /// `buffer` is writable for `capacity` bytes.
    unsafe fn fill(&self, buffer: *mut u8, capacity: usize) -> usize {
        let written = capacity.min(self.content.len());
        // SAFETY: within the capacity the caller gave.
        unsafe { core::ptr::copy_nonoverlapping(self.content.as_ptr(), buffer, written) };
        written
    }
}

impl ICounts_Impl for Counts {
    unsafe fn ByPointer(&self, _: *const u8, _: *mut u32) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn ByFloat(&self, _: *const u8, _: f32) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn ByReference(&self, _: *const u8, _: *const u32) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn ByBool(&self, _: *const u8, _: bool) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn ByWinBool(&self, _: *const u8, _: BOOL) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn ByEnum(&self, _: *const u8, _: SIZE_KIND) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn BySelf(&self, _: *const u8) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn ByOutput(&self, _: *const u8, _: u32) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn Signed(&self, _: *mut i32) -> PCSTR {
        unreachable!("raw only")
    }
    unsafe fn ByFloatOut(&self, _: *mut f32) -> PCSTR {
        unreachable!("raw only")
    }
    unsafe fn OutSigned(&self, _: *mut *mut u8, _: *mut i32) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn SignedIn(&self, data: *const u8, len: i32) -> HRESULT {
        let Ok(len) = usize::try_from(len) else {
            return E_INVALIDARG;
        };
        // SAFETY: `_In_reads_bytes_(cb)`.
        *self.received.borrow_mut() = unsafe { read_in(data, len) };
        S_OK
    }
    unsafe fn Fill64(&self, buffer: *mut u8, len: *mut u64) -> HRESULT {
        // SAFETY: `_Inout_updates_bytes_(*pcb)`: the count in is the buffer's capacity.
        unsafe { *len = self.fill(buffer, *len as usize) as u64 };
        S_OK
    }
    unsafe fn Fill16(&self, buffer: *mut u8, len: *mut u16) -> HRESULT {
        // SAFETY: as above.
        unsafe { *len = self.fill(buffer, usize::from(*len)) as u16 };
        S_OK
    }
}

#[test]
fn an_updated_length_reads_back_in_its_own_type() {
    for &capacity in LENGTHS {
        for &len in LENGTHS {
            let content = pattern(len, 2);
            let received = Rc::default();
            let fake = Counts {
                content: content.clone(),
                received: Rc::clone(&received),
            };
            let expected = &content[..capacity.min(len)];
            with_object(ICounts::new_boxed, fake, |object| {
                let mut buffer = vec![0xEE; capacity];
                let written: u64 = object.fill64(&mut buffer).unwrap();
                assert_eq!(&buffer[..written as usize], expected);
                let mut buffer = vec![0xEE; capacity];
                let written: u16 = object.fill16(&mut buffer).unwrap();
                assert_eq!(&buffer[..usize::from(written)], expected);
                object.signed_in(&content).unwrap();
            });
            assert_eq!(
                *received.borrow(),
                content,
                "a signed count is the slice's length"
            );
        }
    }
}

/// `_In_reads_bytes_opt_(cbData)` buffers, defaulted or not: what C++ reads is the slice,
/// and `None` is a null pointer with a zero count.
/// What a fake saw: each call's name and the bytes it read (`None`: a null buffer).
type Calls = Rc<RefCell<Vec<(&'static str, Option<Vec<u8>>)>>>;

struct Optional {
    calls: Calls,
}

impl Optional {
    fn record(&self, name: &'static str, data: *const u8, len: u32) -> HRESULT {
        let seen = if data.is_null() {
            assert_eq!(len, 0, "{name}: a null buffer with a count");
            None
        } else {
            // SAFETY: `_In_reads_bytes_opt_(cbData)`.
            Some(unsafe { read_in(data, len as usize) })
        };
        self.calls.borrow_mut().push((name, seen));
        S_OK
    }
}

impl IOptionalBuffer_Impl for Optional {
    unsafe fn Send(&self, _: u32, data: *const u8, len: u32) -> HRESULT {
        self.record("send", data, len)
    }
    unsafe fn Post(&self, len: u32, data: *const u8) -> HRESULT {
        self.record("post", data, len)
    }
    unsafe fn Write(&self, len: u32, data: *const u8) -> HRESULT {
        self.record("write", data, len)
    }
}

#[test]
fn an_optional_buffer_is_read_as_the_slice_or_not_at_all() {
    for &len in LENGTHS {
        let content = pattern(len, 4);
        let calls = Calls::default();
        let object = IOptionalBuffer::new(Optional {
            calls: Rc::clone(&calls),
        });
        object.send(7, Some(&content)).unwrap();
        object.send(7, None).unwrap();
        object.post(Some(&content)).unwrap();
        object.write(None).unwrap();
        object.write(Some(&content)).unwrap();
        let some = || Some(content.clone());
        assert_eq!(
            *calls.borrow(),
            [
                ("send", some()),
                ("send", None),
                ("post", some()),
                ("write", None),
                ("write", some()),
            ]
        );
    }
}

/// `_Outptr_result_bytebuffer_to_(cbFirst, 0)`: C++ hands out `cbFirst` bytes it has not
/// written, for the caller to fill; it keeps them and reads them after.
#[derive(Default)]
struct HandsOut {
    /// Each buffer handed out, owned here as a raw pointer (a `Box` moved after its
    /// pointer was handed out would invalidate that pointer), freed with the object.
    handed: RefCell<Vec<*mut [MaybeUninit<u8>]>>,
}

impl Drop for HandsOut {
    fn drop(&mut self) {
        for memory in self.handed.take() {
            // SAFETY: each came from `Box::into_raw` and is freed once, here.
            drop(unsafe { Box::from_raw(memory) });
        }
    }
}

// SAFETY: every buffer handed out is owned by the object for its life and is as long as
// the count asked for.
unsafe impl two::IHttpResponse_Impl for HandsOut {
    unsafe fn GetTwo(&self, _: *mut *mut u8, _: u32, _: *mut *mut u8, _: u32) -> HRESULT {
        unreachable!("raw only")
    }
    unsafe fn GetOne(&self, first: *mut *mut u8, len: u32) -> HRESULT {
        let memory = Box::into_raw(handed_out::<u8>(len as usize, &[]));
        // SAFETY: a writable out pointer.
        unsafe { *first = memory.cast() };
        self.handed.borrow_mut().push(memory);
        S_OK
    }
}

#[test]
fn a_buffer_handed_out_to_fill_can_be_read_before_it_is_written() {
    for &len in LENGTHS {
        let content = pattern(len, 5);
        with_object(
            two::IHttpResponse::new_boxed,
            HandsOut::default(),
            |object| {
                let buffer = object.one(len as u32).unwrap();
                assert_eq!(buffer.len(), len);
                // C++ wrote nothing: safe code reading it first must see defined bytes.
                assert!(buffer.iter().all(|&b| b == 0));
                buffer.copy_from_slice(&content);
            },
        );
    }
}

/// The SAL 2 catalogue (`sal/sal2_rules.h`): a byte string returned with a `USHORT`
/// length, one going in with it, a buffer filled to its end (`_Out_writes_bytes_all_`)
/// with its own count out, and a buffer handed out with its length.
struct Rules {
    value: Box<[MaybeUninit<u8>]>,
    stored: RefCell<Vec<u8>>,
}

// SAFETY: the value handed out is owned by the object and as long as the count reported.
unsafe impl IRules_Impl for Rules {
    unsafe fn GetValue(&self, name: PCSTR, len: *mut u16) -> PCSTR {
        // SAFETY: `_In_ PCSTR`: NUL-terminated.
        let name = unsafe { CStr::from_ptr(name.cast()) };
        assert_eq!(name.to_bytes(), b"key");
        if !len.is_null() {
            // SAFETY: `_Out_ USHORT*`, optional.
            unsafe { *len = self.value.len() as u16 };
        }
        self.value.as_ptr().cast()
    }
    unsafe fn SetValue(&self, _: PCSTR, value: PCSTR, len: u16, _: BOOL) -> HRESULT {
        // SAFETY: `_In_reads_bytes_(cchValue)`.
        *self.stored.borrow_mut() = unsafe { read_in(value.cast(), usize::from(len)) };
        S_OK
    }
    unsafe fn Read(
        &self,
        buffer: *mut core::ffi::c_void,
        len: u32,
        _: BOOL,
        read: *mut u32,
    ) -> HRESULT {
        let stored = self.stored.borrow();
        // `_Out_writes_bytes_all_(cbBuffer)`: every byte of the buffer is written.
        for i in 0..len as usize {
            let byte = stored.get(i).copied().unwrap_or(0xA5);
            // SAFETY: writable for `len` bytes.
            unsafe { buffer.cast::<u8>().add(i).write(byte) };
        }
        // SAFETY: `_Out_ DWORD*`.
        unsafe { *read = len.min(stored.len() as u32) };
        S_OK
    }
    fn GetName(&self) -> PCWSTR {
        core::ptr::null()
    }
    unsafe fn GetChild(&self, _: u32, _: *mut *mut IRules) -> HRESULT {
        unreachable!("not exercised")
    }
    fn GetParent(&self) -> *mut IRules {
        core::ptr::null_mut()
    }
    unsafe fn Rename(&self, _: PCWSTR, _: PCWSTR) -> HRESULT {
        unreachable!("not exercised")
    }
    unsafe fn Notify(&self, _: Option<unsafe extern "system" fn(u32)>) {}
    unsafe fn Resize(&self, _: *mut *mut u8) {}
    fn Frob(&self, _: u32) -> HRESULT {
        S_OK
    }
}

#[test]
fn sal2_lengths_go_in_and_come_back_exactly() {
    for &len in LENGTHS {
        let value = pattern(len, 6);
        let fake = Rules {
            value: handed_out(len, &value),
            stored: RefCell::default(),
        };
        with_object(IRules::new_boxed, fake, |object| {
            assert_eq!(object.value(c"key"), Some(&value[..]));
            object.set_value(c"key", &value).unwrap();
            let mut buffer = vec![0u8; len + 3];
            let read = object.read(&mut buffer).unwrap();
            assert_eq!(&buffer[..read as usize], &value[..]);
            assert!(buffer[read as usize..].iter().all(|&b| b == 0xA5));
        });
    }
    // A value longer than its `USHORT` count can say is refused before C++ is called.
    let fake = Rules {
        value: handed_out(0, &[]),
        stored: RefCell::new(b"kept".to_vec()),
    };
    let object = IRules::new(fake);
    let too_long = vec![b'x'; usize::from(u16::MAX) + 1];
    assert_eq!(
        object.set_value(c"key", &too_long).unwrap_err().code(),
        E_INVALIDARG
    );
    let mut buffer = [0u8; 4];
    object.read(&mut buffer).unwrap();
    assert_eq!(
        &buffer, b"kept",
        "C++ was not called with a truncated count"
    );
}

/// `_Outptr_result_bytebuffer_(*pcbBuffer)` and a header value with a `USHORT` length.
struct Response {
    buffer: Box<[MaybeUninit<u8>]>,
    header: RefCell<Vec<u8>>,
}

// SAFETY: the buffer and header handed out are owned by the object and as long as the
// counts reported.
unsafe impl IHttpResponse_Impl for Response {
    unsafe fn GetHeader(&self, _: PCSTR, len: *mut u16) -> PCSTR {
        let header = self.header.borrow();
        if !len.is_null() {
            // SAFETY: `_Out_ USHORT*`, optional.
            unsafe { *len = header.len() as u16 };
        }
        header.as_ptr().cast()
    }
    unsafe fn SetHeader(&self, _: PCSTR, value: PCSTR, len: u16) -> HRESULT {
        // SAFETY: the form passes the value's bytes and their count.
        *self.header.borrow_mut() = unsafe { read_in(value.cast(), usize::from(len)) };
        S_OK
    }
    fn GetRules(&self) -> *mut IRules {
        core::ptr::null_mut()
    }
    unsafe fn GetBuffer(&self, buffer: *mut *mut u8, len: *mut u32) -> HRESULT {
        // SAFETY: two writable out pointers.
        unsafe {
            *buffer = self.buffer.as_ptr().cast_mut().cast();
            *len = self.buffer.len() as u32;
        }
        S_OK
    }
}

#[test]
fn a_buffer_handed_out_with_its_length_is_that_long() {
    for &len in LENGTHS {
        let content = pattern(len, 7);
        let fake = Response {
            buffer: handed_out(len, &content),
            header: RefCell::default(),
        };
        with_object(IHttpResponse::new_boxed, fake, |object| {
            assert_eq!(object.buffer().unwrap(), &content[..]);
            object.set_header(c"X-Value", &content).unwrap();
            assert_eq!(object.header(c"X-Value"), Some(&content[..]));
            assert!(object.rules().is_none());
        });
    }
}

/// SAL written before `virtual` or through the header's macros (`hidden_annotations.h`):
/// each return is sized, and the macro-annotated input is read as its slice.
struct Hidden {
    name: Box<[MaybeUninit<u8>]>,
    put: Rc<RefCell<Vec<u8>>>,
}

impl Hidden {
    /// Every sized getter hands out the same bytes, with their count.
    fn sized(&self, len: *mut u32) -> PCSTR {
        // SAFETY: `_Out_ DWORD*`.
        unsafe { *len = self.name.len() as u32 };
        self.name.as_ptr().cast()
    }
}

// SAFETY: the name handed out is owned by the object and as long as the count reported.
unsafe impl IHidden_Impl for Hidden {
    unsafe fn GetValue(&self, len: *mut u32) -> PCSTR {
        self.sized(len)
    }
    unsafe fn Put(&self, data: *const u8, len: u32) -> HRESULT {
        // SAFETY: `IN_BYTES(cbData)`, that is `_In_reads_bytes_(cbData)`.
        *self.put.borrow_mut() = unsafe { read_in(data, len as usize) };
        S_OK
    }
    unsafe fn GetName(&self, len: *mut u32) -> PCSTR {
        self.sized(len)
    }
    unsafe fn GetLabel(&self, len: *mut u32) -> PCSTR {
        self.sized(len)
    }
    unsafe fn GetDeep(&self, len: *mut u32) -> PCSTR {
        self.sized(len)
    }
    unsafe fn GetGlued(&self, _: *mut u32) -> PCSTR {
        unreachable!("raw only")
    }
}

#[test]
fn sal_before_virtual_or_behind_a_macro_bounds_the_buffer() {
    for &len in LENGTHS {
        // No NUL anywhere: a wrapper reading a C string would run off the allocation.
        let name: Vec<u8> = pattern(len, 8).into_iter().map(|b| b | 1).collect();
        let put = Rc::default();
        let object = IHidden::new(Hidden {
            name: handed_out(len, &name),
            put: Rc::clone(&put),
        });
        assert_eq!(object.name(), Some(&name[..]));
        assert_eq!(object.value(), Some(&name[..]));
        assert_eq!(object.label(), Some(&name[..]));
        assert_eq!(object.deep(), Some(&name[..]));
        object.put(&name).unwrap();
        assert_eq!(*put.borrow(), name);
    }
}
