//! A small HTTP/1.1 load generator over loopback for `tests/tests/host_load.rs` (included by
//! `#[path]`): `connections` threads, each with a keep-alive `TcpStream`, take request
//! numbers from one counter until `requests` have gone out. What request number `n` is comes
//! from the caller's plan: a path, the status and body it must get, or a client that goes
//! away (before its answer, or after reading its first bytes) on a connection of its own.
//! Every answer is read by its `Content-Length` and checked; what went wrong is collected,
//! not panicked on, so a test can show it beside the host's output.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a request's answer body must be.
#[derive(Clone, Debug)]
pub enum Body {
    Exact(String),
    StartsWith(String),
}

/// How a client leaves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Vanish {
    /// It reads its answer.
    No,
    /// It closes its connection right after sending the request.
    BeforeAnswer,
    /// It reads the first bytes of the answer, then closes.
    MidAnswer,
}

/// Request number `n` of a run.
#[derive(Clone, Debug)]
pub struct Planned {
    pub path: String,
    pub status: u16,
    pub body: Body,
    pub vanish: Vanish,
}

impl Planned {
    pub fn get(path: String, status: u16, body: Body) -> Planned {
        Planned {
            path,
            status,
            body,
            vanish: Vanish::No,
        }
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Answers read and found right.
    pub answered: usize,
    /// Clients that went away as planned.
    pub vanished: usize,
    /// What went wrong, one line per request (the first 20 kept; `failed` counts all).
    pub failures: Vec<String>,
    pub failed: usize,
    pub statuses: BTreeMap<u16, usize>,
    pub elapsed: Duration,
}

impl Report {
    /// Answered requests per second.
    pub fn per_second(&self) -> f64 {
        self.answered as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// An answer: status, whether the server will close, body.
struct Answer {
    status: u16,
    close: bool,
    body: Vec<u8>,
}

fn read_answer(reader: &mut BufReader<TcpStream>) -> Result<Answer, String> {
    let mut line = String::new();
    let mut status = None;
    let (mut length, mut close) = (None, false);
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return Err("the connection closed before an answer's head ended".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("reading the head: {e}")),
        }
        let text = line.trim_end();
        if text.is_empty() {
            break;
        }
        if status.is_none() {
            let code = text.split(' ').nth(1).and_then(|c| c.parse().ok());
            status = Some(code.ok_or(format!("not a status line: {text:?}"))?);
        } else if let Some((name, value)) = text.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("Content-Length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("Connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
    }
    let length = length.ok_or("an answer without Content-Length")?;
    let mut body = vec![0; length];
    reader
        .read_exact(&mut body)
        .map_err(|e| format!("reading {length} bytes of body: {e}"))?;
    Ok(Answer {
        status: status.unwrap_or(0),
        close,
        body,
    })
}

fn connect(port: u16) -> Result<BufReader<TcpStream>, String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    Ok(BufReader::new(stream))
}

fn request_bytes(port: u16, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").into_bytes()
}

/// A client that sends its request on a connection of its own and goes away.
fn vanish(port: u16, planned: &Planned) -> Result<(), String> {
    let mut reader = connect(port)?;
    let request = request_bytes(port, &planned.path);
    reader
        .get_mut()
        .write_all(&request)
        .map_err(|e| format!("write: {e}"))?;
    if planned.vanish == Vanish::MidAnswer {
        let mut first = [0u8; 8];
        reader
            .read_exact(&mut first)
            .map_err(|e| format!("reading the first bytes: {e}"))?;
    }
    Ok(())
}

/// One request on the thread's keep-alive connection (made anew when there is none);
/// `Err` says what was wrong. The connection is dropped after an error or a close.
fn one(
    port: u16,
    connection: &mut Option<BufReader<TcpStream>>,
    planned: &Planned,
) -> Result<u16, String> {
    if connection.is_none() {
        *connection = Some(connect(port)?);
    }
    let reader = connection.as_mut().unwrap();
    let outcome = reader
        .get_mut()
        .write_all(&request_bytes(port, &planned.path))
        .map_err(|e| format!("write: {e}"))
        .and_then(|()| read_answer(reader));
    let answer = match outcome {
        Ok(answer) => answer,
        Err(e) => {
            *connection = None;
            return Err(e);
        }
    };
    if answer.close {
        *connection = None;
    }
    let body = String::from_utf8_lossy(&answer.body);
    let body_ok = match &planned.body {
        Body::Exact(text) => body == *text,
        Body::StartsWith(text) => body.starts_with(text.as_str()),
    };
    if answer.status != planned.status || !body_ok {
        return Err(format!(
            "got {} {body:?}, expected {} {:?}",
            answer.status, planned.status, planned.body
        ));
    }
    Ok(answer.status)
}

/// Sends `requests` requests over `connections` connections to 127.0.0.1:`port`, request
/// `n` as `plan(n)` says.
pub fn run(
    port: u16,
    connections: usize,
    requests: usize,
    plan: impl Fn(usize) -> Planned + Sync,
) -> Report {
    let next = AtomicUsize::new(0);
    let report = Mutex::new(Report::default());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..connections {
            scope.spawn(|| {
                let mut connection = None;
                let mut mine = Report::default();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= requests {
                        break;
                    }
                    let planned = plan(n);
                    let outcome = match planned.vanish {
                        Vanish::No => one(port, &mut connection, &planned),
                        _ => vanish(port, &planned).map(|()| 0),
                    };
                    match outcome {
                        Ok(0) => mine.vanished += 1,
                        Ok(status) => {
                            mine.answered += 1;
                            *mine.statuses.entry(status).or_default() += 1;
                        }
                        Err(e) => {
                            mine.failed += 1;
                            mine.failures
                                .push(format!("request {n} {}: {e}", planned.path));
                        }
                    }
                }
                let mut all = report.lock().unwrap();
                all.answered += mine.answered;
                all.vanished += mine.vanished;
                all.failed += mine.failed;
                let room = 20usize.saturating_sub(all.failures.len());
                all.failures.extend(mine.failures.into_iter().take(room));
                for (status, count) in mine.statuses {
                    *all.statuses.entry(status).or_default() += count;
                }
            });
        }
    });
    let mut report = report.into_inner().unwrap();
    report.elapsed = started.elapsed();
    report
}
