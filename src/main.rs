//! The `samestory` binary: parses flags, runs a subcommand, maps the result to an exit code.
//! All the work is in the library (`samestory::`).

mod cli;

use std::process::ExitCode;

use cli::{Cli, Command, Outcome};

// The summariser and term extraction make many short-lived allocations on every thread
// (sentences, tokens, entity spellings): glibc's malloc and free were a tenth of a 1M run.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Command::Cluster(args) => cli::cluster::run(args),
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
