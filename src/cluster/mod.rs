//! Clustering: near-duplicate groups ([`dups`]).

pub mod community;
pub mod dups;
pub mod features;
pub mod story;

pub use dups::{star_groups, Groups};
