//! FIA specifics: the derived summary of a valid FIA document.
//!
//! The summary is what a case system shows on a client's overview after the interview: per life
//! area the extent, the client's own rating and the effect on work; the areas the client most wants
//! to change; the interviewer's overall assessment; and the implementation plan's goals and next
//! follow-up. Its JSON is documented in `docs/summary.md`.

use jiff::civil::Date;
use serde::Serialize;

use crate::document::{AnswerValue, Document};
use crate::error::{Error, ErrorKind, Result};
use crate::instrument::{Definition, ItemKind};
use crate::text::Text;
use crate::validate::Validated;

/// The derived summary of one FIA document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiaSummary {
    /// Always `fia`.
    pub instrument: String,
    /// The definition version.
    pub version: String,
    /// `draft` or `complete`.
    pub status: crate::Status,
    /// The interview date, if given.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub interview_date: Option<Date>,
    /// Every life area in form order, answered or not.
    pub areas: Vec<AreaSummary>,
    /// Ids of the areas where the client reports problems (extent large or some), in form order.
    pub affected_areas: Vec<String>,
    /// The client's ranking of what to change, most important first (area codes, `arbete` for
    /// work).
    pub ranking: Vec<String>,
    /// The subject the client ranks first, if any.
    pub ranked_first: Option<String>,
    /// The interviewer's overall assessment, if given.
    pub overall_assessment: Option<Assessment>,
    /// The implementation plan.
    pub plan: PlanSummary,
}

/// One life area.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaSummary {
    /// Area id (`boende`).
    pub area: String,
    /// The area's heading.
    pub label: Text,
    /// `i_stor_omfattning`, `i_viss_omfattning` or `inte_alls`; absent when unanswered or not
    /// applicable (children's situation for a client without children).
    pub extent: Option<String>,
    /// Whether the client reports problems here (extent large or some).
    pub affected: bool,
    /// The client's own rating of the problem (`mycket_stort` ... `inget`).
    pub client_rating: Option<String>,
    /// Whether it affects the client's ability to work (`ja`, `nej`, `vet_ej`).
    pub affects_work: Option<String>,
    /// Whether the client wants support with it (`ja`, `nej`, `vet_ej`).
    pub wants_help: Option<String>,
}

/// The overall assessment with its two dimensions spelled out.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    /// The category code (`bade_socialt_och_arbete`).
    pub category: String,
    /// The category's label.
    pub label: Text,
    /// A social support need was assessed.
    pub social_support_need: bool,
    /// A work-related support need was assessed.
    pub work_support_need: bool,
}

/// The implementation plan in numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSummary {
    /// Number of goals.
    pub goals: usize,
    /// Number of sub-goals over all goals.
    pub sub_goals: usize,
    /// The earliest follow-up date on or after the reference date (or the earliest at all when no
    /// reference date was given), over the goals' follow-up dates and the plan's next follow-up.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub next_follow_up: Option<Date>,
}

const AREA_PART: &str = "livssituation";
const EXTENT_AFFECTED: [&str; 2] = ["i_stor_omfattning", "i_viss_omfattning"];

/// Summarises a validated FIA document. `today` picks the next follow-up date: the earliest on or
/// after it; with `None`, the earliest overall. (The core has no clock: the caller supplies it.)
///
/// # Errors
/// [`ErrorKind::DocumentNotValid`] if the report has error findings (summaries of invalid documents
/// would mislead), [`ErrorKind::UnknownInstrument`] if the document is not FIA.
pub fn summarise(validated: &Validated<'_>, today: Option<Date>) -> Result<FiaSummary> {
    let definition = validated.definition;
    if definition.instrument() != "fia" {
        return Err(Error::new(
            ErrorKind::UnknownInstrument,
            Text {
                sv: format!(
                    "en FIA-sammanfattning kräver ett FIA-dokument, inte {}",
                    definition.instrument()
                ),
                en: format!(
                    "a FIA summary needs a FIA document, not {}",
                    definition.instrument()
                ),
            },
        ));
    }
    if !validated.report.valid {
        let errors = validated.report.errors;
        return Err(Error::new(
            ErrorKind::DocumentNotValid,
            Text {
                sv: format!(
                    "dokumentet har {errors} fel; validera och rätta det innan det sammanfattas"
                ),
                en: format!(
                    "document has {errors} error finding(s); validate and correct it before summarising"
                ),
            },
        ));
    }
    let document = &validated.document;
    let code = |id: String| document.code_of(definition, &id).map(str::to_owned);

    let areas: Vec<AreaSummary> = definition
        .sections()
        .iter()
        .filter(|s| {
            s.part.as_deref() == Some(AREA_PART)
                && definition
                    .top_level(&format!("{}.omfattning", s.id))
                    .is_some()
        })
        .map(|section| {
            let extent = code(format!("{}.omfattning", section.id));
            AreaSummary {
                area: section.id.clone(),
                label: section.label.clone(),
                affected: extent
                    .as_deref()
                    .is_some_and(|e| EXTENT_AFFECTED.contains(&e)),
                extent,
                client_rating: code(format!("{}.problem_klient", section.id)),
                affects_work: code(format!("{}.paverkar_arbete", section.id)),
                wants_help: code(format!("{}.vill_ha_hjalp", section.id)),
            }
        })
        .collect();
    let affected_areas = areas
        .iter()
        .filter(|a| a.affected)
        .map(|a| a.area.clone())
        .collect();

    let ranking = ranking(definition, document);
    let overall_assessment = code("bedomning.kategori".into()).map(|category| {
        let label = choice_label(definition, "bedomning.kategori", &category);
        Assessment {
            social_support_need: matches!(
                category.as_str(),
                "socialt_stodbehov" | "bade_socialt_och_arbete"
            ),
            work_support_need: matches!(
                category.as_str(),
                "arbetsrelaterat_stodbehov" | "bade_socialt_och_arbete"
            ),
            category,
            label,
        }
    });

    Ok(FiaSummary {
        instrument: definition.instrument().to_owned(),
        version: definition.version().to_owned(),
        status: document.status(),
        interview_date: document.interview_date(),
        areas,
        affected_areas,
        ranked_first: ranking.first().cloned(),
        ranking,
        overall_assessment,
        plan: plan(definition, document, today),
    })
}

fn ranking(definition: &Definition, document: &Document) -> Vec<String> {
    let Some(item) = definition.top_level("sammanstallning.rangordning") else {
        return Vec::new();
    };
    match (document.value(item), &definition.item(item).kind) {
        (Some(AnswerValue::Ranking(codes)), ItemKind::Ranking { list, .. }) => {
            let list = definition.code_list(*list);
            codes.iter().map(|&c| list.code(c).code.clone()).collect()
        }
        _ => Vec::new(),
    }
}

pub(crate) fn choice_label(definition: &Definition, id: &str, code: &str) -> Text {
    definition
        .top_level(id)
        .and_then(|item| match &definition.item(item).kind {
            ItemKind::SingleChoice { list } => {
                let list = definition.code_list(*list);
                list.position(code).map(|p| list.code(p).label.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| Text {
            sv: code.into(),
            en: code.into(),
        })
}

fn plan(definition: &Definition, document: &Document, today: Option<Date>) -> PlanSummary {
    let mut dates: Vec<Date> = Vec::new();
    if let Some(AnswerValue::Date(date)) =
        document.value_of(definition, "genomforandeplan.nasta_uppfoljning")
    {
        dates.push(*date);
    }
    let (mut goals, mut sub_goals) = (0, 0);
    if let Some(group_id) = definition.top_level("genomforandeplan.mal")
        && let (Some(AnswerValue::Rows(rows)), ItemKind::Group(group)) =
            (document.value(group_id), &definition.item(group_id).kind)
    {
        let follow_up = group.position("uppfoljningsdatum");
        let delmal = group.position("delmal");
        for row in rows {
            goals += 1;
            if let Some(AnswerValue::Date(date)) = follow_up.and_then(|p| row.value(p)) {
                dates.push(*date);
            }
            if let Some(AnswerValue::Rows(subs)) = delmal.and_then(|p| row.value(p)) {
                sub_goals += subs.len();
            }
        }
    }
    let next_follow_up = dates
        .into_iter()
        .filter(|d| today.is_none_or(|t| *d >= t))
        .min();
    PlanSummary {
        goals,
        sub_goals,
        next_follow_up,
    }
}
