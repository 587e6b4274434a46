//! Documents by the numeric core of their numbers, as one sorted list.
//!
//! Every number a reference can name shares its core with the invoice it names (`0045`,
//! `БП-45` and `00БП-000045` all have core 45), so matching looks invoices up by core.
//! A hash map of vectors would allocate once per distinct core (a million of them in a
//! year of a big company's invoices); one sorted list of (core, index) pairs holds the
//! same with a third of the memory and two allocations, and finds a core by a binary
//! search over the cores' hashes.

use crate::model::Text;

/// Indexes (of invoices, or of a group's debts) by core.
#[derive(Debug, Default)]
pub struct CoreIndex {
    /// Each core's hash, in the order of `entries`: the search runs over these integers.
    hashes: Vec<u64>,
    /// (core, index), sorted by the core's hash, then core, then index.
    entries: Vec<(Text, u32)>,
}

fn hash(core: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(core)
}

impl CoreIndex {
    /// From (core, index) pairs in any order; an index under the same core twice counts once.
    pub fn new(pairs: impl IntoIterator<Item = (Text, usize)>) -> CoreIndex {
        let mut keyed: Vec<(u64, Text, u32)> = pairs
            .into_iter()
            .map(|(core, i)| (hash(&core), core, u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        keyed.sort_unstable();
        keyed.dedup();
        let hashes = keyed.iter().map(|k| k.0).collect();
        let entries = keyed.into_iter().map(|(_, core, i)| (core, i)).collect();
        CoreIndex { hashes, entries }
    }

    /// The indexes under `core`, in increasing order; `None` when there are none.
    pub fn get(&self, core: &str) -> Option<Named<'_>> {
        let h = hash(core);
        let start = self.hashes.partition_point(|&x| x < h);
        let same_hash = self.hashes[start..].partition_point(|&x| x == h);
        let candidates = &self.entries[start..start + same_hash];
        let first = candidates.iter().position(|(c, _)| c == core)?;
        let len = candidates[first..].partition_point(|(c, _)| c == core);
        Some(Named(&candidates[first..first + len]))
    }
}

/// The indexes under one core.
#[derive(Debug, Clone, Copy)]
pub struct Named<'a>(&'a [(Text, u32)]);

impl<'a> Named<'a> {
    pub fn iter(self) -> impl Iterator<Item = usize> + 'a {
        self.0.iter().map(|&(_, i)| i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_index_of_a_core_in_order() {
        let index = CoreIndex::new([
            (Text::from("45"), 7),
            (Text::from("450"), 1),
            (Text::from("45"), 2),
            (Text::from("4"), 3),
            (Text::from("45"), 7),
        ]);
        let got = |core: &str| index.get(core).map(|n| n.iter().collect::<Vec<_>>());
        assert_eq!(got("45"), Some(vec![2, 7]));
        assert_eq!(got("450"), Some(vec![1]));
        assert_eq!(got("4"), Some(vec![3]));
        assert_eq!(got("5"), None);
        assert_eq!(got(""), None);
        assert_eq!(
            CoreIndex::default().get("45").map(|n| n.iter().count()),
            None
        );
    }
}
