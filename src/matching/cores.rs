//! Documents by the numeric core of their numbers, as one sorted list.
//!
//! Every number a reference can name shares its core with the invoice it names (`0045`,
//! `БП-45` and `00БП-000045` all have core 45), so matching looks invoices up by core.
//! A hash map of vectors would allocate once per distinct core (a million of them in a
//! year of a big company's invoices); one sorted list of (core, index) pairs holds the
//! same with a third of the memory and three allocations. A core is found through a
//! table of where each run of hashes with the same top bits starts (the hashes are
//! spread evenly, so a run holds about one entry): a binary search over a million
//! hashes missed the caches at every step, and a year of purposes makes a million
//! lookups.

use crate::model::Text;

/// Indexes (of invoices, or of a group's debts) by core.
#[derive(Debug, Default)]
pub struct CoreIndex {
    /// Each core's hash, in the order of `entries`: the search runs over these integers.
    hashes: Vec<u64>,
    /// (core, index), sorted by the core's hash, then core, then index.
    entries: Vec<(Text, u32)>,
    /// `starts[b]` is the first position whose hash has `b` in its top `bits` bits;
    /// `starts[b + 1]` ends that run. One more entry than there are runs.
    starts: Vec<u32>,
    /// How many top bits of a hash choose its run (0 for an empty index).
    bits: u32,
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
        let hashes: Vec<u64> = keyed.iter().map(|k| k.0).collect();
        let entries = keyed.into_iter().map(|(_, core, i)| (core, i)).collect();
        // About one entry per run: the smallest power of two not below the count.
        let bits = hashes.len().next_power_of_two().trailing_zeros();
        let mut starts = Vec::with_capacity((1 << bits) + 1);
        let mut at = 0;
        for run in 0..(1u64 << bits) {
            while at < hashes.len() && top(hashes[at], bits) < run {
                at += 1;
            }
            starts.push(at as u32);
        }
        starts.push(hashes.len() as u32);
        CoreIndex {
            hashes,
            entries,
            starts,
            bits,
        }
    }

    /// The indexes under `core`, in increasing order; `None` when there are none.
    pub fn get(&self, core: &str) -> Option<Named<'_>> {
        if self.entries.is_empty() {
            return None;
        }
        let h = hash(core);
        let run = top(h, self.bits) as usize;
        let (from, to) = (self.starts[run] as usize, self.starts[run + 1] as usize);
        let in_run = &self.hashes[from..to];
        let start = from + in_run.partition_point(|&x| x < h);
        let same_hash = self.hashes[start..to].partition_point(|&x| x == h);
        let candidates = &self.entries[start..start + same_hash];
        let first = candidates.iter().position(|(c, _)| c == core)?;
        let len = candidates[first..].partition_point(|(c, _)| c == core);
        Some(Named(&candidates[first..first + len]))
    }
}

/// The top `bits` bits of `hash` (0 when `bits` is 0).
fn top(hash: u64, bits: u32) -> u64 {
    hash.checked_shr(64 - bits).unwrap_or(0)
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

    #[test]
    fn finds_the_same_as_a_map_in_a_big_index() {
        let pairs: Vec<(Text, usize)> = (0..5000usize)
            .map(|i| (Text::from((i % 1700).to_string()), i))
            .collect();
        let index = CoreIndex::new(pairs.clone());
        let mut map: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for (core, i) in pairs {
            map.entry(core.to_string()).or_default().push(i);
        }
        for (core, want) in &map {
            let got: Vec<usize> = index.get(core).map(|n| n.iter().collect()).unwrap();
            assert_eq!(&got, want, "{core}");
        }
        for absent in ["1700", "-1", "", "00"] {
            assert!(index.get(absent).is_none(), "{absent}");
        }
    }
}
