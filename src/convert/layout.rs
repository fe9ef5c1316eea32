//! One element per line, one tab per level: the layout of a small output, for people who open
//! it.
//!
//! The writer writes compact XML (a declaration line, then the whole document on one line): a
//! large file is a fifth lighter that way, and quicker to check and to deposit. A file of at
//! most [`INDENTED_UP_TO`] passages, small enough to be read in a text editor, is laid out again
//! here as the CDC's example is (one tab per level, shown as four spaces):
//!
//! ```text
//! <?xml version="1.0" encoding="UTF-8"?>
//! <cpf:flux xmlns:cpf="…" xmlns:xsi="…">
//!     <cpf:idFlux>F-1</cpf:idFlux>
//!     <cpf:emetteur>
//!         …
//! ```
//!
//! Only the writer's own output comes here: elements hold either text or other elements, never
//! both, and whitespace between elements is ignorable (NOTES.md §4), so the layout changes no
//! value. The final check then reads the laid-out file, as for any output.

use memchr::memchr;

/// Outputs of at most this many passages (in all their files) are laid out one element per
/// line; larger ones stay compact.
pub const INDENTED_UP_TO: usize = 10_000;

/// `xml` (compact, as the writer wrote it) laid out one element per line, and where each of
/// `marks` (byte offsets of tags or of the end, in ascending order) lands in it: the start of
/// the tag's line.
pub(super) fn indented(xml: &str, marks: &[usize]) -> (String, Vec<usize>) {
    let bytes = xml.as_bytes();
    let mut out = String::with_capacity(xml.len() + xml.len() / 4);
    let mut mapped = Vec::with_capacity(marks.len());
    let mut pending = 0;
    // The declaration's line is kept as it is.
    let mut copied = match xml.starts_with("<?") {
        true => memchr(b'\n', bytes).map_or(0, |i| i + 1),
        false => 0,
    };
    out.push_str(&xml[..copied]);
    let mut depth = 0usize;
    let mut first = true;
    let mut previous = Tag::Start;
    // One look at each `<`: what it starts, and what came just before it (a tag, which one, or
    // a value). Only line breaks are added, so every other byte is copied in runs.
    let mut next = copied;
    while let Some(found) = memchr(b'<', &bytes[next..]) {
        let at = next + found;
        next = at + 1;
        let tag = match bytes.get(at + 1) {
            Some(b'/') => Tag::End,
            _ => Tag::Start,
        };
        let before = match at.checked_sub(1).map(|i| bytes[i]) {
            Some(b'>') if previous == Tag::Start && at >= 2 && bytes[at - 2] == b'/' => Tag::Empty,
            Some(b'>') => previous,
            _ => Tag::Text,
        };
        // An opening tag followed by an element: its content is elements, one level deeper.
        if before == Tag::Start && tag == Tag::Start {
            depth += 1;
        }
        let breaks = match tag {
            Tag::Start => !std::mem::take(&mut first),
            // After a value, or right after its opening tag, a closing tag stays on its line.
            _ => matches!(before, Tag::End | Tag::Empty),
        };
        if breaks {
            if tag == Tag::End {
                depth = depth.saturating_sub(1);
            }
            out.push_str(&xml[copied..at]);
            copied = at;
            out.push('\n');
            while marks.get(pending).is_some_and(|&m| m <= at) {
                mapped.push(out.len());
                pending += 1;
            }
            indent(&mut out, depth);
        }
        previous = tag;
    }
    out.push_str(&xml[copied..]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    mapped.resize(marks.len(), out.len());
    (out, mapped)
}

/// What a `<` starts, or what precedes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Start,
    End,
    Empty,
    Text,
}

fn indent(out: &mut String, depth: usize) {
    const TABS: &str = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    let mut left = depth;
    while left > TABS.len() {
        out.push_str(TABS);
        left -= TABS.len();
    }
    out.push_str(&TABS[..left]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compact_document_is_laid_out_one_element_per_line() {
        let compact =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r xmlns:a=\"x>y\"><a>1 &lt; 2</a>\
                       <b><c xsi:nil=\"true\"/><d></d><e><f>é</f></e></b></r>\n";
        let marks = [
            compact.find("<b>").unwrap(),
            compact.find("<e>").unwrap(),
            compact.len(),
        ];
        let (laid_out, moved) = indented(compact, &marks);
        let expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r xmlns:a=\"x>y\">\n\t<a>1 &lt; 2</a>\n\
                        \t<b>\n\t\t<c xsi:nil=\"true\"/>\n\t\t<d></d>\n\t\t<e>\n\t\t\t<f>é</f>\n\t\t</e>\n\t</b>\n</r>\n";
        assert_eq!(laid_out, expected);
        // Each mark lands at the start of its tag's line.
        assert_eq!(&laid_out[moved[0]..moved[0] + 4], "\t<b>");
        assert_eq!(&laid_out[moved[1]..moved[1] + 5], "\t\t<e>");
        assert_eq!(moved[2], laid_out.len());
    }

    #[test]
    fn deep_documents_are_indented_one_tab_per_level() {
        let depth = 40;
        let compact: String = (0..depth).map(|i| format!("<e{i}>")).collect::<String>()
            + "v"
            + &(0..depth)
                .rev()
                .map(|i| format!("</e{i}>"))
                .collect::<String>();
        let (laid_out, _) = indented(&compact, &[]);
        for (i, line) in laid_out.lines().enumerate().take(depth) {
            let tabs = line.bytes().take_while(|&b| b == b'\t').count();
            assert_eq!(tabs, i, "{line}");
        }
        assert_eq!(laid_out.lines().count(), 2 * depth - 1);
    }

    #[test]
    fn text_between_elements_is_never_dropped() {
        let compact = "<r>a<b>1</b>z</r>";
        let (laid_out, _) = indented(compact, &[]);
        assert_eq!(laid_out.replace(['\n', '\t'], ""), compact);
    }
}
