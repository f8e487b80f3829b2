//! What the static file handler answers a request's preconditions and byte ranges with
//! (RFC 9110, sections 13 and 14), given the file's validators and length: `412` or `304`
//! from `If-Match`, `If-Unmodified-Since`, `If-None-Match` and `If-Modified-Since` in the
//! RFC's order; the ranges a `Range` asks for (`If-Range` permitting), a `416`, or the whole
//! file; the `multipart/byteranges` body of several ranges; HTTP-dates written and read
//! (IMF-fixdate). No filesystem here, so all of it runs under Miri; `tests/iis_host/host/
//! files.cpp` is its C++ twin.
//!
//! Where RFC 9110 leaves a choice, or IIS's answer is not known, the choice made (the same in
//! both hosts): only IMF-fixdates are read (an RFC 850 or asctime date is ignored, as an
//! invalid one is); ranges are served in the order asked, neither merged nor limited in
//! number, those starting past the end dropped; one satisfiable range left is a plain `206`;
//! a suffix range of an empty file gets the whole, empty file (`200`); `If-Range` compares
//! an ETag strongly and a date exactly.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The boundary of IIS's `multipart/byteranges` answers, as observed in its responses (and
/// copied by servers that imitate it); Microsoft does not document it. Unquoted, as IIS
/// sends it.
pub(crate) const BOUNDARY: &str = "[lka9uw3et5vxybtp87ghq23dpu7djv84nhls9p]";

/// The file's validators: its ETag and its last write time in whole seconds since 1970
/// (what `Last-Modified` says).
pub(crate) struct Validators<'a> {
    pub etag: &'a [u8],
    pub modified: i64,
}

/// The request's conditional headers, each as received.
#[derive(Default)]
pub(crate) struct Conditions<'a> {
    pub if_match: Option<&'a [u8]>,
    pub if_unmodified_since: Option<&'a [u8]>,
    pub if_none_match: Option<&'a [u8]>,
    pub if_modified_since: Option<&'a [u8]>,
}

/// What the preconditions decide.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Precondition {
    /// Serve the file (its ranges, if asked).
    Proceed,
    /// `304 Not Modified`.
    NotModified,
    /// `412 Precondition Failed`.
    Failed,
}

/// RFC 9110, 13.2.2: `If-Match` (else `If-Unmodified-Since`) failing is `412`; then
/// `If-None-Match` (else, for GET and HEAD, `If-Modified-Since`) matching is `304` for GET
/// and HEAD, `412` otherwise. A date that is not an HTTP-date is ignored.
pub(crate) fn preconditions(c: &Conditions<'_>, file: &Validators<'_>, get: bool) -> Precondition {
    if let Some(tags) = c.if_match {
        if !tags_match(tags, file.etag, true) {
            return Precondition::Failed;
        }
    } else if let Some(date) = c.if_unmodified_since.and_then(parse_http_date) {
        if file.modified > date {
            return Precondition::Failed;
        }
    }
    let unchanged = match c.if_none_match {
        Some(tags) => tags_match(tags, file.etag, false),
        None => {
            get && c
                .if_modified_since
                .and_then(parse_http_date)
                .is_some_and(|date| file.modified <= date)
        }
    };
    match (unchanged, get) {
        (false, _) => Precondition::Proceed,
        (true, true) => Precondition::NotModified,
        (true, false) => Precondition::Failed,
    }
}

/// Whether a list of entity tags (or `*`) names `etag`: by the strong comparison (a weak
/// tag never matches) or the weak one (`W/` ignored).
fn tags_match(tags: &[u8], etag: &[u8], strong: bool) -> bool {
    tags.split(|&b| b == b',').any(|tag| {
        let tag = tag.trim_ascii();
        match tag.strip_prefix(b"W/") {
            _ if tag == b"*" => true,
            Some(weak) => !strong && weak == etag,
            None => tag == etag,
        }
    })
}

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ranges {
    /// No ranges (none asked, a malformed header, `If-Range` not matching): the file.
    Whole,
    /// `206 Partial Content`: these ranges, first and last byte, in the order asked.
    Partial(Vec<(u64, u64)>),
    /// `416`: none of the ranges is in the file.
    Unsatisfiable,
}

/// The ranges `range` asks for (`bytes=a-b`, `a-`, `-n`, comma-separated), when `if_range`
/// (an ETag, compared strongly, or the exact `Last-Modified` date) permits: a malformed
/// header is ignored (RFC 9110, 14.2), a range starting past the end dropped, a last byte past
/// the end cut to it; none left is `416`. A zero-length file has no bytes to cut a range
/// from: a suffix range (RFC 9110 calls it satisfiable) gets the whole, empty file.
pub(crate) fn ranges(
    range: Option<&[u8]>,
    if_range: Option<&[u8]>,
    file: &Validators<'_>,
    len: u64,
) -> Ranges {
    let Some(specs) = range.and_then(parse_range) else {
        return Ranges::Whole;
    };
    if let Some(validator) = if_range {
        let validator = validator.trim_ascii();
        let matches = if validator.starts_with(b"\"") || validator.starts_with(b"W/") {
            validator == file.etag
        } else {
            parse_http_date(validator) == Some(file.modified)
        };
        if !matches {
            return Ranges::Whole;
        }
    }
    let mut satisfiable = Vec::new();
    for spec in &specs {
        match *spec {
            Spec::From(first, last) if first < len => {
                satisfiable.push((first, last.unwrap_or(u64::MAX).min(len - 1)));
            }
            Spec::Suffix(n) if n > 0 && len == 0 => return Ranges::Whole,
            Spec::Suffix(n) if n > 0 => satisfiable.push((len - n.min(len), len - 1)),
            _ => {}
        }
    }
    match satisfiable.is_empty() {
        true => Ranges::Unsatisfiable,
        false => Ranges::Partial(satisfiable),
    }
}

/// One range of a `Range` header.
#[derive(Debug, Clone, Copy)]
enum Spec {
    /// `first-last` or `first-`.
    From(u64, Option<u64>),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

/// A `Range` header's byte ranges; none if it is malformed (another unit, a range whose last
/// byte is before its first, anything that is not digits).
fn parse_range(header: &[u8]) -> Option<Vec<Spec>> {
    let header = header.trim_ascii();
    let (unit, set) = header.split_at_checked(6)?;
    if !unit.eq_ignore_ascii_case(b"bytes=") {
        return None;
    }
    let mut specs = Vec::new();
    for spec in set.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
        if spec.is_empty() {
            continue;
        }
        let dash = spec.iter().position(|&b| b == b'-')?;
        let (first, last) = (&spec[..dash], &spec[dash + 1..]);
        specs.push(match (number(first), number(last)) {
            (Some(first), Some(last)) if first <= last => Spec::From(first, Some(last)),
            (Some(first), None) if last.is_empty() => Spec::From(first, None),
            (None, Some(n)) if first.is_empty() => Spec::Suffix(n),
            _ => return None,
        });
    }
    (!specs.is_empty()).then_some(specs)
}

/// Decimal digits only, as a number that fits.
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    core::str::from_utf8(digits).ok()?.parse().ok()
}

/// `Content-Range` of a range of a file of `len` bytes.
pub(crate) fn content_range((first, last): (u64, u64), len: u64) -> String {
    format!("bytes {first}-{last}/{len}")
}

/// The `multipart/byteranges` body of several ranges of `bytes` (RFC 9110, 14.6): each part
/// after a CRLF, the boundary line, its `Content-Type` and `Content-Range`, a blank line and
/// the bytes; the closing boundary last. The CRLF before each boundary is IIS's layout.
pub(crate) fn multipart(bytes: &[u8], ranges: &[(u64, u64)], content_type: &str) -> Vec<u8> {
    let len = bytes.len() as u64;
    let mut body = Vec::new();
    for &(first, last) in ranges {
        body.extend_from_slice(
            format!(
                "\r\n--{BOUNDARY}\r\nContent-Type: {content_type}\r\nContent-Range: {}\r\n\r\n",
                content_range((first, last), len)
            )
            .as_bytes(),
        );
        body.extend_from_slice(&bytes[first as usize..=last as usize]);
    }
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An HTTP-date (RFC 9110, IMF-fixdate) of `seconds` since 1970: `Sun, 06 Nov 1994
/// 08:49:37 GMT`.
pub(crate) fn http_date(seconds: i64) -> String {
    let (days, in_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
    // Howard Hinnant's days-to-civil, for days since 1970-01-01.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{weekday}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        MONTHS[(month - 1) as usize],
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

/// Seconds since 1970 of an IMF-fixdate between 1601 and 9999 (the weekday one of the seven
/// names, not checked against the date); none for anything else, RFC 850 and asctime dates
/// included (the hosts' difference from RFC 9110, which asks recipients to read those too).
pub(crate) fn parse_http_date(text: &[u8]) -> Option<i64> {
    let text = text.trim_ascii();
    let [w0, w1, w2, b',', b' ', d0, d1, b' ', m0, m1, m2, b' ', y0, y1, y2, y3, b' ', h0, h1, b':', n0, n1, b':', s0, s1, b' ', b'G', b'M', b'T'] =
        *text
    else {
        return None;
    };
    WEEKDAYS.iter().position(|w| w.as_bytes() == [w0, w1, w2])?;
    let month = MONTHS.iter().position(|m| m.as_bytes() == [m0, m1, m2])? as i64 + 1;
    let digits = |ds: &[u8]| -> Option<i64> { Some(number(ds)? as i64) };
    let (day, year) = (digits(&[d0, d1])?, digits(&[y0, y1, y2, y3])?);
    let (hour, minute, second) = (digits(&[h0, h1])?, digits(&[n0, n1])?, digits(&[s0, s1])?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if year < 1601 || day < 1 || day > month_days[month as usize - 1] {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const ETAG: &[u8] = b"\"1d9a2b3c4d5e6f7:0\"";
    /// Sun, 06 Nov 1994 08:49:37 GMT.
    const MODIFIED: i64 = 784_111_777;
    const FILE: Validators<'static> = Validators {
        etag: ETAG,
        modified: MODIFIED,
    };

    fn asked(range: &str, len: u64) -> Ranges {
        ranges(Some(range.as_bytes()), None, &FILE, len)
    }

    #[test]
    fn dates_are_written_and_read_as_imf_fixdates() {
        assert_eq!(http_date(MODIFIED), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
        for seconds in [MODIFIED, 951_782_400, 0, -11_644_473_600, 253_402_300_799] {
            let text = http_date(seconds);
            assert_eq!(parse_http_date(text.as_bytes()), Some(seconds), "{text}");
        }
        for bad in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 29 Feb 1900 00:00:00 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1600 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn single_ranges_are_cut_to_the_file() {
        let partial = |r: &[(u64, u64)]| Ranges::Partial(r.to_vec());
        assert_eq!(asked("bytes=0-4", 10), partial(&[(0, 4)]));
        assert_eq!(asked("bytes=5-", 10), partial(&[(5, 9)]));
        // The last byte past the end, and a suffix longer than the file: cut to the file.
        assert_eq!(asked("bytes=8-20", 10), partial(&[(8, 9)]));
        assert_eq!(asked("bytes=9-9", 10), partial(&[(9, 9)]));
        assert_eq!(asked("bytes=-3", 10), partial(&[(7, 9)]));
        assert_eq!(asked("bytes=-30", 10), partial(&[(0, 9)]));
        assert_eq!(asked("Bytes = 1-2", 10), Ranges::Whole);
        assert_eq!(asked("BYTES=1-2", 10), partial(&[(1, 2)]));
    }

    #[test]
    fn ranges_outside_the_file_are_416_and_malformed_headers_ignored() {
        assert_eq!(asked("bytes=10-", 10), Ranges::Unsatisfiable);
        assert_eq!(asked("bytes=10-12, 20-", 10), Ranges::Unsatisfiable);
        assert_eq!(asked("bytes=-0", 10), Ranges::Unsatisfiable);
        // A zero-length file: no byte to start at; a suffix gets the (empty) whole.
        assert_eq!(asked("bytes=0-", 0), Ranges::Unsatisfiable);
        assert_eq!(asked("bytes=-5", 0), Ranges::Whole);
        // Only the satisfiable ones of several are served.
        assert_eq!(asked("bytes=20-30, 1-1", 10), Ranges::Partial(vec![(1, 1)]));
        for malformed in [
            "bytes=5-4",
            "bytes=a-b",
            "bytes=",
            "bytes=-",
            "items=0-1",
            "bytes=1-2-3",
            "bytes=0-1,x",
            "bytes=+1-2",
            "bytes=99999999999999999999-",
        ] {
            assert_eq!(asked(malformed, 10), Ranges::Whole, "{malformed}");
        }
        assert_eq!(ranges(None, None, &FILE, 10), Ranges::Whole);
    }

    #[test]
    fn if_range_permits_the_ranges_only_when_it_names_the_file() {
        let range = Some(&b"bytes=0-0"[..]);
        let partial = Ranges::Partial(vec![(0, 0)]);
        let with = |if_range: &str| ranges(range, Some(if_range.as_bytes()), &FILE, 10);
        assert_eq!(with("\"1d9a2b3c4d5e6f7:0\""), partial);
        assert_eq!(with("Sun, 06 Nov 1994 08:49:37 GMT"), partial);
        assert_eq!(with("\"other:0\""), Ranges::Whole);
        assert_eq!(with("W/\"1d9a2b3c4d5e6f7:0\""), Ranges::Whole);
        assert_eq!(with("Sun, 06 Nov 1994 08:49:38 GMT"), Ranges::Whole);
        assert_eq!(with("yesterday"), Ranges::Whole);
    }

    #[test]
    fn preconditions_in_the_rfcs_order() {
        let check = |c: Conditions<'_>, get| preconditions(&c, &FILE, get);
        let date = |s: &'static str| Some(s.as_bytes());
        let same = date("Sun, 06 Nov 1994 08:49:37 GMT");
        let before = date("Sun, 06 Nov 1994 08:49:36 GMT");
        use Precondition::*;
        assert_eq!(check(Conditions::default(), true), Proceed);
        let modified_since = |d| Conditions {
            if_modified_since: d,
            ..Default::default()
        };
        assert_eq!(check(modified_since(same), true), NotModified);
        assert_eq!(check(modified_since(before), true), Proceed);
        assert_eq!(check(modified_since(date("not a date")), true), Proceed);
        assert_eq!(check(modified_since(same), false), Proceed);
        // If-None-Match takes precedence over If-Modified-Since.
        let none_match = |tags: &'static str| Conditions {
            if_none_match: Some(tags.as_bytes()),
            if_modified_since: same,
            ..Default::default()
        };
        assert_eq!(check(none_match("\"x:0\""), true), Proceed);
        assert_eq!(
            check(none_match("\"x\", W/\"1d9a2b3c4d5e6f7:0\""), true),
            NotModified
        );
        assert_eq!(check(none_match("*"), false), Failed);
        let unmodified_since = |d| Conditions {
            if_unmodified_since: d,
            ..Default::default()
        };
        assert_eq!(check(unmodified_since(same), true), Proceed);
        assert_eq!(check(unmodified_since(before), true), Failed);
        // If-Match takes precedence over If-Unmodified-Since, and compares strongly.
        let if_match = |tags: &'static str| Conditions {
            if_match: Some(tags.as_bytes()),
            if_unmodified_since: before,
            ..Default::default()
        };
        assert_eq!(check(if_match("\"1d9a2b3c4d5e6f7:0\""), true), Proceed);
        assert_eq!(check(if_match("*"), true), Proceed);
        assert_eq!(check(if_match("W/\"1d9a2b3c4d5e6f7:0\""), true), Failed);
        assert_eq!(check(if_match("\"x:0\""), true), Failed);
    }

    #[test]
    fn several_ranges_are_a_multipart_body_with_iis_boundary() {
        let body = multipart(b"0123456789", &[(0, 1), (8, 9)], "text/plain");
        let expected = format!(
            "\r\n--{BOUNDARY}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01\
             \r\n--{BOUNDARY}\r\nContent-Type: text/plain\r\nContent-Range: bytes 8-9/10\r\n\r\n89\
             \r\n--{BOUNDARY}--\r\n"
        );
        assert_eq!(String::from_utf8(body).unwrap(), expected);
    }
}
