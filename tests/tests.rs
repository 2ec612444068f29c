//! Integration tests on the real binary, one module per area (as ripgrep's tests are laid out).

mod util;

mod cli_cluster;
mod cli_dedup;
mod cli_eval;
mod cli_gen;
mod cli_outputs;
mod faithful;
