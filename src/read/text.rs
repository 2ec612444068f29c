//! Directories of plain-text articles: one `.txt` file an article, found recursively and read in
//! sorted order of their paths; the id is the path relative to the directory, the first line is
//! the title and the rest is the text.
//!
//! The extension is matched in any case (`NOTES.TXT` from a Windows share is as much an article
//! as `notes.txt`), and `.txt.gz` and `.txt.zst` are articles too. Whatever the name, a file
//! whose bytes are gzip or zstd is decompressed, as JSON Lines inputs are. Everything else below
//! the directory is skipped, and listed as skipped so that the binary can say so: a file left
//! out without a word is an article lost unnoticed.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::{source, Chunk, Input, Location, RawRecord};
use crate::error::{Error, Result};

/// What a directory input holds: the articles it reads and the entries it passes over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The article files, sorted.
    pub articles: Vec<PathBuf>,
    /// Every other file, and every symlink to a directory (not followed: a link back up would
    /// loop), sorted.
    pub skipped: Vec<PathBuf>,
}

fn collect(dir: &Path, out: &mut Listing) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let ty = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if ty.is_dir() {
            collect(&path, out)?;
            continue;
        }
        // A symlink is judged by what it points to. A dangling one keeps its name's verdict, so
        // that an article link that leads nowhere fails the run loudly when it is read.
        let target =
            if ty.is_symlink() { fs::metadata(&path).ok().map(|m| m.file_type()) } else { None };
        let readable = match target {
            Some(t) => t.is_file(),
            None => ty.is_file() || ty.is_symlink(),
        };
        // A named pipe or device is never an article: reading one could wait forever.
        if readable && is_article_file(&path) {
            out.articles.push(path);
        } else {
            out.skipped.push(path);
        }
    }
    Ok(())
}

/// True for a file name a directory input reads as an article: `.txt`, `.txt.gz` or `.txt.zst`,
/// in any case.
pub fn is_article_file(path: &Path) -> bool {
    let Some(name) = path.file_name() else { return false };
    let name = name.as_encoded_bytes().to_ascii_lowercase();
    // A bare `.txt` is a hidden file named "txt", not a text article, as `Path::extension` has it.
    [&b".txt"[..], b".txt.gz", b".txt.zst"]
        .iter()
        .any(|end| name.len() > end.len() && name.ends_with(end))
}

/// The files below `dir`, sorted so every run sees the same order.
pub fn list(dir: &Path) -> Result<Listing> {
    let mut listing = Listing::default();
    collect(dir, &mut listing)?;
    listing.articles.sort();
    listing.skipped.sort();
    Ok(listing)
}

pub(super) fn read_dir(
    input: &Input,
    index: u32,
    tx: &mpsc::SyncSender<Result<Chunk>>,
) -> Result<()> {
    let mut chunk = Chunk::default();
    for (i, path) in input.files.iter().enumerate() {
        // A corrupt article is a record that fails to parse, so `--skip-invalid` rejects it as
        // it does a bad JSON line and the other articles still count; a file that cannot be
        // read at all stays an error.
        let (bytes, unreadable) = match source::read_whole(path)? {
            Ok(bytes) => (bytes, None),
            Err(reason) => (Vec::new(), Some(reason)),
        };
        let rel = path.strip_prefix(&input.path).unwrap_or(path);
        let start = chunk.data.len();
        chunk.data.extend_from_slice(&bytes);
        chunk.records.push(RawRecord {
            loc: Location { input: index, line: i as u64 + 1 },
            start,
            end: chunk.data.len(),
            rel_path: Some(rel.to_string_lossy().replace('\\', "/")),
            unreadable,
        });
        if chunk.data.len() >= super::CHUNK_BYTES
            && tx.send(Ok(std::mem::take(&mut chunk))).is_err()
        {
            return Ok(());
        }
    }
    if !chunk.records.is_empty() {
        let _ = tx.send(Ok(chunk));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_in_any_case_is_an_article_and_everything_else_is_listed_as_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("sub")).unwrap();
        for name in [
            "a.txt",
            "B.TXT",
            "sub/c.Txt",
            "notes.md",
            ".txt",
            "txt",
            "d.TXT.GZ",
            "e.txt.zst",
            "f.gz",
        ] {
            fs::write(d.join(name), "Title\nbody").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.join("sub"), d.join("loop.txt")).unwrap();
        let got = list(d).unwrap();
        let rel = |v: &[PathBuf]| -> Vec<String> {
            v.iter().map(|p| p.strip_prefix(d).unwrap().display().to_string()).collect()
        };
        assert_eq!(rel(&got.articles), ["B.TXT", "a.txt", "d.TXT.GZ", "e.txt.zst", "sub/c.Txt"]);
        let mut skipped = vec![".txt", "f.gz", "notes.md", "txt"];
        if cfg!(unix) {
            skipped.insert(2, "loop.txt");
        }
        assert_eq!(rel(&got.skipped), skipped);
    }
}
