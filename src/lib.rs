//! samestory
pub mod article;
pub mod cluster;
pub mod dedup;
pub mod error;
pub mod eval;
pub mod events;
pub mod gen;
pub mod lsh;
pub mod normalize;
pub mod params;
pub mod progress;
pub mod read;
pub mod shingle;
pub mod sketch;
pub mod story;
pub mod summarize;
pub mod write;
