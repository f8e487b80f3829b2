//! Request and response headers as IIS keeps them: the known headers by `HTTP_HEADER_ID`
//! (the HTTP Server API's numbering, different for requests and responses past id 19) and the
//! others by name, compared without regard to case. Setting a header that exists without
//! `replace` appends `", value"`; every value is a NUL-terminated copy in request memory that
//! stays valid until the request ends, even after the header changes.

use super::memory::{CText, RequestMemory};
use alloc::string::String;
use alloc::vec::Vec;
use httpserv_framework::module::header_ids;

/// Which numbering of known headers a set uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Request,
    Response,
}

impl Direction {
    /// The known header names by id (`HttpHeaderRequestMaximum` or
    /// `HttpHeaderResponseMaximum` of them).
    fn known(self) -> &'static [&'static str] {
        match self {
            Direction::Request => &header_ids::REQUEST_HEADERS,
            Direction::Response => &header_ids::RESPONSE_HEADERS,
        }
    }

    /// The name of known header `id`.
    pub fn name_of(self, id: usize) -> Option<&'static str> {
        self.known().get(id).copied()
    }

    /// The `HTTP_HEADER_ID` of a known header name, in any case.
    pub fn id_of(self, name: &[u8]) -> Option<usize> {
        match self {
            Direction::Request => header_ids::request_header_id(name),
            Direction::Response => header_ids::response_header_id(name),
        }
    }
}

/// A header value: the bytes, and their copy in request memory that modules receive.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeaderValue {
    pub text: CText,
}

impl HeaderValue {
    /// The value's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.text.bytes()
    }
}

/// The headers of one request or response.
pub(crate) struct Headers {
    direction: Direction,
    known: Vec<Option<HeaderValue>>,
    /// Name as first given, value; in the order first set.
    unknown: Vec<(Vec<u8>, HeaderValue)>,
}

/// Why a header could not be set or removed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No known header has the id.
    UnknownId,
    /// The name is not an RFC 9110 token, or the value holds a control character.
    Text,
}

/// Whether a module may put `name: value` on the wire, the test server's own rule (the same
/// as the framework's, written again so that a test holds one against the other): the name an
/// RFC 9110 token, the value only HTAB, SP, `VCHAR` and `obs-text` — no CR, LF, NUL, other
/// control or DEL. Microsoft's reference does not say what IIS does with them (http.sys sends
/// what it is given); the test server refuses them, as the framework does, so a test sees a
/// response that cannot be split.
pub(crate) fn sendable(name: &[u8], value: &[u8]) -> bool {
    const DELIMITERS: &[u8] = b"\"(),/:;<=>?@[\\]{}";
    let tchar = |b: &u8| b.is_ascii_graphic() && !DELIMITERS.contains(b);
    !name.is_empty() && name.iter().all(tchar) && field_text(value)
}

/// Whether `text` holds only the octets of a field value or reason phrase.
pub(crate) fn field_text(text: &[u8]) -> bool {
    text.iter()
        .all(|&b| b == b'\t' || b == b' ' || b.is_ascii_graphic() || b >= 0x80)
}

impl Headers {
    pub fn new(direction: Direction) -> Headers {
        Headers {
            direction,
            known: direction.known().iter().map(|_| None).collect(),
            unknown: Vec::new(),
        }
    }

    /// The value of header `name` (any case), known or not.
    pub fn get(&self, name: &[u8]) -> Option<HeaderValue> {
        match self.direction.id_of(name) {
            Some(id) => self.known[id],
            None => self
                .unknown
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, value)| *value),
        }
    }

    /// The value of known header `id`.
    pub fn get_id(&self, id: i32) -> Option<HeaderValue> {
        *self.known.get(usize::try_from(id).ok()?)?
    }

    /// Sets header `name`; without `replace`, an existing value gets `", value"` appended.
    pub fn set(&mut self, memory: &RequestMemory, name: &[u8], value: &[u8], replace: bool) {
        if let Some(id) = self.direction.id_of(name) {
            self.known[id] = Some(joined(memory, self.known[id], value, replace));
            return;
        }
        match self
            .unknown
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, old)) => *old = joined(memory, Some(*old), value, replace),
            None => self
                .unknown
                .push((name.to_vec(), joined(memory, None, value, replace))),
        }
    }

    /// Sets header `name` for a module, as [`Headers::set`]; refused, and nothing stored, if
    /// the name or value could split the message (see [`sendable`]).
    pub fn put(
        &mut self,
        memory: &RequestMemory,
        name: &[u8],
        value: &[u8],
        replace: bool,
    ) -> Result<(), Refused> {
        if !sendable(name, value) {
            return Err(Refused::Text);
        }
        self.set(memory, name, value, replace);
        Ok(())
    }

    /// Sets known header `id`, as [`Headers::put`].
    pub fn set_id(
        &mut self,
        memory: &RequestMemory,
        id: i32,
        value: &[u8],
        replace: bool,
    ) -> Result<(), Refused> {
        if !field_text(value) {
            return Err(Refused::Text);
        }
        let slot = usize::try_from(id)
            .ok()
            .and_then(|id| self.known.get_mut(id))
            .ok_or(Refused::UnknownId)?;
        *slot = Some(joined(memory, *slot, value, replace));
        Ok(())
    }

    /// Removes header `name` (any case); removing a missing header succeeds.
    pub fn delete(&mut self, name: &[u8]) {
        match self.direction.id_of(name) {
            Some(id) => self.known[id] = None,
            None => self.unknown.retain(|(n, _)| !n.eq_ignore_ascii_case(name)),
        }
    }

    /// Removes known header `id`.
    pub fn delete_id(&mut self, id: i32) -> Result<(), Refused> {
        let slot = usize::try_from(id)
            .ok()
            .and_then(|id| self.known.get_mut(id))
            .ok_or(Refused::UnknownId)?;
        *slot = None;
        Ok(())
    }

    /// The headers that have no `HTTP_HEADER_ID`: name as first set, value; in that order.
    pub fn unknown(&self) -> impl Iterator<Item = (&[u8], HeaderValue)> {
        self.unknown
            .iter()
            .map(|(name, value)| (name.as_slice(), *value))
    }

    /// Removes every header.
    pub fn clear(&mut self) {
        self.known.iter_mut().for_each(|slot| *slot = None);
        self.unknown.clear();
    }

    /// Every header as bytes, in the order of [`Headers::list`].
    pub fn list_bytes(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let known = self.known.iter().enumerate().filter_map(|(id, value)| {
            let name = self.direction.name_of(id)?;
            Some((name.as_bytes().to_vec(), value.as_ref()?.bytes().to_vec()))
        });
        let unknown = self
            .unknown
            .iter()
            .map(|(name, value)| (name.clone(), value.bytes().to_vec()));
        known.chain(unknown).collect()
    }

    /// Every header as text: the known ones in `HTTP_HEADER_ID` order under their usual
    /// names (as the HTTP Server API sends them), then the others in the order first set.
    pub fn list(&self) -> Vec<(String, String)> {
        let known = self.known.iter().enumerate().filter_map(|(id, value)| {
            let name = self.direction.name_of(id)?;
            Some((String::from(name), text(value.as_ref()?.bytes())))
        });
        let unknown = self
            .unknown
            .iter()
            .map(|(name, value)| (text(name), text(value.bytes())));
        known.chain(unknown).collect()
    }
}

/// `value`, or the old value, `", "` and `value` when appending to a non-empty one.
fn joined(
    memory: &RequestMemory,
    old: Option<HeaderValue>,
    value: &[u8],
    replace: bool,
) -> HeaderValue {
    let text = match old {
        Some(old) if !replace && !old.bytes().is_empty() => {
            memory.c_text(&[old.bytes(), b", ", value].concat())
        }
        _ => memory.c_text(value),
    };
    HeaderValue { text }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
