//! IIS's static file handler over a site root the test gives: files by the MIME map, an
//! extension outside it refused with 404.3, default documents and the trailing-slash
//! redirect, 403.14 for a directory with none, 304 for a matching `If-None-Match` or
//! `If-Modified-Since`, 412 for a failing `If-Match` or `If-Unmodified-Since`, byte ranges
//! (206, multipart, 416, `If-Range`, HEAD) and a module's `SetPhysicalPath` (in
//! `RQ_MAP_PATH`) choosing the file.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;
use std::path::PathBuf;

use super::module;
use crate::*;
use crate::{Request, TestServer};

/// A fresh site: `/index.html`, `/docs/notes.txt`, `/data.bin`, an empty `/empty/`.
fn site(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("httpserv-site-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::fs::write(root.join("index.html"), "<h1>home</h1>\n").unwrap();
    std::fs::write(root.join("docs/notes.txt"), "notes\n").unwrap();
    std::fs::write(root.join("data.bin"), [0u8, 1, 2]).unwrap();
    std::fs::write(root.join("digits.txt"), "0123456789").unwrap();
    std::fs::write(root.join("empty.txt"), "").unwrap();
    root
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a site on disk: Miri isolates the process from the filesystem"
)]
fn files_are_served_by_their_mime_type_and_the_rest_refused_as_iis_does() {
    let root = site("mime");
    let server = TestServer::new().site_root(&root);
    let notes = server.request(Request::get("/docs/notes.txt"));
    assert_eq!((notes.status, notes.text().as_str()), (200, "notes\n"));
    assert_eq!(notes.header("Content-Type"), Some("text/plain"));
    assert_eq!(notes.header("Accept-Ranges"), Some("bytes"));
    assert!(notes
        .header("Last-Modified")
        .is_some_and(|date| date.ends_with(" GMT")));
    let etag = notes.header("ETag").expect("an ETag").to_string();
    assert!(etag.starts_with('"') && etag.ends_with(":0\""), "{etag}");
    // The same file again, as a cache revalidates it.
    let again = server.request(Request::get("/docs/notes.txt").header("If-None-Match", &etag));
    assert_eq!((again.status, again.body.len()), (304, 0));
    // No MIME type for .bin: IIS's 404.3; nothing there: 404.
    let binary = server.request(Request::get("/data.bin"));
    assert_eq!(binary.status, 404);
    assert!(binary.text().contains("404.3"), "{}", binary.text());
    assert_eq!(server.request(Request::get("/missing.txt")).status, 404);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a site on disk: Miri isolates the process from the filesystem"
)]
fn directories_get_their_default_document_or_403_14() {
    let root = site("dirs");
    let server = TestServer::new().site_root(&root);
    let home = server.request(Request::get("/"));
    assert_eq!(
        (home.status, home.text().as_str()),
        (200, "<h1>home</h1>\n")
    );
    assert_eq!(home.header("Content-Type"), Some("text/html"));
    let moved = server.request(Request::get("/docs?x=1").header("Host", "example.test"));
    assert_eq!(moved.status, 301);
    assert_eq!(
        moved.header("Location"),
        Some("http://example.test/docs/?x=1")
    );
    let listing = server.request(Request::get("/empty/"));
    assert_eq!(listing.status, 403);
    assert!(listing.text().contains("403.14"), "{}", listing.text());
    let _ = std::fs::remove_dir_all(root);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a site on disk: Miri isolates the process from the filesystem"
)]
fn a_module_that_answers_or_moves_the_path_decides_what_is_served() {
    let root = site("modules");
    let server = module("mapper", RQ_MAP_PATH, 0, |event| {
        // SAFETY: the server's live provider for this notification.
        let provider = unsafe { &*event.provider.cast::<IMapPathProvider>() };
        let path: Vec<u16> = "C:\\inetpub\\wwwroot\\docs\\notes.txt\0"
            .encode_utf16()
            .collect();
        // SAFETY: a NUL-terminated path of that many units, alive for the call (copied).
        let hr = unsafe { provider.SetPhysicalPath(path.as_ptr(), (path.len() - 1) as u32) };
        match hr.is_ok() {
            true => RQ_NOTIFICATION_CONTINUE,
            false => RQ_NOTIFICATION_FINISH_REQUEST,
        }
    })
    .load(TestServer::new().site_root(&root));
    let mapped = server.request(Request::get("/anything.html"));
    assert_eq!((mapped.status, mapped.text().as_str()), (200, "notes\n"));
    // Without a site root, there are no files.
    assert_eq!(TestServer::new().request(Request::get("/")).status, 404);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a site on disk: Miri isolates the process from the filesystem"
)]
fn byte_ranges_are_206_multipart_or_416() {
    let root = site("ranges");
    let server = TestServer::new().site_root(&root);
    let ranged = |range: &str| server.request(Request::get("/digits.txt").header("Range", range));
    let end = ranged("bytes=7-");
    assert_eq!((end.status, end.text().as_str()), (206, "789"));
    assert_eq!(end.header("Content-Range"), Some("bytes 7-9/10"));
    assert_eq!(end.header("Content-Length"), Some("3"));
    assert_eq!(end.header("Content-Type"), Some("text/plain"));
    let suffix = ranged("bytes=-40");
    assert_eq!((suffix.status, suffix.text().as_str()), (206, "0123456789"));
    assert_eq!(suffix.header("Content-Range"), Some("bytes 0-9/10"));
    let several = ranged("bytes=0-1, 8-");
    assert_eq!(several.status, 206);
    let content_type = several.header("Content-Type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/byteranges; boundary=")
        .unwrap();
    assert_eq!(several.header("Content-Range"), None);
    let text = several.text();
    let parts: Vec<&str> = text.split(boundary).collect();
    assert_eq!(parts.len(), 4, "{parts:?}");
    assert!(parts[1].ends_with("Content-Range: bytes 0-1/10\r\n\r\n01\r\n--"));
    assert!(parts[2].ends_with("Content-Range: bytes 8-9/10\r\n\r\n89\r\n--"));
    assert_eq!(parts[3], "--\r\n");
    let beyond = ranged("bytes=10-");
    assert_eq!(beyond.status, 416);
    assert_eq!(beyond.header("Content-Range"), Some("bytes */10"));
    let malformed = ranged("bytes=3-1");
    assert_eq!((malformed.status, malformed.body.len()), (200, 10));
    let empty = |range: &str| {
        let answer = server.request(Request::get("/empty.txt").header("Range", range));
        (
            answer.status,
            answer.header("Content-Range").map(str::to_owned),
        )
    };
    assert_eq!(empty("bytes=0-"), (416, Some("bytes */0".to_string())));
    assert_eq!(empty("bytes=-1"), (200, None));
    // HEAD: the headers GET gets, no body.
    let head = server.request(Request::new("HEAD", "/digits.txt").header("Range", "bytes=7-"));
    assert_eq!((head.status, head.body.len()), (206, 0));
    assert_eq!(head.headers, end.headers);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a site on disk: Miri isolates the process from the filesystem"
)]
fn preconditions_and_if_range_compare_the_files_validators() {
    let root = site("conditions");
    let server = TestServer::new().site_root(&root);
    let whole = server.request(Request::get("/digits.txt"));
    let etag = whole.header("ETag").unwrap().to_string();
    let date = whole.header("Last-Modified").unwrap().to_string();
    let with = |name: &str, value: &str| {
        let answer = server.request(Request::get("/digits.txt").header(name, value));
        (answer.status, answer.body.len())
    };
    assert_eq!(with("If-Modified-Since", &date), (304, 0));
    assert_eq!(
        with("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"),
        (200, 10)
    );
    assert_eq!(with("If-Unmodified-Since", &date), (200, 10));
    let early = with("If-Unmodified-Since", "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(early.0, 412);
    assert_eq!(with("If-Match", &etag), (200, 10));
    assert_eq!(with("If-Match", "\"other:0\"").0, 412);
    // If-None-Match decides, If-Modified-Since is then not read.
    let both = server.request(
        Request::get("/digits.txt")
            .header("If-None-Match", "\"other:0\"")
            .header("If-Modified-Since", &date),
    );
    assert_eq!(both.status, 200);
    let if_range = |validator: &str| {
        let answer = server.request(
            Request::get("/digits.txt")
                .header("Range", "bytes=0-0")
                .header("If-Range", validator),
        );
        (answer.status, answer.text())
    };
    assert_eq!(if_range(&etag), (206, "0".to_string()));
    assert_eq!(if_range(&date), (206, "0".to_string()));
    assert_eq!(if_range("\"other:0\"").0, 200);
    assert_eq!(if_range("Thu, 01 Jan 1970 00:00:00 GMT").0, 200);
    let _ = std::fs::remove_dir_all(root);
}
