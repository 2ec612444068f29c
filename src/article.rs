//! The article record every stage works on, and the small integer ids that index it.

/// Index of an article in the corpus, in input order (0-based). Dense, so per-article data lives
/// in plain vectors indexed by it.
pub type DocId = u32;

/// A news article as read from the input. Only `id` and `text` are required by the pipeline;
/// the rest feed representatives, summaries and reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Article {
    /// The caller's identifier, unique in the corpus (`<file>:<line>` when the input had none).
    pub id: String,
    /// Headline, possibly empty.
    pub title: String,
    /// Body text; paragraphs separated by newlines.
    pub text: String,
    /// Outlet name, possibly empty.
    pub source: String,
    /// Link to the article, possibly empty.
    pub url: String,
    /// Publication day as days since 1970-01-01 (UTC), when known.
    pub published: Option<i32>,
}

/// Parses `YYYY-MM-DD` or an RFC 3339 timestamp into days since 1970-01-01 (UTC).
///
/// A timestamp is converted to UTC first, so `2023-01-01T23:30:00-02:00` is 2 January.
pub fn parse_date(s: &str) -> Option<i32> {
    parse_date_time(s).map(|(day, _)| day)
}

/// [`parse_date`] with the time: days since 1970-01-01 and seconds after midnight, both UTC.
/// A date alone is taken as its midnight.
pub fn parse_date_time(s: &str) -> Option<(i32, u32)> {
    use chrono::{DateTime, NaiveDate, Timelike};
    let s = s.trim();
    let (day, secs) = if s.len() == 10 {
        (NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?, 0)
    } else {
        let t = DateTime::parse_from_rfc3339(s).ok()?.naive_utc();
        (t.date(), t.num_seconds_from_midnight())
    };
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some((i32::try_from((day - epoch).num_days()).ok()?, secs))
}

/// Formats days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_date(days: i32) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid constant date");
    (epoch + chrono::Duration::days(i64::from(days))).format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_round_trip() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("2023-01-01T23:30:00-02:00"), parse_date("2023-01-02"));
        assert_eq!(parse_date("2023-01-01T10:00:00Z"), parse_date("2023-01-01"));
        assert_eq!(parse_date("2023-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(format_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        let day = parse_date("2023-05-01").unwrap();
        assert_eq!(parse_date_time("2023-05-01"), Some((day, 0)));
        assert_eq!(parse_date_time("2023-05-01T20:00:30Z"), Some((day, 72_030)));
        assert_eq!(parse_date_time("2023-05-02T01:00:00+03:00"), Some((day, 79_200)));
    }
}
