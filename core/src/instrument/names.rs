//! Looks up the names a document uses (item ids, sub-item keys, codes) in a compiled definition.
//!
//! Validation looks up every key and every code of a document, two hundred or so per FIA
//! document, so the lookup is written for that: a table built once per definition, open
//! addressing over slots that hold each name's hash, place and value (a look-up reads a slot,
//! then the name), the names themselves side by side in one buffer (so a lookup does not chase a
//! pointer to a string of its own, likely out of cache), and a name compared in 8-byte words
//! only when its hash matches. A general hash map spent a fifth
//! of validation on these lookups, most of it in calls to `memcmp` for strings of 10 to 40 bytes.

/// A read-only map from names to values, built once.
#[derive(Debug)]
pub(crate) struct Names<V> {
    /// Power-of-two sized, at most half full. Each slot holds its name's hash, place in `text`
    /// and value, so a look-up reads the slot and then the name: two loads, where a table of
    /// indexes into a separate array of entries took three, each a likely cache miss.
    slots: Box<[Slot<V>]>,
    /// Every name, one after another.
    text: Box<str>,
}

#[derive(Clone, Copy, Debug)]
struct Slot<V> {
    /// The low half of the name's hash (the high half picks the slot).
    hash: u32,
    /// Where the name is in `text`; `start == EMPTY` for an empty slot.
    start: u32,
    len: u32,
    value: V,
}

const EMPTY: u32 = u32::MAX;

impl<V> Slot<V> {
    fn name<'t>(&self, text: &'t str) -> &'t [u8] {
        &text.as_bytes()[self.start as usize..(self.start + self.len) as usize]
    }
}

impl<V: Copy + Default> Names<V> {
    /// The map of `entries`. A name given twice keeps its first value (callers have refused
    /// duplicates already, with a message naming them).
    pub(crate) fn new(entries: impl IntoIterator<Item = (Box<str>, V)>) -> Names<V> {
        let entries: Vec<(Box<str>, V)> = entries.into_iter().collect();
        let size = (entries.len() * 2).next_power_of_two().max(8);
        let empty = Slot {
            hash: 0,
            start: EMPTY,
            len: 0,
            value: V::default(),
        };
        let mut slots = vec![empty; size].into_boxed_slice();
        let mut text = String::new();
        let offset = |n: usize| u32::try_from(n).expect("definitions are far smaller than 4 GiB");
        for (name, value) in entries {
            let hash = hash(name.as_bytes());
            let mut slot = slot_of(hash, size);
            loop {
                let taken = &slots[slot];
                if taken.start == EMPTY {
                    slots[slot] = Slot {
                        hash: hash as u32,
                        start: offset(text.len()),
                        len: offset(name.len()),
                        value,
                    };
                    text.push_str(&name);
                    break;
                }
                if taken.name(&text) == name.as_bytes() {
                    break;
                }
                slot = (slot + 1) & (size - 1);
            }
        }
        Names {
            slots,
            text: text.into_boxed_str(),
        }
    }

    /// The value of `name`.
    #[inline]
    pub(crate) fn get(&self, name: &str) -> Option<V> {
        let hash = hash(name.as_bytes());
        let mask = self.slots.len() - 1;
        let mut slot = slot_of(hash, self.slots.len());
        loop {
            let taken = &self.slots[slot];
            if taken.start == EMPTY {
                return None;
            }
            if taken.hash == hash as u32 && same(taken.name(&self.text), name.as_bytes()) {
                return Some(taken.value);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// How many names there are.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.start != EMPTY).count()
    }
}

fn slot_of(hash: u64, size: usize) -> usize {
    // The high bits are the best mixed.
    (hash >> 32) as usize & (size - 1)
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// A 64-bit hash of a short string from its length and its first and last 8 bytes (which
/// overlap for names under 16 bytes): the names of one definition that agree in all three are
/// rare, and a collision costs only a comparison more. Hashing every word of the name cost more
/// than the rest of the look-up.
#[inline]
fn hash(bytes: &[u8]) -> u64 {
    let len = bytes.len() as u64;
    let (first, last) = if bytes.len() >= 8 {
        (word_of(&bytes[..8]), last_word(bytes))
    } else {
        (short_word(bytes), 0)
    };
    let hash = (first ^ len.rotate_right(8)).wrapping_mul(SEED) ^ last;
    let hash = hash.rotate_left(29).wrapping_mul(SEED);
    hash ^ (hash >> 32)
}

/// Whether two names are equal, compared a word at a time without a call to `memcmp`.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() < 8 {
        return short_word(a) == short_word(b);
    }
    // Whole words up to the last, then the last 8 bytes (overlapping when the length is not a
    // multiple of 8): together they cover every byte.
    a[..a.len() - 1]
        .chunks_exact(8)
        .zip(b[..b.len() - 1].chunks_exact(8))
        .all(|(x, y)| word_of(x) == word_of(y))
        && last_word(a) == last_word(b)
}

#[inline]
fn word_of(word: &[u8]) -> u64 {
    u64::from_le_bytes(word.try_into().expect("chunks of 8"))
}

/// The last 8 bytes of a name of at least 8.
#[inline]
fn last_word(bytes: &[u8]) -> u64 {
    word_of(&bytes[bytes.len() - 8..])
}

/// A name of fewer than 8 bytes as a word, read in at most two overlapping loads; every byte
/// lands in it, so for names of one length it is one-to-one.
#[inline]
fn short_word(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    if len >= 4 {
        let first = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
        let last = u32::from_le_bytes(bytes[len - 4..].try_into().expect("4 bytes"));
        (u64::from(first) << 32) | u64::from(last)
    } else if len > 0 {
        (u64::from(bytes[0]) << 16) | (u64::from(bytes[len / 2]) << 8) | u64::from(bytes[len - 1])
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The hash reads only a name's length and its ends, so names that agree there collide
    /// (costing a comparison, never a wrong answer); none of the built-in definitions' do.
    #[test]
    fn the_built_in_names_have_distinct_hashes() {
        for definition in crate::registry::builtin().expect("built-in definitions compile") {
            let ids = definition
                .top_level_items()
                .map(|item| &definition.item(item).id);
            let lists = definition
                .code_lists()
                .iter()
                .map(|list| list.codes.iter().map(|code| &code.code).collect::<Vec<_>>());
            for names in std::iter::once(ids.collect::<Vec<_>>()).chain(lists) {
                let mut hashes: Vec<u64> = names.iter().map(|n| hash(n.as_bytes())).collect();
                hashes.sort_unstable();
                hashes.dedup();
                assert_eq!(
                    hashes.len(),
                    names.len(),
                    "{}: {names:?}",
                    definition.instrument()
                );
            }
        }
    }

    #[test]
    fn finds_every_name_and_nothing_else() {
        let names = [
            "boende.omfattning",
            "boende.problem_klient",
            "bedomning.kategori",
            "a",
            "",
            "arbete.onskade_insatser_och_mer_text_efter_32",
        ];
        let index = Names::new(names.iter().enumerate().map(|(i, n)| (Box::from(*n), i)));
        assert_eq!(index.len(), names.len());
        for (i, name) in names.iter().enumerate() {
            assert_eq!(index.get(name), Some(i), "{name}");
        }
        for absent in [
            "boende.omfattnin",
            "boende.omfattningx",
            "Boende.omfattning",
            "b",
            "bedomning.kategorj",
            "arbete.onskade_insatser_och_mer_text_efter_33",
        ] {
            assert_eq!(index.get(absent), None, "{absent}");
        }
    }

    #[test]
    fn a_repeated_name_keeps_its_first_value() {
        let index = Names::new([("x".into(), 1), ("y".into(), 2), ("x".into(), 3)]);
        assert_eq!(index.get("x"), Some(1));
        assert_eq!(index.len(), 2);
    }

    proptest! {
        #[test]
        fn answers_as_a_hash_map_does(
            names in proptest::collection::hash_set("[a-z_.]{0,40}", 0..300),
            probes in proptest::collection::vec("[a-z_.]{0,40}", 0..100),
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let index = Names::new(names.iter().enumerate().map(|(i, n)| (Box::from(n.as_str()), i)));
            let map: std::collections::HashMap<&str, usize> =
                names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
            for name in names.iter().map(String::as_str).chain(probes.iter().map(String::as_str)) {
                prop_assert_eq!(index.get(name), map.get(name).copied());
            }
        }
    }
}
