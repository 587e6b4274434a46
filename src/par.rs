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

/// `(0..n).map(f).collect()` with each call on a thread of its own (the first on the
/// calling thread): for a few big tasks, such as the parts of a file.
pub fn each<R: Send>(n: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    if n <= 1 {
        return (0..n).map(f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let later: Vec<_> = (1..n).map(|k| scope.spawn(move || f(k))).collect();
        let mut out = Vec::with_capacity(n);
        out.push(f(0));
        for h in later {
            // A panic in a worker is a bug: let it surface as one.
            out.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

/// `items.iter().map(f).collect()`, on several threads when there are many items.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads_for(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    // Each thread writes its results where they go in the output: gathering them from
    // arrays of their own would hold a second copy of all but the first thread's.
    let mut out: Vec<R> = Vec::with_capacity(items.len());
    let fill = |part: &[T], slots: &mut [std::mem::MaybeUninit<R>]| {
        for (item, slot) in part.iter().zip(slots) {
            slot.write(f(item));
        }
    };
    std::thread::scope(|scope| {
        let mut parts = items
            .chunks(chunk)
            .zip(out.spare_capacity_mut().chunks_mut(chunk));
        let first = parts.next();
        let handles: Vec<_> = parts
            .map(|(part, slots)| scope.spawn(move || fill(part, slots)))
            .collect();
        if let Some((part, slots)) = first {
            fill(part, slots);
        }
        for h in handles {
            // A panic in a worker is a bug: let it surface as one (the results written
            // so far are leaked, never read).
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        }
    });
    // SAFETY: the chunks of `items` and of the spare room pair up one to one (the same
    // chunk size over the same length), every thread wrote a result into each slot of its
    // chunk and returned without a panic (a panic was resumed above), so all
    // `items.len()` slots are initialised.
    unsafe { out.set_len(items.len()) };
    out
}

/// `items.into_iter().map(f).collect()` for items of uneven size: they are cut into one
/// run of neighbours per thread, each run about the same total `weight` (the number of
/// small units of work in an item), so that one customer with half the documents does
/// not leave a core idle. Results come in the input's order.
pub fn map_weighted<T: Send, R: Send>(
    items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    map_weighted_with(items, weight, |_| (), |item, _: &mut ()| f(item)).0
}

/// [`map_weighted`] where each run of items also adds to a state of its own (`start`
/// makes it from the run's items), returned in the runs' order: what the items add to their run's
/// state, in turn, is in the input's order when the states are read one after another.
/// One growing array per run instead of one per item keeps what lasts together in
/// memory, apart from what each item needs only while it is worked on.
pub fn map_weighted_with<T: Send, R: Send, S: Send>(
    items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    start: impl Fn(&[T]) -> S + Sync,
    f: impl Fn(T, &mut S) -> R + Sync,
) -> (Vec<R>, Vec<S>) {
    let weights: Vec<usize> = items.iter().map(&weight).collect();
    let total: usize = weights.iter().sum();
    let threads = threads_for(total);
    let one_run = |run: Vec<T>| {
        let mut state = start(&run);
        let out: Vec<R> = run.into_iter().map(|item| f(item, &mut state)).collect();
        (out, state)
    };
    if threads <= 1 || items.len() < 2 {
        let (out, state) = one_run(items);
        return (out, vec![state]);
    }
    // Cut where the running total passes each thread's share.
    let share = total.div_ceil(threads);
    let mut runs: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut run = Vec::new();
    let mut filled = 0;
    for (item, w) in items.into_iter().zip(weights) {
        run.push(item);
        filled += w;
        if filled >= share * (runs.len() + 1) && runs.len() + 1 < threads {
            runs.push(std::mem::take(&mut run));
        }
    }
    runs.push(run);
    let one_run = &one_run;
    std::thread::scope(|scope| {
        let mut runs = runs.into_iter();
        let first = runs.next().unwrap_or_default();
        let handles: Vec<_> = runs
            .map(|part| scope.spawn(move || one_run(part)))
            .collect();
        let (mut out, state) = one_run(first);
        let mut states = Vec::with_capacity(handles.len() + 1);
        states.push(state);
        for h in handles {
            // A panic in a worker is a bug: let it surface as one.
            let (more, state) = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            out.extend(more);
            states.push(state);
        }
        (out, states)
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

    #[test]
    fn each_runs_every_task_once_in_order() {
        assert_eq!(each(4, |k| k * 10), vec![0, 10, 20, 30]);
        assert_eq!(each(1, |k| k + 1), vec![1]);
        assert_eq!(each(0, |k| k), Vec::<usize>::new());
    }

    #[test]
    fn weighted_states_read_in_turn_keep_the_input_order() {
        // What the items add to their run's state, read state after state, comes in the
        // items' order; each run starts from the room `start` gives it.
        let items: Vec<usize> = (0..20_000).collect();
        let (out, states) = map_weighted_with(
            items.clone(),
            |_| 1,
            |run: &[usize]| Vec::with_capacity(run.len()),
            |x, seen: &mut Vec<usize>| {
                seen.push(x);
                x + 1
            },
        );
        assert_eq!(out, items.iter().map(|x| x + 1).collect::<Vec<_>>());
        assert_eq!(states.concat(), items);
        assert_eq!(states.len(), threads_for(items.len()));
    }

    #[test]
    fn weighted_keeps_the_order_whatever_the_weights() {
        // One heavy item among light ones, and enough work for every thread.
        let items: Vec<usize> = (0..3000).collect();
        let weight = |&x: &usize| if x == 10 { 40_000 } else { 5 };
        let out = map_weighted(items.clone(), weight, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(
            map_weighted(Vec::<u8>::new(), |_| 1, |x| x),
            Vec::<u8>::new()
        );
        assert_eq!(map_weighted(vec![1u8], |_| 100_000, |x| x + 1), vec![2]);
    }
}
