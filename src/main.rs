/// mimalloc instead of the system allocator: a run makes millions of small allocations
/// (one per purpose, reference and note) on several threads, and mimalloc takes less
/// time and memory for them than glibc's malloc (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (the crate's bindings predate it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Each stage frees what the previous one built, and the peak is what counts: freed
    // memory goes back to the system at once instead of after 10 ms
    // (`MIMALLOC_PURGE_DELAY` in the environment still decides, as mimalloc documents).
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an allocator option before any thread is started; any value is valid.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    no_huge_pages();
    sverka::cli::run()
}

/// No transparent huge pages for this process (mimalloc asks for them, and its own
/// switch is read before `main`): the kernel may stall to assemble them (a 1 GiB run
/// spent 3 of its 8 seconds there), and a half-used one counts whole.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and only sets a
        // flag of this process; a failure (an old kernel) changes nothing.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}
