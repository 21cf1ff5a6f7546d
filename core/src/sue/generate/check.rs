//! The generator's definition check: every item and code it writes, with the code groups it
//! assumes.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

/// Checks that the definition has every item and code the generator writes, with the code groups
/// it assumes, and returns the profile bits of each försörjningshinder by its group, and whether
/// the definition has version 2's additions (then the generator writes them too, and checks them).
pub(super) fn check(definition: &Definition) -> Result<([Mask; 12], bool)> {
    let extended = definition.find(OBSTACLE_ITEMS[0].0).is_some();
    let areas: &[&str] = if extended {
        &OMRADE
    } else {
        &OMRADE[..OMRADE_V1]
    };
    let mut choices: Vec<(&str, &[&str])> = vec![
        ("bakgrund.kon", &KON),
        ("bakgrund.fodelseland", &FODELSELAND),
        ("bakgrund.hushallstyp", &HUSHALL),
        ("bakgrund.utbildning", &UTBILDNING),
        ("bakgrund.forsorjningshinder", &HINDER),
        ("fore_insats.problem.omrade", areas),
        ("fore_insats.problem.omfattning", &OMFATTNING),
        ("fore_insats.metod", &METOD),
        ("insatser.insats.typ", &JOBB),
        ("insatser.insats.typ", &RESURS),
        ("insatser.insats.typ", &STOD),
        ("insatser.insats.typ", &["sanktion", "undantag"]),
        ("insatser.insats.utforare", &UTFORARE),
        ("insatser.insats.undantag_skal", &UNDANTAG_SKAL),
        ("insatser.insats.sanktion_skal", &SANKTION_SKAL),
        ("under_insats.narvaro", &NARVARO),
        ("under_insats.avbrott_orsak", &AVBROTT_ORSAK),
        ("efter_insats.utfall", &UTFALL),
        ("efter_insats.forandring.omrade", areas),
        ("efter_insats.forandring.forandring", &FORANDRING),
        ("efter_insats.maluppfyllelse", &MALUPPFYLLELSE),
        ("brukaruppfoljning.nojdhet", &NOJDHET),
        ("brukaruppfoljning.inflytande", &GRAD),
        ("brukaruppfoljning.respekt", &GRAD),
        ("brukaruppfoljning.hjalpt", &HJALPT),
        ("avslutning.orsak", &AVSLUTSORSAK),
        ("ateraktualisering.orsak", &ATERAKT_ORSAK),
    ];
    if extended {
        choices.extend(OBSTACLE_ITEMS.map(|(id, _)| (id, &OBSTACLE_CODES[..])));
    }
    let others: [(&str, &str); 22] = [
        ("bakgrund.aktualiseringsdatum", "date"),
        ("bakgrund.fodelsear", "integer"),
        ("bakgrund.ar_i_sverige", "integer"),
        ("bakgrund.antal_barn", "integer"),
        ("bakgrund.manader_senaste_ar", "integer"),
        ("bakgrund.manader_senaste_3ar", "integer"),
        ("bakgrund.manader_kalenderar", "integer"),
        ("registeruppfoljning.arbete", "boolean"),
        ("registeruppfoljning.bistand", "boolean"),
        ("fore_insats.problem", "group"),
        ("fore_insats.mal_satta", "boolean"),
        ("fore_insats.antal_mal", "integer"),
        ("insatser.insats", "group"),
        ("insatser.insats.startdatum", "date"),
        ("insatser.insats.slutdatum", "date"),
        ("insatser.insats.intensitet_timmar", "integer"),
        ("under_insats.avbrott", "boolean"),
        ("efter_insats.datum", "date"),
        ("efter_insats.forandring", "group"),
        ("brukaruppfoljning.kommentar", "text"),
        ("avslutning.datum", "date"),
        ("ateraktualisering.datum", "date"),
    ];
    let item = |id: &str, kind: &str| {
        definition
            .find(id)
            .map(|i| definition.item(i))
            .filter(|item| item.kind.name() == kind)
            .ok_or_else(|| {
                definition_error(
                    format!(
                        "{} version {} has no {kind} item `{id}`, which the SUE generator needs",
                        definition.instrument(),
                        definition.version()
                    ),
                    format!(
                        "{} version {} saknar frågan `{id}` ({kind}) som SUE-generatorn behöver",
                        definition.instrument(),
                        definition.version()
                    ),
                )
            })
    };
    for (id, kind) in others {
        item(id, kind)?;
    }
    let code = |id: &str, code: &str| -> Result<Option<String>> {
        let found = item(id, "single_choice")?;
        let ItemKind::SingleChoice { list } = found.kind else {
            return Ok(None);
        };
        let list = definition.code_list(list);
        let position = list.position(code).ok_or_else(|| {
            definition_error(
                format!("code list `{}` of `{id}` lacks the code `{code}`, which the SUE generator writes", list.name),
                format!("kodlistan `{}` för `{id}` saknar koden `{code}` som SUE-generatorn skriver", list.name),
            )
        })?;
        Ok(list.code(position).group.clone())
    };
    for &(id, codes) in &choices {
        for c in codes {
            code(id, c)?;
        }
    }
    let expect_group = |id: &str, codes: &[&str], group: &str| -> Result<()> {
        for c in codes {
            if code(id, c)?.as_deref() != Some(group) {
                return Err(definition_error(
                    format!("code `{c}` of `{id}` must have the group `{group}`"),
                    format!("koden `{c}` för `{id}` måste ha gruppen `{group}`"),
                ));
            }
        }
        Ok(())
    };
    expect_group("insatser.insats.typ", &JOBB, "jobbaktivering")?;
    expect_group("insatser.insats.typ", &RESURS, "resursaktivering")?;
    expect_group("insatser.insats.typ", &STOD, "stod")?;
    expect_group("insatser.insats.typ", &["undantag"], "stod")?;
    expect_group("insatser.insats.typ", &["sanktion"], "kontroll")?;
    let mut groups = [0; 12];
    for (bits, hinder) in groups.iter_mut().zip(HINDER) {
        *bits = match code("bakgrund.forsorjningshinder", hinder)?.as_deref() {
            Some("arbetsloshet") => 0,
            Some("ohalsa") => G_OHALSA,
            Some("sociala_skal") => G_SOCIALA,
            Some("ovrigt") => G_OVRIGT,
            _ => {
                return Err(definition_error(
                    format!(
                        "försörjningshinder `{hinder}` needs a group: arbetsloshet, ohalsa, sociala_skal or ovrigt"
                    ),
                    format!(
                        "försörjningshindret `{hinder}` behöver en grupp: arbetsloshet, ohalsa, sociala_skal eller ovrigt"
                    ),
                ));
            }
        };
    }
    Ok((groups, extended))
}
