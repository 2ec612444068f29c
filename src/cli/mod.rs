//! Command-line interface: flags shared by the subcommands, and one module per subcommand.

pub mod cluster;
pub mod dedup;
pub mod eval;
pub mod gen;
pub mod outputs;
pub mod progress;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use samestory::read::{FieldMap, FieldPath};

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
    #[arg(short, long)]
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
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
