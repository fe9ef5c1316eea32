//! The two Unicode normalisations the tool needs: NFC for cell text (a decomposed `e` + U+0301
//! pasted from macOS becomes `é`) and an accent-free NFKD fold for comparing spellings.
//!
//! Natively they come from the `unicode-normalization` crate. In the browser the JavaScript
//! engine already carries the same tables (`String.prototype.normalize`, `/\p{M}/u`): asking it
//! keeps ≈ 45 KB gzip of tables out of the page's first download. Plain ASCII, which is almost
//! every cell, is never affected by either form and never leaves Rust.
//!
//! ```
//! use accrochage::unicode;
//! assert_eq!(unicode::nfc("Ame\u{301}lie").as_deref(), Some("Amélie"));
//! assert_eq!(unicode::nfc("Amélie"), None); // already composed
//! assert_eq!(unicode::nfkd_without_marks("Présentiel ﬁ"), "Presentiel fi");
//! ```

/// The NFC form of `text`, or `None` when `text` already is in NFC.
pub fn nfc(text: &str) -> Option<String> {
    // Composition needs a combining mark, and every one is at U+0300 or above: French names
    // (é, ç, œ…) never leave Rust. The unit test below checks this on every pair of characters.
    if text.chars().all(|c| c < COMBINING_START) {
        return None;
    }
    imp::nfc(text)
}

/// The first combining mark (U+0300, combining grave accent).
const COMBINING_START: char = '\u{300}';

/// `text` decomposed for compatibility (NFKD: ligatures, `º`, non-breaking spaces become plain
/// characters) with its combining marks (accents) removed.
pub fn nfkd_without_marks(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    imp::nfkd_without_marks(text)
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

    pub fn nfc(text: &str) -> Option<String> {
        if is_nfc_quick(text.chars()) == IsNormalized::Yes {
            return None;
        }
        let composed: String = text.nfc().collect();
        (composed != text).then_some(composed)
    }

    pub fn nfkd_without_marks(text: &str) -> String {
        text.nfkd().filter(|c| !is_combining_mark(*c)).collect()
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::{JsString, RegExp};

    pub fn nfc(text: &str) -> Option<String> {
        let composed = String::from(JsString::from(text).normalize("NFC"));
        (composed != text).then_some(composed)
    }

    thread_local! {
        // `\p{M}`: every combining mark (Mn, Mc, Me), as `is_combining_mark` natively.
        static MARKS: RegExp = RegExp::new(r"\p{M}", "gu");
    }

    pub fn nfkd_without_marks(text: &str) -> String {
        let decomposed = JsString::from(text).normalize("NFKD");
        MARKS.with(|marks| String::from(decomposed.replace_by_pattern(marks, "")))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn nothing_below_the_combining_marks_changes_under_nfc() {
        let below: Vec<char> = (0x20..0x300).filter_map(char::from_u32).collect();
        for &a in &below {
            for &b in &below {
                let s: String = [a, b].into_iter().collect();
                assert_eq!(s.nfc().collect::<String>(), s, "{a:?} {b:?}");
            }
        }
        // The first mark does compose: the shortcut must stop there.
        assert_eq!(nfc("e\u{300}").as_deref(), Some("è"));
    }
}
