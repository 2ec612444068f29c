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
    /// Publication day as days since 1970-01-01, the date as the outlet wrote it, when known.
    pub published: Option<i32>,
}

/// Parses `YYYY-MM-DD` or an RFC 3339 timestamp into days since 1970-01-01: the date as written,
/// so `2023-07-17T23:30:00-05:00` is 17 July, although it is already the 18th in UTC. Per-day
/// timelines and shown dates follow the outlet's calendar, as its readers saw it.
pub fn parse_date(s: &str) -> Option<i32> {
    parse_date_time(s).map(|(day, _)| day)
}

/// [`parse_date`] with the moment of publication: the date as written and the seconds from
/// that date's midnight UTC to the moment, which is the local time of day less the UTC offset
/// (so below 0 or past 86,400 near midnight in far zones). A date alone is taken as its
/// midnight UTC. [`instant`] of the two orders articles across time zones.
pub fn parse_date_time(s: &str) -> Option<(i32, i32)> {
    use chrono::{DateTime, NaiveDate, Timelike};
    let s = s.trim();
    let (day, secs) = if s.len() == 10 {
        (NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?, 0)
    } else {
        let t = DateTime::parse_from_rfc3339(s).ok()?;
        let local = t.naive_local();
        let secs = local.num_seconds_from_midnight() as i32 - t.offset().local_minus_utc();
        (local.date(), secs)
    };
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some((i32::try_from((day - epoch).num_days()).ok()?, secs))
}

/// Seconds since 1970-01-01T00:00Z of a date and time from [`parse_date_time`].
pub fn instant(day: i32, secs: i32) -> i64 {
    i64::from(day) * 86_400 + i64::from(secs)
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
        assert_eq!(parse_date("2023-01-01T10:00:00Z"), parse_date("2023-01-01"));
        assert_eq!(parse_date("2023-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(format_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        let day = parse_date("2023-05-01").unwrap();
        assert_eq!(parse_date_time("2023-05-01"), Some((day, 0)));
        assert_eq!(parse_date_time("2023-05-01T20:00:30Z"), Some((day, 72_030)));
        assert_eq!(parse_date_time("2023-05-01T20:00:30+00:00"), Some((day, 72_030)));
    }

    #[test]
    fn the_date_is_as_written_and_the_instant_is_utc() {
        // Late evening in Houston is already the next day in UTC; early morning in Tokyo is
        // still the day before.
        assert_eq!(parse_date("2023-07-17T23:30:00-05:00"), parse_date("2023-07-17"));
        assert_eq!(parse_date("2023-07-18T01:00:00+09:00"), parse_date("2023-07-18"));
        let at = |s: &str| parse_date_time(s).map(|(d, t)| instant(d, t)).unwrap();
        let utc = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        for s in [
            "2023-07-17T23:30:00-05:00",
            "2023-07-18T01:00:00+09:00",
            "2023-07-18T04:30:00Z",
            "2023-01-01T00:00:00+14:00",
            "2023-01-01T23:59:59-12:00",
            "1969-12-31T23:00:00-01:00",
        ] {
            assert_eq!(at(s), utc(s), "{s}");
        }
        // The Houston evening comes after a UTC report dated the 18th.
        assert!(at("2023-07-17T23:30:00-05:00") > at("2023-07-18T01:00:00Z"));
        assert_eq!(at("2023-07-17"), utc("2023-07-17T00:00:00Z"));
    }
}
