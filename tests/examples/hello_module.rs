//! A request-handling IIS module in Rust, on the `httpserv::module` framework and built as a
//! DLL: what a module meets beyond the README's minimal one, without `unsafe`. Its twin in C++
//! (`tests/iis_host/modules/hello_module.cpp`) answers every request byte for byte the same.
//!
//! - a global module (`GL_PRE_BEGIN_REQUEST`) that marks each request with a request header;
//! - `RQ_BEGIN_REQUEST` at priority HIGH, so it runs before MEDIUM modules such as the
//!   README's; it stores typed per-request state on the request and sets a server variable;
//! - `RQ_AUTHENTICATE_REQUEST`: `/deny` is refused with 403, finishing the request;
//! - `RQ_EXECUTE_REQUEST_HANDLER` (and its post-notification) routes `/hello`, `/echo`,
//!   `/async`, `/panic`, `/meet` and `/stats`; anything else is left to the server;
//! - `RQ_SEND_RESPONSE` adds the final status as a header, and whether the answer asked IIS
//!   to keep its body rather than show its error page (`respond` does, a panic's 500 does
//!   not: `fTrySkipCustomErrors`, read back with `GetStatus`); `RQ_END_REQUEST` is counted;
//! - `/async` completes later, from a thread of its own: with `post` (then
//!   `on_async_completion` writes the body) or, with `?via=indicate`, by writing the body
//!   from that thread and resuming the request; with `&early=1` (posting only) the
//!   notification waits for that thread and 20 ms more, so the completion comes well before
//!   it returns;
//! - `/panic` panics inside a notification: the framework answers 500;
//! - `/meet?n=N` blocks its thread until N requests are in it at once (at most 10 s), telling
//!   the server first (`IncrementThreadCount`, unless `&threads=no`) as IIS asks of a module
//!   that blocks: how the IIS host's tests see requests served side by side.

use httpserv::module::{
    AsyncCompletion, CustomErrors, GlobalModule, GlobalNotification, HttpContext, HttpError,
    HttpModule, Notification, Notifications, Priority,
};
use httpserv::runtime::{u16cstr, Error, S_OK};
use httpserv::{IAuthenticationProvider, ISendResponseProvider};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// evntrace.h's `TRACE_LEVEL_INFORMATION`: the verbosity of the echo trace event.
const TRACE_LEVEL_INFORMATION: u8 = 4;

/// Notifications seen by all instances, reported by `/stats`.
struct Counters {
    global: AtomicU64,
    begin: AtomicU64,
    authenticate: AtomicU64,
    handler: AtomicU64,
    post_handler: AtomicU64,
    send_response: AtomicU64,
    end: AtomicU64,
    disposed: AtomicU64,
    cleaned: AtomicU64,
    async_completions: AtomicU64,
}

static COUNTERS: Counters = Counters {
    global: AtomicU64::new(0),
    begin: AtomicU64::new(0),
    authenticate: AtomicU64::new(0),
    handler: AtomicU64::new(0),
    post_handler: AtomicU64::new(0),
    send_response: AtomicU64::new(0),
    end: AtomicU64::new(0),
    disposed: AtomicU64::new(0),
    cleaned: AtomicU64::new(0),
    async_completions: AtomicU64::new(0),
};

fn count(counter: &AtomicU64) {
    counter.fetch_add(1, Relaxed);
}

/// What `RQ_BEGIN_REQUEST` learns, for `/echo` later; IIS drops it when the request ends.
struct RequestState {
    powered_by_at_begin: bool,
}

impl Drop for RequestState {
    fn drop(&mut self) {
        count(&COUNTERS.cleaned);
    }
}

/// One per request; dropped when IIS disposes of it.
struct HelloModule;

impl Drop for HelloModule {
    fn drop(&mut self) {
        count(&COUNTERS.disposed);
    }
}

#[httpserv::module]
impl HttpModule for HelloModule {
    const PRIORITIES: &'static [(Notifications, Priority)] =
        &[(Notifications::BEGIN_REQUEST, Priority::High)];

    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Result<Notification, HttpError> {
        count(&COUNTERS.begin);
        let powered_by_at_begin = ctx.response_header("X-Powered-By").is_some();
        // Without request memory to keep it in (IIS out of memory), the request goes on
        // without its state: /echo then says "(no stored context)", as the C++ twin does.
        ctx.set_state(RequestState {
            powered_by_at_begin,
        })
        .ok();
        ctx.set_server_variable("HELLO_GREETING", "Hello")?;
        Ok(Notification::Continue)
    }

    fn on_authenticate_request(
        &mut self,
        ctx: &mut HttpContext<'_>,
        _: &mut IAuthenticationProvider,
    ) -> Notification {
        count(&COUNTERS.authenticate);
        if ctx.path() == "/deny" {
            return ctx.respond(403, "text/plain", "denied by hello_module\n");
        }
        Notification::Continue
    }

    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        count(&COUNTERS.handler);
        let body = match ctx.path() {
            "/hello" => {
                let mut body = String::with_capacity(64);
                body += ctx.server_variable("HELLO_GREETING").unwrap_or("");
                body += ", ";
                // As sent, as the C++ twin echoes it (`query_value` would decode it).
                body += ctx.raw_query_value("name").unwrap_or("world");
                body += "!\n";
                body
            }
            "/echo" => echo(ctx)?,
            "/async" => return Ok(start_async(ctx)),
            "/panic" => panic!("hello_module: /panic asked for a panic"),
            "/meet" => meet(ctx),
            "/stats" => stats(),
            _ => return Ok(Notification::Continue),
        };
        // The request goes on through the rest of the pipeline, as the C++ twin's does.
        ctx.set_response(200, "text/plain", body)?;
        Ok(Notification::Continue)
    }

    fn on_post_execute_request_handler(&mut self, _: &mut HttpContext<'_>) -> Notification {
        count(&COUNTERS.post_handler);
        Notification::Continue
    }

    fn on_send_response(
        &mut self,
        ctx: &mut HttpContext<'_>,
        _: &mut ISendResponseProvider,
    ) -> Result<Notification, HttpError> {
        count(&COUNTERS.send_response);
        let mut digits = itoa::Buffer::new();
        let status = digits.format(ctx.status());
        ctx.set_response_header("X-Hello-Status", status)?;
        let custom_errors = match ctx.custom_errors() {
            CustomErrors::TrySkip => "TrySkip",
            CustomErrors::Apply => "Apply",
        };
        ctx.set_response_header("X-Hello-Custom-Errors", custom_errors)?;
        Ok(Notification::Continue)
    }

    fn on_end_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
        count(&COUNTERS.end);
        Notification::Continue
    }

    fn on_async_completion(
        &mut self,
        ctx: &mut HttpContext<'_>,
        completion: &AsyncCompletion,
    ) -> Result<Notification, HttpError> {
        count(&COUNTERS.async_completions);
        let body = format!("async: completed after {} ms\n", completion.bytes);
        ctx.set_response(200, "text/plain", body)?;
        Ok(Notification::Continue)
    }
}

/// `/echo`: what the request looked like to the module.
fn echo(ctx: &mut HttpContext<'_>) -> Result<String, Error> {
    let mut body = String::new();
    for (name, variable) in [
        ("method", "REQUEST_METHOD"),
        ("url", "URL"),
        ("query", "QUERY_STRING"),
        ("remote", "REMOTE_ADDR"),
    ] {
        let value = ctx.server_variable(variable).unwrap_or("");
        body += &format!("{name}: {value}\n");
    }
    for (name, header) in [("x-echo", "X-Echo"), ("x-hello-global", "X-Hello-Global")] {
        let value = ctx.request_header_str(header).unwrap_or("(none)");
        body += &format!("{name}: {value}\n");
    }
    let at_begin = match ctx.state::<RequestState>() {
        Some(state) if state.powered_by_at_begin => "set",
        Some(_) => "not set",
        None => "(no stored context)",
    };
    body += &format!("x-powered-by at begin: {at_begin}\n");
    let entity = ctx.read_body_to_end().unwrap_or_default();
    body += &format!("entity: {}\n", String::from_utf8_lossy(&entity));
    if let Some(trace) = ctx.iis_mut().trace_context_mut() {
        trace.quick_trace_with(
            u16cstr!("hello_module"),
            Some(u16cstr!("echo")),
            S_OK,
            TRACE_LEVEL_INFORMATION,
        )?;
    }
    Ok(body)
}

/// `/stats`: the counters.
fn stats() -> String {
    let c = &COUNTERS;
    format!(
        "global={} begin={} authenticate={} handler={} post_handler={} send_response={} end={} \
         disposed={} cleaned={} async_completions={}\n",
        c.global.load(Relaxed),
        c.begin.load(Relaxed),
        c.authenticate.load(Relaxed),
        c.handler.load(Relaxed),
        c.post_handler.load(Relaxed),
        c.send_response.load(Relaxed),
        c.end.load(Relaxed),
        c.disposed.load(Relaxed),
        c.cleaned.load(Relaxed),
        c.async_completions.load(Relaxed),
    )
}

/// The requests waiting in `/meet`, and the meetings held so far.
struct Meeting {
    waiting: u64,
    held: u64,
}

static MEETING: (Mutex<Meeting>, Condvar) = (
    Mutex::new(Meeting {
        waiting: 0,
        held: 0,
    }),
    Condvar::new(),
);

/// `/meet?n=N[&threads=no]`: waits until N requests are waiting here (this one included),
/// at most 10 s, its thread blocked; asks the server for another thread while it blocks
/// unless `threads=no`.
fn meet(ctx: &mut HttpContext<'_>) -> String {
    let n: u64 = ctx
        .query_value("n")
        .and_then(|n| n.parse().ok())
        .unwrap_or(2)
        .clamp(1, 64);
    let ask = ctx.query_value("threads").as_deref() != Some("no");
    if ask {
        ctx.server().increment_thread_count();
    }
    let (lock, changed) = &MEETING;
    let mut meeting = lock.lock().unwrap_or_else(PoisonError::into_inner);
    let held = meeting.held;
    meeting.waiting += 1;
    if meeting.waiting >= n {
        meeting.waiting = 0;
        meeting.held += 1;
        changed.notify_all();
    } else {
        meeting = changed
            .wait_timeout_while(meeting, Duration::from_secs(10), |m| m.held == held)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    let met = meeting.held != held;
    if !met {
        meeting.waiting -= 1;
    }
    drop(meeting);
    if ask {
        ctx.server().decrement_thread_count();
    }
    if met {
        format!("met {n}\n")
    } else {
        format!("waited 10 s for {n}\n")
    }
}

/// `/async?ms=N[&via=indicate][&early=1]`: completes on another thread after N
/// milliseconds; with `early=1` (posting only) the notification waits for that thread and
/// 20 ms more (the framework holds a completion posted that early until the notification
/// has returned).
fn start_async(ctx: &mut HttpContext<'_>) -> Notification {
    let ms: u32 = ctx
        .query_value("ms")
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(20);
    let indicate = ctx.query_value("via").as_deref() == Some("indicate");
    let early = ctx.query_value("early").as_deref() == Some("1");
    let mut completion = ctx.complete_later();
    let worker = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(ms.into()));
        if indicate {
            let body = format!("async: indicated after {ms} ms\n");
            let mut ctx = completion.context();
            let next = match ctx.set_response(200, "text/plain", body) {
                Ok(()) => Notification::Continue,
                Err(error) => ctx.fail_with(&error.into()),
            };
            drop(ctx);
            completion.resume(next);
        } else {
            completion.post(ms);
        }
    });
    // Not with `via=indicate`: that thread waits for the notification to return.
    if early && !indicate {
        // A worker that panicked dropped the completion, which resumed the request.
        worker.join().ok();
        // The completion is posted; 20 ms more before the notification returns.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Ignored: the request is pending until the completion is signalled.
    Notification::Continue
}

/// Marks every request before the pipeline starts.
struct Global;

#[httpserv::module]
impl GlobalModule for Global {
    fn on_pre_begin_request(&self, ctx: &mut HttpContext<'_>) -> Result<GlobalNotification, Error> {
        count(&COUNTERS.global);
        ctx.set_request_header("X-Hello-Global", "pre-begin")?;
        Ok(GlobalNotification::Continue)
    }
}

httpserv::register_module!(|registration| {
    registration.request_module(|| HelloModule)?;
    registration.global_module(Global)
});
