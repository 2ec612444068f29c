//! samestory
pub mod article;
pub mod error;
pub mod read;
pub mod write;
