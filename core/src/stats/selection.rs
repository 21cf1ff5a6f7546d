//! Which tables a report has: every table (the default) or those an analyst names, by table id
//! (`needs.gender`) or by family (`needs`: the table and every breakdown of it, the part of the id
//! before the first `.`).
//!
//! Generic over the tables an instrument registers: the ids are those its report produces (see
//! `GroupAggregate::select`), so a table added to a report is selectable without more code.
//! What is not selected is not computed: not counted per record (where the aggregate knows the
//! selection before counting), not built, not protected, except the tables whose cells' counts a
//! selected table shows (built and protected, not emitted: their attribute rule hides those
//! quantities in the full report too). Selecting never changes a published cell of a selected
//! table: a perturbed count depends only on its persons, the attribute rule only on the cells
//! that show it as a count, all built, and an exact report (whose secondary suppression looks
//! across tables) is protected whole before the selection is taken out of it (see `DESIGN.md`,
//! "Table selection").

use crate::error::{Error, ErrorKind, Result};
use crate::text::Text;

/// The tables a report has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableSelection {
    /// `None`: every table. Otherwise table ids and families, each once, in the order named.
    names: Option<Vec<String>>,
}

impl TableSelection {
    /// Every table.
    pub fn all() -> TableSelection {
        TableSelection::default()
    }

    /// The tables named: each a table id or a family. Whether each exists is checked against the
    /// report's own tables by [`TableSelection::check`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an empty list, or a name that is empty or holds
    /// anything but `a`–`z`, digits, `_` and `.`.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<TableSelection> {
        let mut out: Vec<String> = Vec::new();
        for (position, name) in names.into_iter().enumerate() {
            let well_formed = !name.is_empty()
                && name.len() <= 100
                && name.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.'
                });
            if !well_formed {
                return Err(unknown(position + 1));
            }
            if !out.iter().any(|n| n == name) {
                out.push(name.to_owned());
            }
        }
        if out.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: "ange minst en tabell, eller ingen tabellista alls för alla tabeller"
                        .into(),
                    en: "name at least one table, or no table list at all for every table".into(),
                },
            ));
        }
        Ok(TableSelection { names: Some(out) })
    }

    /// Whether every table is selected.
    pub fn is_all(&self) -> bool {
        self.names.is_none()
    }

    /// The names given (`None`: every table).
    pub fn names(&self) -> Option<&[String]> {
        self.names.as_deref()
    }

    /// Whether the table with id `id` is selected.
    pub fn wants(&self, id: &str) -> bool {
        self.names
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == id || n == family(id)))
    }

    /// Checks that every name is a table id or a family of `ids` (the tables of the report).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the position of the first unknown name (not the
    /// name: it is the caller's text).
    pub fn check<'a>(&self, ids: impl IntoIterator<Item = &'a str> + Clone) -> Result<()> {
        let Some(names) = &self.names else {
            return Ok(());
        };
        for (position, name) in names.iter().enumerate() {
            if !ids
                .clone()
                .into_iter()
                .any(|id| id == name || family(id) == name)
            {
                return Err(unknown(position + 1));
            }
        }
        Ok(())
    }

    /// The selection with the tables of family `source` added when any table of family
    /// `derived` is selected: what a table derived from another's published cells needs built
    /// (the derived table is then computed from the same published cells whatever else is asked).
    pub(crate) fn requiring(&self, derived: &str, source: &str) -> TableSelection {
        match &self.names {
            Some(names)
                if names.iter().any(|n| family(n) == derived)
                    && !names.iter().any(|n| n == source) =>
            {
                let mut names = names.clone();
                names.push(source.to_owned());
                TableSelection { names: Some(names) }
            }
            _ => self.clone(),
        }
    }
}

/// The family of a table id: the part before the first `.` (`needs` of `needs.gender`).
pub fn family(id: &str) -> &str {
    id.split_once('.').map_or(id, |(family, _)| family)
}

fn unknown(position: usize) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        Text {
            sv: format!(
                "tabell nummer {position} i listan finns inte i rapporten; ange tabell-id som \
                 `needs.gender` eller en tabellfamilj som `needs` (med de indelningar som begärts)"
            ),
            en: format!(
                "table number {position} of the list is not in the report; give table ids such \
                 as `needs.gender` or a family such as `needs` (with the breakdowns asked for)"
            ),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_select_tables_and_families() {
        let selection = TableSelection::new(["needs", "clients.gender", "needs"]).expect("valid");
        assert_eq!(
            selection.names(),
            Some(&["needs".to_owned(), "clients.gender".to_owned()][..])
        );
        assert!(selection.wants("needs") && selection.wants("needs.unit"));
        assert!(selection.wants("clients.gender"));
        assert!(!selection.wants("clients") && !selection.wants("needs_interventions"));
        assert!(TableSelection::all().wants("anything"));
    }

    #[test]
    fn unknown_and_malformed_names_are_refused_without_echoing_them() {
        let ids = ["clients", "clients.gender", "needs"];
        let selection = TableSelection::new(["clients", "behov"]).expect("well formed");
        let error = selection.check(ids).expect_err("unknown");
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message_sv().contains("tabell nummer 2"), "{error}");
        assert!(!error.message_en().contains("behov"), "{error}");
        TableSelection::new(["clients.gender", "needs"])
            .expect("valid")
            .check(ids)
            .expect("known");
        for bad in ["", "Needs", "19121212-1212", "needs,clients"] {
            assert!(TableSelection::new([bad]).is_err(), "{bad}");
        }
        assert!(TableSelection::new(std::iter::empty::<&str>()).is_err());
    }

    #[test]
    fn a_derived_table_brings_its_source() {
        let selection = TableSelection::new(["standardised.gender", "needs"]).expect("valid");
        let build = selection.requiring("standardised", "needs_profile");
        assert!(build.wants("needs_profile") && build.wants("needs_profile.gender"));
        assert!(!selection.wants("needs_profile.gender"));
        let other = TableSelection::new(["needs"]).expect("valid");
        assert_eq!(other.requiring("standardised", "needs_profile"), other);
    }
}
