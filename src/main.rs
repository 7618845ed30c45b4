/// mimalloc: a build allocates and frees about 200 small blocks per file it
/// writes, from every rendering thread; glibc's malloc and free were 13–16% of
/// the CPU profile of a build, mimalloc takes about half that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (the same place in its
/// v2 and v3), which the Rust bindings do not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long (ms) mimalloc keeps freed memory before returning it to the system.
/// Its default, 1 s, is longer than most builds: the peak RSS of a 10,000-agent
/// build rose from about 170 MiB (glibc's malloc) to 200-220 MiB; at 50 ms it
/// stays at about 170 MiB, and the build keeps the speed.
const PURGE_DELAY_MS: std::os::raw::c_long = 50;

/// The stack of each of rayon's threads (4 MiB was enough for a debug build).
const RENDER_STACK: usize = 16 * 1024 * 1024;

fn main() {
    // SAFETY: `mi_option_set` stores one value in mimalloc's option table; this
    // runs before any other thread exists, so nothing reads the table meanwhile.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    // Templates render on rayon's threads; a project's template may recurse up
    // to minijinja's limit (500 levels), which overflowed the default 2 MiB
    // stack of a debug build (an abort, not an error). The stack is reserved,
    // not used: peak RSS does not change.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(RENDER_STACK)
        .build_global();
    std::process::exit(agentc::run());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option at that place is the purge delay: the only one whose default
    /// is 1,000 (ms) in mimalloc v3, the version the bindings build (read from
    /// `MIMALLOC_PURGE_DELAY` instead when that is set).
    #[test]
    fn the_option_set_is_the_purge_delay() {
        let default = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(default, 1000);
    }
}
