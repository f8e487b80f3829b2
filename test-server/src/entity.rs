//! A request's entity body as IIS hands it to modules: read piece by piece
//! (`IHttpRequest::ReadEntityBody` returns at most the rest of the piece the client sent, as a
//! read from the network returns what has arrived), never past a declared `Content-Length`;
//! what is left (`GetRemainingEntityBytes`); and bodies modules put back
//! (`InsertEntityBody`), read before what the client has not yet sent.
//!
//! The C++ host of `tests/iis_host` reads the same way (`host/message.cpp`): a declared
//! length counts down as bytes are read; a body of unknown length (chunked) is `u32::MAX`
//! while more may come. Microsoft's reference does not say what IIS answers for a chunked
//! body; here it is `u32::MAX` until the client's last byte has been read, then 0 (the host,
//! which learns of the end only from the read that finds it, says `u32::MAX` until then).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// The body of one request, and how much of it modules have read.
pub(crate) struct Entity {
    /// What is left to read, in order: bodies modules inserted, then the client's pieces.
    unread: VecDeque<Vec<u8>>,
    /// How many of `unread`'s first piece has been read.
    offset: usize,
    /// The client's bytes not yet read (inserted bodies not counted).
    client_left: usize,
    /// Inserted bytes not yet read.
    inserted_left: usize,
    /// The declared `Content-Length`, when the body has one (not chunked).
    declared: Option<u64>,
    /// The client's bytes read so far.
    consumed: u64,
}

impl Entity {
    /// The client's body in `pieces`, with `declared` its `Content-Length` (`None` when its
    /// length is unknown: chunked). Reads stop at the declared length, as http.sys stops
    /// there (what follows would be the next request).
    pub fn new(pieces: Vec<Vec<u8>>, declared: Option<u64>) -> Entity {
        let mut unread = VecDeque::new();
        let mut left = declared.unwrap_or(u64::MAX);
        for mut piece in pieces {
            if left == 0 {
                break;
            }
            if piece.len() as u64 > left {
                piece.truncate(left as usize);
            }
            left -= piece.len() as u64;
            if !piece.is_empty() {
                unread.push_back(piece);
            }
        }
        let client_left = unread.iter().map(Vec::len).sum();
        Entity {
            unread,
            offset: 0,
            client_left,
            inserted_left: 0,
            declared,
            consumed: 0,
        }
    }

    /// Hands the next bytes, at most `max` and at most the rest of one piece, to `copy`
    /// (which writes them where the module asked: a buffer that may be uninitialized, so
    /// never a `&mut [u8]`), and returns how many. `None` at the end of the body
    /// (`ERROR_HANDLE_EOF`); `Some(0)` for `max` 0 while bytes are left.
    pub fn read(&mut self, max: usize, copy: impl FnOnce(&[u8])) -> Option<usize> {
        let inserted = self.inserted_left > 0;
        let piece = self.unread.front()?;
        let rest = &piece[self.offset..];
        let n = rest.len().min(max);
        copy(&rest[..n]);
        self.offset += n;
        if self.offset == piece.len() {
            self.unread.pop_front();
            self.offset = 0;
        }
        if inserted {
            self.inserted_left -= n;
        } else {
            self.client_left -= n;
            self.consumed += n as u64;
        }
        Some(n)
    }

    /// `InsertEntityBody`: `bytes` are read next, before what is left of the client's body
    /// (and of bodies inserted before). The `Content-Length` header is not changed, as IIS
    /// leaves it.
    pub fn insert(&mut self, bytes: Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        if self.offset > 0 {
            // Split the piece being read: its unread rest stays after the insertion.
            let piece = self.unread.pop_front().expect("a piece is being read");
            self.unread.push_front(piece[self.offset..].to_vec());
            self.offset = 0;
        }
        self.inserted_left += bytes.len();
        self.unread.push_front(bytes);
    }

    /// The declared `Content-Length`, if the body has one.
    pub fn declared(&self) -> Option<u64> {
        self.declared
    }

    /// `GetRemainingEntityBytes`: what is left of a declared length (and of inserted bodies);
    /// for a body of unknown length `u32::MAX` while the client's bytes are not all read.
    pub fn remaining(&self) -> u32 {
        let client = match self.declared {
            Some(declared) => declared.saturating_sub(self.consumed),
            None if self.client_left > 0 => u64::from(u32::MAX),
            None => 0,
        };
        let left = client.saturating_add(self.inserted_left as u64);
        u32::try_from(left).unwrap_or(u32::MAX)
    }
}
