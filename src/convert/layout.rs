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
    let mut pending = marks.iter().copied().peekable();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(found) = memchr(b'<', &bytes[at..]) {
        let tag_at = at + found;
        // Only line ends lie between the writer's elements; anything else is kept as it is.
        let between = &xml[at..tag_at];
        if !between.bytes().all(|b| b == b'\n') {
            out.push_str(between);
        }
        while pending.next_if(|&m| m <= tag_at).is_some() {
            mapped.push(out.len());
        }
        at = tag_end(bytes, tag_at);
        let tag = &xml[tag_at..at];
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
            indent(&mut out, depth);
            out.push_str(tag);
        } else {
            indent(&mut out, depth);
            out.push_str(tag);
            if !tag.starts_with("<?") && !tag.ends_with("/>") {
                // A value, or no content at all, stays on the opening tag's line.
                let next = memchr(b'<', &bytes[at..]).map_or(bytes.len(), |i| at + i);
                if xml[next..].starts_with("</") {
                    let closed = tag_end(bytes, next);
                    out.push_str(&xml[at..closed]);
                    at = closed;
                } else {
                    depth += 1;
                }
            }
        }
        out.push('\n');
    }
    let rest = &xml[at..];
    if !rest.bytes().all(|b| b == b'\n') {
        out.push_str(rest);
    }
    mapped.extend(pending.map(|_| out.len()));
    (out, mapped)
}

/// One past the `>` ending the tag that starts at `from`, quoted attribute values skipped.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(from) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    bytes.len()
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
