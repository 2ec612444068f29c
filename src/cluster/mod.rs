//! Clustering: near-duplicate groups ([`dups`]).

pub mod dups;

pub use dups::{star_groups, Groups};
