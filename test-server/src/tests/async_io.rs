//! Asynchronous I/O both ways IIS may complete it: an echo module reads the body with
//! `fAsync` a few bytes at a time, writes it back with an asynchronous `WriteEntityChunks`,
//! then flushes asynchronously. With [`AsyncIo::Later`] each call answers pending and the
//! module's `OnAsyncCompletion` gets the bytes and `S_OK` once its notification (or the
//! `OnAsyncCompletion` that started the I/O) has returned pending; with [`AsyncIo::Inline`]
//! every call completes at once. Also: a synchronous `Flush`, and a completion dropped
//! because the module did not answer pending.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::c_void;
use std::sync::Mutex;

use windows_sys::core::BOOL;
use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::Networking::HttpServer::{HttpDataChunkFromMemory, HTTP_DATA_CHUNK};

use super::{module, ok, request_of, response_of, Event, Log};
use crate::runtime::{E_HANDLE_EOF, HRESULT, S_OK};
use crate::*;
use crate::{AsyncIo, Request, Response, TestServer};

/// An out value the server must overwrite: neither a count nor a BOOL it writes.
const UNSET: u32 = 77;

/// What the echo module is waiting for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Reading,
    Writing,
    Flushing,
}

/// The echo module's request state: its read buffer (live until the request ends, so a read
/// completing later has it) and the body read so far.
struct Echo {
    phase: Phase,
    buffer: Vec<u8>,
    body: Vec<u8>,
}

/// A HRESULT as the log shows it.
fn name(hr: HRESULT) -> String {
    match hr {
        S_OK => "S_OK".into(),
        E_HANDLE_EOF => "EOF".into(),
        other => format!("{other:?}"),
    }
}

impl Echo {
    /// One notification or completion of the echo module.
    ///
    /// # Safety
    /// `event.context` must be the live context of the request.
    unsafe fn step(&mut self, event: &Event<'_>, log: &Log) -> REQUEST_NOTIFICATION_STATUS {
        match event.name {
            // SAFETY: the caller's guarantee.
            "EXECUTE_REQUEST_HANDLER" => unsafe { self.read(event.context, log) },
            "ASYNC_COMPLETION" => {
                let (notification, _, bytes) = event.completion.expect("a completion");
                let status = event.completion_status.expect("a completion status");
                assert_eq!(notification, RQ_EXECUTE_REQUEST_HANDLER);
                log.push(format!("completion {bytes} {}", name(status)));
                match self.phase {
                    Phase::Reading => {
                        self.body.extend_from_slice(&self.buffer[..bytes as usize]);
                        // SAFETY: the caller's guarantee.
                        unsafe { self.read(event.context, log) }
                    }
                    // SAFETY: the caller's guarantee.
                    Phase::Writing => unsafe { self.flush(event.context, log) },
                    Phase::Flushing => RQ_NOTIFICATION_CONTINUE,
                }
            }
            _ => RQ_NOTIFICATION_CONTINUE,
        }
    }

    /// Reads with `fAsync` until a read pends (pending) or the body ends (then writes).
    ///
    /// # Safety
    /// `context` must be live.
    unsafe fn read(&mut self, context: &IHttpContext, log: &Log) -> REQUEST_NOTIFICATION_STATUS {
        loop {
            let (mut received, mut pending) = (UNSET, UNSET as BOOL);
            // SAFETY: the caller's guarantee; the buffer is writable for its length and
            // lives until the request ends; the out pointers are live.
            let hr = unsafe {
                request_of(context).ReadEntityBody(
                    self.buffer.as_mut_ptr().cast(),
                    self.buffer.len() as u32,
                    TRUE,
                    &mut received,
                    &mut pending,
                )
            };
            log.push(format!("read {} {received} {pending}", name(hr)));
            if hr == E_HANDLE_EOF {
                // SAFETY: the caller's guarantee.
                return unsafe { self.write(context, log) };
            }
            ok(hr);
            if pending != FALSE {
                return RQ_NOTIFICATION_PENDING;
            }
            self.body
                .extend_from_slice(&self.buffer[..received as usize]);
        }
    }

    /// Writes the body back in two chunks with `fAsync`; flushes unless it pends.
    ///
    /// # Safety
    /// `context` must be live.
    unsafe fn write(&mut self, context: &IHttpContext, log: &Log) -> REQUEST_NOTIFICATION_STATUS {
        self.phase = Phase::Writing;
        let (head, tail) = self.body.split_at(5);
        let chunk = |bytes: &[u8]| {
            let mut chunk = HTTP_DATA_CHUNK {
                DataChunkType: HttpDataChunkFromMemory,
                ..Default::default()
            };
            chunk.Anonymous.FromMemory.pBuffer = bytes.as_ptr() as *mut c_void;
            chunk.Anonymous.FromMemory.BufferLength = bytes.len() as u32;
            chunk
        };
        let mut chunks = [chunk(head), chunk(tail)];
        let (mut sent, mut expected) = (UNSET, UNSET as BOOL);
        // SAFETY: the caller's guarantee; the chunks' memory is readable for their lengths
        // (and copied at the call); the out pointers are live.
        let hr = unsafe {
            response_of(context).WriteEntityChunks(
                chunks.as_mut_ptr(),
                2,
                TRUE,
                FALSE,
                &mut sent,
                &mut expected,
            )
        };
        log.push(format!("write {} {sent} {expected}", name(hr)));
        ok(hr);
        if expected != FALSE {
            return RQ_NOTIFICATION_PENDING;
        }
        // SAFETY: the caller's guarantee.
        unsafe { self.flush(context, log) }
    }

    /// Flushes with `fAsync`; done unless it pends.
    ///
    /// # Safety
    /// `context` must be live.
    unsafe fn flush(&mut self, context: &IHttpContext, log: &Log) -> REQUEST_NOTIFICATION_STATUS {
        self.phase = Phase::Flushing;
        let (mut sent, mut expected) = (UNSET, UNSET as BOOL);
        // SAFETY: the caller's guarantee; the out pointers are live.
        let hr = unsafe { response_of(context).Flush(TRUE, FALSE, &mut sent, &mut expected) };
        log.push(format!("flush {} {sent} {expected}", name(hr)));
        ok(hr);
        if expected != FALSE {
            RQ_NOTIFICATION_PENDING
        } else {
            RQ_NOTIFICATION_CONTINUE
        }
    }
}

/// Runs the echo module on `server` (loaded into it) with a body of 11 bytes, read 4 at a
/// time; returns the response and the module's log.
fn echo(server: TestServer) -> (Response, Vec<String>) {
    let log = Log::default();
    let seen = log.clone();
    let echo = Arc::new(Mutex::new(Echo {
        phase: Phase::Reading,
        buffer: alloc::vec![0; 4],
        body: Vec::new(),
    }));
    let server = module("echo", RQ_EXECUTE_REQUEST_HANDLER, 0, move |event| {
        let mut echo = echo.lock().unwrap();
        // SAFETY: the server passes the request's live context.
        unsafe { echo.step(event, &seen) }
    })
    .load(server);
    let response = server.request(Request::post("/echo").body("hello async"));
    (response, log.take())
}

#[test]
fn later_io_pends_and_completes_through_on_async_completion() {
    let (response, log) = echo(TestServer::new().async_io(AsyncIo::Later));
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.body, b"hello async");
    // Each read pends with 0 bytes; its completion carries what it read. The end of the
    // body is answered at once; the write and the flush pend too.
    assert_eq!(
        log,
        [
            "read S_OK 0 1",
            "completion 4 S_OK",
            "read S_OK 0 1",
            "completion 4 S_OK",
            "read S_OK 0 1",
            "completion 3 S_OK",
            "read EOF 0 0",
            "write S_OK 0 1",
            "completion 11 S_OK",
            "flush S_OK 0 1",
            "completion 11 S_OK",
        ]
    );
    // Each completion is delivered after the call that started it returned pending; the
    // flush sent the 11 bytes the write had buffered.
    let mut trace = alloc::vec!["notify EXECUTE_REQUEST_HANDLER echo", "pending"];
    trace.extend(["async-completion"; 4]);
    trace.extend(["flush 11", "async-completion", "send", "done"]);
    assert_eq!(response.trace, trace);
}

#[test]
fn later_io_is_delivered_on_the_request_thread_in_the_re_entrant_mode_too() {
    let server = TestServer::new()
        .reentrant_completions()
        .async_io(AsyncIo::Later);
    let (response, log) = echo(server);
    // The re-entrant mode is PostCompletion's: an I/O completion is delivered as in the
    // queued mode.
    let (queued, queued_log) = echo(TestServer::new().async_io(AsyncIo::Later));
    assert_eq!(response.body, b"hello async");
    assert_eq!((log, response.trace), (queued_log, queued.trace));
}

#[test]
fn inline_io_completes_at_once() {
    let (response, log) = echo(TestServer::new().async_io(AsyncIo::Inline));
    assert_eq!(response.body, b"hello async");
    assert_eq!(
        log,
        [
            "read S_OK 4 0",
            "read S_OK 4 0",
            "read S_OK 3 0",
            "read EOF 0 0",
            "write S_OK 11 0",
            "flush S_OK 11 0",
        ]
    );
    assert_eq!(
        response.trace,
        [
            "notify EXECUTE_REQUEST_HANDLER echo",
            "flush 11",
            "send",
            "done"
        ]
    );
    assert_eq!(response.parts, [b"hello async"]);
    // Inline is the default.
    let (default, _) = echo(TestServer::new());
    assert_eq!(default.trace, response.trace);
}

#[test]
fn a_flush_with_nothing_written_sends_the_head_in_either_mode() {
    for mode in [AsyncIo::Inline, AsyncIo::Later] {
        let log = Log::default();
        let seen = log.clone();
        let server = module("flusher", RQ_EXECUTE_REQUEST_HANDLER, 0, move |event| {
            // SAFETY: the server passes the request's live context.
            let response = unsafe { response_of(event.context) };
            let (mut sent, mut expected) = (UNSET, UNSET as BOOL);
            // SAFETY: a live response; the out pointers are live, or null.
            let hr = unsafe { response.Flush(FALSE, TRUE, &mut sent, &mut expected) };
            seen.push(format!("{} {sent} {expected}", name(hr)));
            let null = core::ptr::null_mut::<c_void>();
            // SAFETY: as above; null out pointers are allowed.
            let hr = unsafe { response.Flush(TRUE, FALSE, null.cast(), null.cast()) };
            seen.push(name(hr));
            RQ_NOTIFICATION_CONTINUE
        })
        .load(TestServer::new().async_io(mode));
        let response = server.request(Request::get("/"));
        // Nothing was written, but the head went out: the response stays the 200 the flush
        // sent (no 404 for an untouched response), chunked, with no body.
        assert_eq!(response.status, 200);
        assert_eq!(response.header("Transfer-Encoding"), Some("chunked"));
        assert_eq!((response.body.len(), response.parts.len()), (0, 0));
        // An asynchronous flush that cannot report its pending completes at once.
        assert_eq!(log.take(), ["S_OK 0 0", "S_OK"], "{mode:?}");
        assert_eq!(
            response.trace,
            [
                "notify EXECUTE_REQUEST_HANDLER flusher",
                "flush 0",
                "flush 0",
                "send",
                "done"
            ]
        );
    }
}

#[test]
fn a_later_completion_is_dropped_when_the_module_does_not_answer_pending() {
    let log = Log::default();
    let seen = log.clone();
    let server = module("forgetful", RQ_EXECUTE_REQUEST_HANDLER, 0, move |event| {
        seen.push(event.name);
        if event.name == "EXECUTE_REQUEST_HANDLER" {
            // SAFETY: the server passes the request's live context.
            let response = unsafe { response_of(event.context) };
            let mut expected = FALSE;
            // SAFETY: a live response; the out pointer is live.
            let hr = unsafe { response.Flush(TRUE, FALSE, core::ptr::null_mut(), &mut expected) };
            assert_eq!((hr, expected), (S_OK, TRUE));
        }
        // A module bug: the flush pends, but the notification goes on.
        RQ_NOTIFICATION_CONTINUE
    })
    .load(TestServer::new().async_io(AsyncIo::Later));
    let response = server.request(Request::get("/"));
    assert_eq!(log.take(), ["EXECUTE_REQUEST_HANDLER"]);
    assert_eq!(response.trace.len(), 5, "{:?}", response.trace);
    assert_eq!(response.trace[1], "flush 0");
    assert!(
        response.trace[2].starts_with("async I/O completion dropped (1)"),
        "{:?}",
        response.trace
    );
    assert_eq!(response.trace[3..], ["send", "done"]);
}
