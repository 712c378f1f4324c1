//! Time: `--at` values and the system clock. This is the only place in
//! entente that reads the clock; every library call takes the time as input.

use entente_core::UnixTime;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses `--at`: Unix seconds (`1800000000`) or RFC 3339
/// (`2027-01-15T08:00:00Z`, `2027-01-15T09:00:00+01:00`).
pub(crate) fn parse_time(text: &str) -> Result<UnixTime, String> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(UnixTime::from_secs(seconds));
    }
    let parsed = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("{text:?} is neither Unix seconds nor an RFC 3339 date-time ({e})"))?;
    u64::try_from(parsed.unix_timestamp())
        .map(UnixTime::from_secs)
        .map_err(|_| format!("{text:?} is before 1970"))
}

/// The time given with `--at`, or now.
pub(crate) fn at_or_now(at: Option<UnixTime>) -> UnixTime {
    at.unwrap_or_else(now)
}

/// The system clock, in whole seconds.
pub(crate) fn now() -> UnixTime {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    UnixTime::from_secs(seconds)
}

/// RFC 3339 (UTC) text of a time, for people.
pub(crate) fn format_time(time: UnixTime) -> String {
    i64::try_from(time.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("@{}", time.as_secs()))
}

/// `--at` as a clap argument.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub(crate) struct AtArg {
    /// The time to act or validate at: Unix seconds or RFC 3339
    /// (default: the system clock).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) at: Option<UnixTime>,
}

impl AtArg {
    /// The time given, or now.
    pub(crate) fn time(&self) -> UnixTime {
        at_or_now(self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds_and_rfc3339() {
        assert_eq!(
            parse_time("1800000000"),
            Ok(UnixTime::from_secs(1_800_000_000))
        );
        assert_eq!(
            parse_time("2027-01-15T08:00:00Z"),
            Ok(UnixTime::from_secs(1_800_000_000))
        );
        assert_eq!(
            parse_time("2027-01-15T09:00:00+01:00"),
            Ok(UnixTime::from_secs(1_800_000_000))
        );
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("1960-01-01T00:00:00Z").is_err());
        assert_eq!(
            format_time(UnixTime::from_secs(1_800_000_000)),
            "2027-01-15T08:00:00Z"
        );
    }
}
