//! Work spread over the machine's cores, with results in the input's order.
//!
//! sverka's stages are sequential, but some steps inside them treat each item on its
//! own (reading a receipt's purpose, say). Those run here on scoped threads: no thread
//! pool, no shared state, the same output whatever the number of cores.

/// At most this many threads: each holds a share of the results (or, reading files, a
/// file's documents and buffer).
pub const MAX_THREADS: usize = 4;

/// Below this many items a step is not worth a thread.
const MIN_PER_THREAD: usize = 4096;

/// The number of threads for `tasks` tasks that are each worth a thread: one per core,
/// at most [`MAX_THREADS`], at least one.
pub fn threads_for_tasks(tasks: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(MAX_THREADS).min(tasks).max(1)
}

/// The number of threads worth using for `items` small items.
pub fn threads_for(items: usize) -> usize {
    threads_for_tasks(items / MIN_PER_THREAD)
}

/// `items.iter().map(f).collect()`, on several threads when there are many items.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads_for(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .skip(1)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = Vec::with_capacity(items.len());
        out.extend(items[..chunk.min(items.len())].iter().map(f));
        for h in handles {
            // A panic in a worker is a bug: let it surface as one.
            out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_whatever_the_threads() {
        let items: Vec<u64> = (0..50_000).collect();
        let out = map(&items, |x| x * 3);
        assert_eq!(out.len(), items.len());
        assert!(out.iter().enumerate().all(|(i, &x)| x == i as u64 * 3));
        assert_eq!(map(&[] as &[u64], |x| *x), Vec::<u64>::new());
        assert_eq!(map(&[7u64], |x| x + 1), vec![8]);
    }
}
