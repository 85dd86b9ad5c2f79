//! A string secret that shows only its hint and is wiped from memory when dropped.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// A credential in memory: an admin API key, an OAuth token.
///
/// `Debug` and `Display` print only [`SecretString::hint`] (`sk-ant-admin01-…AbCd`), so a
/// secret cannot leak through a log line, an error or a `{:?}` of a struct that holds one.
/// The bytes are overwritten with zeros when the value is dropped. Read the secret with
/// [`SecretString::expose`], and only where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wrap a secret. The argument is moved in, so no plaintext copy stays behind.
    pub fn new(secret: String) -> Self {
        SecretString(Zeroizing::new(secret))
    }

    /// The secret itself. Keep the borrow short and never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The part of the secret that may be shown: for `sk-ant-…` keys the prefix up to the
    /// third dash and the last four characters (`sk-ant-admin01-…AbCd`); for OpenAI admin
    /// keys `sk-admin-…AbCd`; for other secrets
    /// only the last four characters; for secrets shorter than 16 characters nothing but `…`.
    pub fn hint(&self) -> String {
        hint_of(&self.0)
    }

    /// The length in bytes, for validation messages.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The displayable hint of a secret; see [`SecretString::hint`].
pub(crate) fn hint_of(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 16 {
        return "…".to_string();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    if secret.starts_with("sk-ant-") {
        // "sk-ant-admin01-" : the prefix through the third dash names the key kind.
        let prefix_end = secret
            .match_indices('-')
            .nth(2)
            .map(|(i, _)| i + 1)
            .filter(|&end| end + 8 <= secret.len());
        if let Some(end) = prefix_end {
            return format!("{}…{tail}", &secret[..end]);
        }
    }
    if secret.starts_with("sk-admin-") && secret.len() >= 32 {
        // OpenAI admin keys: the kind prefix, never a character of the random part.
        return format!("sk-admin-…{tail}");
    }
    format!("…{tail}")
}

impl From<String> for SecretString {
    fn from(secret: String) -> Self {
        SecretString::new(secret)
    }
}

impl From<&str> for SecretString {
    fn from(secret: &str) -> Self {
        SecretString::new(secret.to_string())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretString({:?})", self.hint())
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hint())
    }
}

impl Zeroize for SecretString {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// Compares without returning early, so the time taken does not tell an attacker how many
/// leading bytes of a guess were right. (The length is not secret.)
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }

    const KEY: &str = "sk-ant-admin01-Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG9AbCd";

    #[test]
    fn debug_and_display_show_only_the_hint() {
        let s = SecretString::from(KEY);
        assert_eq!(s.hint(), "sk-ant-admin01-…AbCd");
        assert_eq!(format!("{s}"), "sk-ant-admin01-…AbCd");
        assert_eq!(format!("{s:?}"), "SecretString(\"sk-ant-admin01-…AbCd\")");
        assert!(!format!("{s:?}{s}{s:#?}").contains("Zm9vYmFy"));
        assert_eq!(s.expose(), KEY);
    }

    #[test]
    fn hints_of_other_shapes() {
        assert_eq!(hint_of("short"), "…");
        assert_eq!(hint_of("abcdefghijklmnopqrstuvwxyz"), "…wxyz");
        // A prefix-only key never shows more than its tail.
        assert_eq!(hint_of("sk-ant-admin01-abcd"), "…abcd");
        let openai = format!(
            "sk-admin-{}T3BlbkFJ{}",
            "a".repeat(58),
            "b".repeat(54) + "WXYZ"
        );
        assert_eq!(hint_of(&openai), "sk-admin-…WXYZ");
        assert_eq!(hint_of("sk-admin-abcdefgh"), "…efgh");
    }
}
