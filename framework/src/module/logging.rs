//! A [`log`] bridge (feature `log`): `log::info!` and friends from a module go where IIS
//! keeps a module's diagnostics, since a worker process has no console. A record written
//! while a request notification runs on the thread (the module's method, or its `async fn`
//! being polled) goes to that request's trace (`IHttpTraceContext::QuickTrace`: Failed
//! Request Tracing shows it, with the target as its second text and the level as its
//! verbosity); any other record (a global module's work, a worker thread's) goes to the event
//! log under the logger's source, `Debug` and `Trace` ones excepted, which go to the debugger
//! output. The test server shows the first in `Response::quick_traces` and captures the
//! second (`TestServer::reported_events`).
//!
//! ```no_run
//! # fn register() -> Result<(), Box<dyn std::error::Error>> {
//! // In RegisterModule, before the first notification:
//! httpserv::module::Logger::new("MyModule")?
//!     .with_level(log::LevelFilter::Info)
//!     .install()?;
//! # Ok(()) }
//! ```

use super::event_log::{EventKind, EventLog};
use crate::runtime::{self, Result, S_OK};
use crate::IHttpContext;
use alloc::string::ToString;
use core::cell::Cell;
use core::ptr;
use core::sync::atomic::{AtomicBool, Ordering};

std::thread_local! {
    /// The context of the request notification running on this thread, null outside one.
    static CURRENT: Cell<*mut IHttpContext> = const { Cell::new(ptr::null_mut()) };
}

/// Whether a [`Logger`] was installed: until then no notification marks itself current (a
/// thread-local access per notification is not free on every target).
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Marks `context`'s notification as running on this thread until dropped (then the previous
/// one, if notifications nest, is current again); nothing while no logger is installed.
pub(crate) struct Current {
    previous: Option<*mut IHttpContext>,
}

impl Current {
    #[inline]
    pub(crate) fn enter(context: *mut IHttpContext) -> Current {
        let previous = INSTALLED
            .load(Ordering::Relaxed)
            .then(|| CURRENT.with(|current| current.replace(context)));
        Current { previous }
    }
}

impl Drop for Current {
    #[inline]
    fn drop(&mut self) {
        if let Some(previous) = self.previous {
            CURRENT.with(|current| current.set(previous));
        }
    }
}

/// A [`log::Log`] for a module: a record written while one of the DLL's request
/// notifications runs on the thread goes to that request's trace (`QuickTrace`, which Failed
/// Request Tracing shows: the target as the second text, the level as the trace level, error
/// 2 to debug 5); any other record goes to the event log under the logger's source
/// ([`EventLog`]), `Debug` and `Trace` ones to the debugger output.
#[derive(Debug)]
pub struct Logger {
    event_log: EventLog,
    level: log::LevelFilter,
}

impl Logger {
    /// A logger whose records outside requests go to the event log under `source`
    /// ([`EventLog::register`]); it logs `Info` and above until [`Self::with_level`].
    pub fn new(source: &str) -> Result<Logger> {
        Ok(Logger {
            event_log: EventLog::register(source)?,
            level: log::LevelFilter::Info,
        })
    }

    /// Logs records of `level` and above.
    pub fn with_level(mut self, level: log::LevelFilter) -> Logger {
        self.level = level;
        self
    }

    /// Makes it the process's logger ([`log::set_boxed_logger`]); fails if one is set.
    pub fn install(self) -> core::result::Result<(), log::SetLoggerError> {
        let level = self.level;
        log::set_boxed_logger(alloc::boxed::Box::new(self))?;
        log::set_max_level(level);
        INSTALLED.store(true, Ordering::Relaxed);
        Ok(())
    }
}

/// evntrace.h's `TRACE_LEVEL_*` for a record's level.
fn trace_level(level: log::Level) -> u8 {
    match level {
        log::Level::Error => 2,
        log::Level::Warn => 3,
        log::Level::Info => 4,
        log::Level::Debug | log::Level::Trace => 5,
    }
}

/// `text` as NUL-terminated UTF-16, a NUL in it cut off there (a log line is not refused).
fn wide(text: &str) -> widestring::U16CString {
    widestring::U16CString::from_str_truncate(text)
}

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        let context = CURRENT.with(Cell::get);
        if !context.is_null() {
            // SAFETY: `Current` marks a context only while its notification runs on this
            // thread, and IIS keeps it alive for that time; the bridge holds shared
            // references for this call only, as every call of the framework's does.
            let trace = unsafe { (*context).GetTraceContext() };
            // SAFETY: null or the request's trace context, alive with the request.
            if let Some(trace) = unsafe { trace.as_ref() } {
                let (data1, data2) = (wide(&message), wide(record.target()));
                let level = trace_level(record.level());
                // SAFETY: two NUL-terminated strings alive for the call.
                let _ = unsafe { trace.QuickTrace(data1.as_ptr(), data2.as_ptr(), S_OK, level) };
            }
            return;
        }
        let kind = match record.level() {
            log::Level::Error => EventKind::Error,
            log::Level::Warn => EventKind::Warning,
            log::Level::Info => EventKind::Information,
            log::Level::Debug | log::Level::Trace => {
                runtime::report_debug(&alloc::format!("{}: {message}", record.target()));
                return;
            }
        };
        let text = alloc::format!("{}: {message}", record.target()).replace('\0', " ");
        // Nowhere to report a failure to report.
        let _ = self.event_log.report(kind, 0, &text);
    }

    fn flush(&self) {}
}
