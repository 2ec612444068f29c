//! Directories of plain-text articles: one `.txt` file an article, found recursively and read in
//! sorted order of their paths; the id is the path relative to the directory, the first line is
//! the title and the rest is the text.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::{source, Chunk, Input, Location, RawRecord};
use crate::error::{Error, Result};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let ty = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if ty.is_dir() {
            collect(&path, out)?;
        } else if is_article_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// True for a file name a directory input reads as an article (`.txt`, as spelled).
pub fn is_article_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "txt")
}

/// The `.txt` files below `dir`, sorted so every run sees the same order.
pub fn text_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    Ok(files)
}

pub(super) fn read_dir(
    input: &Input,
    index: u32,
    tx: &mpsc::SyncSender<Result<Chunk>>,
) -> Result<()> {
    let mut chunk = Chunk::default();
    for (i, path) in input.files.iter().enumerate() {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let rel = path.strip_prefix(&input.path).unwrap_or(path);
        let start = chunk.data.len();
        chunk.data.extend_from_slice(source::strip_bom(&bytes));
        chunk.records.push(RawRecord {
            loc: Location { input: index, line: i as u64 + 1 },
            start,
            end: chunk.data.len(),
            rel_path: Some(rel.to_string_lossy().replace('\\', "/")),
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
