//! A pull reader of JSON text, written for validation: the validator asks for the next value
//! where it expects one and checks it against its item as it goes, so no tree is built and no
//! visitor is dispatched per value.
//!
//! What is JSON is serde_json's decision, not this reader's. The reader accepts exactly what
//! `serde_json::from_str` accepts (the tests below compare the two on hand-picked cases, on
//! randomly mutated texts and on random values serde_json writes) and hands serde_json the two
//! rare cases it does not decode itself: strings with an escape and numbers with a fraction or an
//! exponent (or beyond 64 bits), so their values are serde_json's to the bit. When the text is
//! malformed the reader only stops; the caller asks serde_json for its message and position (see
//! `super::stopped`), which is the message a developer would get from any serde_json-based
//! service.
//!
//! Failures of our own (too deep, a document of the wrong shape) are kept in the reader until the
//! caller takes them: [`Stop`] only says that reading ended.

use std::borrow::Cow;

use crate::Text;
use crate::error::{Error, ErrorKind};
use crate::finding::JsonType;

/// Reading stopped: the reason is the reader's failure if it has one, else malformed JSON.
#[derive(Debug)]
pub(super) struct Stop;

/// What the next value is, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Next {
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// A number as serde_json reads it: an integer in 64 bits keeps its sign's type; `-0`, a fraction,
/// an exponent or an integer beyond 64 bits is a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Number {
    pub(super) fn json_type(self) -> JsonType {
        match self {
            Number::U64(_) | Number::I64(_) => JsonType::Integer,
            Number::F64(_) => JsonType::Number,
        }
    }
}

/// Reads values from `text` at `pos` on, keeping the depth limit and the first failure of our own.
pub(super) struct Reader<'de> {
    text: &'de str,
    pos: usize,
    max_depth: usize,
    failure: Option<Error>,
}

impl<'de> Reader<'de> {
    /// A reader of `text` from byte `pos` (the start of a value).
    pub(super) fn new(text: &'de str, pos: usize, max_depth: usize) -> Reader<'de> {
        Reader {
            text,
            pos,
            max_depth,
            failure: None,
        }
    }

    /// Where the reader is: the start of the next value after [`Reader::peek`].
    pub(super) fn position(&self) -> usize {
        self.pos
    }

    pub(super) fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The whole text being read.
    pub(super) fn text(&self) -> &'de str {
        self.text
    }

    /// The failure that stopped reading, if it was ours (else the JSON was malformed).
    pub(super) fn take_failure(&mut self) -> Option<Error> {
        self.failure.take()
    }

    /// Stops with our own failure (the first one stands).
    pub(super) fn fail(&mut self, error: Error) -> Stop {
        if self.failure.is_none() {
            self.failure = Some(error);
        }
        Stop
    }

    /// Stops when a container at nesting `depth` (the document itself is 1) is deeper than the
    /// limit.
    pub(super) fn enter(&mut self, depth: usize) -> Result<(), Stop> {
        if depth > self.max_depth {
            return Err(self.fail(too_deep(self.max_depth)));
        }
        Ok(())
    }

    #[inline]
    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// What the next value is; the reader is left on its first byte.
    #[inline]
    pub(super) fn peek(&mut self) -> Result<Next, Stop> {
        self.skip_whitespace();
        match self.bytes().get(self.pos) {
            Some(b'{') => Ok(Next::Object),
            Some(b'[') => Ok(Next::Array),
            Some(b'"') => Ok(Next::String),
            Some(b'-' | b'0'..=b'9') => Ok(Next::Number),
            Some(b't') => Ok(Next::True),
            Some(b'f') => Ok(Next::False),
            Some(b'n') => Ok(Next::Null),
            _ => Err(Stop),
        }
    }

    /// Passes the `{` or `[` that [`Reader::peek`] saw.
    #[inline]
    pub(super) fn open(&mut self) {
        self.pos += 1;
    }

    /// The next key of an object, or `None` at its end. `first`: no key has been read yet.
    #[inline]
    pub(super) fn key(&mut self, first: bool) -> Result<Option<Cow<'de, str>>, Stop> {
        self.skip_whitespace();
        match self.bytes().get(self.pos) {
            Some(b'}') => {
                self.pos += 1;
                return Ok(None);
            }
            Some(b',') if !first => {
                self.pos += 1;
                self.skip_whitespace();
            }
            Some(b'"') if first => {}
            _ => return Err(Stop),
        }
        if self.bytes().get(self.pos) != Some(&b'"') {
            return Err(Stop);
        }
        let key = self.string()?;
        self.skip_whitespace();
        if self.bytes().get(self.pos) != Some(&b':') {
            return Err(Stop);
        }
        self.pos += 1;
        Ok(Some(key))
    }

    /// Whether an array has another element. `first`: none has been read yet.
    #[inline]
    pub(super) fn element(&mut self, first: bool) -> Result<bool, Stop> {
        self.skip_whitespace();
        match self.bytes().get(self.pos) {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b',') if !first => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) if first => Ok(true),
            _ => Err(Stop),
        }
    }

    /// A string; the reader is on its opening quote. Borrowed from the text unless it has an
    /// escape, which serde_json decodes.
    #[inline(always)]
    pub(super) fn string(&mut self) -> Result<Cow<'de, str>, Stop> {
        let start = self.pos + 1;
        let bytes = self.bytes();
        let at = to_special(bytes, start).ok_or(Stop)?;
        // The common case, kept small enough to be inlined where strings are read: no escape.
        if bytes[at] == b'"' {
            self.pos = at + 1;
            return Ok(Cow::Borrowed(&self.text[start..at]));
        }
        self.escaped_string(start, at)
    }

    /// The rest of a string from `at`, its first backslash or control character.
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, start: usize, mut at: usize) -> Result<Cow<'de, str>, Stop> {
        let bytes = self.bytes();
        if bytes[at] != b'\\' {
            return Err(Stop); // a control character
        }
        // An escape: find the closing quote, then let serde_json decode (and judge) the string.
        loop {
            match bytes.get(at) {
                Some(b'\\') => at += 2,
                Some(b'"') => break,
                Some(_) => at += 1,
                None => return Err(Stop),
            }
        }
        let decoded: String = serde_json::from_str(&self.text[start - 1..=at]).map_err(|_| Stop)?;
        self.pos = at + 1;
        Ok(Cow::Owned(decoded))
    }

    /// A number; the reader is on its first byte.
    pub(super) fn number(&mut self) -> Result<Number, Stop> {
        let bytes = self.bytes();
        let start = self.pos;
        let mut at = start;
        let negative = bytes[at] == b'-';
        if negative {
            at += 1;
        }
        let digit = |at: usize| bytes.get(at).copied().filter(u8::is_ascii_digit);
        let mut significand: u64 = 0;
        let mut overflow = false;
        match digit(at) {
            Some(b'0') => {
                at += 1;
                if digit(at).is_some() {
                    return Err(Stop); // a leading zero
                }
            }
            Some(_) => {
                while let Some(d) = digit(at) {
                    match significand
                        .checked_mul(10)
                        .and_then(|s| s.checked_add(u64::from(d - b'0')))
                    {
                        Some(s) => significand = s,
                        None => overflow = true,
                    }
                    at += 1;
                }
            }
            None => return Err(Stop),
        }
        // One or more digits from `at`: where they end.
        let digits = |mut at: usize| {
            digit(at)?;
            while digit(at).is_some() {
                at += 1;
            }
            Some(at)
        };
        let mut float = overflow;
        if bytes.get(at) == Some(&b'.') {
            at = digits(at + 1).ok_or(Stop)?;
            float = true;
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            at = digits(at).ok_or(Stop)?;
            float = true;
        }
        self.pos = at;
        if float {
            // serde_json's own conversion, so a value is the same to the bit as serde_json's
            // (its default conversion is not always the nearest float).
            return serde_json::from_str::<f64>(&self.text[start..at])
                .map(Number::F64)
                .map_err(|_| Stop);
        }
        if !negative {
            return Ok(Number::U64(significand));
        }
        // As serde_json: `-0` and integers below i64::MIN are floats.
        #[allow(clippy::cast_possible_wrap, clippy::cast_precision_loss)]
        let negated = (significand as i64).wrapping_neg();
        #[allow(clippy::cast_precision_loss)]
        Ok(if negated < 0 {
            Number::I64(negated)
        } else {
            Number::F64(-(significand as f64))
        })
    }

    /// `true`, `false` or `null`, as [`Reader::peek`] announced it.
    pub(super) fn literal(&mut self, next: Next) -> Result<(), Stop> {
        let word: &[u8] = match next {
            Next::True => b"true",
            Next::False => b"false",
            Next::Null => b"null",
            _ => return Err(Stop),
        };
        if self.bytes()[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Stop)
        }
    }

    /// Reads a scalar (a string, number or literal) for its type only.
    pub(super) fn scalar_type(&mut self, next: Next) -> Result<JsonType, Stop> {
        Ok(match next {
            Next::String => {
                self.string()?;
                JsonType::String
            }
            Next::Number => self.number()?.json_type(),
            Next::True | Next::False => {
                self.literal(next)?;
                JsonType::Boolean
            }
            Next::Null => {
                self.literal(next)?;
                JsonType::Null
            }
            Next::Object => JsonType::Object,
            Next::Array => JsonType::Array,
        })
    }

    /// Passes over the next value of any shape at nesting `depth`, keeping the depth limit.
    pub(super) fn skip(&mut self, depth: usize) -> Result<JsonType, Stop> {
        let next = self.peek()?;
        match next {
            Next::Array => {
                self.enter(depth)?;
                self.open();
                self.skip_elements(depth)?;
                Ok(JsonType::Array)
            }
            Next::Object => {
                self.enter(depth)?;
                self.open();
                let mut first = true;
                while self.key(std::mem::take(&mut first))?.is_some() {
                    self.skip(depth + 1)?;
                }
                Ok(JsonType::Object)
            }
            scalar => self.scalar_type(scalar),
        }
    }

    /// Passes over the remaining elements of an array at nesting `depth` whose `[` was read.
    pub(super) fn skip_elements(&mut self, depth: usize) -> Result<(), Stop> {
        let mut first = true;
        while self.element(std::mem::take(&mut first))? {
            self.skip(depth + 1)?;
        }
        Ok(())
    }

    /// A string, or the type of what is there instead (a container is passed over at `depth`).
    pub(super) fn string_or_type(
        &mut self,
        depth: usize,
    ) -> Result<Result<Cow<'de, str>, JsonType>, Stop> {
        match self.peek()? {
            Next::String => self.string().map(Ok),
            _ => self.skip(depth).map(Err),
        }
    }

    /// After the document's value: only whitespace may follow.
    pub(super) fn end(&mut self) -> Result<(), Stop> {
        self.skip_whitespace();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(Stop)
        }
    }
}

/// A document nested deeper than `max` levels.
pub(super) fn too_deep(max: usize) -> Error {
    Error::new(
        ErrorKind::TooDeep,
        Text {
            sv: format!("dokumentet har fler än {max} nivåer av listor och objekt"),
            en: format!("document nests arrays and objects deeper than the limit of {max} levels"),
        },
    )
}

/// The index of the first `"`, `\` or control character at or after `at`, eight bytes at a time.
#[inline]
fn to_special(bytes: &[u8], mut at: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let word = u64::from_le_bytes(*chunk);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // Each term flags its first matching byte exactly (a false flag can only sit above a
        // true one), so the lowest flag of the three is the first special byte. (`!quote`,
        // `!backslash` and `!word` have the same high bits: `"` and `\` are ASCII.)
        let flags = (quote.wrapping_sub(ONES) | backslash.wrapping_sub(ONES))
            | word.wrapping_sub(ONES * 0x20);
        let flags = flags & !word & HIGHS;
        if flags != 0 {
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes
        .get(at..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// The value the reader reads, as a `serde_json::Value`, to compare with serde_json's.
    fn read(text: &str) -> Result<Value, Stop> {
        let mut reader = Reader::new(text, 0, 120);
        let value = value(&mut reader, 1)?;
        reader.end()?;
        Ok(value)
    }

    fn value(reader: &mut Reader<'_>, depth: usize) -> Result<Value, Stop> {
        let next = reader.peek()?;
        Ok(match next {
            Next::Object => {
                reader.enter(depth)?;
                reader.open();
                let mut map = serde_json::Map::new();
                let mut first = true;
                while let Some(key) = reader.key(std::mem::take(&mut first))? {
                    let v = value(reader, depth + 1)?;
                    map.insert(key.into_owned(), v);
                }
                Value::Object(map)
            }
            Next::Array => {
                reader.enter(depth)?;
                reader.open();
                let mut items = Vec::new();
                let mut first = true;
                while reader.element(std::mem::take(&mut first))? {
                    items.push(value(reader, depth + 1)?);
                }
                Value::Array(items)
            }
            Next::String => Value::String(reader.string()?.into_owned()),
            Next::Number => match reader.number()? {
                Number::U64(v) => v.into(),
                Number::I64(v) => v.into(),
                Number::F64(v) => {
                    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
                }
            },
            Next::True | Next::False | Next::Null => {
                reader.literal(next)?;
                match next {
                    Next::True => Value::Bool(true),
                    Next::False => Value::Bool(false),
                    _ => Value::Null,
                }
            }
        })
    }

    fn same_as_serde_json(text: &str) {
        let ours = read(text).ok();
        let theirs = serde_json::from_str::<Value>(text).ok();
        assert_eq!(ours, theirs, "{text:?}");
        // The number types too (1 and 1.0 are equal `Value`s only if both are integers).
        if let (Some(ours), Some(theirs)) = (&ours, &theirs) {
            assert_eq!(ours.to_string(), theirs.to_string(), "{text:?}");
        }
    }

    const CASES: &[&str] = &[
        "{}",
        "[]",
        " { \"a\" : [ 1 , 2 ] } ",
        "{\"a\":1,}",
        "[1,]",
        "[,1]",
        "{,}",
        "{\"a\" 1}",
        "{\"a\":1 \"b\":2}",
        "{1:2}",
        "[1 2]",
        "\"abc",
        "\"a\\\"b\"",
        "\"a\\u00e5b\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\u12\"",
        "\"\\q\"",
        "\"\\",
        "\"a\u{1}b\"",
        "\"tab\there\"",
        "\"åäö Söder\"",
        "0",
        "-0",
        "-0.0",
        "01",
        "-01",
        "1.",
        "1.e3",
        ".5",
        "1e",
        "1e+",
        "1E-2",
        "1e999",
        "-1e999",
        "1.5",
        "-",
        "-a",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "0.1",
        "2.2250738585072011e-308",
        "9007199254740993",
        "1.00000000000000011102230246251565404236316680908203125",
        "true",
        "tru",
        "truex",
        "nul",
        "null ",
        "false",
        "[true,false,null]",
        "",
        " ",
        "{} x",
        "{}}",
        "[[[]]]",
        "\u{feff}{}",
        "{\"a\":{\"b\":{\"c\":[{\"d\":\"e\"}]}}}",
        "{\"\":\"\"}",
        "\"\\/\\b\\f\\n\\r\\t\"",
        "[1e2, -1E-2, 0e0, 0.0e+0]",
        "\u{a0}1",
        "[\"\u{2028}\"]",
    ];

    #[test]
    fn reads_what_serde_json_reads_and_refuses_what_it_refuses() {
        for text in CASES {
            same_as_serde_json(text);
        }
    }

    #[test]
    fn the_special_byte_is_found_at_every_offset() {
        for len in 0..40 {
            for special in [b'"', b'\\', 0x1f, 0x00] {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    // A byte above the first that would confuse a sloppy test.
                    if at + 1 < len {
                        bytes[at + 1] = 0x01;
                    }
                    assert_eq!(to_special(&bytes, 0), Some(at), "{len} {at} {special}");
                }
                assert_eq!(to_special(&vec![0xc3; len], 0), None);
            }
        }
    }

    proptest! {
        #[test]
        fn mutated_documents_are_read_as_serde_json_reads_them(
            base in proptest::sample::select(CASES.to_vec()),
            edits in proptest::collection::vec((any::<proptest::sample::Index>(), proptest::sample::select(
                vec!["", "{", "}", "[", "]", ",", ":", "\"", "\\", "0", "-", ".", "e", "1", " ", "n", "u", "\u{1}", "é", "\"a\":", "\\u"]
            )), 0..6),
            deletions in proptest::collection::vec(any::<proptest::sample::Index>(), 0..3),
        ) {
            let mut text: Vec<char> = base.chars().collect();
            for (at, insert) in edits {
                let at = at.index(text.len() + 1);
                for (i, c) in insert.chars().enumerate() {
                    text.insert(at + i, c);
                }
            }
            for at in deletions {
                if !text.is_empty() {
                    text.remove(at.index(text.len()));
                }
            }
            let text: String = text.into_iter().collect();
            same_as_serde_json(&text);
        }

        #[test]
        fn values_serde_json_writes_are_read_back(value in arbitrary_json()) {
            let text = serde_json::to_string(&value).expect("serialises");
            same_as_serde_json(&text);
            let pretty = serde_json::to_string_pretty(&value).expect("serialises");
            same_as_serde_json(&pretty);
        }
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "(?s).{0,20}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[a-zåäö\"\\\\.]{0,8}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
