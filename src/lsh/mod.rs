//! Locality-sensitive hashing over MinHash signatures: banding ([`bands`]) and candidate pairs
//! ([`candidates`]).

pub mod bands;
pub mod candidates;

pub use bands::{choose_bands, LshParams};
pub use candidates::candidate_pairs;
