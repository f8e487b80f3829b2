//! IIS's static file handler (`StaticFileModule` with `DefaultDocumentModule`), for a server
//! given a site root ([`TestServer::site_root`](crate::TestServer::site_root)): a request no
//! module answered is served from the file its physical path names (after `RQ_MAP_PATH`, so
//! a module's `SetPhysicalPath` counts), the site's `C:\inetpub\wwwroot` standing for the
//! directory the test gave.
//!
//! - A file: `200` with its bytes, the `Content-Type` of its extension from IIS's default
//!   `<staticContent>` MIME map (an extension not in it is `404.3`, IIS's "MIME map policy"
//!   refusal), `Last-Modified`, an `ETag` and `Accept-Ranges: bytes`. The ETag's form (the
//!   file time in hex, `:0`) is IIS's as observed; Microsoft's reference does not document it.
//! - Preconditions, in RFC 9110's order (13.2.2): a failing `If-Match` (else
//!   `If-Unmodified-Since`) is `412`; a matching `If-None-Match` (else, the file not modified
//!   since, `If-Modified-Since`) is `304 Not Modified` for GET and HEAD.
//! - Byte ranges of a GET or HEAD (RFC 9110, 14): `Range: bytes=a-b`, `a-` or `-n` is
//!   `206 Partial Content` with `Content-Range: bytes a-b/len` and those bytes; several are a
//!   `multipart/byteranges` body with IIS's boundary (as observed); none in the file is `416`
//!   with `Content-Range: bytes */len`; a malformed header, or an `If-Range` naming another
//!   ETag or date, gets the whole file (`conditions.rs`, where the choices RFC 9110 leaves are
//!   listed). HEAD is answered as GET, the body left out at the send.
//! - A directory: without its trailing `/`, a `301` to the URL with one; with it, the first
//!   of IIS's default documents (`Default.htm`, `Default.asp`, `index.htm`, `index.html`,
//!   `iisstart.htm`, `default.aspx`) that exists, else `403.14` (directory browsing is off by
//!   default).
//! - Nothing there: `404` (`404.0`), as without a site root.
//!
//! No Microsoft page we found describes the handler's ranges or preconditions: what is built
//! is RFC 9110's, with IIS's observed forms (ETag, multipart boundary). Not modelled:
//! compression, the kernel and output caches. `GetFileInfo` answers for the same file
//! (`file_info.rs`), with the same `ETag` and `Last-Modified`.

use alloc::format;
use alloc::string::String;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderAcceptRanges, HttpHeaderContentRange, HttpHeaderContentType, HttpHeaderEtag,
    HttpHeaderHost, HttpHeaderIfMatch, HttpHeaderIfModifiedSince, HttpHeaderIfNoneMatch,
    HttpHeaderIfRange, HttpHeaderIfUnmodifiedSince, HttpHeaderLastModified, HttpHeaderLocation,
    HttpHeaderRange, HTTP_HEADER_ID,
};

mod conditions;

use conditions::{Conditions, Precondition, Ranges, Validators};

use super::exchange::{Exchange, State};
use super::global_objects::APPLICATION_PATH;
use super::memory::RequestMemory;
use crate::runtime::S_OK;

/// IIS's default documents, in the order it tries them (`<defaultDocument>`'s default list).
const DEFAULT_DOCUMENTS: [&str; 6] = [
    "Default.htm",
    "Default.asp",
    "index.htm",
    "index.html",
    "iisstart.htm",
    "default.aspx",
];

/// Part of IIS's default MIME map (`<staticContent>` in applicationHost.config): the
/// extensions a test site is likely to hold.
const MIME_MAP: [(&str, &str); 16] = [
    ("css", "text/css"),
    ("gif", "image/gif"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("ico", "image/x-icon"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "application/javascript"),
    ("json", "application/json"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("svg", "image/svg+xml"),
    ("txt", "text/plain"),
    ("woff2", "font/woff2"),
    ("xml", "text/xml"),
    ("zip", "application/x-zip-compressed"),
];

/// IIS's static file handler for a request no module answered: the file, from the site root
/// the test gave (`root`), else a 404 as for a missing file; IIS's error pages apply to its
/// errors.
pub(crate) fn handle(root: Option<&Path>, exchange: &Exchange) {
    let memory = &exchange.memory;
    let answer = root
        .and_then(|root| exchange.with(|s| serve(s, memory, root)))
        .unwrap_or(Answer::Error(404, 0, "Not Found"));
    if let Answer::Error(code, sub_status, reason) = answer {
        exchange.with(|s| {
            set(s, memory, code, reason);
            s.response.sub_status = sub_status;
        });
    }
}

/// What the handler answers.
enum Answer {
    /// A file (or its `304`), status and headers set, the body in the response.
    Served,
    /// An error status and substatus for IIS's error page.
    Error(u16, u16, &'static str),
}

/// Serves the request from `root` (see the module docs); `state` is the request's, its
/// physical path already mapped.
fn serve(state: &mut State, memory: &RequestMemory, root: &Path) -> Answer {
    let Some(physical) = state.physical else {
        return Answer::Error(404, 0, "Not Found");
    };
    // SAFETY: the mapped path lives in request memory, as long as the state.
    let physical = unsafe { core::slice::from_raw_parts(physical.as_ptr(), physical.len()) };
    let Some(file) = local_path(physical, root) else {
        return Answer::Error(404, 0, "Not Found");
    };
    let file = if file.is_dir() {
        let (path, query) = super::limits::split_url(&state.received.url);
        if !path.ends_with(b"/") {
            // Absolute within the request's Host, the query kept, as a Redirect makes it.
            let mut slashed = path.to_vec();
            slashed.push(b'/');
            let host = state.received.headers.get_id(HttpHeaderHost);
            let host = host.as_ref().map(|host| host.bytes());
            let location = super::url::redirect_target(&slashed, host, path, query, true);
            set(state, memory, 301, "Moved Permanently");
            put(state, memory, HttpHeaderLocation, &location);
            return Answer::Served;
        }
        match DEFAULT_DOCUMENTS
            .iter()
            .map(|name| file.join(name))
            .find(|f| f.is_file())
        {
            Some(document) => document,
            None => return Answer::Error(403, 14, "Forbidden"),
        }
    } else {
        file
    };
    let Some(metadata) = std::fs::metadata(&file).ok().filter(|m| m.is_file()) else {
        return Answer::Error(404, 0, "Not Found");
    };
    let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    let Some(&(_, content_type)) = MIME_MAP
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(extension))
    else {
        return Answer::Error(404, 3, "Not Found");
    };
    let Ok(bytes) = std::fs::read(&file) else {
        return Answer::Error(404, 0, "Not Found");
    };
    let modified = metadata.modified().unwrap_or(UNIX_EPOCH);
    answer_file(state, memory, bytes, content_type, modified)
}

/// The answer for a file's `bytes`, its preconditions and ranges weighed (the module docs).
fn answer_file(
    state: &mut State,
    memory: &RequestMemory,
    bytes: alloc::vec::Vec<u8>,
    content_type: &str,
    modified: SystemTime,
) -> Answer {
    let etag = etag(modified);
    let validators = Validators {
        etag: etag.as_bytes(),
        modified: unix_seconds(modified),
    };
    let len = bytes.len() as u64;
    let (precondition, ranges) = weigh(state, &validators, len);
    match (precondition, ranges) {
        (Precondition::Failed, _) => return Answer::Error(412, 0, "Precondition Failed"),
        (Precondition::NotModified, _) => set(state, memory, 304, "Not Modified"),
        (Precondition::Proceed, Ranges::Unsatisfiable) => {
            let unsatisfied = format!("bytes */{len}");
            put(
                state,
                memory,
                HttpHeaderContentRange,
                unsatisfied.as_bytes(),
            );
            return Answer::Error(416, 0, "Requested Range Not Satisfiable");
        }
        (Precondition::Proceed, Ranges::Whole) => {
            set(state, memory, 200, "OK");
            put(
                state,
                memory,
                HttpHeaderContentType,
                content_type.as_bytes(),
            );
            state.response.chunks = alloc::vec![bytes];
        }
        (Precondition::Proceed, Ranges::Partial(ranges)) => {
            send_ranges(state, memory, &bytes, &ranges, content_type);
        }
    }
    let last_modified = last_modified(modified);
    put(
        state,
        memory,
        HttpHeaderLastModified,
        last_modified.as_bytes(),
    );
    put(state, memory, HttpHeaderEtag, etag.as_bytes());
    put(state, memory, HttpHeaderAcceptRanges, b"bytes");
    Answer::Served
}

/// What the request's conditional and range headers decide for a file of `len` bytes.
fn weigh(state: &State, validators: &Validators<'_>, len: u64) -> (Precondition, Ranges) {
    let header = |id| state.received.headers.get_id(id);
    let method = state.received.method.bytes();
    let get = method == b"GET" || method == b"HEAD";
    let ids = [
        HttpHeaderIfMatch,
        HttpHeaderIfUnmodifiedSince,
        HttpHeaderIfNoneMatch,
        HttpHeaderIfModifiedSince,
        HttpHeaderRange,
        HttpHeaderIfRange,
    ];
    let values = ids.map(header);
    let [if_match, if_unmodified_since, if_none_match, if_modified_since, range, if_range] = values
        .each_ref()
        .map(|value| value.as_ref().map(|h| h.bytes()));
    let conditions = Conditions {
        if_match,
        if_unmodified_since,
        if_none_match,
        if_modified_since,
    };
    let precondition = conditions::preconditions(&conditions, validators, get);
    // Ranges are defined for GET (RFC 9110, 14.2); HEAD is answered as GET, without the body.
    let ranges = match get {
        true => conditions::ranges(range, if_range, validators, len),
        false => Ranges::Whole,
    };
    (precondition, ranges)
}

/// `206` with `ranges` of `bytes`: one as itself with its `Content-Range`, several as a
/// `multipart/byteranges` body.
fn send_ranges(
    state: &mut State,
    memory: &RequestMemory,
    bytes: &[u8],
    ranges: &[(u64, u64)],
    content_type: &str,
) {
    set(state, memory, 206, "Partial Content");
    if let [(first, last)] = *ranges {
        let content_range = conditions::content_range((first, last), bytes.len() as u64);
        put(
            state,
            memory,
            HttpHeaderContentRange,
            content_range.as_bytes(),
        );
        put(
            state,
            memory,
            HttpHeaderContentType,
            content_type.as_bytes(),
        );
        state.response.chunks = alloc::vec![bytes[first as usize..=last as usize].to_vec()];
    } else {
        let multipart = format!("multipart/byteranges; boundary={}", conditions::BOUNDARY);
        put(state, memory, HttpHeaderContentType, multipart.as_bytes());
        state.response.chunks = alloc::vec![conditions::multipart(bytes, ranges, content_type)];
    }
}

/// The local file a physical path names: under `root` when the path is under the site's
/// `C:\inetpub\wwwroot` (any case), else none.
pub(crate) fn local_path(physical: &[u16], root: &Path) -> Option<PathBuf> {
    let physical = String::from_utf16(physical).ok()?;
    let prefix = physical.get(..APPLICATION_PATH.len())?;
    if !prefix.eq_ignore_ascii_case(APPLICATION_PATH) {
        return None;
    }
    let mut file = root.to_path_buf();
    for part in physical[APPLICATION_PATH.len()..].split('\\') {
        match part {
            "" | "." => {}
            // The cooked URL has no dot segments; a module's path might.
            ".." => return None,
            // A `/` (or a drive's `:`) would make the part a path of its own on this
            // machine, outside the root.
            part if part.contains(['/', ':']) => return None,
            part => file.push(part),
        }
    }
    Some(file)
}

/// The status IIS's handler sets: its own, so IIS's error pages apply.
fn set(state: &mut State, memory: &RequestMemory, status: u16, reason: &str) {
    let response = &mut state.response;
    response.status = status;
    response.reason = memory.c_text(reason.as_bytes());
    response.sub_status = 0;
    response.error_to_report = S_OK;
    response.status_set = true;
    response.skip_custom_errors = false;
}

fn put(state: &mut State, memory: &RequestMemory, id: HTTP_HEADER_ID, value: &[u8]) {
    // A known header with a value made here: the server's own table takes it.
    let _ = state.response.headers.set_id(memory, id, value, true);
}

/// The ETag IIS gives a static file: its last write time as a Windows FILETIME in hex, then
/// `:0` (observed; the part after the colon is a change number).
pub(crate) fn etag(modified: SystemTime) -> String {
    let since_1601 = super::file_info::filetime(modified);
    format!("\"{since_1601:x}:0\"")
}

/// The `Last-Modified` of a file time: its whole seconds as an HTTP-date.
pub(crate) fn last_modified(modified: SystemTime) -> String {
    conditions::http_date(unix_seconds(modified))
}

/// Whole seconds since 1970 of a file time (what `Last-Modified` says of it).
fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => -(before.duration().as_secs_f64().ceil() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use std::time::Duration;

    #[test]
    fn dates_and_etags_are_as_iis_writes_them() {
        let time = UNIX_EPOCH + Duration::from_millis(784_111_777_250);
        assert_eq!(unix_seconds(time), 784_111_777);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_millis(500)), -1);
        assert_eq!(etag(UNIX_EPOCH), "\"19db1ded53e8000:0\"");
    }

    #[test]
    fn only_paths_under_the_site_root_are_files() {
        let root = Path::new("/srv/site");
        let wide = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        assert_eq!(
            local_path(&wide("C:\\inetpub\\wwwroot\\docs\\a.txt"), root),
            Some(PathBuf::from("/srv/site/docs/a.txt"))
        );
        assert_eq!(
            local_path(&wide("c:\\INETPUB\\wwwroot"), root),
            Some(root.to_path_buf())
        );
        assert_eq!(local_path(&wide("D:\\manuals\\a.txt"), root), None);
        assert_eq!(local_path(&wide("C:\\inetpub\\wwwroot\\..\\x"), root), None);
        assert_eq!(
            local_path(&wide("C:\\inetpub\\wwwroot\\/etc\\hosts.txt"), root),
            None
        );
    }
}
