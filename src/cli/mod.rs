//! Command-line interface: flags shared by the subcommands, and one module per subcommand.

/// `eprintln!` that never panics. With stderr a closed pipe (`2>&1 | head`, a log reader gone)
/// a message has no reader and is dropped, and the run goes on: std's `eprintln!` panics there
/// (exit 101), and quitting instead, as ripgrep does, would leave `-o` files unwritten.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use say;

pub mod cluster;
pub mod dedup;
pub mod eval;
pub mod gen;
pub mod outputs;
pub mod progress;

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use samestory::read::{Corpus, FieldMap, FieldPath};

/// Find near-duplicate news articles and group reports of the same event
#[derive(Debug, Parser)]
#[command(name = "samestory", version, about, long_about = None)]
#[command(after_help = "Examples:
  samestory cluster fixtures/corpus/sample.jsonl --format md --report report.html
  samestory dedup articles.jsonl.gz -o groups.jsonl
  cat dump.jsonl | samestory dedup - --format tsv
  samestory gen --articles 100000 -o corpus.jsonl.zst --truth truth/
  samestory eval --truth truth/events.tsv clusters.jsonl")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line, exiting as clap does (code 2, usage shown) on any error and on
    /// a contradiction clap's own rules cannot express (see [`Cli::contradiction`]).
    pub fn parse_checked() -> Self {
        let cli = Cli::parse();
        if let Some((name, msg)) = cli.contradiction() {
            let kind = clap::error::ErrorKind::ArgumentConflict;
            // Built, so that the subcommand's usage line names the binary as clap's own do.
            let mut cmd = Cli::command();
            cmd.build();
            match cmd.find_subcommand_mut(name) {
                Some(sub) => sub.error(kind, msg).exit(),
                None => cmd.error(kind, msg).exit(),
            }
        }
        cli
    }

    /// Flags that contradict each other through a value, with the subcommand they were given
    /// to: `--quiet` with `--progress always` (`--progress never` agrees with it, so clap's
    /// `conflicts_with` would refuse too much).
    fn contradiction(&self) -> Option<(&'static str, &'static str)> {
        let (name, common) = match &self.command {
            Command::Dedup(a) => ("dedup", &a.common),
            Command::Cluster(a) => ("cluster", &a.common),
            Command::Gen(a) => ("gen", &a.common),
            Command::Eval(_) => return None,
        };
        let msg = "the argument '--quiet' cannot be used with '--progress always'";
        (common.quiet && common.progress == ProgressWhen::Always).then_some((name, msg))
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find near-duplicate articles and group them
    Dedup(Box<dedup::DedupArgs>),
    /// Group reports of the same event into story clusters with summaries
    Cluster(Box<cluster::ClusterArgs>),
    /// Score a clustering against true labels
    Eval(eval::EvalArgs),
    /// Generate a synthetic news corpus with ground truth
    Gen(Box<gen::GenArgs>),
}

/// Flags every subcommand that does work takes.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Worker threads (0 = one per core)
    #[arg(short = 'j', long = "threads", value_name = "NUM", default_value_t = 0)]
    pub threads: usize,

    /// Print nothing on stderr but errors
    ///
    /// Refused with --verbose and with --progress always, which ask for more on stderr.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// When to draw progress bars on stderr
    ///
    /// `auto` draws them only when stderr is a terminal; `always` draws them there and, when
    /// stderr is a file or pipe, writes one line as each phase starts and another with its time
    /// as it ends.
    #[arg(long, value_enum, default_value_t = ProgressWhen::Auto, value_name = "WHEN")]
    pub progress: ProgressWhen,

    /// Explain the chosen parameters on stderr
    #[arg(short, long)]
    pub verbose: bool,
}

/// When to show progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressWhen {
    /// Only when stderr is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl CommonArgs {
    /// Configures rayon's global pool.
    pub fn init_threads(&self) -> anyhow::Result<()> {
        if self.threads > 0 {
            rayon::ThreadPoolBuilder::new().num_threads(self.threads).build_global()?;
        }
        Ok(())
    }
}

/// Where articles come from and how their records are laid out.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// JSON Lines files (gzip or zstd detected from the content), directories of .txt files,
    /// or - for standard input; several inputs form one corpus
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Field holding the article id (a dotted path reaches into nested objects)
    ///
    /// Records without an id get `<file>:<line>`.
    #[arg(long, value_name = "PATH", default_value = "id")]
    pub id_field: String,
    /// Field holding the headline
    #[arg(long, value_name = "PATH", default_value = "title")]
    pub title_field: String,
    /// Field holding the body text (required in every record)
    #[arg(long, value_name = "PATH", default_value = "text")]
    pub text_field: String,
    /// Field holding the outlet name
    #[arg(long, value_name = "PATH", default_value = "source")]
    pub source_field: String,
    /// Field holding the article's link
    #[arg(long, value_name = "PATH", default_value = "url")]
    pub url_field: String,
    /// Field holding the publication date (YYYY-MM-DD or RFC 3339)
    ///
    /// A timestamp is shown and counted on the date written in it, in its own time zone
    /// (2023-07-17T23:30:00-05:00 is 17 July); choosing the earliest of two articles compares
    /// the moments.
    #[arg(long, value_name = "PATH", default_value = "published")]
    pub published_field: String,

    /// Report bad records and go on instead of stopping
    ///
    /// Each bad record is named on stderr and written as a `rejected` record to JSON Lines
    /// output; the run then exits with code 1. Without this flag the first bad record stops
    /// the run (exit code 2) before any output is written.
    #[arg(long)]
    pub skip_invalid: bool,
}

impl InputArgs {
    /// The field mapping given by the flags.
    pub fn fields(&self) -> FieldMap {
        FieldMap {
            id: FieldPath::new(&self.id_field),
            title: FieldPath::new(&self.title_field),
            text: FieldPath::new(&self.text_field),
            source: FieldPath::new(&self.source_field),
            url: FieldPath::new(&self.url_field),
            published: FieldPath::new(&self.published_field),
        }
    }

    /// The inputs, for [`outputs::check`].
    pub fn sources(&self) -> Vec<outputs::Source<'_>> {
        self.inputs.iter().map(|path| outputs::Source { what: "the input", path }).collect()
    }
}

/// Says on stderr what each directory input passed over, naming the first few: a file left out
/// without a word could be an article the user thinks was read. `--quiet` asked for silence.
pub fn report_skipped(corpus: &Corpus, quiet: bool) {
    if quiet {
        return;
    }
    for input in corpus.inputs().iter().filter(|i| !i.skipped.is_empty()) {
        say!("samestory: {}", skipped_message(&input.name, &input.path, &input.skipped));
    }
}

fn skipped_message(name: &str, dir: &std::path::Path, skipped: &[PathBuf]) -> String {
    const SHOWN: usize = 3;
    let names: Vec<String> = skipped
        .iter()
        .take(SHOWN)
        .map(|p| p.strip_prefix(dir).unwrap_or(p).display().to_string())
        .collect();
    let more = match skipped.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {} more", thousands(n as u64)),
    };
    let files = if skipped.len() == 1 { "file" } else { "files" };
    format!(
        "{name}: {} {files} skipped, not .txt articles: {}{more}",
        thousands(skipped.len() as u64),
        names.join(", ")
    )
}

/// How a run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything read and written.
    Clean,
    /// Done, but some records were rejected.
    Rejected,
}

/// Formats a count with thousands separators, for people.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn parse(args: &str) -> Result<Cli, clap::error::ErrorKind> {
        Cli::try_parse_from(args.split(' ')).map_err(|e| e.kind())
    }

    #[test]
    fn contradictory_flags_are_refused_and_agreeing_ones_pass() {
        use clap::error::ErrorKind::ArgumentConflict;
        for args in [
            "samestory dedup x -q -v",
            "samestory cluster x --verbose --quiet",
            "samestory gen -q -v",
            "samestory dedup x --keep-boilerplate --boilerplate-min-articles 5",
            "samestory dedup x --boilerplate-max-words 10 --keep-boilerplate",
        ] {
            assert_eq!(parse(args).err(), Some(ArgumentConflict), "{args}");
        }
        for args in ["samestory dedup x -q --progress always", "samestory gen --progress always -q"]
        {
            let cli = parse(args).unwrap();
            assert!(cli.contradiction().unwrap().1.contains("--progress always"), "{args}");
        }
        for args in [
            "samestory dedup x -q --progress never",
            "samestory dedup x -v --progress always",
            "samestory dedup x --keep-boilerplate",
            "samestory dedup x --boilerplate-min-articles 5",
            "samestory cluster x -q --keep-boilerplate",
        ] {
            assert!(parse(args).unwrap().contradiction().is_none(), "{args}");
        }
    }

    #[test]
    fn skipped_files_are_counted_and_the_first_named() {
        let dir = std::path::Path::new("corpus");
        let paths: Vec<PathBuf> =
            ["a.md", "b.json", "sub/c.pdf", "d.doc"].map(|p| dir.join(p)).into();
        assert_eq!(
            skipped_message("corpus", dir, &paths),
            "corpus: 4 files skipped, not .txt articles: a.md, b.json, sub/c.pdf and 1 more"
        );
        assert_eq!(
            skipped_message("corpus", dir, &paths[..1]),
            "corpus: 1 file skipped, not .txt articles: a.md"
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
