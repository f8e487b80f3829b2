//! A raw HTTP/1.1 client over `std::net::TcpStream` for the IIS host's hostile-request,
//! request-body and response-splitting tests (`tests/tests/hostile_requests.rs`,
//! `request_bodies.rs`, `response_splitting.rs`, which include it by `#[path]`): requests
//! curl cannot express (any bytes, a byte at a time, pipelined, abandoned halfway) and
//! answers read by their `Content-Length`, so an answer is complete without waiting for a
//! close that wine's http.sys never makes, and kept as bytes where what reached the wire is
//! the question. What happened is an [`Outcome`], not a panic: telling wine's behaviour from
//! the host's is the caller's job.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// One HTTP response as it came, `Date` left out (it changes).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What came back for a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The responses expected, complete, in order.
    Answered(Vec<Response>),
    /// The connection closed or was reset before that: whether every byte of the request
    /// had been written, and the responses complete by then.
    Closed {
        sent_all: bool,
        answered: Vec<Response>,
    },
    /// Nothing more within the time allowed, the connection still open.
    Silent { answered: Vec<Response> },
}

/// How the request's bytes are written.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// All at once.
    Whole,
    /// One byte at a time, this far apart.
    ByteByByte(Duration),
}

/// The bytes read so far, the responses' bytes taken from them, and the deadline for the
/// rest.
struct Reader {
    stream: TcpStream,
    buffer: Vec<u8>,
    taken: Vec<u8>,
    deadline: Instant,
    /// The request was a HEAD: its answers carry no body, whatever `Content-Length` says.
    head: bool,
}

/// How a read into the buffer went.
enum Fill {
    More,
    Closed,
    TimedOut,
}

impl Reader {
    /// Reads more into the buffer.
    fn fill(&mut self) -> Fill {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Fill::TimedOut;
        }
        let _ = self.stream.set_read_timeout(Some(left));
        let mut chunk = [0u8; 65536];
        match self.stream.read(&mut chunk) {
            Ok(0) => Fill::Closed,
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                Fill::More
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Fill::TimedOut
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => Fill::More,
            Err(_) => Fill::Closed,
        }
    }

    /// The next response: its head, then `Content-Length` bytes of body (to the close when
    /// it has none; none at all for a HEAD); `Err` with how the stream ended otherwise. wine's own 400 ends its
    /// head with no empty line and closes: what came before the close is its head.
    fn response(&mut self) -> Result<Response, Fill> {
        let (head_end, start) = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break (at, at + 4);
            }
            match self.fill() {
                Fill::More => {}
                Fill::Closed if self.buffer.starts_with(b"HTTP/") => {
                    break (self.buffer.len(), self.buffer.len());
                }
                end => return Err(end),
            }
        };
        let head = String::from_utf8_lossy(&self.buffer[..head_end]).into_owned();
        let mut response = parse_head(&head);
        let length = match self.head {
            true => Some(0),
            false => response
                .header("Content-Length")
                .and_then(|v| v.parse::<usize>().ok()),
        };
        loop {
            let have = self.buffer.len() - start;
            if length.is_some_and(|n| have >= n) {
                break;
            }
            match self.fill() {
                Fill::More => {}
                Fill::Closed if length.is_none() => break,
                end => return Err(end),
            }
        }
        let end = start + length.unwrap_or(self.buffer.len() - start);
        response.body = self.buffer[start..end].to_vec();
        self.taken.extend(self.buffer.drain(..end));
        Ok(response)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(head: &str) -> Response {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let _version = parts.next();
    let status = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let reason = parts.next().unwrap_or("").to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .filter(|(n, _)| !n.eq_ignore_ascii_case("date"))
        .collect();
    Response {
        status,
        reason,
        headers,
        body: Vec::new(),
    }
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connecting to 127.0.0.1:{port}: {e}"));
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(20)));
    send_in_one_go(&stream);
    stream
}

/// A send buffer large enough for a whole request (up to 1 MiB): the default one (16 KiB,
/// tcp_wmem) makes the kernel hand a larger request to the server in pieces, waiting between
/// them, and wine's http.sys reads 8 KiB of a connection, then only what has arrived by then:
/// a request whose rest comes later it closes or stops reading (tests/iis_host/README.md).
/// std has no setter for SO_SNDBUF; libc's setsockopt is linked into every Linux program.
#[cfg(target_os = "linux")]
fn send_in_one_go(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    extern "C" {
        fn setsockopt(fd: i32, level: i32, name: i32, value: *const u8, len: u32) -> i32;
    }
    const SOL_SOCKET: i32 = 1;
    const SO_SNDBUF: i32 = 7;
    let size: i32 = 1 << 20;
    // SAFETY: a valid socket descriptor and a pointer to an int of the length given.
    unsafe {
        setsockopt(
            stream.as_raw_fd(),
            SOL_SOCKET,
            SO_SNDBUF,
            (&size as *const i32).cast(),
            4,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn send_in_one_go(_: &TcpStream) {}

/// Writes `request` at `pace`; false when the connection failed before the end.
fn write(stream: &mut TcpStream, request: &[u8], pace: Pace) -> bool {
    match pace {
        Pace::Whole => stream.write_all(request).is_ok(),
        Pace::ByteByByte(gap) => request.iter().all(|byte| {
            std::thread::sleep(gap);
            stream.write_all(std::slice::from_ref(byte)).is_ok()
        }),
    }
}

/// Sends `request` on a connection of its own and reads `responses` responses, for at most
/// `timeout` after the request is written.
pub fn exchange(
    port: u16,
    request: &[u8],
    pace: Pace,
    responses: usize,
    timeout: Duration,
) -> Outcome {
    let mut stream = connect(port);
    let sent_all = write(&mut stream, request, pace);
    let mut reader = Reader {
        stream,
        buffer: Vec::new(),
        taken: Vec::new(),
        deadline: Instant::now() + timeout,
        head: request.starts_with(b"HEAD "),
    };
    let mut answered = Vec::new();
    while answered.len() < responses {
        match reader.response() {
            Ok(response) => answered.push(response),
            Err(Fill::TimedOut) if sent_all => return Outcome::Silent { answered },
            Err(_) => return Outcome::Closed { sent_all, answered },
        }
    }
    if sent_all {
        Outcome::Answered(answered)
    } else {
        Outcome::Closed { sent_all, answered }
    }
}

/// Sends `request` on a connection of its own and reads one response: parsed, and its bytes
/// exactly as they came (status line, header lines, `Content-Length` body), for a test of
/// what reached the wire; `None` if none came complete within `timeout`.
pub fn exchange_raw(port: u16, request: &[u8], timeout: Duration) -> Option<(Response, Vec<u8>)> {
    let mut stream = connect(port);
    if !write(&mut stream, request, Pace::Whole) {
        return None;
    }
    let mut reader = Reader {
        stream,
        buffer: Vec::new(),
        taken: Vec::new(),
        deadline: Instant::now() + timeout,
        head: request.starts_with(b"HEAD "),
    };
    let response = reader.response().ok()?;
    Some((response, reader.taken))
}

/// What wine's http.sys reads of a new connection at first: the rest of a larger request that
/// arrives only after that read can make it close the connection, or stop reading it, with
/// the request never delivered (tests/iis_host/README.md).
pub const WINE_FIRST_READ: usize = 8 * 1024;

/// [`exchange`], sent again (four times at most) when no answer came and `taken` (the requests
/// the host has taken from wine) shows the host never had the request: wine's http.sys lost
/// it, not the host (it can miss a new connection's data, FACTS.md and tests/iis_host/
/// README.md). `retries` counts the requests sent again.
pub fn exchange_past_wine(
    port: u16,
    request: &[u8],
    pace: Pace,
    responses: usize,
    timeout: Duration,
    taken: &dyn Fn() -> usize,
    retries: &mut usize,
) -> Outcome {
    for _ in 0..4 {
        let before = taken();
        let outcome = exchange(port, request, pace, responses, timeout);
        let lost = match &outcome {
            Outcome::Closed { answered, .. } | Outcome::Silent { answered } => answered.is_empty(),
            Outcome::Answered(_) => false,
        };
        if !lost || taken() != before {
            return outcome;
        }
        *retries += 1;
    }
    exchange(port, request, pace, responses, timeout)
}

/// Sends `request` and closes the connection without reading anything.
pub fn send_and_vanish(port: u16, request: &[u8]) {
    let mut stream = connect(port);
    let _ = stream.write_all(request);
    let _ = stream.shutdown(Shutdown::Both);
}

/// Sends `request`, reads `bytes` bytes of the answer (or what comes within a second), then
/// closes the connection.
pub fn read_part_and_vanish(port: u16, request: &[u8], bytes: usize) -> usize {
    let mut stream = connect(port);
    let _ = stream.write_all(request);
    let mut reader = Reader {
        stream,
        buffer: Vec::new(),
        taken: Vec::new(),
        deadline: Instant::now() + Duration::from_secs(1),
        head: false,
    };
    while reader.buffer.len() < bytes {
        if !matches!(reader.fill(), Fill::More) {
            break;
        }
    }
    let _ = reader.stream.shutdown(Shutdown::Both);
    reader.buffer.len()
}
