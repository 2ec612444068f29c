//! Progress bars on stderr (indicatif), drawn only when wanted and stderr is a terminal; with
//! `--progress always` and stderr a file or pipe, one line a phase instead (a bar redrawn in
//! place makes no sense in a log, and indicatif draws nothing there).

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use samestory::progress::Progress;

use super::{CommonArgs, ProgressWhen};

/// A [`Progress`] drawing one bar (or spinner, when the total is unknown) per phase.
pub struct Bars {
    enabled: bool,
    /// Lines instead of bars: progress was asked for, but stderr is no terminal.
    lines: bool,
    verbose: bool,
    bar: Mutex<Option<ProgressBar>>,
    started: Mutex<Option<(String, std::time::Instant)>>,
}

impl Bars {
    /// Bars as `common` asks: never with `--quiet`, on a terminal with `--progress auto`.
    pub fn new(common: &CommonArgs) -> Self {
        let enabled = !common.quiet
            && match common.progress {
                ProgressWhen::Always => true,
                ProgressWhen::Never => false,
                ProgressWhen::Auto => std::io::stderr().is_terminal(),
            };
        let lines = enabled && !std::io::stderr().is_terminal();
        Bars {
            enabled: enabled && !lines,
            lines,
            verbose: (common.verbose || lines) && !common.quiet,
            bar: Mutex::new(None),
            started: Mutex::new(None),
        }
    }

    fn with_bar(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        if let Ok(mut guard) = self.bar.lock() {
            f(&mut guard);
        }
    }
}

impl Progress for Bars {
    fn phase(&self, name: &str, total: Option<u64>) {
        if self.verbose {
            if let Ok(mut s) = self.started.lock() {
                *s = Some((name.to_string(), std::time::Instant::now()));
            }
        }
        if self.lines {
            match total {
                Some(t) => say!("samestory: {name} ({t} articles)..."),
                None => say!("samestory: {name}..."),
            }
        }
        if !self.enabled {
            return;
        }
        let bar = match total {
            Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template(
                        "{prefix:>11} [{bar:30}] {human_pos}/{human_len} {per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{prefix:>11} {spinner} {human_pos} {per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_prefix(name.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        self.with_bar(|slot| {
            if let Some(old) = slot.replace(bar) {
                old.finish_and_clear();
            }
        });
    }

    fn advance(&self, n: u64) {
        if self.enabled {
            self.with_bar(|slot| {
                if let Some(b) = slot {
                    b.inc(n);
                }
            });
        }
    }

    fn finish_phase(&self) {
        self.with_bar(|slot| {
            if let Some(b) = slot.take() {
                b.finish_and_clear();
            }
        });
        if let Some((name, t)) = self.started.lock().ok().and_then(|mut s| s.take()) {
            say!("samestory: {name}: {:.2} s", t.elapsed().as_secs_f64());
        }
    }
}
