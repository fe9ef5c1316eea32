//! The text of a written file, kept in the pieces it was written in: the parts the writer wrote
//! around the passages, and each passage's own XML, moved in from its record rather than copied.
//!
//! Gathering 230 Mo of passages into one `String` meant as much fresh memory again, and on the
//! development machine fresh memory is slow: zeroing the pages the system hands out took a sixth
//! of a 100 000-row conversion's CPU time, when it used 590 Mo (350 Mo since). The final check,
//! the CLI and the page read the pieces in
//! place ([`XmlText::pieces`], [`XmlText::write_to`]); the whole text as one `&str` is joined only
//! when asked for, once ([`XmlText::as_str`], and through `Deref`, for tests and small files).
//!
//! ```
//! use accrochage::convert::XmlText;
//! let xml = XmlText::from_pieces(vec!["<a>".to_owned(), "<b/>".to_owned(), "</a>".to_owned()]);
//! assert_eq!(xml.len(), 11);
//! assert_eq!(xml.pieces().count(), 3);
//! let mut written = Vec::new();
//! xml.write_to(&mut written).unwrap();
//! assert_eq!(written, b"<a><b/></a>");
//! assert!(xml.contains("<b/>")); // joined here, once
//! ```

use std::sync::OnceLock;

/// See the [module](self).
#[derive(Default)]
pub struct XmlText {
    pieces: Vec<String>,
    len: usize,
    joined: OnceLock<String>,
}

impl XmlText {
    pub fn from_pieces(pieces: Vec<String>) -> XmlText {
        let len = pieces.iter().map(String::len).sum();
        XmlText {
            pieces,
            len,
            joined: OnceLock::new(),
        }
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pieces, in order; empty ones are skipped.
    pub fn pieces(&self) -> impl Iterator<Item = &str> + Clone {
        self.pieces
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty())
    }

    /// The pieces of bytes `range`, in order: whole pieces, or slices of those cut by its ends.
    /// A range outside the text is clamped to it.
    pub fn slices(&self, range: std::ops::Range<usize>) -> Vec<&[u8]> {
        let mut out = Vec::new();
        if range.is_empty() {
            return out;
        }
        let mut start = 0;
        for piece in self.pieces() {
            let end = start + piece.len();
            if end > range.start && start < range.end {
                let from = range.start.saturating_sub(start);
                let to = range.end.min(end) - start;
                out.push(&piece.as_bytes()[from..to]);
            }
            if end >= range.end {
                break;
            }
            start = end;
        }
        out
    }

    /// Writes the text to `out`, piece after piece; `out` should be buffered (the pieces of a
    /// large file are mostly single passages, a few Ko each).
    pub fn write_to(&self, mut out: impl std::io::Write) -> std::io::Result<()> {
        for piece in self.pieces() {
            out.write_all(piece.as_bytes())?;
        }
        out.flush()
    }

    /// The whole text, joined the first time it is asked for (as much memory again).
    pub fn as_str(&self) -> &str {
        match self.pieces.as_slice() {
            [] => "",
            [one] => one,
            _ => self.joined.get_or_init(|| self.pieces.concat()),
        }
    }

    pub fn into_string(mut self) -> String {
        match self.joined.take() {
            Some(joined) => joined,
            None if self.pieces.len() == 1 => self.pieces.pop().unwrap_or_default(),
            None => self.pieces.concat(),
        }
    }
}

impl From<String> for XmlText {
    fn from(text: String) -> XmlText {
        XmlText::from_pieces(vec![text])
    }
}

impl std::ops::Deref for XmlText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for XmlText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for XmlText {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl Clone for XmlText {
    fn clone(&self) -> XmlText {
        XmlText::from_pieces(self.pieces.clone())
    }
}

impl PartialEq for XmlText {
    fn eq(&self, other: &XmlText) -> bool {
        self.len == other.len && self.as_str() == other.as_str()
    }
}

impl Eq for XmlText {}

impl std::fmt::Debug for XmlText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for XmlText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.pieces().try_for_each(|p| f.write_str(p))
    }
}

impl serde::Serialize for XmlText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> XmlText {
        XmlText::from_pieces(
            ["<a>\n", "", "\t<b>x</b>\n", "\t<b>é</b>\n", "</a>\n"]
                .map(str::to_owned)
                .to_vec(),
        )
    }

    #[test]
    fn the_pieces_make_the_text() {
        let t = text();
        let whole = "<a>\n\t<b>x</b>\n\t<b>é</b>\n</a>\n";
        assert_eq!(t.len(), whole.len());
        assert_eq!(t.pieces().count(), 4, "the empty piece is skipped");
        assert_eq!(t.to_string(), whole);
        assert_eq!(t.as_str(), whole);
        assert_eq!(&*t, whole);
        let mut written = Vec::new();
        t.write_to(&mut written).unwrap();
        assert_eq!(written, whole.as_bytes());
        assert_eq!(t.clone(), t);
        assert_eq!(t.clone().into_string(), whole);
        assert_ne!(t, XmlText::from(whole.replace('x', "y")));
        assert_eq!(XmlText::from(whole.to_owned()), t);
        assert_eq!(XmlText::default().as_str(), "");
        assert!(XmlText::default().is_empty());
    }

    #[test]
    fn every_range_is_sliced_across_the_pieces() {
        let t = text();
        let whole = t.to_string();
        for start in 0..=whole.len() {
            for end in start..=whole.len() + 2 {
                let joined: Vec<u8> = t.slices(start..end).concat();
                assert_eq!(
                    joined,
                    whole.as_bytes()[start..end.min(whole.len())],
                    "{start}..{end}"
                );
                assert!(t.slices(start..end).iter().all(|s| !s.is_empty()));
            }
        }
    }
}
