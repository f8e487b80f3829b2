//! What IIS knows of the file a request names, read through `IHttpContext::GetFileInfo` at
//! `RQ_EXECUTE_REQUEST_HANDLER`: for a file of the site, `200` with one response header per
//! field of its `IHttpFileInfo` (physical path, size, attributes, `ETag`, last modified as
//! an HTTP-date and as a FILETIME, whether it may be cached, whether its contents and handle
//! are given) and `file info\n`; with no file info (no site, a directory, nothing there)
//! `X-File-Info: none` on whatever IIS's static file handler answers. Its twin in C++ is
//! `tests/iis_host/modules/file_info_module.cpp`; `tests/tests/static_files.rs` serves both
//! under the IIS host and compares them with the test server.

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};
use httpserv::windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE;

struct FileInfoReader;

#[httpserv::module]
impl HttpModule for FileInfoReader {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        let Some(info) = ctx.iis().file_info() else {
            ctx.set_response_header("X-File-Info", "none")?;
            return Ok(Notification::Continue);
        };
        let time = info.last_modified_time();
        let time = (u64::from(time.dwHighDateTime) << 32) | u64::from(time.dwLowDateTime);
        let (cache, seconds) = info.http_cache_allowed();
        // SAFETY: IIS's live file info of this request; the call takes no pointer.
        let buffer = unsafe { info.GetFileBuffer() };
        let handle = match info.file_handle() == INVALID_HANDLE_VALUE {
            true => "invalid",
            false => "given",
        };
        let text = |text: Option<&core::ffi::CStr>| {
            text.map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let fields = [
            (
                "X-File-Path",
                info.file_path()
                    .map(|p| p.to_string_lossy())
                    .unwrap_or_default(),
            ),
            ("X-File-Size", info.size().to_string()),
            ("X-File-Attributes", format!("{:#x}", info.attributes())),
            ("X-File-ETag", text(info.e_tag())),
            ("X-File-Last-Modified", text(info.last_modified_string())),
            ("X-File-Time", format!("{time:x}")),
            ("X-File-Cache", format!("{cache} {seconds}")),
            (
                "X-File-Buffer",
                if buffer.is_null() { "null" } else { "given" }.into(),
            ),
            ("X-File-Handle", handle.into()),
        ];
        for (name, value) in fields {
            ctx.set_response_header(name, value)?;
        }
        Ok(ctx.respond(200, "text/plain", "file info\n"))
    }
}

httpserv::register_module!(|registration| registration.request_module(|| FileInfoReader));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a site on disk: Miri isolates the process from the filesystem"
    )]
    fn a_file_of_the_site_is_described_and_anything_else_served_as_ever() {
        let root = std::env::temp_dir().join(format!("file-info-module-{}", std::process::id()));
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/notes.txt"), "notes\n").unwrap();
        let server = TestServer::new()
            .site_root(&root)
            .load("file_info_module", super::RegisterModule);
        let described = server.request(Request::get("/docs/notes.txt"));
        assert_eq!(
            (described.status, described.text().as_str()),
            (200, "file info\n")
        );
        let header = |name| described.header(name).unwrap_or_default();
        assert_eq!(
            header("X-File-Path"),
            "C:\\inetpub\\wwwroot\\docs\\notes.txt"
        );
        assert_eq!(header("X-File-Size"), "6");
        assert_eq!(header("X-File-Attributes"), "0x20");
        assert_eq!(
            header("X-File-ETag"),
            format!("\"{}:0\"", header("X-File-Time"))
        );
        assert!(header("X-File-Last-Modified").ends_with(" GMT"));
        assert_eq!(header("X-File-Cache"), "false 0");
        assert_eq!(header("X-File-Buffer"), "null");
        assert_eq!(header("X-File-Handle"), "invalid");
        // A directory, nothing there, no site: IIS's handler answers, without file info.
        for (server, path, status) in [
            (&server, "/docs/", 403),
            (&server, "/missing.txt", 404),
            (
                &TestServer::new().load("file_info_module", super::RegisterModule),
                "/docs/notes.txt",
                404,
            ),
        ] {
            let answer = server.request(Request::get(path));
            assert_eq!(answer.status, status, "{path}");
            assert_eq!(answer.header("X-File-Info"), Some("none"), "{path}");
        }
        let _ = std::fs::remove_dir_all(root);
    }
}
