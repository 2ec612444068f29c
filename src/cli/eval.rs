//! `samestory eval`: score a predicted clustering against true labels.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::bail;
use samestory::eval::{evaluate, Labels, Role};
use samestory::write::Output;

use super::outputs::{self, Source, Target};

const AFTER_HELP: &str = "\
Examples:
  samestory eval --truth truth/events.tsv clusters.jsonl
  samestory eval --truth truth/dups.tsv groups.tsv --json
  samestory eval --truth truth/events.tsv --column 3 --worst 10 clusters.tsv";

/// Score predicted clusters against true labels
///
/// Both the prediction and --truth are read as samestory's JSON Lines output (detected when the
/// first non-blank byte is `{`: `cluster` records, or `group` records when a file has no
/// cluster records; `rejected` records count as rejected articles, except the repeats of an id
/// that is also clustered, which are skipped and counted) or as TSV `id<TAB>cluster[<TAB>...]`,
/// with an optional header line whose first field is `id` and ids escaped as samestory writes
/// them (`\\` for a backslash, `\t`, `\n`, `\r`). Files may be gzip or zstd compressed; `-`
/// reads stdin. A prediction must put each id in one cluster; the truth may list an id under
/// several clusters (overlapping truth).
///
/// Scores are computed on the articles with a cluster on both sides; ids on one side only and
/// rejected ids are counted and listed, not scored. Reported: pairwise and BCubed precision,
/// recall and F1 (extended BCubed when the truth overlaps), adjusted Rand index, NMI with
/// arithmetic-mean normalisation, cluster counts and sizes, and the worst merges and splits.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct EvalArgs {
    /// Predicted clusters: samestory JSON Lines or TSV id<TAB>cluster (`-` for stdin)
    #[arg(value_name = "PREDICTION")]
    pub prediction: PathBuf,

    /// True labels: TSV id<TAB>cluster or samestory JSON Lines
    ///
    /// An id may appear on several lines with different clusters; pairwise scores then count
    /// pairs that share at least one truth cluster, and ARI and NMI use each id's first one.
    #[arg(long, value_name = "FILE")]
    pub truth: PathBuf,

    /// Column of a TSV prediction that holds the cluster
    ///
    /// 1-based; column 1 is the id. `samestory cluster --format tsv` writes
    /// id<TAB>event<TAB>thread, so 3 scores threads. Applies to TSV input only.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = parse_column)]
    pub column: usize,

    /// Column of a TSV truth file that holds the cluster
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = parse_column)]
    pub truth_column: usize,

    /// Show the N worst merges and worst splits
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub worst: usize,

    /// Print one JSON object instead of text
    ///
    /// Floats are rounded to 4 decimals, as in the text report.
    #[arg(long)]
    pub json: bool,

    /// Write the report to FILE instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_column(s: &str) -> Result<usize, String> {
    let n: usize = s.parse().map_err(|_| format!("{s:?} is not a column number"))?;
    if n < 2 {
        return Err("column 1 holds the id; the cluster is in column 2 or later".into());
    }
    Ok(n)
}

/// Runs `samestory eval`.
pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let stdin = Path::new("-");
    if args.prediction == stdin && args.truth == stdin {
        bail!("the prediction and --truth cannot both be read from stdin (-)");
    }
    outputs::check(
        &[
            Source { what: "the prediction", path: &args.prediction },
            Source { what: "the --truth file", path: &args.truth },
        ],
        Target { flag: "-o", path: args.output.as_deref() },
        &[],
    )?;
    let pred = Labels::read(&args.prediction, args.column, Role::Prediction)?;
    let truth = Labels::read(&args.truth, args.truth_column, Role::Truth)?;
    let report = evaluate(&pred, &truth, args.worst);

    let mut out = Output::create(args.output.as_deref())?;
    if args.json {
        serde_json::to_writer(&mut out, &report).map_err(|e| out.err(e.into()))?;
        out.write_all(b"\n").map_err(|e| out.err(e))?;
    } else {
        out.write_all(report.render_text().as_bytes()).map_err(|e| out.err(e))?;
    }
    out.finish()?;

    // The report is still written: its lists of ids on each side show what does not match.
    if report.evaluated == 0 {
        bail!(
            "no id has a cluster in both {} and {}: check that both use the same ids",
            pred.name(),
            truth.name()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        eval: EvalArgs,
    }

    #[test]
    fn flags_parse_with_defaults() {
        let cli = Cli::try_parse_from(["eval", "--truth", "t.tsv", "p.jsonl"]).unwrap();
        assert_eq!(cli.eval.prediction, PathBuf::from("p.jsonl"));
        assert_eq!(cli.eval.truth, PathBuf::from("t.tsv"));
        assert_eq!((cli.eval.column, cli.eval.truth_column, cli.eval.worst), (2, 2, 5));
        assert!(!cli.eval.json && cli.eval.output.is_none());

        let cli = Cli::try_parse_from([
            "eval",
            "--truth",
            "t",
            "--column",
            "3",
            "--truth-column",
            "4",
            "--worst",
            "0",
            "--json",
            "-o",
            "r.json",
            "-",
        ])
        .unwrap();
        assert_eq!((cli.eval.column, cli.eval.truth_column, cli.eval.worst), (3, 4, 0));
        assert!(cli.eval.json);
        assert_eq!(cli.eval.output, Some(PathBuf::from("r.json")));
    }

    #[test]
    fn column_one_and_missing_truth_are_usage_errors() {
        let err = Cli::try_parse_from(["eval", "--truth", "t", "--column", "1", "p"]).err();
        assert!(err.is_some_and(|e| e.to_string().contains("column 1 holds the id")));
        assert!(Cli::try_parse_from(["eval", "p"]).is_err());
        assert!(Cli::try_parse_from(["eval", "--truth", "t", "--worst", "-1", "p"]).is_err());
    }
}
