//! Ids in the TSV files samestory writes (`--format tsv`, `--emit-pairs`, `gen --truth`) and
//! reads back (`eval`).
//!
//! An id may hold a tab, a newline or a carriage return, which would break the line structure,
//! so [`escape`] writes them as `\t`, `\n`, `\r` and every backslash as `\\` (PostgreSQL's text
//! format). Doubling every backslash, not just those in ids with a control character, is what
//! keeps the mapping one to one: otherwise an id with a real tab and the six characters `a\tb`
//! would be written alike. [`unescape`] is the exact inverse and refuses any other escape, so a
//! field is never read two ways.

use std::borrow::Cow;

/// A backslash in a TSV field that does not start `\\`, `\t`, `\n` or `\r`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEscape {
    /// Byte offset of the backslash in the field.
    pub offset: usize,
    /// The character after it, `None` at the end of the field.
    pub next: Option<char>,
}

impl std::fmt::Display for BadEscape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.next {
            Some(c) => write!(f, "unknown escape \\{c} at byte {}", self.offset)?,
            None => write!(f, "lone backslash at the end (byte {})", self.offset)?,
        }
        f.write_str(
            "; samestory writes a backslash as \\\\, a tab as \\t, a newline as \\n, a \
                     carriage return as \\r",
        )
    }
}

impl std::error::Error for BadEscape {}

/// `s` made safe for one TSV field: `\` becomes `\\`, tab `\t`, newline `\n`, carriage return
/// `\r`; everything else is kept. Borrowed when there is nothing to escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['\\', '\t', '\n', '\r']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The id an [`escape`]d field stands for. Borrowed when the field has no backslash.
pub fn unescape(field: &str) -> Result<Cow<'_, str>, BadEscape> {
    let Some(first) = field.find('\\') else { return Ok(Cow::Borrowed(field)) };
    let mut out = String::with_capacity(field.len());
    out.push_str(&field[..first]);
    let mut chars = field[first..].char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next().map(|(_, n)| n) {
            Some('\\') => '\\',
            Some('t') => '\t',
            Some('n') => '\n',
            Some('r') => '\r',
            next => return Err(BadEscape { offset: first + i, next }),
        });
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_backslashes_escape() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("a\tb", "a\\tb"),
            ("a\\tb", "a\\\\tb"),
            ("line\none", "line\\none"),
            ("cr\r", "cr\\r"),
            ("C:\\news\\a.txt", "C:\\\\news\\\\a.txt"),
            ("tab\tand\\slash", "tab\\tand\\\\slash"),
            ("ends\\", "ends\\\\"),
        ];
        for (id, field) in cases {
            assert_eq!(escape(id), field, "{id:?}");
            assert_eq!(unescape(field).unwrap(), id, "{field:?}");
        }
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert!(matches!(unescape("plain"), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn the_ids_that_used_to_collide_stay_apart() {
        // A real tab, and backslash-t as two characters.
        let (tab, literal) = (escape("a\tb"), escape("a\\tb"));
        assert_ne!(tab, literal);
        assert_eq!(unescape(&tab).unwrap(), "a\tb");
        assert_eq!(unescape(&literal).unwrap(), "a\\tb");
    }

    #[test]
    fn unknown_escapes_and_lone_backslashes_are_errors() {
        assert_eq!(unescape("C:\\x"), Err(BadEscape { offset: 2, next: Some('x') }));
        assert_eq!(unescape("é\\\\\\"), Err(BadEscape { offset: 4, next: None }));
        let msg = unescape("a\\q").unwrap_err().to_string();
        assert!(msg.starts_with("unknown escape \\q at byte 1; "), "{msg}");
        let msg = unescape("a\\").unwrap_err().to_string();
        assert!(msg.starts_with("lone backslash at the end (byte 1); "), "{msg}");
    }

    proptest::proptest! {
        #[test]
        fn round_trip_on_any_string(s in proptest::prelude::any::<String>()) {
            let field = escape(&s);
            proptest::prop_assert!(!field.contains(['\t', '\n', '\r']));
            proptest::prop_assert_eq!(unescape(&field).unwrap(), s.as_str());
        }

        // Random strings rarely hold backslashes next to t, n or r; these are made of little else.
        #[test]
        fn round_trip_on_backslash_soup(s in "[\\\\tnr\t\n\r a]{0,24}") {
            let field = escape(&s);
            proptest::prop_assert!(!field.contains(['\t', '\n', '\r']));
            proptest::prop_assert_eq!(unescape(&field).unwrap(), s.as_str());
        }

        #[test]
        fn distinct_ids_stay_distinct(a in "[\\\\tn\t\na]{0,8}", b in "[\\\\tn\t\na]{0,8}") {
            proptest::prop_assert_eq!(a == b, escape(&a) == escape(&b));
        }
    }
}
