//! IIS's static file handler over a site root the test gives: files by the MIME map, an
//! extension outside it refused with 404.3, default documents and the trailing-slash
//! redirect, 403.14 for a directory with none, 304 for a matching `If-None-Match`, and a
//! module's `SetPhysicalPath` (in `RQ_MAP_PATH`) choosing the file.

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
