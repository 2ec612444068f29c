//! JSON Lines records: one JSON object a line; the fields the pipeline needs are pulled out in
//! one pass by a streaming visitor, borrowing strings from the line when they hold no escapes,
//! and skipping every other value without building it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A field name, possibly a dotted path into nested objects (`meta.published`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    name: String,
    segments: Vec<String>,
}

impl FieldPath {
    /// Parses `a.b.c`.
    pub fn new(name: &str) -> Self {
        FieldPath {
            name: name.to_string(),
            segments: name.split('.').map(str::to_string).collect(),
        }
    }

    /// The path as the user wrote it.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Where each article field is found in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    /// Identifier (string or number).
    pub id: FieldPath,
    /// Headline.
    pub title: FieldPath,
    /// Body text (required).
    pub text: FieldPath,
    /// Outlet.
    pub source: FieldPath,
    /// Link.
    pub url: FieldPath,
    /// Publication date, `YYYY-MM-DD` or RFC 3339.
    pub published: FieldPath,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            id: FieldPath::new("id"),
            title: FieldPath::new("title"),
            text: FieldPath::new("text"),
            source: FieldPath::new("source"),
            url: FieldPath::new("url"),
            published: FieldPath::new("published"),
        }
    }
}

impl FieldMap {
    fn paths(&self) -> [&FieldPath; 6] {
        [&self.id, &self.title, &self.text, &self.source, &self.url, &self.published]
    }
}

/// A JSON value as far as field extraction cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    /// The field is absent.
    Missing,
    /// `null`.
    Null,
    /// A string.
    Str(Cow<'a, str>),
    /// A number: as written for a path read literally (the id), else in its shortest decimal
    /// form.
    Num(String),
    /// `true` or `false`.
    Bool,
    /// An array or object.
    Compound(&'static str),
}

impl Scalar<'_> {
    /// What kind of JSON value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Scalar::Missing => "missing",
            Scalar::Null => "null",
            Scalar::Str(_) => "a string",
            Scalar::Num(_) => "a number",
            Scalar::Bool => "a boolean",
            Scalar::Compound(k) => k,
        }
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v.to_string()))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound("an object"))
    }
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// A map key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_str(ScalarVisitor)? {
            Scalar::Str(s) => Ok(Key(s)),
            _ => Err(de::Error::custom("object key is not a string")),
        }
    }
}

/// Pulls the values at `paths` (each a list of segments) out of one JSON object.
struct Extract<'p> {
    paths: &'p [&'p [String]],
    /// Paths (bit i for `paths[i]`) whose numbers are kept as written: serde hands a number
    /// over as u64, i64 or f64, and an id such as 123456789012345678901234567890 or 1.50 would
    /// come back as another number.
    literal: u32,
}

impl<'de> DeserializeSeed<'de> for Extract<'_> {
    type Value = Vec<Scalar<'de>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Extract<'_> {
    type Value = Vec<Scalar<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = vec![Scalar::Missing; self.paths.len()];
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let wanted: Vec<usize> =
                (0..self.paths.len()).filter(|&i| self.paths[i][0] == key).collect();
            if wanted.is_empty() {
                map.next_value::<IgnoredAny>()?;
            } else if wanted.iter().all(|&i| self.paths[i].len() == 1 && self.literal >> i & 1 == 0)
            {
                let v: Scalar<'de> = map.next_value()?;
                for &i in &wanted {
                    out[i] = v.clone();
                }
            } else {
                // Nested paths share this value, or a number must keep its digits: keep it raw
                // and descend once per path.
                let raw: &'de RawValue = map.next_value()?;
                for &i in &wanted {
                    out[i] = nested(raw.get(), &self.paths[i][1..]).map_err(de::Error::custom)?;
                }
            }
        }
        Ok(out)
    }
}

/// The value at `rest` inside `json`, one value's raw text, with numbers as written.
fn nested<'de>(json: &'de str, rest: &[String]) -> serde_json::Result<Scalar<'de>> {
    if rest.is_empty() {
        // A raw value is valid JSON already: only a number starts with a minus or a digit.
        let json = json.trim();
        return match json.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => Ok(Scalar::Num(json.to_string())),
            // Most ids are plain strings: without an escape the text between the quotes is
            // the value, and a second parse would only find that out.
            Some(b'"') if !json.contains('\\') => {
                Ok(Scalar::Str(Cow::Borrowed(&json[1..json.len() - 1])))
            }
            _ => serde_json::from_str(json),
        };
    }
    if !json.trim_start().starts_with('{') {
        return Ok(Scalar::Missing);
    }
    let paths = [rest];
    let mut de = serde_json::Deserializer::from_str(json);
    let mut v = Extract { paths: &paths, literal: 1 }.deserialize(&mut de)?;
    Ok(v.swap_remove(0))
}

/// The six article fields of one record, in [`FieldMap`] order.
pub type Fields<'a> = [Scalar<'a>; 6];

/// Parses one JSON line and extracts the mapped fields. Errors are serde_json's, which name the
/// column. A numeric id is its number's text as written (`1.50`, `1e3`,
/// `123456789012345678901234567890`), never a conversion of it.
pub fn extract<'a>(line: &'a str, map: &FieldMap) -> serde_json::Result<Fields<'a>> {
    let segs: Vec<&[String]> = map.paths().iter().map(|p| p.segments.as_slice()).collect();
    let mut de = serde_json::Deserializer::from_str(line);
    // The id is the first path (`FieldMap::paths`).
    let v = Extract { paths: &segs, literal: 1 }.deserialize(&mut de)?;
    de.end()?;
    let mut it = v.into_iter();
    Ok(std::array::from_fn(|_| it.next().unwrap_or(Scalar::Missing)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_fields_and_borrows_plain_strings() {
        let f = extract(
            r#"{"id":7,"text":"plain","title":"a \"q\"","x":[1,{"y":2}]}"#,
            &FieldMap::default(),
        )
        .unwrap();
        assert_eq!(f[0], Scalar::Num("7".into()));
        assert!(matches!(&f[2], Scalar::Str(Cow::Borrowed("plain"))));
        assert_eq!(f[1], Scalar::Str(Cow::Owned("a \"q\"".into())));
        assert_eq!(f[3], Scalar::Missing);
    }

    #[test]
    fn dotted_paths_reach_into_objects() {
        let map = FieldMap {
            text: FieldPath::new("body.content"),
            published: FieldPath::new("body.meta.date"),
            ..FieldMap::default()
        };
        let f = extract(r#"{"body":{"content":"hi","meta":{"date":"2020-01-01"}},"id":"a"}"#, &map)
            .unwrap();
        assert_eq!(f[2], Scalar::Str("hi".into()));
        assert_eq!(f[5], Scalar::Str("2020-01-01".into()));
        let f = extract(r#"{"body":"flat"}"#, &map).unwrap();
        assert_eq!(f[2], Scalar::Missing);
    }

    #[test]
    fn rejects_non_objects_and_trailing_garbage() {
        assert!(extract("[1,2]", &FieldMap::default()).is_err());
        assert!(extract(r#"{"id":1} x"#, &FieldMap::default()).is_err());
        assert!(extract(r#"{"id":1"#, &FieldMap::default()).is_err());
    }

    #[test]
    fn numeric_ids_keep_the_digits_they_were_written_with() {
        let ids = [
            "123456789012345678901234567890",
            "18446744073709551616",
            "-9223372036854775809",
            "1.50",
            "1e3",
            "-0",
            "0.1",
            "7",
        ];
        for id in ids {
            for line in [
                format!("{{\"id\":{id},\"text\":\"x\"}}"),
                format!("{{ \"id\" : {id} , \"text\":\"x\"}}"),
            ] {
                let f = extract(&line, &FieldMap::default()).unwrap();
                assert_eq!(f[0], Scalar::Num(id.into()), "{line}");
            }
            let map = FieldMap { id: FieldPath::new("meta.id"), ..FieldMap::default() };
            let line = format!("{{\"meta\":{{\"id\":{id}}},\"text\":\"x\"}}");
            assert_eq!(extract(&line, &map).unwrap()[0], Scalar::Num(id.into()), "{line}");
        }
        // Strings and other kinds read as before.
        let f = extract(r#"{"id":"a\u0062","text":"x"}"#, &FieldMap::default()).unwrap();
        assert_eq!(f[0], Scalar::Str("ab".into()));
        let f = extract(r#"{"id":"plain","text":"x"}"#, &FieldMap::default()).unwrap();
        assert!(matches!(&f[0], Scalar::Str(Cow::Borrowed("plain"))));
        let f = extract(r#"{"id":null,"text":"x"}"#, &FieldMap::default()).unwrap();
        assert_eq!(f[0], Scalar::Null);
        let f = extract(r#"{"id":[1],"text":"x"}"#, &FieldMap::default()).unwrap();
        assert_eq!(f[0].kind(), "an array");
        assert!(extract(r#"{"id":01,"text":"x"}"#, &FieldMap::default()).is_err());
    }

    #[test]
    fn reports_value_kinds() {
        let f = extract(r#"{"text":null,"title":{"a":1},"source":true}"#, &FieldMap::default())
            .unwrap();
        assert_eq!(f[2].kind(), "null");
        assert_eq!(f[1].kind(), "an object");
        assert_eq!(f[3].kind(), "a boolean");
    }
}
