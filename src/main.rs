/// mimalloc instead of the system allocator: a run makes millions of small allocations
/// (one per purpose, reference and note) on two threads, and mimalloc takes about a
/// tenth less time and memory for them than glibc's malloc (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (the crate's bindings predate it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Give freed memory back to the system at once instead of after 10 ms: each stage
    // frees what the previous one built, and the peak is what the target counts.
    // (`MIMALLOC_PURGE_DELAY` in the environment still decides, as mimalloc documents.)
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an allocator option before any thread is started; any value is valid.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    sverka::cli::run()
}
