//! Resolution: the ids and codes the FIA generator writes, checked against the definition once,
//! in `FiaGenerator::new`.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;
use crate::text::Text;

/// The answer of an evaluation question: a code drawn from a table, or yes with a percentage.
#[derive(Clone, Copy, Debug)]
pub(super) enum Survey {
    Codes(&'static [(&'static str, u32)]),
    Yes(u32),
}

#[derive(Clone, Debug)]
pub(super) struct SurveyQuestion {
    pub(super) item: ItemId,
    pub(super) answer: Survey,
}

/// The items the generator answers, other than the life areas.
#[derive(Clone, Debug)]
pub(super) struct Items {
    pub(super) har_barn: ItemId,
    pub(super) har_arbetat: ItemId,
    pub(super) senaste_arbete_ar: ItemId,
    pub(super) arbetslivserfarenhet_ar: ItemId,
    pub(super) yrke: ItemId,
    pub(super) utbildning: ItemId,
    pub(super) utbildning_utomlands: ItemId,
    pub(super) svenska: ItemId,
    pub(super) tydlig_bild: ItemId,
    pub(super) mal_arbete: ItemId,
    pub(super) svart_soka: ItemId,
    pub(super) onskade_insatser: ItemId,
    pub(super) syn_pa_krav: ItemId,
    pub(super) kategori: ItemId,
    pub(super) motivering: ItemId,
    pub(super) resurser: ItemId,
    pub(super) rangordning: ItemId,
    pub(super) plan: ItemId,
    pub(super) plan_mal: ItemId,
    pub(super) plan_omrade: ItemId,
    pub(super) plan_delmal: ItemId,
    pub(super) plan_delmal_beskrivning: ItemId,
    pub(super) plan_insatser: ItemId,
    pub(super) plan_ansvarig: ItemId,
    pub(super) plan_uppfoljning: ItemId,
    pub(super) nasta_uppfoljning: ItemId,
    pub(super) survey: Vec<SurveyQuestion>,
    pub(super) client_comment: ItemId,
    pub(super) caseworker_comment: ItemId,
}

impl Items {
    pub(super) fn resolve(r: &mut Resolver<'_>) -> Result<Items> {
        let codes = |table: &[(&'static str, u32)]| -> Vec<&'static str> {
            table.iter().map(|&(c, _)| c).collect()
        };
        let plan_codes: Vec<&str> = PLAN_INSATSER
            .iter()
            .flat_map(|(_, codes)| codes.iter().copied())
            .chain([SFI])
            .collect();
        let kategori: Vec<&str> = Need::ALL.iter().map(|need| need.code()).collect();
        Ok(Items {
            har_barn: r.item("bakgrund.har_barn", "boolean")?,
            har_arbetat: r.item("arbete.har_arbetat", "boolean")?,
            senaste_arbete_ar: r.item("arbete.senaste_arbete_ar", "integer")?,
            arbetslivserfarenhet_ar: r.item("arbete.arbetslivserfarenhet_ar", "integer")?,
            yrke: r.item("arbete.yrke", "text")?,
            utbildning: r.choice("arbete.utbildning", "single_choice", &codes(UTBILDNING))?,
            utbildning_utomlands: r.item("arbete.utbildning_utomlands", "boolean")?,
            svenska: r.choice(
                "arbete.svenska_sprakkunskaper",
                "single_choice",
                &codes(SPRAK_EDUCATED_HERE),
            )?,
            tydlig_bild: r.choice(
                "arbete.tydlig_bild_framtid",
                "single_choice",
                &codes(TYDLIG_BILD),
            )?,
            mal_arbete: r.item("arbete.mal_arbete", "text")?,
            svart_soka: r.choice(
                "arbete.svart_soka_arbete",
                "single_choice",
                &codes(SVART_SOKA),
            )?,
            onskade_insatser: r.choice(
                "arbete.onskade_insatser",
                "multiple_choice",
                &codes(ONSKADE_INSATSER),
            )?,
            syn_pa_krav: r.choice("arbete.syn_pa_krav", "single_choice", &codes(SYN_PA_KRAV))?,
            kategori: r.choice("bedomning.kategori", "single_choice", &kategori)?,
            motivering: r.item("bedomning.motivering", "text")?,
            resurser: r.item("bedomning.resurser", "text")?,
            rangordning: r.item("sammanstallning.rangordning", "ranking")?,
            plan: r.item("genomforandeplan.mal", "group")?,
            plan_mal: r.item("genomforandeplan.mal.mal", "text")?,
            plan_omrade: r.item("genomforandeplan.mal.omrade", "single_choice")?,
            plan_delmal: r.item("genomforandeplan.mal.delmal", "group")?,
            plan_delmal_beskrivning: r.item("genomforandeplan.mal.delmal.beskrivning", "text")?,
            plan_insatser: r.choice(
                "genomforandeplan.mal.insatser",
                "multiple_choice",
                &plan_codes,
            )?,
            plan_ansvarig: r.choice(
                "genomforandeplan.mal.ansvarig",
                "single_choice",
                &codes(ANSVARIG),
            )?,
            plan_uppfoljning: r.date("genomforandeplan.mal.uppfoljningsdatum")?,
            nasta_uppfoljning: r.date("genomforandeplan.nasta_uppfoljning")?,
            survey: SURVEY
                .iter()
                .map(|&(id, answer)| {
                    let item = match answer {
                        Survey::Codes(table) => r.choice(id, "single_choice", &codes(table))?,
                        Survey::Yes(_) => r.item(id, "boolean")?,
                    };
                    Ok(SurveyQuestion { item, answer })
                })
                .collect::<Result<_>>()?,
            client_comment: r.item("enkat_klient.kommentar", "text")?,
            caseworker_comment: r.item("enkat_handlaggare.kommentar", "text")?,
        })
    }
}

/// Looks items up, checks their kind and codes, and records which items the generator answers.
pub(super) struct Resolver<'d> {
    pub(super) definition: &'d Definition,
    pub(super) used: Vec<ItemId>,
}

impl Resolver<'_> {
    pub(super) fn item(&mut self, id: &str, kind: &str) -> Result<ItemId> {
        let Some(item) = self.definition.find(id) else {
            return Err(self.error(
                format!("it has no item `{id}`"),
                format!("frågan `{id}` saknas"),
            ));
        };
        let found = self.definition.item(item).kind.name();
        if found != kind {
            return Err(self.error(
                format!("item `{id}` is {found}, expected {kind}"),
                format!("frågan `{id}` är av typen {found}, förväntad typ {kind}"),
            ));
        }
        self.used.push(item);
        Ok(item)
    }

    /// A choice item whose code list has every one of `codes`.
    pub(super) fn choice(&mut self, id: &str, kind: &str, codes: &[&str]) -> Result<ItemId> {
        let item = self.item(id, kind)?;
        let list = match self.definition.item(item).kind {
            ItemKind::SingleChoice { list } | ItemKind::MultipleChoice { list, .. } => list,
            _ => unreachable!("`item` checked that the kind is a choice"),
        };
        let list = self.definition.code_list(list);
        if let Some(missing) = codes.iter().find(|c| list.position(c).is_none()) {
            return Err(self.error(
                format!("the code list of `{id}` has no code `{missing}`"),
                format!("kodlistan för `{id}` saknar koden `{missing}`"),
            ));
        }
        Ok(item)
    }

    /// A date item that only has to follow the interview date: generated dates always do.
    pub(super) fn date(&mut self, id: &str) -> Result<ItemId> {
        let item = self.item(id, "date")?;
        let ItemKind::Date {
            not_before,
            not_after,
        } = &self.definition.item(item).kind
        else {
            unreachable!("`item` checked that the kind is a date")
        };
        if !not_after.is_empty() || not_before.iter().any(|r| *r != DateRef::InterviewDate) {
            return Err(self.error(
                format!("date item `{id}` is ordered against more than the interview date"),
                format!("datumfrågan `{id}` ordnas mot mer än intervjudatumet"),
            ));
        }
        Ok(item)
    }

    /// Fails if the definition requires an item the generator never answers.
    pub(super) fn finish(self) -> Result<()> {
        let definition = self.definition;
        let unknown = definition.items().iter().find(|item| {
            item.required && !self.used.iter().any(|&u| definition.item(u).id == item.id)
        });
        match unknown {
            Some(item) => Err(self.error(
                format!(
                    "required item `{}` is not one the generator can answer",
                    item.id
                ),
                format!(
                    "den obligatoriska frågan `{}` kan generatorn inte besvara",
                    item.id
                ),
            )),
            None => Ok(()),
        }
    }

    pub(super) fn error(&self, en: String, sv: String) -> Error {
        let (instrument, version) = (self.definition.instrument(), self.definition.version());
        Error::new(
            ErrorKind::InvalidDefinition,
            Text {
                sv: format!(
                    "kan inte generera dokument från {instrument} version {version}: {sv}; \
                 den syntetiska generatorn behöver en definition med formen av fia version 1"
                ),
                en: format!(
                    "cannot generate documents from {instrument} version {version}: {en}; \
                 the synthetic generator needs a definition shaped like fia version 1"
                ),
            },
        )
    }
}
