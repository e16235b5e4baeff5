use super::{ParseError, string_newtype};
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// An IANA time zone (`Europe/London`), resolved against the tz database compiled into the
/// binary: Lambda's OS image has no zoneinfo.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl TimeZone {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let name = s.trim();
        if name.is_empty() {
            return Err(ParseError::new("time zone", s, "it is empty"));
        }
        let tz = jiff::tz::db().get(name).map_err(|_| {
            ParseError::new(
                "time zone",
                s,
                "not a known IANA time zone name (for example: Europe/London, America/New_York, UTC)",
            )
        })?;
        // Keep the canonical spelling from the database, not the user's casing.
        let name = tz.iana_name().unwrap_or(name).to_string();
        Ok(Self { name, tz })
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }

    pub fn jiff(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }
}
string_newtype!(TimeZone);

impl std::fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TimeZone({})", self.name)
    }
}

impl PartialEq for TimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for TimeZone {}

/// A wall-clock time of day, `HH:MM`, minute precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalTime {
    hour: i8,
    minute: i8,
    #[serde(skip)]
    text: [u8; 5],
}

impl LocalTime {
    pub fn new(hour: i8, minute: i8) -> Result<Self, ParseError> {
        Self::parse(&format!("{hour:02}:{minute:02}"))
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::new("time", s, "expected HH:MM between 00:00 and 23:59, e.g. 09:30");
        let t = s.trim();
        let (h, m) = t.split_once(':').ok_or_else(bad)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let hour: i8 = h.parse().map_err(|_| bad())?;
        let minute: i8 = m.parse().map_err(|_| bad())?;
        if !(0..24).contains(&hour) || !(0..60).contains(&minute) {
            return Err(bad());
        }
        let mut text = [0u8; 5];
        text.copy_from_slice(format!("{hour:02}:{minute:02}").as_bytes());
        Ok(Self { hour, minute, text })
    }

    /// A team's send time: `parse`, and early enough that the sender, which runs every five
    /// minutes and never sends after local midnight, has at least two runs left in the day
    /// (a send at 23:58 would be missed every day).
    pub fn parse_send_time(s: &str) -> Result<Self, ParseError> {
        let t = Self::parse(s)?;
        if (t.hour, t.minute) > LATEST_SEND {
            let why = format!(
                "a send at {} would leave the sender too little of the day (it runs every 5 minutes and never \
                 sends after local midnight): choose {:02}:{:02} or earlier",
                t.as_str(),
                LATEST_SEND.0,
                LATEST_SEND.1
            );
            return Err(ParseError::new("send time", s, why));
        }
        Ok(t)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).expect("ascii")
    }

    pub fn civil(&self) -> jiff::civil::Time {
        jiff::civil::time(self.hour, self.minute, 0, 0)
    }
}
string_newtype!(LocalTime);

/// The latest local send time a team can choose (see [`LocalTime::parse_send_time`]).
pub const LATEST_SEND: (i8, i8) = (23, 45);

/// The days of the week a team works. Never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Workdays {
    /// Bit 0 = Monday … bit 6 = Sunday.
    bits: u8,
    #[serde(skip)]
    text: WorkdaysText,
}

/// The canonical text ("mon-wed,fri"), kept inline so that `Workdays` stays `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct WorkdaysText([u8; 27], u8);

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Workdays {
    /// Parses `mon-fri`, `mon,wed,fri`, `sun-thu`, `mon-wed,fri`, full day names too.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let mut bits = 0u8;
        let day = |name: &str| -> Result<usize, ParseError> {
            let n = name.trim().to_ascii_lowercase();
            DAY_NAMES
                .iter()
                .position(|d| n.len() >= 3 && d.starts_with(&n[..3]) && day_full(d).starts_with(&n))
                .ok_or_else(|| {
                    ParseError::new(
                        "workdays",
                        s,
                        format!("{:?} is not a day of the week (use mon, tue, ... sun)", name.trim()),
                    )
                })
        };
        for part in s.split(',') {
            if part.trim().is_empty() {
                continue;
            }
            match part.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?, day(b)?);
                    // A range may wrap around the week: sun-thu.
                    let mut i = a;
                    loop {
                        bits |= 1 << i;
                        if i == b {
                            break;
                        }
                        i = (i + 1) % 7;
                    }
                }
                None => bits |= 1 << day(part)?,
            }
        }
        if bits == 0 {
            return Err(ParseError::new("workdays", s, "no days given: name at least one, e.g. mon-fri"));
        }
        Ok(Self::from_bits(bits))
    }

    fn from_bits(bits: u8) -> Self {
        // Canonical text: runs of three or more days as ranges, e.g. "mon-fri", "mon-wed,fri".
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < 7 {
            if bits & (1 << i) == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while i + 1 < 7 && bits & (1 << (i + 1)) != 0 {
                i += 1;
            }
            match i - start {
                0 => parts.push(DAY_NAMES[start].into()),
                1 => {
                    parts.push(DAY_NAMES[start].into());
                    parts.push(DAY_NAMES[i].into())
                }
                _ => parts.push(format!("{}-{}", DAY_NAMES[start], DAY_NAMES[i])),
            }
            i += 1;
        }
        let joined = parts.join(",");
        let mut text = WorkdaysText::default();
        text.0[..joined.len()].copy_from_slice(joined.as_bytes());
        text.1 = joined.len() as u8;
        Self { bits, text }
    }

    pub fn contains(&self, day: Weekday) -> bool {
        let i = day.to_monday_zero_offset() as u8;
        self.bits & (1 << i) != 0
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text.0[..usize::from(self.text.1)]).expect("ascii")
    }
}
string_newtype!(Workdays);

fn day_full(short: &str) -> &'static str {
    match short {
        "mon" => "monday",
        "tue" => "tuesday",
        "wed" => "wednesday",
        "thu" => "thursday",
        "fri" => "friday",
        "sat" => "saturday",
        _ => "sunday",
    }
}

/// A team's local calendar date: the day an email is "for". One email per member per date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SendDate {
    date: Date,
    #[serde(skip)]
    text: [u8; 10],
}

impl SendDate {
    pub fn new(date: Date) -> Self {
        let mut text = [0u8; 10];
        let s = date.to_string();
        text.copy_from_slice(&s.as_bytes()[..10]);
        Self { date, text }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        if t.len() != 10 {
            return Err(ParseError::new("date", s, "expected YYYY-MM-DD, e.g. 2026-03-14"));
        }
        let date: Date =
            t.parse().map_err(|_| ParseError::new("date", s, "expected a real calendar date as YYYY-MM-DD"))?;
        if date.year() < 2000 {
            return Err(ParseError::new("date", s, "expected a date in or after 2000"));
        }
        Ok(Self::new(date))
    }

    pub fn date(&self) -> Date {
        self.date
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).expect("ascii")
    }

    pub fn next_day(&self) -> Self {
        Self::new(self.date.tomorrow().expect("dates stay far from the end of time"))
    }

    pub fn previous_day(&self) -> Self {
        Self::new(self.date.yesterday().expect("dates stay far from the start of time"))
    }
}
string_newtype!(SendDate);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert_eq!(TimeZone::parse("Europe/London").unwrap().as_str(), "Europe/London");
        assert_eq!(TimeZone::parse("UTC").unwrap().as_str(), "UTC");
        assert_eq!(TimeZone::parse("europe/london").unwrap().as_str(), "Europe/London");
        let err = TimeZone::parse("Mars/Olympus_Mons").unwrap_err();
        assert!(err.to_string().contains("\"Mars/Olympus_Mons\""), "{err}");
        assert!(TimeZone::parse("").is_err());
    }

    #[test]
    fn a_send_time_leaves_the_sender_time_before_midnight() {
        assert_eq!(LocalTime::parse_send_time("23:45").unwrap().as_str(), "23:45");
        assert_eq!(LocalTime::parse_send_time("00:00").unwrap().as_str(), "00:00");
        for late in ["23:46", "23:58", "23:59"] {
            let e = LocalTime::parse_send_time(late).unwrap_err().to_string();
            assert!(e.contains("choose 23:45 or earlier"), "{late}: {e}");
        }
        assert!(LocalTime::parse_send_time("24:00").is_err());
        // A stored time is read as it is: only choosing one is checked.
        assert_eq!(LocalTime::parse("23:58").unwrap().as_str(), "23:58");
    }

    /// Read from JSON as the string it is written as.
    fn json_round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(text: &str) {
        let quoted = format!("{text:?}");
        let value: T = serde_json::from_str(&quoted).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), quoted);
    }

    #[test]
    fn times() {
        assert_eq!(LocalTime::parse("09:30").unwrap().as_str(), "09:30");
        assert_eq!(LocalTime::parse("9:05").unwrap().as_str(), "09:05");
        assert_eq!(LocalTime::parse("23:59").unwrap().as_str(), "23:59");
        assert_eq!(LocalTime::parse("00:00").unwrap().as_str(), "00:00");
        for bad in ["25:00", "24:00", "12:60", "12", "12:5", "ab:cd", "-1:00", "", "12:00:00", "+1:00"] {
            let err = LocalTime::parse(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        json_round_trip::<LocalTime>("08:15");
    }

    #[test]
    fn workdays() {
        let w = Workdays::parse("mon-fri").unwrap();
        assert!(w.contains(Weekday::Monday) && w.contains(Weekday::Friday));
        assert!(!w.contains(Weekday::Saturday) && !w.contains(Weekday::Sunday));
        assert_eq!(w.as_str(), "mon-fri");
        assert_eq!(Workdays::parse("Monday,Tuesday,wed,thu,fri").unwrap().as_str(), "mon-fri");
        assert_eq!(Workdays::parse("sun-thu").unwrap().as_str(), "mon-thu,sun");
        assert_eq!(Workdays::parse("mon,wed,fri").unwrap().as_str(), "mon,wed,fri");
        assert_eq!(Workdays::parse("mon,tue").unwrap().as_str(), "mon,tue");
        for bad in ["", " , ", "funday", "mon-xyz", "mo"] {
            let err = Workdays::parse(bad).unwrap_err();
            assert_eq!(err.what, "workdays");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        json_round_trip::<Workdays>("mon-wed,fri");
    }

    #[test]
    fn dates() {
        let d = SendDate::parse("2026-03-14").unwrap();
        assert_eq!(d.as_str(), "2026-03-14");
        assert_eq!(d.next_day().as_str(), "2026-03-15");
        assert_eq!(d.previous_day().as_str(), "2026-03-13");
        for bad in ["2026-02-30", "2026-3-14", "14/03/2026", "", "1999-01-01"] {
            assert!(SendDate::parse(bad).is_err(), "{bad}");
        }
    }
}
