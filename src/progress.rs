//! Progress reporting: the pipeline announces phases and counts to a [`Progress`]; the binary
//! draws them (or not). The library never prints.

/// Receives progress from long-running stages. Implementations must be cheap to call from
/// many threads.
pub trait Progress: Sync {
    /// A new phase starts; `total` is its unit count when known.
    fn phase(&self, name: &str, total: Option<u64>);
    /// `n` more units of the current phase are done.
    fn advance(&self, n: u64);
    /// The current phase is over.
    fn finish_phase(&self) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}
