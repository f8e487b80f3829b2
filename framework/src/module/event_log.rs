//! The Windows event log, where a module reports what an administrator must see: a worker
//! process has no console, and a global module's work (an application starting, a
//! configuration change) belongs to no request whose trace could show it. Microsoft's global
//! module samples write there with `RegisterEventSource` and `ReportEvent`; [`EventLog`] is
//! that, safe: a registered source, one message per event, the handle released on drop.
//!
//! An event's source should be registered under
//! `HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\<source>` by the module's
//! installer (with a message file, or Event Viewer prefixes the text with "The description for
//! Event ID … cannot be found"); an unregistered source still reports to the Application log.
//!
//! Tests see the events instead: the test server captures every report
//! (`TestServer::reported_events`), and off Windows, where there is no event log, reports are
//! always captured. Under wine (the IIS host), `ReportEventW` writes each message to wine's
//! `eventlog` debug channel (`WINEDEBUG=+eventlog`), errors and warnings by default.

use super::context::wide;
use crate::runtime::{Error, Result, E_INVALIDARG};
use alloc::string::String;
use alloc::vec::Vec;
use std::sync::{Mutex, PoisonError};

/// What an event reports ([`EventLog::report`]), as Event Viewer shows its level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// `EVENTLOG_ERROR_TYPE`.
    Error,
    /// `EVENTLOG_WARNING_TYPE`.
    Warning,
    /// `EVENTLOG_INFORMATION_TYPE`.
    Information,
}

/// One event as a test sees it ([`EventLog::report`]'s arguments, with the source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedEvent {
    /// The source the event log was registered with.
    pub source: String,
    /// The event's level.
    pub kind: EventKind,
    /// The event id.
    pub event_id: u32,
    /// The message.
    pub message: String,
}

/// Reports kept for tests: `None` while reports go to the system's event log.
static CAPTURED: Mutex<Option<Vec<ReportedEvent>>> = Mutex::new(None);

/// Keeps every report from now on instead of writing it to the event log (the test server
/// calls it; off Windows, reports are kept anyway).
#[doc(hidden)]
pub fn capture_reported_events() {
    let mut captured = CAPTURED.lock().unwrap_or_else(PoisonError::into_inner);
    captured.get_or_insert_with(Vec::new);
}

/// The reports kept for `source` so far, oldest first (they stay kept: tests running at once
/// in one process share the capture, so each looks for its own).
#[doc(hidden)]
pub fn reported_events(source: &str) -> Vec<ReportedEvent> {
    let captured = CAPTURED.lock().unwrap_or_else(PoisonError::into_inner);
    let all = captured.as_deref().unwrap_or_default();
    all.iter()
        .filter(|event| event.source == source)
        .cloned()
        .collect()
}

/// A source registered with the Windows event log (`RegisterEventSourceW`), deregistered on
/// drop. Reports may come from any thread: IIS calls global modules from many at once.
pub struct EventLog {
    source: String,
    #[cfg(windows)]
    handle: windows_sys::Win32::Foundation::HANDLE,
}

// SAFETY: the event log handle is a process-wide handle that `ReportEventW` accepts from any
// thread; `EventLog` never changes it after registration.
unsafe impl Send for EventLog {}
// SAFETY: as above: `report` only reads the handle.
unsafe impl Sync for EventLog {}

impl EventLog {
    /// Registers `source` on the local machine. `E_INVALIDARG` for an empty source or one
    /// holding a NUL; the system's error if it refuses.
    pub fn register(source: &str) -> Result<EventLog> {
        if source.is_empty() {
            return Err(Error::from(E_INVALIDARG));
        }
        // UTF-16 as every wide call of the framework takes it (a NUL refused).
        let wide = wide(source)?;
        #[cfg(windows)]
        {
            // SAFETY: a NUL-terminated source name; a null server name is the local machine.
            let handle = unsafe {
                windows_sys::Win32::System::EventLog::RegisterEventSourceW(
                    core::ptr::null(),
                    wide.as_ptr(),
                )
            };
            if handle.is_null() {
                return Err(Error::from_thread());
            }
            Ok(EventLog {
                source: String::from(source),
                handle,
            })
        }
        #[cfg(not(windows))]
        {
            drop(wide);
            Ok(EventLog {
                source: String::from(source),
            })
        }
    }

    /// The source it was registered with.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Reports `message` as event `event_id` of `kind` (`ReportEventW`, one string).
    /// `E_INVALIDARG` for a message holding a NUL; the system's error if it refuses.
    pub fn report(&self, kind: EventKind, event_id: u32, message: &str) -> Result<()> {
        let wide = wide(message)?;
        if capture(self, kind, event_id, message) {
            return Ok(());
        }
        #[cfg(windows)]
        {
            use windows_sys::Win32::System::EventLog as api;
            let kind = match kind {
                EventKind::Error => api::EVENTLOG_ERROR_TYPE,
                EventKind::Warning => api::EVENTLOG_WARNING_TYPE,
                EventKind::Information => api::EVENTLOG_INFORMATION_TYPE,
            };
            let strings = [wide.as_ptr()];
            // SAFETY: the registered handle; one NUL-terminated string, alive for the call;
            // no user SID and no raw data.
            let ok = unsafe {
                api::ReportEventW(
                    self.handle,
                    kind,
                    0,
                    event_id,
                    core::ptr::null_mut(),
                    1,
                    0,
                    strings.as_ptr(),
                    core::ptr::null(),
                )
            };
            if ok == 0 {
                return Err(Error::from_thread());
            }
        }
        drop(wide);
        Ok(())
    }
}

impl Drop for EventLog {
    fn drop(&mut self) {
        #[cfg(windows)]
        // SAFETY: the handle registration returned, deregistered once, here.
        unsafe {
            windows_sys::Win32::System::EventLog::DeregisterEventSource(self.handle);
        }
    }
}

impl core::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventLog")
            .field("source", &self.source)
            .finish()
    }
}

/// Keeps the report if reports are captured (always off Windows); whether it did.
fn capture(log: &EventLog, kind: EventKind, event_id: u32, message: &str) -> bool {
    let mut captured = CAPTURED.lock().unwrap_or_else(PoisonError::into_inner);
    if captured.is_none() && cfg!(not(windows)) {
        *captured = Some(Vec::new());
    }
    let Some(events) = captured.as_mut() else {
        return false;
    };
    events.push(ReportedEvent {
        source: log.source.clone(),
        kind,
        event_id,
        message: String::from(message),
    });
    true
}
