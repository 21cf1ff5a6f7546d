//! The operations behind the C functions, in safe Rust. Each takes checked Rust values, calls the
//! same core function the sidecar calls and returns the output bytes or a [`Failure`]; none
//! re-implements a rule.

use bistand_core::Engine;
use bistand_core::identifier::{PersonalNumber, PseudonymKey, pseudonymise as core_pseudonymise};
use jiff::civil::Date;

use crate::handles::{bistand_buf, bistand_engine};
use crate::status::{Failure, bistand_status};

/// Longest pseudonym key secret or personnummer accepted, in bytes. Far above any real one; it
/// keeps a wrong length from C (a negative number cast to `size_t`) from being trusted.
pub(crate) const MAX_SMALL_INPUT: usize = 1024;

/// Starting capacity of a JSON output: a typical report fits, so the NUL never reallocates.
const OUTPUT_CAPACITY: usize = 1024;

/// An engine over the shipped definitions; an empty `profile` means none.
pub(crate) fn engine_new(profile: &[u8]) -> Result<bistand_engine, Failure> {
    let engine = if profile.is_empty() {
        Engine::new()?
    } else {
        Engine::with_profile(profile)?
    };
    Ok(bistand_engine { engine })
}

/// The JSON of the validation report of `doc`.
pub(crate) fn validate(
    engine: &Engine,
    instrument: Option<&str>,
    doc: &[u8],
) -> Result<bistand_buf, Failure> {
    json(&engine.validate(instrument, doc)?)
}

/// The JSON of the summary of `doc`; `today` (`YYYY-MM-DD`) picks the next follow-up.
pub(crate) fn summary(
    engine: &Engine,
    instrument: Option<&str>,
    doc: &[u8],
    today: Option<&str>,
) -> Result<bistand_buf, Failure> {
    let today = today.map(|text| date("today", text)).transpose()?;
    json(&engine.summary(instrument, doc, today)?)
}

/// The definition of `instrument`, as the JSON it was loaded from.
pub(crate) fn definition(
    engine: &Engine,
    instrument: &str,
    version: Option<&str>,
) -> Result<bistand_buf, Failure> {
    let definition = engine.definition(instrument, version)?;
    Ok(bistand_buf::new(
        definition.source_json().as_bytes().to_vec(),
    ))
}

/// The JSON Schema of documents of `instrument`.
pub(crate) fn schema(
    engine: &Engine,
    instrument: &str,
    version: Option<&str>,
) -> Result<bistand_buf, Failure> {
    json(&engine.schema(instrument, version)?)
}

/// The pseudonym (`key_id:hex`) of a personnummer or samordningsnummer.
pub(crate) fn pseudonymise(
    key_id: &str,
    key: &[u8],
    personnummer: &[u8],
    reference_date: &str,
) -> Result<bistand_buf, Failure> {
    let reference_date = date("reference_date", reference_date)?;
    let key = PseudonymKey::new(key_id, key)?;
    let personnummer = std::str::from_utf8(personnummer).map_err(|_| {
        Failure::new(
            bistand_status::BISTAND_INVALID_UTF8,
            "personnummer is not valid UTF-8",
            "personnumret är inte giltig UTF-8",
        )
    })?;
    let number = PersonalNumber::parse(personnummer, reference_date)?;
    let pseudonym = core_pseudonymise(&key, &number);
    Ok(bistand_buf::new(pseudonym.as_str().as_bytes().to_vec()))
}

/// A date argument, written exactly `YYYY-MM-DD` (ISO 8601, as everywhere in bistand).
fn date(name: &str, text: &str) -> Result<Date, Failure> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| text.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| {
            Failure::new(
                bistand_status::BISTAND_INVALID_ARGUMENT,
                format!("`{name}` is not a date: expected a real date written YYYY-MM-DD"),
                format!(
                    "`{name}` är inget datum: förväntade ett verkligt datum skrivet ÅÅÅÅ-MM-DD"
                ),
            )
        })
}

fn json(value: &impl serde::Serialize) -> Result<bistand_buf, Failure> {
    let mut bytes = Vec::with_capacity(OUTPUT_CAPACITY);
    serde_json::to_writer(&mut bytes, value).map_err(|_| {
        Failure::new(
            bistand_status::BISTAND_INTERNAL_ERROR,
            "internal error: the output could not be serialised as JSON",
            "internt fel: resultatet kunde inte skrivas som JSON",
        )
    })?;
    Ok(bistand_buf::new(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_iso() {
        assert_eq!(
            date("today", "2026-11-24").ok(),
            Some(jiff::civil::date(2026, 11, 24))
        );
        for bad in [
            "",
            "2026-11-31",
            "2026-1-24",
            "20261124",
            "2026-11-24T00:00",
            "2026/11/24",
            "२०२६-११-२४",
        ] {
            let failure = date("today", bad).expect_err(bad);
            assert_eq!(failure.status(), bistand_status::BISTAND_INVALID_ARGUMENT);
        }
    }

    #[test]
    fn empty_profile_means_none() {
        assert!(engine_new(b"").is_ok());
        let failure = engine_new(b"{").err().expect("malformed profile");
        assert_eq!(failure.status(), bistand_status::BISTAND_INVALID_PROFILE);
    }
}
