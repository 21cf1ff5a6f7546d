//! The one table builder of every instrument: columns whose cells sit at fixed offsets from a
//! group's first counter slot, laid out once per row (fixed rows: areas, breakdown groups) or
//! side by side per group (columns repeated per needs profile, per life area). Tables used to
//! build the same row × column loop by hand in each instrument's statistics.

use super::Category;
use super::dimension::Dimension;
use super::engine::{CellSlots, RowsSpec, TableSpec};
use crate::text::Text;

/// A constant label: code, Swedish, English.
pub(crate) type Label = (&'static str, &'static str, &'static str);

/// Swedish and English text.
pub(crate) fn text(sv: &str, en: &str) -> Text {
    Text {
        sv: sv.into(),
        en: en.into(),
    }
}

/// Where a column's base is.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Base {
    /// At an offset from the group's first slot (moves with the group, like the count).
    Relative(usize),
    /// At a slot of its own, within the row's group.
    Fixed(usize),
    /// At a slot of its own, over all records (a composition: share of all).
    OverAll(usize),
}

/// A column: its category, and the slots of its count and base from its group's first slot.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    category: Category,
    count: usize,
    base: Base,
}

impl Column {
    /// A column counting slot `count` (from the group's first) over `base`.
    pub(crate) fn new(code: &str, label: Text, count: usize, base: Base) -> Column {
        Column {
            category: Category {
                code: code.to_owned(),
                label,
            },
            count,
            base,
        }
    }

    /// A column labelled by a constant.
    pub(crate) fn of(label: &Label, count: usize, base: Base) -> Column {
        let (code, sv, en) = *label;
        Column::new(code, text(sv, en), count, base)
    }

    fn at(&self, first: usize) -> Column {
        Column {
            category: self.category.clone(),
            count: first + self.count,
            base: match self.base {
                Base::Relative(offset) => Base::Relative(first + offset),
                fixed => fixed,
            },
        }
    }

    fn cell(&self) -> CellSlots {
        match self.base {
            Base::Relative(base) | Base::Fixed(base) => CellSlots::new(self.count, base),
            Base::OverAll(base) => CellSlots {
                count: self.count,
                base,
                base_over_all: true,
            },
        }
    }
}

/// A table's columns, in order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Columns(pub(crate) Vec<Column>);

impl Columns {
    /// One column per code, the i-th counting slot i, all over `base`.
    pub(crate) fn run(categories: impl IntoIterator<Item = Category>, base: Base) -> Columns {
        Columns(
            categories
                .into_iter()
                .enumerate()
                .map(|(i, category)| Column {
                    category,
                    count: i,
                    base,
                })
                .collect(),
        )
    }

    /// The columns of the group whose first slot is `first`.
    pub(crate) fn at(&self, first: usize) -> Columns {
        Columns(self.0.iter().map(|c| c.at(first)).collect())
    }

    /// The columns of one group among several side by side: codes `{code}_{group}`, labels
    /// `{label}: {group's label in lower case}`.
    pub(crate) fn for_group(&self, first: usize, group: &Label) -> Columns {
        let (code, sv, en) = *group;
        let mut columns = self.at(first);
        for column in &mut columns.0 {
            let category = &mut column.category;
            category.code = format!("{}_{code}", category.code);
            category.label = Text {
                sv: format!("{}: {}", category.label.sv, sv.to_lowercase()),
                en: format!("{}: {}", category.label.en, en.to_lowercase()),
            };
        }
        columns
    }

    /// Adds `other`'s columns after these.
    pub(crate) fn extend(&mut self, other: Columns) {
        self.0.extend(other.0);
    }

    /// The categories (headings) of the columns.
    pub(crate) fn categories(&self) -> Vec<Category> {
        self.0.iter().map(|c| c.category.clone()).collect()
    }

    /// The cells of a row of the group whose first slot is `first`.
    pub(crate) fn cells(&self, first: usize) -> Vec<CellSlots> {
        self.0.iter().map(|c| c.at(first).cell()).collect()
    }

    /// A table with one row per group of each of `dimensions` (the columns' slots as they are).
    pub(crate) fn by_dimension(
        &self,
        id: &'static str,
        texts: [Text; 2],
        dimensions: &'static [Dimension],
    ) -> TableSpec {
        let [title, description] = texts;
        TableSpec {
            id,
            title,
            description,
            categories: self.categories(),
            rows: RowsSpec::ByDimension {
                dimensions,
                cells: self.cells(0),
            },
        }
    }

    /// A table of fixed rows over all records: one row per group (code, label, first slot).
    pub(crate) fn fixed(
        &self,
        id: &'static str,
        texts: [Text; 2],
        rows: (&'static str, Text),
        groups: impl IntoIterator<Item = (String, Text, usize)>,
    ) -> TableSpec {
        let [title, description] = texts;
        let (rows_are, rows_label) = rows;
        TableSpec {
            id,
            title,
            description,
            categories: self.categories(),
            rows: RowsSpec::Fixed {
                rows_are,
                rows_label,
                rows: groups
                    .into_iter()
                    .map(|(code, label, first)| (code, label, self.cells(first)))
                    .collect(),
            },
        }
    }
}

/// Categories of constant labels.
pub(crate) fn categories(labels: &[Label]) -> Vec<Category> {
    labels
        .iter()
        .map(|&(code, sv, en)| Category {
            code: code.to_owned(),
            label: text(sv, en),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(cells: &[CellSlots]) -> Vec<(usize, usize, bool)> {
        cells
            .iter()
            .map(|c| (c.count, c.base, c.base_over_all))
            .collect()
    }

    #[test]
    fn relative_bases_move_with_the_group_and_fixed_ones_stay() {
        let columns = Columns(vec![
            Column::new("klienter", text("Klienter", "Clients"), 0, Base::OverAll(0)),
            Column::new(
                "sanktion",
                text("Sanktion", "Sanction"),
                2,
                Base::Relative(0),
            ),
            Column::new("åtgärd", text("Åtgärd", "Measure"), 3, Base::Fixed(1)),
        ]);
        assert_eq!(
            slots(&columns.cells(10)),
            [(10, 0, true), (12, 10, false), (13, 1, false)]
        );
        let table = columns.fixed(
            "t",
            [text("Söder", "South"), text("å", "a")],
            ("grupp", text("Grupp", "Group")),
            [
                ("a".to_owned(), text("A", "A"), 10),
                ("b".to_owned(), text("B", "B"), 20),
            ],
        );
        let RowsSpec::Fixed { rows, .. } = table.rows else {
            panic!("fixed rows");
        };
        assert_eq!(
            slots(&rows[1].2),
            [(20, 0, true), (22, 20, false), (23, 1, false)]
        );
    }

    #[test]
    fn groups_side_by_side_get_their_own_codes_labels_and_slots() {
        let per = Columns::run(
            categories(&[("a", "Ä", "A"), ("b", "B", "B")]),
            Base::Relative(5),
        );
        let mut columns = Columns::default();
        columns.extend(per.for_group(0, &("x", "Söder", "South")));
        columns.extend(per.for_group(10, &("y", "Norr", "North")));
        let codes: Vec<String> = columns.categories().into_iter().map(|c| c.code).collect();
        assert_eq!(codes, ["a_x", "b_x", "a_y", "b_y"]);
        assert_eq!(columns.categories()[0].label.sv, "Ä: söder");
        assert_eq!(
            slots(&columns.cells(0)),
            [
                (0, 5, false),
                (1, 5, false),
                (10, 15, false),
                (11, 15, false)
            ]
        );
    }
}
