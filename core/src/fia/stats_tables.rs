//! FIA tables beyond life areas and the assessment (issue 15, point 5): the work section (a
//! clear picture of the future and the view on the demands, by gender and origin; the wished
//! interventions are `fia_wished_interventions`, which has every breakdown), the life area ranked
//! first, the number of goals in the plan, and the evaluation questionnaires by respondent.
//!
//! Every item, code and label is the definition's; what is ours is the grouping of goals per
//! client (none, 1, 2, 3 or more), marked so in its description. Items a definition lacks are
//! left out (their tables are not made). Counters follow the rest of FIA's layout, from `start`.

use crate::document::{AnswerValue, Document};
use crate::instrument::{Definition, ItemId, ItemKind};
use crate::module::Resolver;
use crate::stats::engine::{CellSlots, Partition, RowsSpec, TableSpec, Tally};
use crate::stats::{Category, Dimension};
use crate::text::Text;

/// Breakdowns of the work section's tables.
const WORK_DIMENSIONS: &[Dimension] = &[Dimension::Total, Dimension::Gender, Dimension::Origin];

/// The classes of goals per client in the plan (ours).
const GOALS: [(&str, &str, &str); 4] = [
    ("inga_mal", "Inga mål", "No goals"),
    ("1_mal", "1 mål", "1 goal"),
    ("2_mal", "2 mål", "2 goals"),
    ("3_mal_eller_fler", "3 mål eller fler", "3 goals or more"),
];

/// The evaluation questionnaires, by respondent: section id and table id.
const QUESTIONNAIRES: [(&str, &str); 2] = [
    ("enkat_klient", "fia_evaluation_client"),
    ("enkat_handlaggare", "fia_evaluation_caseworker"),
];

/// A single choice counted per code, with the answered as the base.
#[derive(Debug)]
struct Choice {
    id: &'static str,
    item: ItemId,
    label: Text,
    categories: Vec<Category>,
}

/// One answer counted in a questionnaire: a code of a single choice, or yes to a yes/no item.
#[derive(Debug)]
struct Answer {
    code: String,
    label: Text,
    /// The code's index; `None` for yes.
    value: Option<u16>,
}

/// One questionnaire item and the answers counted.
#[derive(Debug)]
struct Question {
    item: ItemId,
    /// The item's local id and its question.
    code: String,
    label: Text,
    answers: Vec<Answer>,
}

#[derive(Debug)]
struct Questionnaire {
    id: &'static str,
    label: Text,
    questions: Vec<Question>,
}

/// The items of the further tables, resolved once from a definition.
#[derive(Debug)]
pub(super) struct Extras {
    choices: Vec<Choice>,
    /// The ranking item, its question and the areas.
    ranking: Option<(ItemId, Text, Vec<Category>)>,
    goals: Option<ItemId>,
    questionnaires: Vec<Questionnaire>,
}

fn categories(definition: &Definition, item: ItemId) -> Option<Vec<Category>> {
    let list = Resolver::new(definition, "FIA statistics", "FIA-statistiken")
        .codes(item)
        .ok()?;
    Some(
        list.codes
            .iter()
            .map(|c| Category {
                code: c.code.clone(),
                label: c.label.clone(),
            })
            .collect(),
    )
}

fn yes_text() -> Text {
    Text {
        sv: "Ja".into(),
        en: "Yes".into(),
    }
}

impl Extras {
    pub(super) fn new(definition: &Definition) -> Extras {
        let choice = |id: &'static str, item: &str| {
            let item = definition.top_level(item)?;
            Some(Choice {
                id,
                item,
                label: definition.item(item).label.clone(),
                categories: categories(definition, item)?,
            })
        };
        let choices = [
            choice("fia_future_picture", "arbete.tydlig_bild_framtid"),
            choice("fia_view_on_demands", "arbete.syn_pa_krav"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let ranking = definition
            .top_level("sammanstallning.rangordning")
            .and_then(|item| {
                let ItemKind::Ranking { list, .. } = &definition.item(item).kind else {
                    return None;
                };
                let areas = definition
                    .code_list(*list)
                    .codes
                    .iter()
                    .map(|c| Category {
                        code: c.code.clone(),
                        label: c.label.clone(),
                    })
                    .collect();
                Some((item, definition.item(item).label.clone(), areas))
            });
        let goals = definition
            .top_level("genomforandeplan.mal")
            .filter(|&item| matches!(definition.item(item).kind, ItemKind::Group { .. }));
        let questionnaires = QUESTIONNAIRES
            .iter()
            .filter_map(|&(section, id)| {
                let section = definition.sections().iter().find(|s| s.id == section)?;
                let questions = section
                    .items
                    .iter()
                    .filter_map(|&item| {
                        let answers = match definition.item(item).kind {
                            ItemKind::Boolean => vec![Answer {
                                code: "ja".into(),
                                label: yes_text(),
                                value: None,
                            }],
                            ItemKind::SingleChoice { .. } => categories(definition, item)?
                                .into_iter()
                                .zip(0u16..)
                                .map(|(c, i)| Answer {
                                    code: c.code,
                                    label: c.label,
                                    value: Some(i),
                                })
                                .collect(),
                            _ => return None,
                        };
                        let item_def = definition.item(item);
                        Some(Question {
                            item,
                            code: item_def.local.clone(),
                            label: item_def.label.clone(),
                            answers,
                        })
                    })
                    .collect();
                Some(Questionnaire {
                    id,
                    label: section.label.clone(),
                    questions,
                })
            })
            .collect();
        Extras {
            choices,
            ranking,
            goals,
            questionnaires,
        }
    }

    /// The counters, from `start` on: per choice its codes and base; the ranking's codes and
    /// base; the goal classes and base; per question its answers and base.
    pub(super) fn slots(&self) -> usize {
        let choices: usize = self.choices.iter().map(|c| c.categories.len() + 1).sum();
        let ranking = self.ranking.as_ref().map_or(0, |(_, _, c)| c.len() + 1);
        let goals = if self.goals.is_some() {
            GOALS.len() + 1
        } else {
            0
        };
        let questions: usize = self
            .questionnaires
            .iter()
            .flat_map(|q| &q.questions)
            .map(|q| q.answers.len() + 1)
            .sum();
        choices + ranking + goals + questions
    }

    /// Counts what `document` answers, into counters from `start`.
    pub(super) fn count(&self, document: &Document, start: usize, counts: &mut Tally<'_>) {
        let mut at = start;
        let code = |item: ItemId| match document.value(item) {
            Some(AnswerValue::Code(c)) => Some(usize::from(*c)),
            _ => None,
        };
        for choice in &self.choices {
            let width = choice.categories.len();
            if let Some(c) = code(choice.item).filter(|&c| c < width) {
                counts.add(at + c);
                counts.add(at + width);
            }
            at += width + 1;
        }
        if let Some((item, _, areas)) = &self.ranking {
            if let Some(AnswerValue::Ranking(ranked)) = document.value(*item)
                && let Some(&first) = ranked.first()
                && usize::from(first) < areas.len()
            {
                counts.add(at + usize::from(first));
                counts.add(at + areas.len());
            }
            at += areas.len() + 1;
        }
        if let Some(item) = self.goals {
            let goals = match document.value(item) {
                Some(AnswerValue::Rows(rows)) => rows.len(),
                _ => 0,
            };
            counts.add(at + goals.min(GOALS.len() - 1));
            counts.add(at + GOALS.len());
            at += GOALS.len() + 1;
        }
        for question in self.questionnaires.iter().flat_map(|q| &q.questions) {
            let width = question.answers.len();
            let answered = match document.value(question.item) {
                Some(AnswerValue::Boolean(yes)) => {
                    if *yes {
                        counts.add(at);
                    }
                    true
                }
                Some(AnswerValue::Code(c)) if usize::from(*c) < width => {
                    counts.add(at + usize::from(*c));
                    true
                }
                _ => false,
            };
            if answered {
                counts.add(at + width);
            }
            at += width + 1;
        }
    }

    /// The tables, their counters from `start`; `dimensions` are FIA's breakdowns.
    pub(super) fn specs(
        &self,
        start: usize,
        dimensions: &'static [Dimension],
    ) -> (Vec<TableSpec>, Vec<Partition>) {
        let mut specs = Vec::new();
        let mut partitions = Vec::new();
        let mut at = start;
        let among_answered = Text {
            sv: "bland dem som besvarat frågan".into(),
            en: "among those who answered the question".into(),
        };
        for choice in &self.choices {
            let width = choice.categories.len();
            specs.push(TableSpec {
                id: choice.id,
                title: Text {
                    sv: format!("{} (FIA)", choice.label.sv),
                    en: format!("{} (FIA)", choice.label.en),
                },
                description: Text {
                    sv: format!("Andel med varje svar, {}", among_answered.sv),
                    en: format!("Share giving each answer, {}", among_answered.en),
                },
                categories: choice.categories.clone(),
                rows: RowsSpec::ByDimension {
                    dimensions: WORK_DIMENSIONS,
                    cells: (0..width)
                        .map(|i| CellSlots::new(at + i, at + width))
                        .collect(),
                },
            });
            partitions.push(Partition {
                total: at + width,
                parts: (at..at + width).collect(),
            });
            at += width + 1;
        }
        if let Some((_, question, areas)) = &self.ranking {
            let width = areas.len();
            specs.push(TableSpec {
                id: "fia_ranked_first",
                title: Text {
                    sv: "Livsområde rangordnat först (FIA)".into(),
                    en: "Life area ranked first (FIA)".into(),
                },
                description: Text {
                    sv: format!(
                        "Andel som rangordnat varje område först i frågan ”{}”, bland dem som rangordnat",
                        question.sv
                    ),
                    en: format!(
                        "Share ranking each area first in the question \"{}\", among those who ranked",
                        question.en
                    ),
                },
                categories: areas.clone(),
                rows: RowsSpec::ByDimension {
                    dimensions,
                    cells: (0..width).map(|i| CellSlots::new(at + i, at + width)).collect(),
                },
            });
            partitions.push(Partition {
                total: at + width,
                parts: (at..at + width).collect(),
            });
            at += width + 1;
        }
        if self.goals.is_some() {
            specs.push(TableSpec {
                id: "fia_plan_goals",
                title: Text {
                    sv: "Mål per klient i genomförandeplanen (FIA)".into(),
                    en: "Goals per client in the plan (FIA)".into(),
                },
                description: Text {
                    sv: "Andel klienter efter antal mål i genomförandeplanen, av samtliga intervjuade (indelningen i antal är bistånds egen)".into(),
                    en: "Share of clients by the number of goals in the plan, of all interviewed (the grouping by number is bistand's own)".into(),
                },
                categories: GOALS
                    .iter()
                    .map(|(code, sv, en)| Category {
                        code: (*code).into(),
                        label: Text {
                            sv: (*sv).into(),
                            en: (*en).into(),
                        },
                    })
                    .collect(),
                rows: RowsSpec::ByDimension {
                    dimensions,
                    cells: (0..GOALS.len())
                        .map(|i| CellSlots::new(at + i, at + GOALS.len()))
                        .collect(),
                },
            });
            partitions.push(Partition {
                total: at + GOALS.len(),
                parts: (at..at + GOALS.len()).collect(),
            });
            at += GOALS.len() + 1;
        }
        for questionnaire in &self.questionnaires {
            let mut rows = Vec::new();
            for question in &questionnaire.questions {
                let width = question.answers.len();
                let label = &question.label;
                for (i, answer) in question.answers.iter().enumerate() {
                    rows.push((
                        format!("{}.{}", question.code, answer.code),
                        Text {
                            sv: format!("{} – {}", label.sv, answer.label.sv),
                            en: format!("{} – {}", label.en, answer.label.en),
                        },
                        vec![CellSlots::new(at + i, at + width)],
                    ));
                }
                if question.answers.iter().all(|a| a.value.is_some()) {
                    partitions.push(Partition {
                        total: at + width,
                        parts: (at..at + width).collect(),
                    });
                }
                at += width + 1;
            }
            specs.push(TableSpec {
                id: questionnaire.id,
                title: Text {
                    sv: format!("{} (FIA)", questionnaire.label.sv),
                    en: format!("{} (FIA)", questionnaire.label.en),
                },
                description: Text {
                    sv: format!(
                        "Andel med varje svar på enkätens frågor, {}",
                        among_answered.sv
                    ),
                    en: format!(
                        "Share giving each answer to the questionnaire's questions, {}",
                        among_answered.en
                    ),
                },
                categories: vec![Category {
                    code: "andel".into(),
                    label: Text {
                        sv: "Andel".into(),
                        en: "Share".into(),
                    },
                }],
                rows: RowsSpec::Fixed {
                    rows_are: "answer",
                    rows_label: Text {
                        sv: "Fråga och svar".into(),
                        en: "Question and answer".into(),
                    },
                    rows,
                },
            });
        }
        (specs, partitions)
    }
}
