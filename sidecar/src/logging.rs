//! Log output: lines formatted on the request's thread, buffered, and written to standard error
//! by a thread of their own; JSON lines in a fixed shape for log collectors.
//!
//! `{"timestamp":"2026-11-29T20:02:43.581008Z","level":"INFO","fields":{"message":"request",...},"target":"bistand_sidecar::api"}`

use std::fmt::Write;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Keeps the log flusher alive; dropping it writes out what is still buffered.
#[must_use = "logs are flushed when the guard is dropped: keep it until the process ends"]
pub struct LogGuard {
    batch: Arc<LogBatch>,
    flusher: Option<std::thread::JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.batch
            .stopping
            .store(true, std::sync::atomic::Ordering::Release);
        if let Some(flusher) = self.flusher.take() {
            flusher.thread().unpark();
            let _ = flusher.join();
        }
        self.batch.flush();
    }
}

/// Log lines waiting to be written to standard error.
///
/// A line is appended to a buffer on the request's thread (a copy under a lock, no system call)
/// and a flusher thread writes the buffer every [`LOG_FLUSH_INTERVAL`], so under load many lines
/// leave in one write and no request waits for the terminal, the journal or a pipe. At most one
/// interval of lines is lost if the process is killed; a buffer over [`LOG_BUFFER_LIMIT`] is
/// written at once by the thread that filled it, so memory stays bounded when stderr is slow.
struct LogBatch {
    buffer: std::sync::Mutex<Vec<u8>>,
    /// The buffer being written out, swapped with `buffer` so that both keep their capacity:
    /// a buffer taken and regrown at every flush cost more (copies and fresh zeroed pages) than
    /// formatting the lines did. Its lock also keeps two flushes from interleaving their lines.
    spare: std::sync::Mutex<Vec<u8>>,
    stopping: std::sync::atomic::AtomicBool,
}

/// How often buffered log lines are written.
const LOG_FLUSH_INTERVAL: Duration = Duration::from_millis(50);
/// Buffered bytes above which the appending thread writes the buffer itself.
const LOG_BUFFER_LIMIT: usize = 1024 * 1024;

impl LogBatch {
    fn new() -> LogBatch {
        LogBatch {
            buffer: std::sync::Mutex::new(Vec::with_capacity(64 * 1024)),
            spare: std::sync::Mutex::new(Vec::with_capacity(64 * 1024)),
            stopping: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Appends `line`; `true` when the buffer is over the limit.
    fn append(&self, line: &[u8]) -> bool {
        match self.buffer.lock() {
            Ok(mut buffer) => {
                buffer.extend_from_slice(line);
                buffer.len() > LOG_BUFFER_LIMIT
            }
            Err(_) => false,
        }
    }

    /// Writes the buffered lines to standard error.
    fn flush(&self) {
        self.flush_to(&mut std::io::stderr().lock());
    }

    /// Writes the buffered lines to `out`.
    fn flush_to(&self, out: &mut impl std::io::Write) {
        let Ok(mut lines) = self.spare.lock() else {
            return;
        };
        match self.buffer.lock() {
            Ok(mut buffer) => std::mem::swap(&mut *buffer, &mut *lines),
            Err(_) => return,
        }
        if !lines.is_empty() {
            let _ = out.write_all(&lines);
            lines.clear();
        }
    }
}

/// Hands tracing a writer onto the batch for each line; borrowing it rather than cloning the
/// `Arc` keeps request threads from bouncing its reference count for every line.
struct BatchWriter(Arc<LogBatch>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BatchWriter {
    type Writer = LogWriter<'a>;

    fn make_writer(&'a self) -> LogWriter<'a> {
        LogWriter(&self.0)
    }
}

/// The writer tracing formats each line into: appends to the batch.
struct LogWriter<'a>(&'a LogBatch);

impl std::io::Write for LogWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.0.append(bytes) {
            self.0.flush();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The batch that request lines are formatted into directly (see [`request`]); set by [`init`]
/// when the format is JSON.
static REQUEST_LINES: OnceLock<Arc<LogBatch>> = OnceLock::new();

/// Where [`request`] lines are attributed, as if logged from the API module.
const REQUEST_TARGET: &str = "bistand_sidecar::api";

/// One request's log line: what was asked, of which route, by whom, and how it ended. Never a
/// path (it may hold a record id), a query, a body or a token.
pub struct RequestLine<'a> {
    /// The request id (validated or generated; ASCII letters, digits and `-`).
    pub request_id: &'a str,
    /// The HTTP method.
    pub method: &'static str,
    /// The route template (`/v1/records/{id}`), or `unmatched`.
    pub route: &'a str,
    /// The response status.
    pub status: u16,
    /// Time from the request's head to its response, in microseconds.
    pub duration_us: u64,
    /// The principal's configured name, or `-` when none was authenticated.
    pub principal: &'a str,
}

/// Logs a finished request at INFO: the `request` event, one line per request.
///
/// With JSON logs the line is formatted here, by hand, in the shape [`JsonLine`] gives every
/// other event, and appended to the batch: going through tracing's field visitors and
/// `fmt::Write` cost about 2 µs of CPU per request in the sidecar benchmark, for a line whose
/// fields are always the same six. The log level filter applies as to any event.
pub fn request(line: &RequestLine<'_>) {
    if !tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO) {
        return;
    }
    let Some(batch) = REQUEST_LINES.get() else {
        tracing::info!(
            target: REQUEST_TARGET,
            request_id = line.request_id,
            method = line.method,
            route = line.route,
            status = line.status,
            duration_us = line.duration_us,
            principal = line.principal,
            "request"
        );
        return;
    };
    thread_local! {
        static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    LINE.with(|text| {
        let mut text = text.borrow_mut();
        text.clear();
        if write_request_line(&mut text, SystemTime::now(), line).is_ok()
            && batch.append(text.as_bytes())
        {
            batch.flush();
        }
    });
}

/// A request line as JSON, with its newline.
fn write_request_line(
    out: &mut String,
    now: SystemTime,
    line: &RequestLine<'_>,
) -> std::fmt::Result {
    out.push_str("{\"timestamp\":\"");
    write_timestamp(out, now)?;
    out.push_str("\",\"level\":\"INFO\",\"fields\":{\"message\":\"request\",\"request_id\":");
    push_json_string(out, line.request_id)?;
    out.push_str(",\"method\":");
    push_json_string(out, line.method)?;
    out.push_str(",\"route\":");
    push_json_string(out, line.route)?;
    out.push_str(",\"status\":");
    push_decimal(out, u64::from(line.status));
    out.push_str(",\"duration_us\":");
    push_decimal(out, line.duration_us);
    out.push_str(",\"principal\":");
    push_json_string(out, line.principal)?;
    out.push_str("},\"target\":\"");
    out.push_str(REQUEST_TARGET);
    out.push_str("\"}\n");
    Ok(())
}

/// `value` in decimal, without `fmt`'s machinery.
fn push_decimal(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
}

/// Installs the JSON (or text) log subscriber on standard error, batched (see [`LogBatch`]).
///
/// # Errors
///
/// If `log.level` is not a valid filter or a logger is already installed.
pub fn init(log: &crate::config::LogSection) -> Result<LogGuard> {
    let filter = tracing_subscriber::EnvFilter::try_new(&log.level)
        .with_context(|| "log.level is not a valid filter".to_owned())?;
    let batch = Arc::new(LogBatch::new());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(BatchWriter(batch.clone()));
    let result = match log.format {
        crate::config::LogFormat::Json => builder.event_format(JsonLine).try_init(),
        crate::config::LogFormat::Text => builder.with_ansi(false).try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))?;
    if log.format == crate::config::LogFormat::Json {
        // Only one logger per process is installed (above), so this is its batch.
        let _ = REQUEST_LINES.set(batch.clone());
    }
    let flusher_batch = batch.clone();
    let flusher = std::thread::Builder::new()
        .name("bistand-log".to_owned())
        .spawn(move || {
            while !flusher_batch
                .stopping
                .load(std::sync::atomic::Ordering::Acquire)
            {
                std::thread::park_timeout(LOG_FLUSH_INTERVAL);
                flusher_batch.flush();
            }
        })
        .context("cannot start the log thread")?;
    Ok(LogGuard {
        batch,
        flusher: Some(flusher),
    })
}

/// One JSON object per event, written directly: the shape of tracing-subscriber's JSON format
/// (timestamp, level, fields, target) at a fraction of its cost, which matters on a line written
/// for every request. The line goes straight into tracing's per-thread buffer: no allocation.
struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let metadata = event.metadata();
        writer.write_str("{\"timestamp\":\"")?;
        write_timestamp(&mut writer, std::time::SystemTime::now())?;
        writer.write_str("\",\"level\":\"")?;
        writer.write_str(metadata.level().as_str())?;
        writer.write_str("\",\"fields\":{")?;
        let mut fields = JsonFields {
            line: &mut writer,
            first: true,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writer.write_str("},\"target\":")?;
        push_json_string(&mut writer, metadata.target())?;
        writer.write_str("}\n")
    }
}

/// `now` in RFC 3339 UTC with microseconds, always 27 characters (`2026-11-29T21:46:04.685320Z`).
/// The date and time of day are rendered once a second on each thread; a line then only writes
/// its microseconds, where a full render per line was a third of a line's cost.
fn write_timestamp(out: &mut impl Write, now: std::time::SystemTime) -> std::fmt::Result {
    thread_local! {
        static SECOND: std::cell::RefCell<(u64, String)> =
            const { std::cell::RefCell::new((u64::MAX, String::new())) };
    }
    let since_epoch = now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let second = since_epoch.as_secs();
    let mut fraction = *b".000000Z";
    let mut micros = since_epoch.subsec_micros();
    for digit in fraction[1..7].iter_mut().rev() {
        *digit = b'0' + (micros % 10) as u8;
        micros /= 10;
    }
    SECOND.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.0 != second {
            let rendered = i64::try_from(second)
                .ok()
                .and_then(|s| jiff::Timestamp::from_second(s).ok())
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
                .to_string();
            cache.1 = rendered.trim_end_matches('Z').to_owned();
            cache.0 = second;
        }
        out.write_str(&cache.1)
    })?;
    out.write_str(std::str::from_utf8(&fraction).unwrap_or(".000000Z"))
}

/// Writes an event's fields as JSON members.
struct JsonFields<'a, W: Write> {
    line: &'a mut W,
    first: bool,
    /// The first failure of the writer (the visitor's methods cannot return it).
    result: std::fmt::Result,
}

impl<W: Write> JsonFields<'_, W> {
    fn member(&mut self, field: &Field, value: impl FnOnce(&mut W) -> std::fmt::Result) {
        if self.result.is_err() {
            return;
        }
        let separator = if self.first { "" } else { "," };
        self.first = false;
        self.result = self
            .line
            .write_str(separator)
            .and_then(|()| push_json_string(self.line, field.name()))
            .and_then(|()| self.line.write_char(':'))
            .and_then(|()| value(self.line));
    }
}

impl<W: Write> Visit for JsonFields<'_, W> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.member(field, |line| push_json_string(line, value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.member(field, |line| write!(line, "{value}"));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.member(field, |line| write!(line, "{value}"));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.member(field, |line| {
            if value.is_finite() {
                write!(line, "{value}")
            } else {
                line.write_str("null")
            }
        });
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.member(field, |line| {
            line.write_str(if value { "true" } else { "false" })
        });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.member(field, |line| {
            line.write_char('"')?;
            write!(JsonEscaped(&mut *line), "{value:?}")?;
            line.write_char('"')
        });
    }
}

/// `text` as a JSON string literal.
fn push_json_string(line: &mut impl Write, text: &str) -> std::fmt::Result {
    line.write_char('"')?;
    JsonEscaped(&mut *line).write_str(text)?;
    line.write_char('"')
}

/// Escapes what is written through it for the inside of a JSON string. Runs of plain characters
/// are copied whole; only quotes, backslashes and control characters are rewritten.
struct JsonEscaped<'a, W: Write>(&'a mut W);

impl<W: Write> Write for JsonEscaped<'_, W> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        if !text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            return self.0.write_str(text);
        }
        let mut plain = 0;
        for (at, byte) in text.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..0x20 => "",
                _ => continue,
            };
            self.0.write_str(&text[plain..at])?;
            if escape.is_empty() {
                write!(self.0, "\\u{byte:04x}")?;
            } else {
                self.0.write_str(escape)?;
            }
            plain = at + 1;
        }
        self.0.write_str(&text[plain..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc_3339_with_microseconds_across_seconds() {
        let at = |micros: u64| {
            let mut out = String::new();
            write_timestamp(
                &mut out,
                std::time::UNIX_EPOCH + std::time::Duration::from_micros(micros),
            )
            .expect("written");
            out
        };
        assert_eq!(at(1_795_991_105_000_007), "2026-11-29T22:25:05.000007Z");
        assert_eq!(at(1_795_991_105_999_999), "2026-11-29T22:25:05.999999Z");
        assert_eq!(at(1_795_991_106_000_000), "2026-11-29T22:25:06.000000Z");
        assert_eq!(at(1_795_991_105_123_456), "2026-11-29T22:25:05.123456Z");
        assert_eq!(at(0), "1970-01-01T00:00:00.000000Z");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut line = String::new();
        push_json_string(&mut line, "a\"b\\c\nd\u{1}é").expect("written");
        let parsed: String = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(parsed, "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn lines_are_written_once_in_order_and_the_buffers_keep_their_capacity() {
        let batch = LogBatch::new();
        for line in 0..100 {
            batch.append(format!("{line}\n").as_bytes());
        }
        let mut out = Vec::new();
        batch.flush_to(&mut out);
        let expected: String = (0..100).map(|line| format!("{line}\n")).collect();
        assert_eq!(String::from_utf8(out).expect("UTF-8"), expected);
        let mut again = Vec::new();
        batch.append(b"later\n");
        batch.flush_to(&mut again);
        assert_eq!(again, b"later\n", "nothing is written twice");
        assert!(batch.buffer.lock().expect("lock").capacity() >= 64 * 1024);
        assert!(batch.spare.lock().expect("lock").capacity() >= 64 * 1024);
    }

    #[test]
    fn a_request_line_is_what_tracing_and_json_line_would_write() {
        let line = RequestLine {
            request_id: "3fa2c1d0e9b7-42",
            method: "POST",
            route: "/v1/records/{id}",
            status: 404,
            duration_us: 1_234_567,
            principal: "handläggare \"norr\"",
        };
        let now = std::time::UNIX_EPOCH + Duration::from_micros(1_795_991_105_000_007);
        let mut by_hand = String::new();
        write_request_line(&mut by_hand, now, &line).expect("written");

        let batch = Arc::new(LogBatch::new());
        let subscriber = tracing_subscriber::fmt()
            .event_format(JsonLine)
            .with_writer(BatchWriter(batch.clone()))
            .finish();
        // No REQUEST_LINES batch in tests: `request` goes through tracing and JsonLine.
        tracing::subscriber::with_default(subscriber, || request(&line));
        let through_tracing =
            String::from_utf8(batch.buffer.lock().expect("lock").clone()).expect("UTF-8");

        assert!(by_hand.ends_with('\n') && by_hand.lines().count() == 1);
        let skip_time = |text: &str| {
            text.split_once("\",\"level\"")
                .map(|(_, rest)| rest.to_owned())
        };
        assert_eq!(skip_time(&by_hand), skip_time(&through_tracing));
        assert!(by_hand.starts_with("{\"timestamp\":\"2026-11-29T22:25:05.000007Z\""));
        let parsed: serde_json::Value = serde_json::from_str(&by_hand).expect("valid JSON");
        assert_eq!(parsed["fields"]["principal"], "handläggare \"norr\"");
        assert_eq!(parsed["fields"]["duration_us"], 1_234_567);
        let quiet = Arc::new(LogBatch::new());
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .event_format(JsonLine)
            .with_writer(BatchWriter(quiet.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || request(&line));
        assert!(
            quiet.buffer.lock().expect("lock").is_empty(),
            "the level applies"
        );
        for value in [0, 7, 10, 99, 100, u64::MAX] {
            let mut out = String::new();
            push_decimal(&mut out, value);
            assert_eq!(out, value.to_string());
        }
    }

    #[test]
    fn a_line_is_one_json_object_with_every_field_escaped() {
        let mut line = String::new();
        push_json_string(&mut line, "/v1/records/{id}").expect("written");
        assert_eq!(line, "\"/v1/records/{id}\"", "plain text is written whole");

        let batch = Arc::new(LogBatch::new());
        let subscriber = tracing_subscriber::fmt()
            .event_format(JsonLine)
            .with_writer(BatchWriter(batch.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                route = "/v1/validate",
                status = 200u16,
                ok = true,
                "tab\there \"quoted\"\u{7}"
            );
        });
        let written = batch.buffer.lock().expect("lock").clone();
        let text = String::from_utf8(written).expect("UTF-8");
        assert!(text.ends_with('\n') && text.lines().count() == 1, "{text}");
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed["level"], "INFO");
        assert_eq!(parsed["fields"]["message"], "tab\there \"quoted\"\u{7}");
        assert_eq!(parsed["fields"]["route"], "/v1/validate");
        assert_eq!(parsed["fields"]["status"], 200);
        assert_eq!(parsed["fields"]["ok"], true);
        assert_eq!(parsed["target"], "bistand_sidecar::logging::tests");
        assert!(
            parsed["timestamp"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z'))
        );
    }
}
