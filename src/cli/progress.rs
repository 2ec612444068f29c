//! Progress bars on stderr (indicatif), drawn only when wanted and stderr is a terminal; with
//! `--progress always` and stderr a file or pipe, one line a phase instead (a bar redrawn in
//! place makes no sense in a log, and indicatif draws nothing there).

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use samestory::progress::Progress;

use super::{thousands, CommonArgs, ProgressWhen};

/// A bar when the phase's total is known, else a spinner; either with the rate rounded by
/// [`rate`] (indicatif's own `{per_sec}` shows four decimals: `8,437.1235/s`).
fn style(bar: bool) -> ProgressStyle {
    let (template, fallback) = if bar {
        (
            "{prefix:>11} [{bar:30}] {human_pos}/{human_len} {rate} eta {eta}",
            ProgressStyle::default_bar(),
        )
    } else {
        ("{prefix:>11} {spinner} {human_pos} {rate}", ProgressStyle::default_spinner())
    };
    ProgressStyle::with_template(template)
        .unwrap_or(fallback)
        .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}", rate(state.per_sec()));
        })
        .progress_chars("=> ")
}

/// Units a second for people: whole units with thousands separators, as the closing stats line
/// has them, and one decimal below 10, where a whole number would say little.
fn rate(per_sec: f64) -> String {
    let r = if per_sec.is_finite() { per_sec.max(0.0) } else { 0.0 };
    if r < 9.95 {
        format!("{r:.1}/s")
    } else {
        format!("{}/s", thousands(r.round() as u64))
    }
}

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
                Some(t) => say!("samestory: {name} ({} articles)...", thousands(t)),
                None => say!("samestory: {name}..."),
            }
        }
        if !self.enabled {
            return;
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr())
            .with_style(style(total.is_some()));
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

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;
    use std::sync::Arc;

    #[test]
    fn rates_are_rounded_for_people() {
        assert_eq!(rate(8437.123456), "8,437/s");
        assert_eq!(rate(1_234_567.5), "1,234,568/s");
        assert_eq!(rate(9.96), "10/s");
        assert_eq!(rate(3.06), "3.1/s");
        assert_eq!(rate(0.0), "0.0/s");
        assert_eq!(rate(f64::NAN), "0.0/s");
    }

    /// A terminal that keeps what is drawn on it.
    #[derive(Debug, Default, Clone)]
    struct Screen(Arc<Mutex<String>>);

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn bars_and_spinners_show_the_rounded_rate() {
        for total in [Some(1_000_000), None] {
            let screen = Screen::default();
            let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
            let bar =
                ProgressBar::with_draw_target(total, target).with_style(style(total.is_some()));
            bar.inc(123_457);
            std::thread::sleep(std::time::Duration::from_millis(20));
            // Finished, the rate is the count over the time taken: a fraction, unless rounded.
            bar.finish();
            let drawn = screen.0.lock().unwrap().clone();
            let shown = drawn.split_whitespace().rfind(|w| w.ends_with("/s")).unwrap_or_default();
            let digits = shown.trim_end_matches("/s");
            assert!(
                !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == ','),
                "{shown:?} in {drawn:?}"
            );
        }
    }
}
