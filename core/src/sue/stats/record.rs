//! [`SueRecord`]: one validated SUE document reduced to what the statistics count.

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;

/// One SUE record reduced to what the statistics count: breakdown values and coded facts. Holds no
/// free text and no identifier.
#[derive(Clone, Debug, PartialEq)]
pub struct SueRecord {
    pub(super) unit: Option<Name>,
    pub(super) period: i16,
    /// The case's start: of a person's records, the latest start is counted.
    pub(super) start: Option<Date>,
    pub(super) gender: u8,
    pub(super) age: u8,
    pub(super) origin: u8,
    pub(super) household: u8,
    /// Code indexes of the main försörjningshinder, the education and the country of birth.
    pub(super) hinder: Option<u8>,
    pub(super) education: Option<u8>,
    pub(super) country: Option<u8>,
    /// Code indexes of work experience and Swedish language skills (version 2 on).
    pub(super) work_experience: Option<u8>,
    pub(super) language: Option<u8>,
    /// Index into [`classify::YEARS_IN_SWEDEN`].
    pub(super) years_in_sweden: u8,
    /// Index into [`classify::GENDER_HOUSEHOLDS`].
    pub(super) gender_household: u8,
    pub(super) needs: u32,
    /// The needs profile, index into `standardised::PROFILES`.
    pub(super) profile: u8,
    pub(super) interventions: u32,
    pub(super) outcome: Option<u8>,
    pub(super) goal: Option<u8>,
    /// Per life area, 2 bits: 0 = no change recorded, else change code + 1.
    pub(super) changes: u64,
    pub(super) satisfaction: Option<u8>,
    pub(super) helped: Option<u8>,
    /// The national measure (10–12 months of the last full calendar year), if recorded.
    pub(super) long_term: Option<bool>,
    /// The rolling measure (10–12 of the last 12 months).
    pub(super) long_term_rolling: bool,
    pub(super) very_long_term: Option<bool>,
    /// Register outcomes, each if recorded: work, assistance.
    pub(super) register_work: Option<bool>,
    pub(super) register_assistance: Option<bool>,
    pub(super) closed: Option<Date>,
    pub(super) reopened: Option<Date>,
    /// Code indexes of the items of `choices::CODED`.
    pub(super) coded: [Option<u8>; choices::CODED.len()],
    /// Answers to the items of `choices::YES_NO`.
    pub(super) yes_no: [Option<bool>; choices::YES_NO.len()],
    /// Providers, reasons for sanctions and exemptions, time to first intervention.
    pub(super) collected: collected::Facts,
}

/// A unit name held in the record itself when it is short, as unit names are: a report reads
/// every record's unit, and a name elsewhere on the heap was a cache miss per record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Name {
    Inline { len: u8, bytes: [u8; Name::INLINE] },
    Heap(Box<str>),
}

impl Name {
    /// The longest name held inline, in bytes (the record's other fields set the size).
    const INLINE: usize = 30;

    fn new(name: &str) -> Name {
        match u8::try_from(name.len()) {
            Ok(len) if name.len() <= Name::INLINE => {
                let mut bytes = [0; Name::INLINE];
                bytes[..name.len()].copy_from_slice(name.as_bytes());
                Name::Inline { len, bytes }
            }
            _ => Name::Heap(name.into()),
        }
    }

    pub(super) fn as_str(&self) -> &str {
        match self {
            Name::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)])
                .expect("made from a str, cut at its end"),
            Name::Heap(name) => name,
        }
    }
}

pub(super) fn code(value: Option<&AnswerValue>) -> Option<u16> {
    match value {
        Some(AnswerValue::Code(code)) => Some(*code),
        _ => None,
    }
}

pub(super) fn small(value: Option<u16>) -> Option<u8> {
    value.and_then(|v| u8::try_from(v).ok())
}

pub(super) fn integer(value: Option<&AnswerValue>) -> Option<i64> {
    match value {
        Some(AnswerValue::Integer(v)) => Some(*v),
        _ => None,
    }
}

pub(super) fn boolean(value: Option<&AnswerValue>) -> Option<bool> {
    match value {
        Some(AnswerValue::Boolean(v)) => Some(*v),
        _ => None,
    }
}

pub(super) fn date(value: Option<&AnswerValue>) -> Option<Date> {
    match value {
        Some(AnswerValue::Date(d)) => Some(*d),
        _ => None,
    }
}

pub(super) fn rows(value: Option<&AnswerValue>) -> &[Row] {
    match value {
        Some(AnswerValue::Rows(rows)) => rows,
        _ => &[],
    }
}

impl SueRecord {
    /// Reduces a parsed SUE document. Call only for documents without error findings.
    pub fn from_document(schema: &SueSchema, document: &Document) -> SueRecord {
        let code_text = |item: ItemId, codes: &'_ Codes| {
            code(document.value(item)).map(|c| codes_text(codes, c).to_owned())
        };
        let start = date(document.value(schema.start));
        let period = start.map_or(0, |d| d.year());
        let mut needs = 0u32;
        for row in rows(document.value(schema.problems.0)) {
            if let Some(area) = code(row.value(schema.problems.1)) {
                needs |= 1 << area;
            }
        }
        let mut interventions = 0u32;
        for row in rows(document.value(schema.interventions.0)) {
            if let Some(kind) = code(row.value(schema.interventions.1)) {
                interventions |= 1 << kind;
            }
        }
        let mut changes = 0u64;
        for row in rows(document.value(schema.changes.0)) {
            if let (Some(area), Some(change)) = (
                code(row.value(schema.changes.1)),
                code(row.value(schema.changes.2)),
            ) {
                changes |= (u64::from(change) + 1) << (2 * area);
            }
        }
        let months_12 = integer(document.value(schema.months_12));
        let long_term = classify::long_term(
            schema
                .months_calendar
                .and_then(|item| integer(document.value(item))),
            months_12.unwrap_or(0),
            integer(document.value(schema.months_36)),
        );
        let gender_code = code_text(schema.gender, &schema.gender_codes);
        let household_code = code_text(schema.household, &schema.household_codes);
        let origin = classify::origin(code_text(schema.country, &schema.country_codes).as_deref());
        SueRecord {
            unit: document.unit().map(Name::new),
            period,
            start,
            gender: index(classify::gender(gender_code.as_deref())),
            age: index(classify::age_band(
                integer(document.value(schema.birth_year)),
                start.map(|d| d.year()),
            )),
            origin: index(origin),
            household: index(classify::household(household_code.as_deref())),
            hinder: small(code(document.value(schema.hinder))),
            education: small(code(document.value(schema.education))),
            country: small(code(document.value(schema.country))),
            work_experience: schema
                .work_experience
                .as_ref()
                .and_then(|(item, _)| small(code(document.value(*item)))),
            language: schema
                .language
                .as_ref()
                .and_then(|(item, _)| small(code(document.value(*item)))),
            years_in_sweden: index(classify::years_in_sweden(
                origin,
                integer(document.value(schema.years_in_sweden)),
            )),
            gender_household: index(classify::gender_household(
                gender_code.as_deref(),
                household_code.as_deref(),
            )),
            needs,
            profile: standardised::profile(
                document.value(schema.problems.0).map(|_| needs),
                schema.work_area,
            ),
            interventions,
            outcome: small(code(document.value(schema.outcome))),
            goal: small(code(document.value(schema.goal))),
            changes,
            satisfaction: small(code(document.value(schema.satisfaction))),
            helped: small(code(document.value(schema.helped))),
            long_term: long_term.long_term,
            long_term_rolling: long_term.rolling_12,
            very_long_term: long_term.very_long_term,
            register_work: schema
                .register
                .and_then(|(work, _)| boolean(document.value(work))),
            register_assistance: schema
                .register
                .and_then(|(_, assistance)| boolean(document.value(assistance))),
            coded: std::array::from_fn(|i| small(code(document.value(schema.coded[i].0)))),
            yes_no: std::array::from_fn(|i| boolean(document.value(schema.yes_no[i]))),
            closed: date(document.value(schema.closed)),
            reopened: date(document.value(schema.reopened)),
            collected: collected::Facts::of(schema, document, start),
        }
    }
}

pub(super) fn codes_text(codes: &Codes, code: u16) -> &str {
    codes
        .codes
        .get(usize::from(code))
        .map_or("", |(c, _)| c.as_str())
}

pub(super) fn index(i: usize) -> u8 {
    u8::try_from(i).expect("classifications have fewer than 256 classes")
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn a_unit_name_reads_back_whole_inline_or_not() {
        // Å, ä, ö are two bytes each: "Östra Göinge, Älmhult och Åby" is 29 characters, 32 bytes.
        for name in [
            "",
            "Söder",
            "Älvsjö-Farsta, område 1",
            "Östra Göinge, Älmhult och Åby",
            "Arbetsmarknadsförvaltningen, enheten för försörjningsstöd i Söderort",
            &"å".repeat(15),
            &"ö".repeat(16),
        ] {
            let held = Name::new(name);
            assert_eq!(held.as_str(), name);
            assert_eq!(
                matches!(held, Name::Inline { .. }),
                name.len() <= Name::INLINE,
                "{name}"
            );
        }
    }
}
