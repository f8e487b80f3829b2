//! The IIS integrated pipeline, as the C++ host of `tests/iis_host` runs it
//! (`host/pipeline.cpp`). A request gets `GL_PRE_BEGIN_REQUEST` (global modules by priority,
//! until one returns `GL_NOTIFICATION_HANDLED`), a module from each factory, then the twelve
//! stages in order, each notification followed by its post-notification, every one delivered
//! to the modules registered for it by priority (highest first; equal priorities in load
//! order).
//!
//! - `RQ_NOTIFICATION_FINISH_REQUEST` skips the rest of the request stages (other modules of
//!   the same notification included) to the response; during `RQ_LOG_REQUEST` or
//!   `RQ_END_REQUEST` it skips to the next of those two stages.
//! - The response is sent after `RQ_UPDATE_REQUEST_CACHE` (or on finishing early), preceded
//!   by `RQ_SEND_RESPONSE`, delivered lowest priority first; `RQ_LOG_REQUEST` and
//!   `RQ_END_REQUEST` run after it.
//! - `RQ_NOTIFICATION_PENDING` parks the request where it is. `IndicateCompletion(status)`
//!   resumes it as if the notification had returned `status`; `PostCompletion(bytes)` first
//!   calls the module's `OnAsyncCompletion` (here, or in the re-entrant mode on the posting
//!   thread: `completion.rs`), whose status counts instead. An asynchronous I/O completing
//!   later (`async_io.rs`) is such a `PostCompletion`, queued once the call that started it
//!   has returned pending.
//! - A failed `IHttpEventProvider::SetErrorStatus` makes a 500 and finishes the request.
//! - At the end: `CleanupStoredContext` for stored contexts, then `Dispose` for each module.
//!
//! Modules are called through their vtables with the pointers they handed over, never
//! through a Rust reference to the object (a release slot such as `Dispose` frees it).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use windows_sys::Win32::Networking::HttpServer::{HttpHeaderContentLength, HttpHeaderContentType};

use super::completion::{Completion, Ending, Target};
use super::exchange::{Exchange, Objects, Ptr};
use super::http_errors::ErrorStatus;
use super::limits;
use super::request::Response;
use super::server::TestServer;
use super::stages::{stage, STAGES};
use crate::runtime::{HRESULT, S_OK};
use crate::*;

/// The index of RQ_LOG_REQUEST, the first stage after the send.
const LOG_STAGE: usize = stage(RQ_LOG_REQUEST);
/// The index of RQ_MAP_REQUEST_HANDLER, after which the request has its handler mapping.
const MAP_HANDLER_STAGE: usize = stage(RQ_MAP_REQUEST_HANDLER);
/// The index of RQ_EXECUTE_REQUEST_HANDLER, where IIS's static file handler answers.
const HANDLER_STAGE: usize = stage(RQ_EXECUTE_REQUEST_HANDLER);
/// The index of RQ_UPDATE_REQUEST_CACHE, the last stage before the send.
const UPDATE_CACHE_STAGE: usize = stage(RQ_UPDATE_REQUEST_CACHE);

/// Where a request's pipeline stands.
#[derive(Default)]
struct Position {
    /// Index into STAGES; STAGES.len() once done.
    stage: usize,
    /// In the post-notification of `stage`.
    post: bool,
    /// In RQ_SEND_RESPONSE.
    sending: bool,
    /// The next module in the current notification's order.
    next: usize,
    /// The module that returned RQ_NOTIFICATION_PENDING.
    pending_module: Option<usize>,
    /// The RQ_ flag being delivered.
    notification: u32,
    /// The final status and error body are in place.
    prepared: bool,
    /// The request's URL was mapped to its physical path ahead of `RQ_MAP_REQUEST_HANDLER`.
    path_mapped: bool,
    /// A module finished the request before the static file handler could answer.
    finished_before_handler: bool,
    sent: bool,
}

/// Whether a request still runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Pending,
    Done,
}

/// One request going through the pipeline.
pub(crate) struct Pipeline<'a> {
    server: &'a TestServer,
    exchange: &'a Arc<Exchange>,
    objects: Objects,
    /// The request's module from each factory, by load index.
    modules: Vec<Option<Ptr<CHttpModule>>>,
    at: Position,
    /// The response as sent.
    sent: Option<Response>,
}

impl<'a> Pipeline<'a> {
    pub fn new(server: &'a TestServer, exchange: &'a Arc<Exchange>, objects: Objects) -> Self {
        Pipeline {
            server,
            exchange,
            objects,
            modules: vec![None; server.module_count()],
            at: Position::default(),
            sent: None,
        }
    }

    /// The response as it was sent, with the request's trace; once the pipeline is done.
    pub fn into_response(self) -> Response {
        let mut response = self
            .sent
            .expect("the pipeline sends a response before it is done");
        (response.trace, response.quick_traces) = self.exchange.take_trace();
        response
    }

    fn log(&self, line: String) {
        self.exchange.log(line);
    }

    /// GL_PRE_BEGIN_REQUEST, the request's modules, then the stages until done or pending.
    pub fn start(&mut self) -> Outcome {
        for index in self.server.global_order(GL_PRE_BEGIN_REQUEST) {
            let global = self.server.registered(index).global.expect("ordered");
            self.log(format!(
                "notify GL_PRE_BEGIN_REQUEST {}",
                self.server.name(index)
            ));
            // SAFETY: the module's global module, live until the server terminates it; the
            // provider is this request's.
            let status = unsafe {
                let global = global.get();
                ((*CGlobalModule::vtable_of(global)).OnGlobalPreBeginRequest)(
                    global,
                    self.objects.pre_begin.get(),
                )
            };
            if status == GL_NOTIFICATION_HANDLED {
                break;
            }
        }
        let mut failed = false;
        for index in 0..self.modules.len() {
            let Some(factory) = self.server.registered(index).factory else {
                continue;
            };
            let mut module: *mut CHttpModule = core::ptr::null_mut();
            // SAFETY: the module's factory, live until the server terminates it; `module` is
            // a valid out pointer and the allocator is this request's.
            let hr = unsafe {
                let factory = factory.get();
                ((*IHttpModuleFactory::vtable_of(factory)).GetHttpModule)(
                    factory,
                    &mut module,
                    self.objects.allocator.get(),
                )
            };
            self.modules[index] = Ptr::new(module).filter(|_| hr.is_ok());
            if self.modules[index].is_none() {
                self.set_status(500, "Internal Server Error", hr);
                failed = true;
            }
        }
        let listeners = super::events::listeners(
            |flag| self.server.order(flag, false),
            |index| Some((self.modules[index]?, self.server.name(index).to_string())),
        );
        self.exchange.with(|s| s.listeners = listeners);
        if failed || self.filtered() {
            self.skip_to_end();
        }
        self.run()
    }

    /// Answers the request 500 with `error` without running its pipeline (no module was made
    /// for it): its application failed to start.
    pub fn refuse(&mut self, error: HRESULT) -> Outcome {
        self.set_status(500, "Internal Server Error", error);
        self.skip_to_end();
        self.run()
    }

    /// IIS's request filtering, ahead of the modules loaded: a request over its limits is
    /// answered 404.14, 404.15 or 413.1 (see `limits.rs`); true if it was.
    fn filtered(&self) -> bool {
        let checked = self.exchange.with(|s| {
            let url = &s.received.url;
            let limits = self.server.limits_for(url);
            limits::filtered(url, s.received.entity.declared(), limits)
        });
        let Some((status, sub, reason, line)) = checked.flatten() else {
            return false;
        };
        self.set_status(status, reason, S_OK);
        self.exchange.with(|s| s.response.sub_status = sub);
        self.log(format!("request filtering {line}"));
        true
    }

    /// A completion arrived for the pending request.
    pub fn resume(&mut self, completion: Completion) -> Outcome {
        let Some(index) = self.at.pending_module else {
            self.log("completion ignored: the request is not pending".to_string());
            return Outcome::Pending;
        };
        let status = match completion {
            Completion::Indicate(status) => {
                self.log("resume".to_string());
                status
            }
            // The posting thread called OnAsyncCompletion (and wrote the trace line).
            Completion::Reentered(status) => status,
            Completion::Async { bytes, status } => {
                self.exchange.with(|s| {
                    s.completion_bytes = bytes;
                    s.completion_status = status;
                });
                self.log("async-completion".to_string());
                let module = self.modules[index].expect("the pending module exists");
                self.exchange.calling();
                // SAFETY: the request's module, live until Dispose, and its objects.
                let status = unsafe { self.target(module).on_async_completion(&self.objects) };
                // I/O that OnAsyncCompletion started completes once it answered pending.
                self.exchange.returned(status);
                status
            }
        };
        if status == RQ_NOTIFICATION_PENDING {
            return Outcome::Pending;
        }
        self.at.pending_module = None;
        self.exchange.completions.deliver(None);
        self.after_status(status);
        self.run()
    }

    /// The notification being delivered to `module`, as `OnAsyncCompletion` completes it.
    fn target(&self, module: Ptr<CHttpModule>) -> Target {
        let provider = if self.at.sending {
            self.objects
                .send_response
                .get()
                .cast::<IHttpEventProvider>()
        } else {
            self.objects.event.get()
        };
        Target {
            module,
            notification: self.at.notification,
            post: self.at.post,
            provider: Ptr::new(provider).expect("the request's providers are not null"),
        }
    }

    /// Runs the pipeline from where the request stands until it is done or pending.
    fn run(&mut self) -> Outcome {
        loop {
            if self.at.stage >= STAGES.len() {
                self.complete();
                return Outcome::Done;
            }
            if !self.at.sending && self.at.stage == MAP_HANDLER_STAGE && !self.at.path_mapped {
                self.map_request_path();
                continue;
            }
            if self.at.sending && !self.at.prepared {
                // RQ_SEND_RESPONSE sees the status and body that will be sent.
                self.add_error_body();
                self.at.prepared = true;
            }
            let (flag, name) = if self.at.sending {
                (RQ_SEND_RESPONSE, "SEND_RESPONSE")
            } else {
                (STAGES[self.at.stage].flag, STAGES[self.at.stage].name)
            };
            let order = self.server.order(flag, self.at.post);
            if let Some(&index) = order.get(self.at.next) {
                self.at.next += 1;
                let Some(module) = self.modules[index] else {
                    continue;
                };
                let post = self.at.post;
                let disabled = self.exchange.with(|s| {
                    s.notification = flag;
                    s.current_module = Some(index);
                    s.disabled.is_disabled(index, flag, post)
                });
                if disabled == Some(true) {
                    continue;
                }
                self.at.notification = flag;
                let post = if self.at.post { "POST_" } else { "" };
                self.log(format!("notify {post}{name} {}", self.server.name(index)));
                // A re-entrant PostCompletion may come before the notification returns.
                let target = self.target(module);
                self.exchange.completions.deliver(Some(target));
                self.exchange.calling();
                let status = self.deliver(module);
                // I/O the notification started completes once it answered pending.
                self.exchange.returned(status);
                if status == RQ_NOTIFICATION_PENDING {
                    self.at.pending_module = Some(index);
                    self.log("pending".to_string());
                    return Outcome::Pending;
                }
                self.exchange.completions.deliver(None);
                self.after_status(status);
                continue;
            }
            // Every module had this notification: move on.
            let at = &mut self.at;
            if at.sending {
                at.sending = false;
                self.transmit();
                let at = &mut self.at;
                at.stage = LOG_STAGE;
                at.post = false;
                at.next = 0;
            } else if !at.post {
                at.post = true;
                at.next = 0;
                if at.stage == MAP_HANDLER_STAGE {
                    self.exchange.with(|s| s.handler_mapped = true);
                }
            } else {
                at.post = false;
                at.next = 0;
                if at.stage == UPDATE_CACHE_STAGE && !at.sent {
                    at.sending = true;
                } else {
                    at.stage += 1;
                }
            }
        }
    }

    /// IIS needs the file to choose the handler: the request's path is mapped by now, with
    /// RQ_MAP_PATH if nothing asked for it earlier (`map_path.rs`). Only what the event's
    /// modules set counts here (an earlier error is left for whoever reads it then).
    fn map_request_path(&mut self) {
        self.at.path_mapped = true;
        let earlier = self
            .exchange
            .with(|s| core::mem::replace(&mut s.error, S_OK));
        let context = self.objects.context.get();
        // SAFETY: the request's live context; a null length is allowed.
        unsafe {
            ((*IHttpContext::vtable_of(context)).GetPhysicalPath)(context, core::ptr::null_mut())
        };
        self.after_status(RQ_NOTIFICATION_CONTINUE);
        self.exchange.with(|s| {
            if s.error == S_OK {
                s.error = earlier.unwrap_or(S_OK);
            }
        });
    }

    /// Calls the notification method of the current stage (or its post-notification, or
    /// RQ_SEND_RESPONSE) on `module`.
    fn deliver(&self, module: Ptr<CHttpModule>) -> REQUEST_NOTIFICATION_STATUS {
        let (module, objects) = (module.get(), &self.objects);
        if self.at.sending {
            // SAFETY: the request's module, live until Dispose; the context and provider are
            // this request's objects, of the classes the slot takes.
            return unsafe {
                ((*CHttpModule::vtable_of(module)).OnSendResponse)(
                    module,
                    objects.context.get(),
                    objects.send_response.get(),
                )
            };
        }
        let stage = &STAGES[self.at.stage];
        let deliver = if self.at.post {
            stage.post
        } else {
            stage.notify
        };
        // SAFETY: the request's module, live until Dispose, and the request's objects.
        unsafe { deliver(module, objects) }
    }

    /// What a notification's status (and a failed `SetErrorStatus`) does to the position.
    fn after_status(&mut self, mut status: REQUEST_NOTIFICATION_STATUS) {
        let (error, finish) = self
            .exchange
            .with(|s| {
                let error = core::mem::replace(&mut s.error, S_OK);
                (error, core::mem::take(&mut s.finish_after_event))
            })
            .unzip();
        if finish == Some(true) {
            status = RQ_NOTIFICATION_FINISH_REQUEST;
        }
        if let Some(error) = error.filter(|e| e.is_err()) {
            let code = self.exchange.with(|s| s.response.status).unwrap_or(0);
            if code < 400 {
                self.set_status(500, "Internal Server Error", error);
            }
            status = RQ_NOTIFICATION_FINISH_REQUEST;
        }
        if status == RQ_NOTIFICATION_FINISH_REQUEST {
            self.skip_to_end();
        }
    }

    /// RQ_NOTIFICATION_FINISH_REQUEST: where the pipeline goes next.
    fn skip_to_end(&mut self) {
        let at = &mut self.at;
        if !at.sending && !at.sent && at.stage <= HANDLER_STAGE {
            at.finished_before_handler = true;
        }
        if at.sending {
            at.next = usize::MAX;
        } else if !at.sent {
            at.sending = true;
            at.post = false;
            at.next = 0;
        } else {
            at.stage += 1;
            at.post = false;
            at.next = 0;
        }
    }

    fn set_status(&self, code: u16, reason: &str, error: HRESULT) {
        self.exchange.with(|s| {
            let response = &mut s.response;
            response.status = code;
            response.reason = self.exchange.memory.c_text(reason.as_bytes());
            response.sub_status = 0;
            response.error_to_report = error;
            response.status_set = true;
            // IIS's own statuses let its error pages apply.
            response.skip_custom_errors = false;
        });
    }

    /// A status of 400 or more gets IIS's error page instead of its body where the server's
    /// `<httpErrors>` says IIS would replace it (`http_errors.rs`; always when there is no
    /// body). A response no module touched (no status set, no entity) that reached the
    /// handler stage is a 404, which is what IIS's static file handler answers when there is
    /// no file (there are no files); one a module finished before that stage goes as it is
    /// (a 200 with whatever headers the module set).
    fn add_error_body(&self) {
        // A flushed response's head is on the wire: IIS can no longer replace it.
        if self.exchange.with(|s| s.headers_sent) != Some(false) {
            return;
        }
        let untouched = !self.at.finished_before_handler
            && self
                .exchange
                .with(|s| {
                    !s.response.status_set
                        && s.response.chunks.is_empty()
                        && s.response.status == 200
                })
                .unwrap_or(false);
        if untouched {
            super::static_files::handle(self.server.site_root_dir(), self.exchange);
        }
        let memory = &self.exchange.memory;
        let errors = self.server.http_errors_config();
        self.exchange.with(|s| {
            let response = &mut s.response;
            let has_body = response.chunks.iter().any(|chunk| !chunk.is_empty());
            if !errors.replaces(response.status, response.skip_custom_errors, has_body) {
                return;
            }
            // SAFETY: the reason lives in request memory, as long as the state.
            let reason = unsafe {
                core::slice::from_raw_parts(response.reason.as_ptr(), response.reason.len())
            };
            let description = response.error_description.map(|d| {
                // SAFETY: the description lives in request memory, as long as the state.
                let units = unsafe { core::slice::from_raw_parts(d.as_ptr(), d.len()) };
                String::from_utf16_lossy(units)
            });
            let error = ErrorStatus {
                status: response.status,
                sub_status: response.sub_status,
                reason,
                error_code: response.error_to_report.0 as u32,
                description,
            };
            let page = errors.page(&error, s.received.remote.ip().is_loopback());
            response.chunks = vec![page.into_bytes()];
            let _ = response
                .headers
                .set_id(memory, HttpHeaderContentType, b"text/html", true);
        });
    }

    /// Sets `Content-Length` as IIS does on a buffered response, and sends: the response is
    /// what the test gets back. A flushed one (`streaming.rs`) keeps the head its first flush
    /// sent and ends with what was written since the last.
    fn transmit(&mut self) {
        let memory = &self.exchange.memory;
        let number = self.exchange.number;
        let response = self.exchange.with(|s| {
            // A HEAD response has the headers a GET would have, Content-Length included, and
            // no body: http.sys sends none (RFC 9110, 9.3.2).
            let head = s.received.method.bytes() == b"HEAD";
            let streamed = s.response.streamed.is_some();
            if streamed {
                super::streaming::flush(s, memory);
            }
            let response = &mut s.response;
            if !streamed {
                let length: usize = response.chunks.iter().map(Vec::len).sum();
                let _ = response.headers.set_id(
                    memory,
                    HttpHeaderContentLength,
                    length.to_string().as_bytes(),
                    true,
                );
            }
            s.headers_sent = true;
            let error_description = response.error_description.map(|d| {
                // SAFETY: the description lives in request memory, as long as the state.
                let units = unsafe { core::slice::from_raw_parts(d.as_ptr(), d.len()) };
                String::from_utf16_lossy(units)
            });
            let (status, raw_reason, headers, raw_headers, parts) = match response.streamed.take() {
                Some(sent) => (
                    sent.status,
                    sent.reason,
                    sent.headers,
                    sent.raw_headers,
                    sent.parts,
                ),
                None => {
                    let body = response.chunks.concat();
                    let parts = if head || body.is_empty() {
                        Vec::new()
                    } else {
                        vec![body]
                    };
                    (
                        response.status,
                        response.reason.bytes().to_vec(),
                        response.headers.list(),
                        response.headers.list_bytes(),
                        parts,
                    )
                }
            };
            Response {
                number,
                status,
                reason: String::from_utf8_lossy(&raw_reason).into_owned(),
                raw_reason,
                headers,
                raw_headers,
                body: parts.concat(),
                parts,
                trace: Vec::new(),
                quick_traces: Vec::new(),
                error_description,
            }
        });
        self.log("send".to_string());
        self.sent = response;
        self.at.sent = true;
    }

    /// Gives up on a pending request (the test fails): it ends when its completion arrives,
    /// on the thread that signals it, since the module may reach the request through the
    /// completion until then; at once if one arrived meanwhile.
    pub fn abandon(mut self) {
        self.log("abandoned".to_string());
        self.exchange.with(|s| s.listeners.clear());
        let (server, finished) = self.server.keep_alive();
        let modules = self.modules.iter_mut().filter_map(Option::take).collect();
        let ending = Ending {
            modules,
            server,
            finished,
        };
        if let Some(ending) = self.exchange.completions.abandon(ending) {
            self.exchange.end_abandoned(ending);
        }
    }

    /// The end of the request: stored contexts cleaned up, each module disposed.
    fn complete(&mut self) {
        // No event reaches a module once it is being disposed.
        self.exchange.with(|s| s.listeners.clear());
        let modules = self.modules.iter_mut().filter_map(Option::take);
        self.exchange.end_request(modules);
    }
}
