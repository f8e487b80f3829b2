//! Parsing in a child process, so that libclang crashing or hanging on hostile input costs a
//! child and not the caller: the parent sends the options as JSON on the child's stdin, the
//! child (any program that calls [`serve`] when given [`WORKER_ARG`]) answers with the API or
//! the error as JSON on stdout, and the parent turns a signal, a non-zero exit or a time-out
//! into one clear error.

use super::{parse_on_this_thread, ParseOptions};
use crate::error::{Error, Result};
use crate::ir::Api;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The first argument that turns a program into a parse worker.
pub const WORKER_ARG: &str = "__parse-worker";

/// The child's side: reads options from `input`, parses, writes the JSON answer to `output`.
/// Returns the process exit code (0 whenever an answer was written, errors included).
pub fn serve(input: &mut dyn Read, output: &mut dyn Write) -> i32 {
    let mut request = String::new();
    let answer: Result<Api> = match input.read_to_string(&mut request) {
        Err(e) => Err(Error::Worker(format!(
            "parse worker: cannot read its request: {e}"
        ))),
        Ok(_) => match serde_json::from_str::<ParseOptions>(&request) {
            Err(e) => Err(Error::Worker(format!(
                "parse worker: unreadable request: {e}"
            ))),
            Ok(options) => parse_on_this_thread(&options),
        },
    };
    let written = serde_json::to_writer(&mut *output, &answer)
        .map_err(std::io::Error::from)
        .and_then(|()| output.flush());
    match written {
        Ok(()) => 0,
        Err(_) => 3,
    }
}

/// The parent's side: runs `program WORKER_ARG` and waits at most `limit`.
pub(super) fn parse_in_child(
    options: &ParseOptions,
    program: &Path,
    limit: Duration,
) -> Result<Api> {
    let shown = options.header.display().to_string();
    let request = serde_json::to_vec(options).map_err(|e| Error::Worker(e.to_string()))?;
    let mut child = Command::new(program)
        .arg(WORKER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::Worker(format!(
                "cannot start the parse worker `{}`: {e}",
                program.display()
            ))
        })?;
    // The request is small; the answer can be megabytes, so both outputs drain on threads
    // while this one watches the clock.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let stdout = drain(child.stdout.take().expect("stdout is piped"));
    let stderr = drain(child.stderr.take().expect("stderr is piped"));
    // A worker that dies before reading closes the pipe; its exit status says why.
    let _ = stdin.write_all(&request);
    drop(stdin);

    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(super::time_limit_error(options, limit));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                let _ = child.kill();
                return Err(Error::Worker(format!(
                    "cannot wait for the parse worker: {e}"
                )));
            }
        }
    };
    let answer = stdout.join().unwrap_or_default();
    let last_words = last_lines(&stderr.join().unwrap_or_default(), 4);
    if !status.success() {
        return Err(Error::Input {
            path: shown,
            reason: format!(
                "{}; nothing was written. The header triggers a bug below our code: reduce \
                 it to the construct that does it, and report that to LLVM if it is libclang{}",
                describe_failure(status),
                if last_words.is_empty() {
                    String::new()
                } else {
                    format!("\nthe parser's last output:\n{last_words}")
                }
            ),
        });
    }
    serde_json::from_slice::<Result<Api>>(&answer).map_err(|e| {
        Error::Worker(format!(
            "internal error: the parse worker answered with unreadable output ({e}){}",
            if last_words.is_empty() {
                String::new()
            } else {
                format!("\nits last output:\n{last_words}")
            }
        ))
    })?
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// The last `n` non-blank lines of a child's stderr, indented.
fn last_lines(bytes: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// "libclang crashed (signal 11, SIGSEGV)" or the exit code.
pub fn describe_failure(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!(
                "the parser crashed while libclang was reading this header (signal {signal}{})",
                signal_name(signal)
                    .map(|name| format!(", {name}"))
                    .unwrap_or_default()
            );
        }
    }
    match status.code() {
        // Windows reports a crash as an NTSTATUS exit code (0xC0000005 and friends).
        Some(code) if code < 0 => format!(
            "the parser crashed while libclang was reading this header (exit code {:#010X})",
            code as u32
        ),
        Some(code) => format!("the parser stopped with exit code {code}"),
        None => "the parser stopped without an exit code".into(),
    }
}

fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Isolation;
    use crate::toolchain::Target;

    fn options(header: &str) -> ParseOptions {
        ParseOptions {
            target: Target::I686,
            ..ParseOptions::debian(header)
        }
    }

    #[test]
    fn a_request_the_worker_cannot_read_is_answered_with_an_error() {
        let mut answer = Vec::new();
        let code = serve(&mut "not json".as_bytes(), &mut answer);
        assert_eq!(code, 0);
        let answer: Result<Api> = serde_json::from_slice(&answer).unwrap();
        let message = answer.unwrap_err().to_string();
        assert!(
            message.starts_with("parse worker: unreadable request"),
            "{message}"
        );
    }

    #[test]
    fn errors_cross_the_pipe_unchanged() {
        // A missing header is answered before libclang is loaded, so this runs anywhere.
        let request = serde_json::to_vec(&options("/nonexistent/dir/missing.h")).unwrap();
        let mut answer = Vec::new();
        assert_eq!(serve(&mut request.as_slice(), &mut answer), 0);
        let answer: Result<Api> = serde_json::from_slice(&answer).unwrap();
        assert_eq!(
            answer.unwrap_err().to_string(),
            "/nonexistent/dir/missing.h: no such file"
        );
    }

    #[test]
    fn the_isolation_choice_stays_with_the_parent() {
        let mut sent = options("a.h");
        sent.isolation = Isolation::ChildProcess {
            program: "/bin/worker".into(),
        };
        let received: ParseOptions =
            serde_json::from_slice(&serde_json::to_vec(&sent).unwrap()).unwrap();
        assert_eq!(received.isolation, Isolation::Thread);
        assert_eq!(received.target, Target::I686);
        assert_eq!(received.header, sent.header);
    }

    #[test]
    fn stderr_keeps_its_last_lines() {
        assert_eq!(last_lines(b"a\n\nb\nc\n  \nd\ne\n", 3), "  c\n  d\n  e");
        assert_eq!(last_lines(b"", 3), "");
    }

    #[cfg(unix)]
    #[test]
    fn a_signal_is_named() {
        use std::os::unix::process::ExitStatusExt;
        let text = describe_failure(ExitStatus::from_raw(11));
        assert!(text.contains("signal 11, SIGSEGV"), "{text}");
        assert_eq!(
            describe_failure(ExitStatus::from_raw(3 << 8)),
            "the parser stopped with exit code 3"
        );
    }
}
