//! [`DataChunk`]: an `HTTP_DATA_CHUNK` that can only be made from memory Rust lends for its
//! lifetime, so the idiomatic `write_entity_chunks(&[DataChunk])` cannot hand C++ a dangling
//! or made-up buffer.

use core::marker::PhantomData;
use windows_sys::Win32::Networking::HttpServer::{HttpDataChunkFromMemory, HTTP_DATA_CHUNK};

/// A chunk of a response body: bytes borrowed for `'a` (`HTTP_DATA_CHUNK`'s
/// `FromMemory` form), layout-identical to `HTTP_DATA_CHUNK`.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct DataChunk<'a> {
    chunk: HTTP_DATA_CHUNK,
    _bytes: PhantomData<&'a [u8]>,
}

impl<'a> DataChunk<'a> {
    /// A chunk of `bytes`.
    ///
    /// # Panics
    /// If `bytes` is 4 GiB or longer (the chunk's length is a `u32`).
    pub fn from_memory(bytes: &'a [u8]) -> DataChunk<'a> {
        let mut chunk = HTTP_DATA_CHUNK {
            DataChunkType: HttpDataChunkFromMemory,
            // SAFETY: a C struct of integers and pointers, for which all zeroes is valid.
            ..unsafe { core::mem::zeroed() }
        };
        chunk.Anonymous.FromMemory.pBuffer = bytes.as_ptr().cast_mut().cast();
        chunk.Anonymous.FromMemory.BufferLength =
            u32::try_from(bytes.len()).expect("a data chunk is shorter than 4 GiB");
        DataChunk {
            chunk,
            _bytes: PhantomData,
        }
    }

    /// The `HTTP_DATA_CHUNK` C++ reads.
    pub fn as_raw(&self) -> &HTTP_DATA_CHUNK {
        &self.chunk
    }
}
