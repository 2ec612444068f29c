//! A scratch file of byte records, written once in order and read back by position.
//!
//! Story clustering needs each article's text again only after every article has been
//! clustered. Holding the texts in memory would make memory grow with the corpus (gigabytes at
//! a million articles); reading the corpus a third time would cost as much as deduplicating
//! it, and compressed input or stdin cannot be read by position. So the texts are appended
//! to an anonymous temporary file (in `TMPDIR`, removed when dropped) and read back by offset:
//! the operating system's page cache keeps them in memory when it can and on disk when it
//! cannot, and they never count against the process's resident memory.

use std::fs::File;
use std::io::{BufWriter, Write};

use crate::error::{Error, Result};

/// Where a record is in the spill file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Slot {
    at: u64,
    len: u32,
}

/// The writing end.
pub struct Spill {
    out: BufWriter<File>,
    len: u64,
}

/// The reading end: any number of threads may read at once.
pub struct SpillReader {
    file: File,
}

fn io(e: std::io::Error) -> Error {
    let dir = std::env::temp_dir();
    Error::io(format!("temporary file in {} (TMPDIR sets where)", dir.display()), e)
}

impl Spill {
    /// A new, empty spill file.
    pub fn new() -> Result<Spill> {
        let file = tempfile::tempfile().map_err(io)?;
        Ok(Spill { out: BufWriter::with_capacity(1 << 20, file), len: 0 })
    }

    /// Appends one record.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Slot> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| Error::param("text", "an article is over 4 GiB"))?;
        self.out.write_all(bytes).map_err(io)?;
        let slot = Slot { at: self.len, len };
        self.len += u64::from(len);
        Ok(slot)
    }

    /// Ends writing.
    pub fn finish(self) -> Result<SpillReader> {
        let file = self.out.into_inner().map_err(|e| io(e.into_error()))?;
        Ok(SpillReader { file })
    }
}

impl SpillReader {
    /// Reads the record at `slot` into `buf` (replacing its contents).
    pub fn read(&self, slot: Slot, buf: &mut Vec<u8>) -> Result<()> {
        buf.clear();
        buf.resize(slot.len as usize, 0);
        read_exact_at(&self.file, buf, slot.at).map_err(io)
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                at += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Appends length-prefixed strings to `out`, to be split again by [`unpack`].
pub fn pack(fields: &[&str], out: &mut Vec<u8>) {
    for f in fields {
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f.as_bytes());
    }
}

/// Splits what [`pack`] wrote into its `N` strings.
pub fn unpack<const N: usize>(mut bytes: &[u8]) -> Result<[&str; N]> {
    let bad = || Error::param("temporary file", "it was changed while in use");
    let mut out = [""; N];
    for field in &mut out {
        let (len, rest) = bytes.split_first_chunk::<4>().ok_or_else(bad)?;
        let len = u32::from_le_bytes(*len) as usize;
        let text = rest.get(..len).ok_or_else(bad)?;
        *field = std::str::from_utf8(text).map_err(|_| bad())?;
        bytes = &rest[len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_by_slot_in_any_order() {
        let mut spill = Spill::new().unwrap();
        let mut slots = Vec::new();
        for i in 0..1000 {
            let mut rec = Vec::new();
            pack(&[&format!("title {i}"), "", &"é".repeat(i % 7)], &mut rec);
            slots.push(spill.push(&rec).unwrap());
        }
        let reader = spill.finish().unwrap();
        let mut buf = Vec::new();
        for i in (0..1000).rev() {
            reader.read(slots[i], &mut buf).unwrap();
            let [title, empty, tail] = unpack::<3>(&buf).unwrap();
            assert_eq!(title, format!("title {i}"));
            assert_eq!(empty, "");
            assert_eq!(tail, "é".repeat(i % 7));
        }
    }

    #[test]
    fn truncated_records_are_errors_not_panics() {
        let mut rec = Vec::new();
        pack(&["abc", "defg"], &mut rec);
        for cut in 0..rec.len() {
            assert!(unpack::<2>(&rec[..cut]).is_err(), "cut at {cut}");
        }
        assert!(unpack::<2>(&rec).is_ok());
    }
}
