//! Temporary minimal XSD pattern support (to be replaced by the full translator).
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    regex: regex::Regex,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub offset: usize,
    pub message: String,
}
impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl Pattern {
    pub fn new(p: &str) -> Result<Pattern, PatternError> {
        let regex = regex::Regex::new(&format!(r"\A(?:{p})\z")).map_err(|e| PatternError {
            offset: 0,
            message: e.to_string(),
        })?;
        Ok(Pattern {
            source: p.to_owned(),
            regex,
        })
    }
    pub fn is_match(&self, v: &str) -> bool {
        self.regex.is_match(v)
    }
    pub fn source(&self) -> &str {
        &self.source
    }
}
