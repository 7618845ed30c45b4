/// mimalloc: a build allocates and frees about 200 small blocks per file it
/// writes, from every rendering thread; glibc's malloc and free were 13–16% of
/// the CPU profile of a build, mimalloc takes about half that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (the same place in its
/// v2 and v3), which the Rust bindings do not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long (ms) mimalloc keeps freed memory before returning it to the system.
/// Its default, 1 s, is longer than most builds: peak RSS for 10,000 agents rose
/// from 160 to 220 MB; at 50 ms it stays at 160 MB and keeps the speed.
const PURGE_DELAY_MS: std::os::raw::c_long = 50;

fn main() {
    // SAFETY: sets one of mimalloc's process-wide options, which it reads
    // atomically; called once, before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    std::process::exit(agentc::run());
}
