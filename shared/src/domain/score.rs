use super::ParseError;
use serde::{Deserialize, Serialize};

/// An answer to "How do you feel about work today?": 1 (awful) to 5 (great).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

impl Score {
    pub const ALL: [Score; 5] = [Score(5), Score(4), Score(3), Score(2), Score(1)];

    pub fn new(n: u8) -> Result<Self, ParseError> {
        if (1..=5).contains(&n) {
            Ok(Self(n))
        } else {
            Err(ParseError::new("score", &n.to_string(), "a score is a whole number from 1 to 5"))
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim().parse::<u8>() {
            Ok(n) => Self::new(n),
            Err(_) => Err(ParseError::new("score", s, "a score is a whole number from 1 to 5")),
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        ["Awful", "Not great", "Okay", "Good", "Great"][usize::from(self.0 - 1)]
    }

    /// From Unicode 6.0's emoticons, which every mail client and phone of the last decade draws.
    pub fn emoji(self) -> &'static str {
        ["😫", "😞", "😐", "😊", "😄"][usize::from(self.0 - 1)]
    }
}

impl TryFrom<u8> for Score {
    type Error = ParseError;
    fn try_from(n: u8) -> Result<Self, ParseError> {
        Self::new(n)
    }
}

impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_five() {
        for n in 1..=5 {
            assert_eq!(Score::new(n).unwrap().value(), n);
            assert_eq!(Score::parse(&n.to_string()).unwrap().value(), n);
        }
        for bad in ["0", "6", "-1", "3.5", "", "five", "256"] {
            let err = Score::parse(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        assert!(Score::new(0).is_err());
        assert!(Score::new(6).is_err());
        assert!(serde_json::from_str::<Score>("7").is_err());
        assert_eq!(serde_json::from_str::<Score>("4").unwrap().label(), "Good");
    }
}
