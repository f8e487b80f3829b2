//! IIS's static file handler (`StaticFileModule` with `DefaultDocumentModule`), for a server
//! given a site root ([`TestServer::site_root`](crate::TestServer::site_root)): a request no
//! module answered is served from the file its physical path names (after `RQ_MAP_PATH`, so
//! a module's `SetPhysicalPath` counts), the site's `C:\inetpub\wwwroot` standing for the
//! directory the test gave.
//!
//! - A file: `200` with its bytes, the `Content-Type` of its extension from IIS's default
//!   `<staticContent>` MIME map (an extension not in it is `404.3`, IIS's "MIME map policy"
//!   refusal), `Last-Modified`, an `ETag` and `Accept-Ranges: bytes`; `304 Not Modified` when
//!   the request's `If-None-Match` names that ETag. The ETag's form (the file time in hex,
//!   `:0`) is IIS's as observed; Microsoft's reference does not document it.
//! - A directory: without its trailing `/`, a `301` to the URL with one; with it, the first
//!   of IIS's default documents (`Default.htm`, `Default.asp`, `index.htm`, `index.html`,
//!   `iisstart.htm`, `default.aspx`) that exists, else `403.14` (directory browsing is off by
//!   default).
//! - Nothing there: `404` (`404.0`), as without a site root.
//!
//! Not modelled: ranges, `If-Modified-Since`, compression, the kernel and output caches.

use alloc::format;
use alloc::string::String;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderAcceptRanges, HttpHeaderContentType, HttpHeaderEtag, HttpHeaderHost,
    HttpHeaderIfNoneMatch, HttpHeaderLastModified, HttpHeaderLocation, HTTP_HEADER_ID,
};

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
    let etag = etag(modified);
    let unchanged = state
        .received
        .headers
        .get_id(HttpHeaderIfNoneMatch)
        .is_some_and(|tags| {
            tags.bytes()
                .split(|&b| b == b',')
                .any(|tag| tag.trim_ascii() == etag.as_bytes() || tag.trim_ascii() == b"*")
        });
    if unchanged {
        set(state, memory, 304, "Not Modified");
    } else {
        set(state, memory, 200, "OK");
        put(
            state,
            memory,
            HttpHeaderContentType,
            content_type.as_bytes(),
        );
        state.response.chunks = alloc::vec![bytes];
    }
    put(
        state,
        memory,
        HttpHeaderLastModified,
        http_date(modified).as_bytes(),
    );
    put(state, memory, HttpHeaderEtag, etag.as_bytes());
    put(state, memory, HttpHeaderAcceptRanges, b"bytes");
    Answer::Served
}

/// The local file a physical path names: under `root` when the path is under the site's
/// `C:\inetpub\wwwroot` (any case), else none.
fn local_path(physical: &[u16], root: &Path) -> Option<PathBuf> {
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
fn etag(modified: SystemTime) -> String {
    let since_1601 = modified
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() / 100 + 116_444_736_000_000_000)
        .unwrap_or(0);
    format!("\"{since_1601:x}:0\"")
}

/// An HTTP-date (RFC 9110, IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, in_day) = (seconds / 86_400, seconds % 86_400);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Howard Hinnant's days-to-civil, for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let month_name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!(
        "{weekday}, {day:02} {month_name} {year} {:02}:{:02}:{:02} GMT",
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use std::time::Duration;

    #[test]
    fn dates_and_etags_are_as_iis_writes_them() {
        let time = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(time), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            http_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
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
