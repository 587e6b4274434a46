//! Documents by the numeric core of their numbers, as one sorted list.
//!
//! Every number a reference can name shares its core with the invoice it names (`0045`,
//! `БП-45` and `00БП-000045` all have core 45), so matching looks invoices up by core.
//! A hash map of vectors would allocate once per distinct core (a million of them in a
//! year of a big company's invoices); one sorted list of indexes holds the same with a
//! fraction of the memory and three allocations. A core is found through a table of
//! where each run of hashes with the same top bits starts (the hashes are spread
//! evenly, so a run holds about one entry): a binary search over a million hashes
//! missed the caches at every step, and a year of purposes makes a million lookups.
//!
//! The cores themselves are not kept: each entry keeps 32 more bits of its core's hash,
//! and the caller, who has the documents, confirms a candidate's core. Keeping the core
//! texts took three times the memory (40 bytes an entry where 8 to 16 do), at the
//! moment of the run when the most is held.

use crate::model::Text;

/// Indexes (of invoices, or of a group's debts) by core.
#[derive(Debug, Default)]
pub struct CoreIndex {
    /// Each entry's check: the 32 bits of its core's hash below the run's bits.
    checks: Vec<u32>,
    /// Each entry's index, sorted by run, then check, then index.
    indexes: Vec<u32>,
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
        let mut keyed: Vec<(u64, u32)> = pairs
            .into_iter()
            .map(|(core, i)| (hash(&core), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        // About one entry per run: the smallest power of two not below the count. (Over
        // 32 bits, which four billion entries would take, the check repeats run bits:
        // it only sorts out fewer strangers.)
        let bits = keyed.len().next_power_of_two().trailing_zeros().min(32);
        for k in &mut keyed {
            k.0 = key(k.0, bits);
        }
        keyed.sort_unstable();
        keyed.dedup();
        let checks: Vec<u32> = keyed.iter().map(|&(k, _)| k as u32).collect();
        let indexes: Vec<u32> = keyed.iter().map(|&(_, i)| i).collect();
        let mut starts = Vec::with_capacity((1 << bits) + 1);
        let mut at = 0;
        for run in 0..(1u64 << bits) {
            while at < keyed.len() && keyed[at].0 >> 32 < run {
                at += 1;
            }
            starts.push(at as u32);
        }
        starts.push(keyed.len() as u32);
        CoreIndex {
            checks,
            indexes,
            starts,
            bits,
        }
    }

    /// The indexes under `core`, in increasing order. The index holds no cores: an
    /// entry is only probably under `core` until `has_core` says, from the document at
    /// that index, that it is.
    pub fn get<'a>(
        &'a self,
        core: &str,
        has_core: impl Fn(usize) -> bool + 'a,
    ) -> impl Iterator<Item = usize> + 'a {
        let k = key(hash(core), self.bits);
        let run = (k >> 32) as usize;
        let (from, to) = match (self.starts.get(run), self.starts.get(run + 1)) {
            (Some(&from), Some(&to)) => (from as usize, to as usize),
            _ => (0, 0),
        };
        let check = k as u32;
        // (Entries of one run and check lie together, by index.)
        self.checks[from..to]
            .iter()
            .zip(&self.indexes[from..to])
            .filter(move |&(&c, _)| c == check)
            .map(|(_, &i)| i as usize)
            .filter(move |&i| has_core(i))
    }
}

/// A hash's run (its top `bits` bits, 0 when `bits` is 0) above the 32 bits below them.
fn key(hash: u64, bits: u32) -> u64 {
    let run = hash.checked_shr(64 - bits).unwrap_or(0);
    let check = (hash.checked_shl(bits).unwrap_or(0) >> 32) as u32;
    (run << 32) | u64::from(check)
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
        let got = |core: &str| index.get(core, |_| true).collect::<Vec<_>>();
        assert_eq!(got("45"), vec![2, 7]);
        assert_eq!(got("450"), vec![1]);
        assert_eq!(got("4"), vec![3]);
        assert_eq!(got("5"), Vec::<usize>::new());
        assert_eq!(got(""), Vec::<usize>::new());
        assert_eq!(CoreIndex::default().get("45", |_| true).count(), 0);
    }

    #[test]
    fn an_entry_counts_only_when_its_document_has_the_core() {
        let index = CoreIndex::new([(Text::from("45"), 1), (Text::from("45"), 2)]);
        assert_eq!(index.get("45", |i| i == 2).collect::<Vec<_>>(), vec![2]);
        assert_eq!(index.get("45", |_| false).count(), 0);
    }

    #[test]
    fn finds_the_same_as_a_map_in_a_big_index() {
        let pairs: Vec<(Text, usize)> = (0..5000usize)
            .map(|i| (Text::from((i % 1700).to_string()), i))
            .collect();
        let index = CoreIndex::new(pairs.clone());
        let pairs = &pairs;
        let mut map: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
        for (core, i) in pairs {
            map.entry(core.to_string()).or_default().push(*i);
        }
        let has = |core: &str| {
            let core = Text::from(core);
            move |i: usize| pairs[i].0 == core
        };
        for (core, want) in &map {
            let got: Vec<usize> = index.get(core, has(core)).collect();
            assert_eq!(&got, want, "{core}");
        }
        for absent in ["1700", "-1", "", "00"] {
            assert_eq!(index.get(absent, has(absent)).count(), 0, "{absent}");
        }
    }
}
