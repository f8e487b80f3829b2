//! `IHttpContext::GetFileInfo` over a site root the test gives: null before the handler is
//! mapped, then the file the physical path names (path, size, times, the static handler's
//! `ETag` and `Last-Modified`, no contents), the same object for the whole request and still
//! there at its last notifications; null for a directory, a missing file and without a site
//! root.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::path::PathBuf;

use windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE;

use super::{module, Log};
use crate::*;
use crate::{Request, TestServer};

fn site(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("httpserv-info-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(root.join("docs/notes.txt"), "notes\n").unwrap();
    root
}

/// One line for what `GetFileInfo` answers now: `null`, or its fields.
fn describe(context: &IHttpContext) -> String {
    let Some(info) = context.file_info() else {
        return "null".to_string();
    };
    let path = info
        .file_path()
        .map(|p| p.to_string_lossy())
        .unwrap_or_default();
    let etag = info.e_tag().map(|e| e.to_string_lossy().into_owned());
    let date = info
        .last_modified_string()
        .map(|d| d.to_string_lossy().into_owned());
    let time = info.last_modified_time();
    let time = (u64::from(time.dwHighDateTime) << 32) | u64::from(time.dwLowDateTime);
    // SAFETY: the server's live file info; the call takes no pointer.
    let buffer = unsafe { info.GetFileBuffer() };
    let changed = info.check_if_file_has_changed(core::ptr::null_mut());
    format!(
        "{path} {} {:#x} {} {} {time:x} {:?} null-buffer={} invalid-handle={} changed={changed} ptr={:p}",
        info.size(),
        info.attributes(),
        etag.unwrap_or_default(),
        date.unwrap_or_default(),
        info.http_cache_allowed(),
        buffer.is_null(),
        info.file_handle() == INVALID_HANDLE_VALUE,
        info.as_raw(),
    )
}

/// A module that writes what `GetFileInfo` answers at `BEGIN_REQUEST`,
/// `EXECUTE_REQUEST_HANDLER` (twice) and `LOG_REQUEST`.
fn reader(log: &Log) -> super::Module {
    let log = log.clone();
    module(
        "reader",
        RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_LOG_REQUEST,
        0,
        move |event| {
            log.push(format!("{} {}", event.name, describe(event.context)));
            if event.name == "EXECUTE_REQUEST_HANDLER" {
                log.push(format!("again {}", describe(event.context)));
            }
            RQ_NOTIFICATION_CONTINUE
        },
    )
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a site on disk: Miri isolates the process from the filesystem"
)]
fn a_file_is_described_from_the_handler_mapping_to_the_end_of_the_request() {
    let root = site("file");
    let log = Log::default();
    let server = reader(&log).load(TestServer::new().site_root(&root));
    let served = server.request(Request::get("/docs/notes.txt"));
    assert_eq!((served.status, served.text().as_str()), (200, "notes\n"));
    let etag = served.header("ETag").expect("an ETag").to_string();
    let date = served.header("Last-Modified").expect("a date").to_string();
    let lines = log.take();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0], "BEGIN_REQUEST null");
    let described = lines[1].strip_prefix("EXECUTE_REQUEST_HANDLER ").unwrap();
    let fields: Vec<&str> = described.split(' ').collect();
    assert_eq!(fields[0], "C:\\inetpub\\wwwroot\\docs\\notes.txt");
    assert_eq!((fields[1], fields[2]), ("6", "0x20"));
    assert_eq!(fields[3], etag);
    // The HTTP-date has spaces: fields 4 to 9.
    assert_eq!(fields[4..10].join(" "), date);
    // The FILETIME in hex is what the ETag holds.
    assert_eq!(format!("\"{}:0\"", fields[10]), etag);
    assert_eq!(
        &fields[11..16],
        [
            "(false,",
            "0)",
            "null-buffer=true",
            "invalid-handle=true",
            "changed=false"
        ]
    );
    // The same object for the whole request, still there at LOG_REQUEST.
    assert_eq!(lines[2], format!("again {described}"));
    assert_eq!(lines[3], format!("LOG_REQUEST {described}"));
    let _ = std::fs::remove_dir_all(root);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a site on disk: Miri isolates the process from the filesystem"
)]
fn directories_missing_files_and_a_server_without_a_site_have_none() {
    let root = site("none");
    let log = Log::default();
    let server = reader(&log).load(TestServer::new().site_root(&root));
    for path in ["/docs/", "/missing.txt"] {
        server.request(Request::get(path));
        let lines = log.take();
        assert!(
            lines.iter().all(|l| l.ends_with(" null")),
            "{path}: {lines:?}"
        );
    }
    let bare = reader(&log).load(TestServer::new());
    assert_eq!(bare.request(Request::get("/docs/notes.txt")).status, 404);
    let lines = log.take();
    assert!(lines.iter().all(|l| l.ends_with(" null")), "{lines:?}");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a site on disk: Miri isolates the process from the filesystem"
)]
fn a_changed_file_is_reported_changed() {
    let root = site("changed");
    let log = Log::default();
    let file = root.join("docs/notes.txt");
    let server = module("writer", RQ_EXECUTE_REQUEST_HANDLER, 0, {
        let log = log.clone();
        move |event| {
            let info = event.context.file_info().expect("a file info");
            let before = info.check_if_file_has_changed(core::ptr::null_mut());
            std::fs::write(&file, "longer notes\n").unwrap();
            let after = info.check_if_file_has_changed(core::ptr::null_mut());
            log.push(format!("{before} {after} {}", info.size()));
            RQ_NOTIFICATION_CONTINUE
        }
    })
    .load(TestServer::new().site_root(&root));
    server.request(Request::get("/docs/notes.txt"));
    assert_eq!(log.take(), ["false true 6"]);
    let _ = std::fs::remove_dir_all(root);
}
