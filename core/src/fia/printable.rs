//! The printable FIA: one self-contained HTML page for the client's file, in the client's
//! language (Swedish, or English on request), with labels and never codes: the client's own
//! rating per life area as a star chart (the way Outcomes Star shows its areas: one spoke per
//! area, the scale's steps as rings) and the same ratings in a table, the areas the client most
//! wants to change, the overall assessment and the implementation plan (goals, sub-goals,
//! interventions, who is responsible, follow-up dates).
//!
//! It is built on [`super::summarise`] (the same summary the JSON gives), with the plan's rows
//! and free texts (goals, sub-goals, the reasons for the assessment) read from the document: the
//! parsed document keeps only the length of a free text, so they come from its bytes.

use std::fmt::Write as _;

use jiff::civil::Date;
use serde_json::Value;

use super::summary::{FiaSummary, choice_label, summarise};
use crate::document::AnswerValue;
use crate::error::Result;
use crate::html::{self, escape};
use crate::instrument::{Definition, ItemId, ItemKind};
use crate::text::{Language, Text};
use crate::validate::Validated;

/// The printable FIA of a valid FIA document (`bytes` is the document `validated` was parsed
/// from), in `language`; `today` picks the next follow-up as in the summary.
///
/// # Errors
/// As [`summarise`]: [`crate::ErrorKind::DocumentNotValid`] for a document with error findings,
/// [`crate::ErrorKind::UnknownInstrument`] for a document that is not FIA.
pub fn to_html(
    validated: &Validated<'_>,
    bytes: &[u8],
    today: Option<Date>,
    language: Language,
) -> Result<String> {
    let summary = summarise(validated, today)?;
    let definition = validated.definition;
    let answers = serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|mut v| v.get_mut("answers").map(Value::take))
        .unwrap_or(Value::Null);
    let sv = language == Language::Swedish;
    let t = |sv_text: &'static str, en_text: &'static str| if sv { sv_text } else { en_text };
    let title = format!(
        "{} – {}",
        definition.title().in_language(language),
        t("sammanställning", "summary")
    );
    let mut body = String::new();
    let _ = write!(body, "<header>\n<h1>{}</h1>\n", escape(&title));
    body.push_str("<dl class=\"facts\">\n");
    let mut fact = |label: &str, value: &str| {
        let _ = writeln!(body, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(value));
    };
    fact(
        t("Intervjudatum", "Interview date"),
        &summary.interview_date.map_or_else(
            || t("inte angivet", "not given").to_owned(),
            |d| d.to_string(),
        ),
    );
    fact(
        t("Status", "Status"),
        match summary.status {
            crate::Status::Complete => t("klar", "complete"),
            crate::Status::Draft => t("utkast", "draft"),
        },
    );
    fact(t("Formulärets version", "Form version"), &summary.version);
    if let Some(next) = summary.plan.next_follow_up {
        fact(t("Nästa uppföljning", "Next follow-up"), &next.to_string());
    }
    body.push_str("</dl>\n</header>\n<main>\n");

    areas_section(&mut body, definition, &summary, language);

    // What the client most wants to change.
    let _ = write!(
        body,
        "<section aria-labelledby=\"ranking\">\n<h2 id=\"ranking\">{}</h2>\n",
        t(
            "Det här vill du helst förändra",
            "What you most want to change"
        )
    );
    if summary.ranking.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", t("Inte besvarat.", "Not answered."));
    } else {
        body.push_str("<ol class=\"ranking\">\n");
        for code in &summary.ranking {
            let label = choice_or_ranking_label(definition, "sammanstallning.rangordning", code);
            let _ = writeln!(body, "<li>{}</li>", escape(label.in_language(language)));
        }
        body.push_str("</ol>\n");
    }
    body.push_str("</section>\n");

    // The overall assessment.
    let _ = write!(
        body,
        "<section aria-labelledby=\"assessment\">\n<h2 id=\"assessment\">{}</h2>\n",
        t("Sammanlagd bedömning", "Overall assessment")
    );
    match &summary.overall_assessment {
        Some(a) => {
            let _ = writeln!(
                body,
                "<p class=\"assessment\">{}</p>",
                escape(a.label.in_language(language))
            );
        }
        None => {
            let _ = writeln!(body, "<p>{}</p>", t("Inte gjord.", "Not made."));
        }
    }
    for (id, heading) in [
        (
            "bedomning.motivering",
            t("Motivering", "Reasons for the assessment"),
        ),
        (
            "bedomning.resurser",
            t("Dina resurser och styrkor", "Your resources and strengths"),
        ),
    ] {
        if definition.top_level(id).is_some()
            && let Some(text) = answers.get(id).and_then(Value::as_str)
        {
            let _ = writeln!(
                body,
                "<h3>{}</h3>\n<p>{}</p>",
                escape(heading),
                escape(text)
            );
        }
    }
    body.push_str("</section>\n");

    plan_section(&mut body, definition, validated, &answers, language);
    body.push_str("</main>\n");
    Ok(html::page(language, &title, STYLE, &body))
}

/// The printable FIA's own style: the star chart centred, the first-ranked area in bold.
const STYLE: &str = "\
figure.star{text-align:center}
ol.ranking li:first-child{font-weight:700}
p.assessment{font-weight:700;font-size:1.1rem}
@media print{figure.star svg{max-height:120mm}}
";

/// The life areas: the star chart of the client's own ratings and the same in a table.
fn areas_section(out: &mut String, definition: &Definition, summary: &FiaSummary, lang: Language) {
    let sv = lang == Language::Swedish;
    let t = |sv_text: &'static str, en_text: &'static str| if sv { sv_text } else { en_text };
    let heading = t("Dina livsområden", "Your life areas");
    let _ = write!(
        out,
        "<section aria-labelledby=\"areas\">\n<h2 id=\"areas\">{heading}</h2>\n<p>{}</p>\n",
        t(
            "Så här stort tycker du själv att problemet är inom varje område. Ju längre ut \
             punkten ligger, desto mindre är problemet.",
            "How big you yourself think the problem is in each area. The further out the \
             point, the smaller the problem."
        )
    );
    // The rating scale is the code list of the areas' rating item, biggest problem first.
    let scale: Vec<&Text> = summary
        .areas
        .iter()
        .find_map(|a| definition.top_level(&format!("{}.problem_klient", a.area)))
        .and_then(|item| match &definition.item(item).kind {
            ItemKind::SingleChoice { list } => Some(
                definition
                    .code_list(*list)
                    .codes
                    .iter()
                    .map(|c| &c.label)
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default();
    star_chart(out, definition, summary, &scale, lang);

    let label = |id: String, code: &Option<String>| {
        code.as_deref().map(|c| {
            choice_label(definition, &id, c)
                .in_language(lang)
                .to_owned()
        })
    };
    let _ = write!(
        out,
        "<table data-table=\"areas\">\n<caption>{}</caption>\n<thead><tr>\
         <th scope=\"col\" data-code=\"area\">{}</th>\
         <th scope=\"col\" data-code=\"client_rating\">{}</th>\
         <th scope=\"col\" data-code=\"extent\">{}</th>\
         <th scope=\"col\" data-code=\"affects_work\">{}</th>\
         <th scope=\"col\" data-code=\"wants_help\">{}</th></tr></thead>\n<tbody>\n",
        t("Livsområden: din bedömning", "Life areas: your own rating"),
        t("Område", "Area"),
        t(
            "Hur stort problem du tycker det är",
            "How big a problem you think it is"
        ),
        t("Omfattning", "Extent"),
        t(
            "Påverkar möjligheten att arbeta",
            "Affects the ability to work"
        ),
        t("Vill ha stöd", "Wants support"),
    );
    let none = t("inte besvarat", "not answered");
    for area in &summary.areas {
        let cell = |value: Option<String>| value.map_or_else(|| escape(none), |v| escape(&v));
        let rating = area
            .client_rating
            .as_deref()
            .map_or_else(String::new, |c| format!(" data-value=\"{}\"", escape(c)));
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td{rating}>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(area.label.in_language(lang)),
            cell(label(
                format!("{}.problem_klient", area.area),
                &area.client_rating
            )),
            cell(label(format!("{}.omfattning", area.area), &area.extent)),
            cell(label(
                format!("{}.paverkar_arbete", area.area),
                &area.affects_work
            )),
            cell(label(
                format!("{}.vill_ha_hjalp", area.area),
                &area.wants_help
            )),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// One spoke per life area; rings for the scale's steps, the biggest problem innermost and no
/// problem outermost (further out is better, as in Outcomes Star); the client's ratings joined
/// into a shape. An area without a rating has no point.
fn star_chart(
    out: &mut String,
    definition: &Definition,
    summary: &FiaSummary,
    scale: &[&Text],
    lang: Language,
) {
    let (width, height, cx, cy, radius) = (760.0, 500.0, 380.0, 250.0, 200.0);
    let n = summary.areas.len().max(1) as f64;
    let steps = scale.len().max(1) as f64;
    let angle = |i: usize| std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
    let at = |i: usize, r: f64| (cx + r * angle(i).cos(), cy + r * angle(i).sin());
    let (title, desc) = match lang {
        Language::Swedish => (
            "Diagram: din bedömning av problemen inom varje livsområde",
            format!(
                "Stjärndiagram med en stråle per livsområde. Ringarna är stegen från {} \
                 (innerst) till {} (ytterst). Samma uppgifter finns i tabellen under diagrammet.",
                scale.first().map_or("", |t| t.sv.as_str()),
                scale.last().map_or("", |t| t.sv.as_str())
            ),
        ),
        Language::English => (
            "Chart: your own rating of the problem in each life area",
            format!(
                "Star chart with one spoke per life area. The rings are the steps from {} \
                 (innermost) to {} (outermost). The same is in the table below the chart.",
                scale.first().map_or("", |t| t.en.as_str()),
                scale.last().map_or("", |t| t.en.as_str())
            ),
        ),
    };
    out.push_str("<figure class=\"star\">");
    html::svg_open(out, "star", width, height, title, &desc);
    for step in 1..=scale.len() {
        let r = radius * step as f64 / steps;
        let _ = write!(
            out,
            "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r:.1}\" fill=\"none\" stroke=\"#8c8c8c\" stroke-width=\"0.75\"/>"
        );
    }
    for (i, area) in summary.areas.iter().enumerate() {
        let (x, y) = at(i, radius);
        let _ = write!(
            out,
            "<line x1=\"{cx}\" y1=\"{cy}\" x2=\"{x:.1}\" y2=\"{y:.1}\" stroke=\"#8c8c8c\" stroke-width=\"0.75\"/>"
        );
        let (lx, ly) = at(i, radius + 16.0);
        let anchor = if (lx - cx).abs() < 1.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let _ = write!(
            out,
            "<text x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"#1a1a1a\">{}</text>",
            ly + 4.0,
            escape(area.label.in_language(lang))
        );
    }
    // The client's ratings: step 1 (innermost) is the list's first code, the biggest problem.
    let points: Vec<(f64, f64)> = summary
        .areas
        .iter()
        .enumerate()
        .filter_map(|(i, area)| {
            let code = area.client_rating.as_deref()?;
            let item = definition.top_level(&format!("{}.problem_klient", area.area))?;
            let ItemKind::SingleChoice { list } = &definition.item(item).kind else {
                return None;
            };
            let position = definition.code_list(*list).position(code)?;
            Some(at(i, radius * (f64::from(position) + 1.0) / steps))
        })
        .collect();
    if points.len() > 2 {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            out,
            "<polygon points=\"{}\" fill=\"#1b4f9c\" fill-opacity=\"0.18\" stroke=\"#1b4f9c\" stroke-width=\"2\"/>",
            path.join(" ")
        );
    }
    for (x, y) in &points {
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#1b4f9c\"/>"
        );
    }
    // The scale, numbered along the upward spoke and named under the chart.
    for step in 0..scale.len() {
        let r = radius * (step as f64 + 1.0) / steps;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1a1a1a\" font-size=\"11\">{}</text>",
            cx + 4.0,
            cy - r + 12.0,
            step + 1
        );
    }
    out.push_str("</svg><figcaption>");
    let steps: Vec<String> = scale
        .iter()
        .enumerate()
        .map(|(step, label)| format!("{} = {}", step + 1, escape(label.in_language(lang))))
        .collect();
    out.push_str(&steps.join(", "));
    out.push_str("</figcaption></figure>\n");
}

/// The label of `code` in the list of the single choice or ranking item `id`.
fn choice_or_ranking_label(definition: &Definition, id: &str, code: &str) -> Text {
    if let Some(item) = definition.top_level(id)
        && let ItemKind::Ranking { list, .. } = &definition.item(item).kind
    {
        let list = definition.code_list(*list);
        if let Some(p) = list.position(code) {
            return list.code(p).label.clone();
        }
    }
    choice_label(definition, id, code)
}

/// The labels of a choice answer of `item` (one for a single choice, each for a multiple one).
fn labels<'d>(definition: &'d Definition, item: ItemId, value: &AnswerValue) -> Vec<&'d Text> {
    let list = match &definition.item(item).kind {
        ItemKind::SingleChoice { list } | ItemKind::MultipleChoice { list, .. } => {
            definition.code_list(*list)
        }
        _ => return Vec::new(),
    };
    match value {
        AnswerValue::Code(c) => vec![&list.code(*c).label],
        AnswerValue::Codes(cs) => cs.iter().map(|c| &list.code(*c).label).collect(),
        _ => Vec::new(),
    }
}

/// The implementation plan: one row per goal.
fn plan_section(
    out: &mut String,
    definition: &Definition,
    validated: &Validated<'_>,
    answers: &Value,
    lang: Language,
) {
    let sv = lang == Language::Swedish;
    let t = |sv_text: &'static str, en_text: &'static str| if sv { sv_text } else { en_text };
    let _ = write!(
        out,
        "<section aria-labelledby=\"plan\">\n<h2 id=\"plan\">{}</h2>\n",
        t("Genomförandeplan", "Implementation plan")
    );
    let document = &validated.document;
    let group_id = definition.top_level("genomforandeplan.mal");
    let rows = match group_id.map(|g| (document.value(g), &definition.item(g).kind)) {
        Some((Some(AnswerValue::Rows(rows)), ItemKind::Group(group))) => Some((rows, group)),
        _ => None,
    };
    let texts = answers
        .get("genomforandeplan.mal")
        .and_then(Value::as_array);
    match rows {
        Some((rows, group)) if !rows.is_empty() => {
            let _ = write!(
                out,
                "<table data-table=\"plan\">\n<caption>{}</caption>\n<thead><tr>\
                 <th scope=\"col\" data-code=\"goal\">{}</th>\
                 <th scope=\"col\" data-code=\"area\">{}</th>\
                 <th scope=\"col\" data-code=\"sub_goals\">{}</th>\
                 <th scope=\"col\" data-code=\"interventions\">{}</th>\
                 <th scope=\"col\" data-code=\"responsible\">{}</th>\
                 <th scope=\"col\" data-code=\"follow_up\">{}</th></tr></thead>\n<tbody>\n",
                t(
                    "Mål i genomförandeplanen",
                    "Goals of the implementation plan"
                ),
                t("Mål", "Goal"),
                t("Område", "Area"),
                t("Delmål", "Sub-goals"),
                t("Insatser", "Interventions"),
                t("Ansvarig", "Responsible"),
                t("Uppföljning", "Follow-up"),
            );
            let child = |local: &str| group.position(local).map(|p| (p, group.children[p]));
            for (n, row) in rows.iter().enumerate() {
                let text = texts.and_then(|t| t.get(n));
                let goal = text
                    .and_then(|t| t.get("mal"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let chosen = |local: &str| -> String {
                    child(local)
                        .and_then(|(p, item)| row.value(p).map(|v| labels(definition, item, v)))
                        .unwrap_or_default()
                        .iter()
                        .map(|l| escape(l.in_language(lang)))
                        .collect::<Vec<_>>()
                        .join("<br>")
                };
                let sub_goals: Vec<String> = text
                    .and_then(|t| t.get("delmal"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.get("beskrivning").and_then(Value::as_str))
                    .map(|s| format!("<li>{}</li>", escape(s)))
                    .collect();
                let follow_up = child("uppfoljningsdatum")
                    .and_then(|(p, _)| match row.value(p) {
                        Some(AnswerValue::Date(d)) => Some(d.to_string()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{follow_up}</td></tr>",
                    escape(goal),
                    chosen("omrade"),
                    if sub_goals.is_empty() {
                        String::new()
                    } else {
                        format!("<ul>{}</ul>", sub_goals.concat())
                    },
                    chosen("insatser"),
                    chosen("ansvarig"),
                );
            }
            out.push_str("</tbody>\n</table>\n");
        }
        _ => {
            let _ = writeln!(out, "<p>{}</p>", t("Inga mål ännu.", "No goals yet."));
        }
    }
    if let Some(AnswerValue::Date(next)) =
        document.value_of(definition, "genomforandeplan.nasta_uppfoljning")
    {
        let _ = writeln!(
            out,
            "<p>{} {next}</p>",
            t(
                "Datum för nästa uppföljning av planen:",
                "Date of the plan's next follow-up:"
            )
        );
    }
    out.push_str("</section>\n");
}
