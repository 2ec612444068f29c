//! The `samestory` binary: parses flags, runs a subcommand, maps the result to an exit code.
//! All the work is in the library (`samestory::`).

mod cli;

use std::process::ExitCode;

use cli::{Cli, Command, Outcome};

// The summariser and term extraction make many short-lived allocations on every thread
// (sentences, tokens, entity spellings): glibc's malloc and free were a tenth of a 1M run.
#[global_allocator]
static ALLOC: Mimalloc = Mimalloc;

/// mimalloc, through its plain entry points wherever they give the alignment asked for.
///
/// `mimalloc::MiMalloc` calls the aligned ones for everything. For a block over 1 KiB those
/// take a generic path that over-allocates by the alignment and marks the page as holding
/// interior pointers. Every mimalloc block is aligned to a machine word (block sizes are
/// multiples of one; `mi_realloc_aligned` relies on it), so word alignment needs no more.
/// The summaries' instructions fell 1.3% (callgrind, gen 5k).
struct Mimalloc;

/// Whether a block of mimalloc's plain calls is aligned enough for `layout`: every block is
/// aligned to a machine word.
fn plain(layout: std::alloc::Layout) -> bool {
    layout.align() <= std::mem::size_of::<usize>()
}

// SAFETY: each method hands the request to mimalloc, which returns null on failure; the plain
// calls are used only when a block's word alignment meets `layout.align()` ([`plain`]).
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        if plain(l) { mi_malloc(l.size()) } else { mi_malloc_aligned(l.size(), l.align()) }.cast()
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, l: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        if plain(l) { mi_zalloc(l.size()) } else { mi_zalloc_aligned(l.size(), l.align()) }.cast()
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _: std::alloc::Layout) {
        libmimalloc_sys::mi_free(ptr.cast());
    }

    #[inline]
    unsafe fn realloc(&self, p: *mut u8, l: std::alloc::Layout, size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        let p = p.cast();
        if plain(l) { mi_realloc(p, size) } else { mi_realloc_aligned(p, size, l.align()) }.cast()
    }
}

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`, v3): milliseconds before freed memory
/// goes back to the system; -1 never.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory in the process for the next allocation to reuse. `cluster` frees each
/// phase's tables (the near-duplicate index, the candidate graph, the term lists) and the next
/// phase allocates as much again: returned to the system, every page came back zeroed by the
/// kernel: a third of the run's system time. At gen 1M (`--format tsv`, alternating) the run
/// took 66.5 / 63.8 s against 73.5 / 68.9 s, at 3.37 GB peak memory against 3.0 GB. `dedup`
/// is left as it was: it frees little before its end (17.4 s against 18.3 s; 1.2 against 1.7 GB).
fn keep_freed_memory() {
    // SAFETY: sets an option value; mimalloc reads options at each purge and has no other
    // precondition.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<samestory::error::Error>().is_some_and(|e| e.is_broken_pipe())
            || e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes, each said once: the library's errors already name their cause
/// (`path: reason`), which `{:#}` would repeat.
fn message(err: &anyhow::Error) -> String {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !msg.contains(&cause) {
            msg.push_str(": ");
            msg.push_str(&cause);
        }
    }
    msg
}

fn main() -> ExitCode {
    let cli = Cli::parse_checked();
    let result = match &cli.command {
        Command::Dedup(args) => cli::dedup::run(args),
        Command::Cluster(args) => {
            keep_freed_memory();
            cli::cluster::run(args)
        }
        Command::Eval(args) => cli::eval::run(args).map(|()| Outcome::Clean),
        Command::Gen(args) => cli::gen::run(args).map(|()| Outcome::Clean),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        // A closed pipe (`samestory ... | head`) is the reader's choice, not a failure: exit
        // quietly, as ripgrep and xsv do.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Through `say!`: an error with nowhere to be said still exits 2, not 101.
            cli::say!("samestory: {}", message(&err));
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_numbered_here() {
        // An allocator update that renumbered the options would make PURGE_DELAY another
        // option; its default (1000 ms in mimalloc v3) tells this one apart.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            eprintln!("skipped: MIMALLOC_PURGE_DELAY is set in the environment");
            return;
        }
        // SAFETY: reads an option value.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 1000);
    }

    #[test]
    fn blocks_have_the_alignment_asked_for_and_keep_their_bytes_through_realloc() {
        use std::alloc::{GlobalAlloc, Layout};
        let a = Mimalloc;
        // Sizes either side of mimalloc's small-block limit (1 KiB) and its page sizes.
        for size in [1, 7, 8, 24, 48, 1000, 1025, 1536, 4097, 70_000, 3 << 20] {
            for align in [1, 2, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero sizes; every block is freed with its layout.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null() && p as usize % align == 0, "{size} bytes at {align}");
                    for i in 0..size {
                        p.add(i).write(i as u8);
                    }
                    let bigger = size * 3 + 5;
                    let q = a.realloc(p, layout, bigger);
                    assert!(!q.is_null() && q as usize % align == 0, "{bigger} bytes at {align}");
                    assert!((0..size).all(|i| q.add(i).read() == i as u8), "{size} at {align}");
                    a.dealloc(q, Layout::from_size_align(bigger, align).unwrap());
                    let z = a.alloc_zeroed(layout);
                    assert!(!z.is_null() && z as usize % align == 0);
                    assert!((0..size).all(|i| z.add(i).read() == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
