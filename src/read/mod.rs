//! Reading corpora: sources (files, stdin, compressed streams) and record formats.
pub mod source;
