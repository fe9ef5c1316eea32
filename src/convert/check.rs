//! The final check of the files written: every XML the converter returns has passed the XSD
//! engine. The check is shared among those who can do it — natively the cores, in the browser
//! the engine's worker and a second one ([`CheckPartner`]) — the files side by side, and a file
//! larger than its share cut in two ([`validation_parts`]). A file that fails is checked again
//! whole, so that its report gives true lines.

use std::cell::RefCell;
use std::rc::Rc;

use super::writer::{Body, Node, Plan};
use super::XmlText;
use crate::xsd::model::{Particle, Term};
use crate::xsd::{Report, Schema, ValidationOptions};

/// Byte offsets of one group (certification) in a written file, for [`validation_parts`].
#[derive(Debug, Clone, Default)]
pub(super) struct GroupSpan {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) passages: Vec<usize>,
    pub(super) passages_end: usize,
}

/// Another engine that checks documents while the converter checks its own share: the
/// browser's second worker, whose thread the converter cannot use itself. It is handed the
/// parts of one document, to be read one after the other, and says whether it took it. The
/// verdicts of the documents it took are then owed by whoever set it up: the files returned
/// are only checked once those have all come back valid (and in the rare other case, the
/// conversion made again without a partner reports what is wrong).
#[derive(Clone)]
pub struct CheckPartner(pub Rc<RefCell<HandOver>>);

/// Hands the parts of one document over; whether they were taken.
pub type HandOver = dyn FnMut(&[&[u8]]) -> bool;

impl std::fmt::Debug for CheckPartner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckPartner")
    }
}

/// Below this much XML, handing documents to a partner costs more than it saves.
const PARTNER_MIN_BYTES: usize = 1 << 20;

/// The shares of the final check: the engine's threads take equal ones, a partner a larger one
/// (see [`validate_files`]; measured with the page's timeline, 100 000 passages).
const ENGINE_WEIGHT: usize = 44;
const PARTNER_WEIGHT: usize = 56;

/// One document to check: a file, or one of its two parts ([`validation_parts`]).
type Job = (usize, Option<Half>);

/// The engine's report on each file, in order; a file checked valid gets an empty report.
pub(super) fn validate_files<'x>(
    schema: &Schema,
    files: impl Iterator<Item = (&'x XmlText, &'x [GroupSpan])>,
    partner: Option<&CheckPartner>,
) -> Vec<Report> {
    // Only the verdict is needed: a file found invalid is validated again, whole and located.
    let options = ValidationOptions {
        max_errors: 20,
        locate: false,
        ..ValidationOptions::default()
    };
    let located = ValidationOptions {
        locate: true,
        ..options.clone()
    };
    let files: Vec<(&XmlText, &[GroupSpan])> = files.collect();
    let total: usize = files.iter().map(|(xml, _)| xml.len()).sum();
    let partner = partner.filter(|_| total >= PARTNER_MIN_BYTES);
    // A partner stands for the threads this engine cannot start (in the browser): with one,
    // the engine checks on its own thread only, wherever it runs.
    #[cfg(not(target_arch = "wasm32"))]
    let threads = match partner {
        Some(_) => 1,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    #[cfg(target_arch = "wasm32")]
    let threads = 1;
    // In the page, the engine also hands every file over once checked (copies of the whole
    // output, about a quarter of the time checking it takes; the partner only copies its share
    // in): the partner checks more, and both end together.
    let mut weights = vec![ENGINE_WEIGHT; threads];
    if partner.is_some() {
        weights.push(PARTNER_WEIGHT);
    }
    let mut lists = plan_checks(&files, &weights);
    if let Some(partner) = partner {
        for job in lists.pop().unwrap_or_default() {
            let taken = (partner.0.borrow_mut())(&job_parts(&files, &job));
            if !taken {
                lists[0].push(job);
            }
        }
    }
    let valid = run_lists(schema, &options, &files, &lists);
    // A file found invalid is checked again whole, on this thread: the report then gives the
    // true lines (an internal error, which should never happen).
    files
        .iter()
        .enumerate()
        .map(|(i, (xml, _))| match valid[i] {
            true => Report::default(),
            false => {
                let report = schema.validate_str(xml, &located);
                // Halves that fail a file that passes would mean wrong cuts: the file is still
                // judged on its own, but the tests must see it.
                debug_assert!(
                    !report.is_valid(),
                    "moitiés refusées, fichier entier valide"
                );
                report
            }
        })
        .collect()
}

/// The documents to check, in one list per checker, of sizes in proportion to `weights` (one
/// per checker): the files are dealt in order, each checker's list filled up to its share, and
/// the file that crosses a share is cut there, its rest starting the next list (one file, two
/// equal checkers: two halves; files of 200, 200 and 110 Mo: 255 Mo each, where whole files
/// would give 310 and 200).
fn plan_checks(files: &[(&XmlText, &[GroupSpan])], weights: &[usize]) -> Vec<Vec<Job>> {
    let weights = if weights.is_empty() {
        &[1][..]
    } else {
        weights
    };
    let checkers = weights.len();
    let total = files.iter().map(|(xml, _)| xml.len()).sum::<usize>();
    let all: usize = weights.iter().sum::<usize>().max(1);
    // In u64: the product overflows a 32-bit usize (the page's) from 43 Mo of XML.
    let share = |c: usize| (total as u64 * weights[c] as u64).div_ceil(all as u64) as usize;
    let mut lists: Vec<Vec<Job>> = vec![Vec::new(); checkers];
    let (mut c, mut load) = (0, 0);
    for (i, (xml, spans)) in files.iter().enumerate() {
        let len = xml.len();
        let room = share(c).saturating_sub(load);
        let last = c + 1 == checkers;
        // A list nearly full is closed rather than given a sliver of a file.
        if !last && len > room && room < share(c) / 8 {
            (c, load) = (c + 1, 0);
        }
        let room = share(c).saturating_sub(load);
        let parts = match c + 1 < checkers && len > room {
            true => validation_parts(len, spans, room),
            false => None,
        };
        match parts {
            Some([a, b]) => {
                lists[c].push((i, Some(a)));
                load = b.iter().map(|r| r.len()).sum();
                c += 1;
                lists[c].push((i, Some(b)));
            }
            None => {
                lists[c].push((i, None));
                load += len;
            }
        }
        if load >= share(c) && c + 1 < checkers {
            (c, load) = (c + 1, 0);
        }
    }
    lists
}

/// The byte slices of a job's document, to be read one after the other.
fn job_parts<'x>(files: &[(&'x XmlText, &[GroupSpan])], (file, half): &Job) -> Vec<&'x [u8]> {
    let xml = files[*file].0;
    match half {
        Some(ranges) => ranges.iter().flat_map(|r| xml.slices(r.clone())).collect(),
        None => xml.pieces().map(str::as_bytes).collect(),
    }
}

/// Runs each list of jobs, natively on a thread of its own (this one takes the first);
/// whether each file passed all of its jobs.
fn run_lists(
    schema: &Schema,
    options: &ValidationOptions,
    files: &[(&XmlText, &[GroupSpan])],
    lists: &[Vec<Job>],
) -> Vec<bool> {
    // The files that failed one of the jobs.
    let run = |list: &[Job]| -> Vec<usize> {
        list.iter()
            .filter(|job| {
                !schema
                    .validate_parts(&job_parts(files, job), options)
                    .is_valid()
            })
            .map(|(file, _)| *file)
            .collect()
    };
    let mut failed = Vec::new();
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::scope(|scope| {
        let Some((first, others)) = lists.split_first() else {
            return;
        };
        let mut helpers = Vec::new();
        let mut here = vec![first];
        for list in others.iter().filter(|l| !l.is_empty()) {
            // A list the system refuses a thread for is done on this one.
            match std::thread::Builder::new().spawn_scoped(scope, move || run(list)) {
                Ok(helper) => helpers.push(helper),
                Err(_) => here.push(list),
            }
        }
        for list in here {
            failed.extend(run(list));
        }
        for helper in helpers {
            match helper.join() {
                Ok(f) => failed.extend(f),
                // A validator panic is a bug like any other: let it surface.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
    });
    #[cfg(target_arch = "wasm32")]
    for list in lists {
        failed.extend(run(list));
    }
    let mut valid = vec![true; files.len()];
    failed.into_iter().for_each(|f| valid[f] = false);
    valid
}

/// Two documents that together check every byte of a file, for two checkers to share. The file
/// is cut at the passage nearest to byte `at`, inside some group (certification) G:
/// - the first document is the file up to the cut, then G's end, then what follows the last
///   group: the groups before G and the first passages of G;
/// - the second is the file up to the first group, then G's start, then the file from the cut:
///   the other passages of G and the groups after it.
///
/// Both documents together pass exactly when the file does: groups and passages repeat
/// without bound in their containers ([`repeats_freely`]) and each half keeps at least one of
/// each; every group and passage is checked in the same context as in the file; and the engine
/// keeps nothing from one element to its siblings (no identity constraints). `None` when no
/// group has two passages.
fn validation_parts(len: usize, groups: &[GroupSpan], at: usize) -> Option<[Half; 2]> {
    let (first, last) = (groups.first()?, groups.last()?);
    // Any passage but a group's first: each half then has a passage of G.
    let (g, cut) = groups
        .iter()
        .flat_map(|g| g.passages.iter().skip(1).map(move |&p| (g, p)))
        .min_by_key(|&(_, p)| p.abs_diff(at))?;
    Some([
        [0..cut, g.passages_end..g.end, last.end..len],
        [0..first.start, g.start..g.passages[0], cut..len],
    ])
}

/// One of the two documents of [`validation_parts`]: three byte ranges of the file, read one
/// after the other.
type Half = [std::ops::Range<usize>; 3];

/// Whether the elements written as `name` (the groups or the passages) sit alone under their
/// container and may repeat there without bound: the condition for checking a file in halves
/// (see [`validation_parts`]). A schema that bounds their number, or puts other elements beside
/// them, gets its files checked whole.
pub(super) fn repeats_freely(schema: &Schema, plan: &Plan, name: &str) -> bool {
    fn parent_of<'n>(node: &'n Node, name: &str) -> Option<&'n Node> {
        let children = match &node.body {
            Body::Complex(c) | Body::Groups(c) | Body::Records(c) => c,
            _ => return None,
        };
        if children.iter().any(|c| c.name == name) {
            return Some(node);
        }
        children.iter().find_map(|c| parent_of(c, name))
    }
    let (Some(parent), Some(node)) = (parent_of(&plan.root, name), plan.find(name)) else {
        return false;
    };
    let crate::xsd::TypeRef::Complex(ct) = schema.element(parent.element).type_ref else {
        return false;
    };
    match &schema.complex_types[ct].particle {
        Some(p) => repeats_without_bound(p, node.element, false),
        None => false,
    }
}

/// Whether `p` accepts any number of `element`, from one on, and nothing else: a chain of
/// single-member groups down to the element, each occurring at most once as a minimum and
/// either once or without bound as a maximum, one of them without bound. Counts then add up
/// freely; a bound such as minOccurs="2" maxOccurs="2" inside an unbounded sequence (only even
/// counts) would not, and is refused.
fn repeats_without_bound(p: &Particle, element: crate::xsd::ElementId, unbounded: bool) -> bool {
    if p.min > 1 || !matches!(p.max, None | Some(1)) {
        return false;
    }
    let unbounded = unbounded || p.max.is_none();
    match &p.term {
        Term::Element(e) => *e == element && unbounded,
        Term::Sequence(items) | Term::Choice(items) | Term::All(items) => {
            matches!(items.as_slice(), [only] if repeats_without_bound(only, element, unbounded))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::writer::{self, Slots};
    use crate::convert::{convert, Conversion, ConvertOptions, LocalNow};

    /// Three certifications of four passages each, as the converter writes them.
    fn written() -> String {
        let c = converted(&Schema::cdc());
        assert_eq!(c.summary.passages_written, 12, "{:#?}", c.findings);
        c.files[0].xml.to_string()
    }

    fn converted(schema: &Schema) -> Conversion {
        converted_rows(schema, 12, None, true)
    }

    /// `rows` passages in three certifications, a third of them in each.
    fn converted_rows(
        schema: &Schema,
        rows: usize,
        partner: Option<CheckPartner>,
        indented: bool,
    ) -> Conversion {
        let mut csv = String::from(
            "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;\
             presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;\
             anneeNaissance;sexe;codeInsee\n",
        );
        for i in 0..rows {
            let code = ["RNCP11111", "RNCP22222", "RS3333"][i * 3 / rows];
            let kind = if code.starts_with("RS") { "RS" } else { "RNCP" };
            csv.push_str(&format!(
                "T-{i};{kind};{code};PAR_ADMISSION;Oui;15/09/2026;Non;Non;NOM{i};Marie;1990;F;75056\n"
            ));
        }
        let mut options = ConvertOptions::at(LocalNow::from_unix(1_790_000_000, 120));
        for (k, v) in [
            ("idClientEmetteur", "ABCD1234"),
            ("idClientCertificateur", "ABCD1234"),
            ("idContrat", "MCF-1"),
            ("idFlux", "flux-1"),
        ] {
            options.params.insert(k.into(), v.into());
        }
        options.partner = partner;
        options.indented_up_to = if indented { rows } else { 0 };
        convert(csv.as_bytes(), "p.csv", schema, &options).unwrap()
    }

    /// What a partner is handed of a file of `rows` passages: the number of pieces and the
    /// document, once for the whole conversion.
    fn handed_share(rows: usize, indented: bool) -> (Conversion, usize, String) {
        let schema = Schema::cdc();
        let handed: Rc<RefCell<Vec<(usize, String)>>> = Rc::default();
        let keep = handed.clone();
        let partner = CheckPartner(Rc::new(RefCell::new(move |parts: &[&[u8]]| {
            let text = String::from_utf8(parts.concat()).unwrap();
            keep.borrow_mut().push((parts.len(), text));
            true
        })));
        let c = converted_rows(&schema, rows, Some(partner), indented);
        assert_eq!(c.summary.passages_written, rows, "{:#?}", c.findings);
        assert_eq!(c.files.len(), 1);
        assert!(c.files[0].xml.len() > PARTNER_MIN_BYTES);
        let mut handed = handed.take();
        assert_eq!(handed.len(), 1, "un seul fichier, coupé en deux");
        let (parts, document) = handed.remove(0);
        let report = schema.validate_str(&document, &ValidationOptions::default());
        assert!(report.is_valid(), "{:#?}", report.diagnostics);
        (c, parts, document)
    }

    /// The passages of one end of the file, each once: the first ones, or the last ones.
    fn assert_one_end(file: &str, document: &str) {
        let ids = |xml: &str| -> Vec<String> {
            xml.split("<cpf:idTechnique>")
                .skip(1)
                .map(|s| s[..s.find('<').unwrap()].to_owned())
                .collect()
        };
        let (all, half) = (ids(file), ids(document));
        assert!(!half.is_empty() && half.len() < all.len(), "{}", half.len());
        assert!(all.starts_with(&half) || all.ends_with(&half), "{half:?}");
    }

    #[test]
    fn a_partner_is_handed_a_valid_share_of_the_pieces_written() {
        // Over 1 Mo of XML, what a partner is given work for; compact, as a large output is.
        let (c, parts, document) = handed_share(2000, false);
        assert!(!c.files[0].xml.to_string().contains("\n\t"));
        // A half of the file, made of the writer's pieces (one per passage) as they are.
        let passages = document.matches("<cpf:passageCertification>").count();
        assert!(parts > passages, "{parts} morceaux");
        assert_one_end(&c.files[0].xml, &document);
    }

    #[test]
    fn a_partner_is_handed_a_valid_share_of_a_laid_out_file() {
        // The cuts found in the compact text, moved with the layout.
        let (c, _, document) = handed_share(2000, true);
        let file = c.files[0].xml.to_string();
        assert!(file.contains("\n\t\t\t\t\t\t\t<cpf:passageCertification>\n"));
        assert!(document.contains("\n\t\t\t\t\t\t\t<cpf:passageCertification>\n"));
        assert_one_end(&file, &document);
    }

    /// The groups and passages of a written file, found again in its text.
    fn spans(xml: &str) -> Vec<GroupSpan> {
        let (open, close) = ("<cpf:certification>", "</cpf:certification>");
        let mut groups = Vec::new();
        let mut from = 0;
        while let Some(at) = xml[from..].find(open) {
            let start = from + at;
            let end = start + xml[start..].find(close).unwrap() + close.len();
            let body = &xml[start..end];
            let passages: Vec<usize> = body
                .match_indices("<cpf:passageCertification>")
                .map(|(i, _)| start + i)
                .collect();
            let last = body.rfind("</cpf:passageCertification>").unwrap();
            let passages_end = start + last + "</cpf:passageCertification>".len();
            groups.push(GroupSpan {
                start,
                end,
                passages,
                passages_end,
            });
            from = end;
        }
        groups
    }

    /// Whether both documents of [`validation_parts`], cut near byte `at`, pass.
    fn halves_pass(schema: &Schema, xml: &str, at: usize) -> bool {
        let halves = validation_parts(xml.len(), &spans(xml), at).unwrap();
        let bytes = xml.as_bytes();
        halves.iter().all(|r| {
            let parts = [
                &bytes[r[0].clone()],
                &bytes[r[1].clone()],
                &bytes[r[2].clone()],
            ];
            schema
                .validate_parts(&parts, &ValidationOptions::default())
                .is_valid()
        })
    }

    #[test]
    fn a_file_passes_in_halves_exactly_when_it_passes_whole() {
        let schema = Schema::cdc();
        let xml = written();
        let plan_ok = {
            let root = schema.global_element("flux").unwrap();
            let plan = Plan::new(&schema, root, &mut Slots::default());
            repeats_freely(&schema, &plan, writer::GROUP_ELEMENT)
                && repeats_freely(&schema, &plan, writer::RECORD_ELEMENT)
        };
        assert!(
            plan_ok,
            "le schéma de la CDC permet le contrôle par moitiés"
        );
        // Cut in the middle (one file), or nearer one end (a file beside a smaller one).
        let cuts = [xml.len() / 2, xml.len() / 5, xml.len() * 4 / 5];
        for at in cuts {
            assert!(halves_pass(&schema, &xml, at), "coupé vers {at}");
            // Each half holds part of the cut group and every byte is in one of them.
            let [a, b] = validation_parts(xml.len(), &spans(&xml), at).unwrap();
            let covered = |i: usize| a.iter().chain(&b).any(|r| r.contains(&i));
            assert!((0..xml.len()).all(covered));
        }
        // One defect anywhere fails one half or the other: a stray element after any start
        // tag, or stray text before any passage or group end, where the halves' parts end.
        let mut broken = Vec::new();
        for (at, _) in xml.match_indices("<cpf:") {
            let end = at + xml[at..].find('>').unwrap() + 1;
            if !xml[at..end].ends_with("/>") {
                broken.push((end, "<cpf:intrus/>"));
            }
        }
        for tag in ["<cpf:passageCertification>", "</cpf:certification>"] {
            broken.extend(xml.match_indices(tag).map(|(at, _)| (at, "x")));
        }
        for (at, defect) in broken {
            let broken = format!("{}{defect}{}", &xml[..at], &xml[at..]);
            let whole = schema
                .validate_str(&broken, &ValidationOptions::default())
                .is_valid();
            let near = &xml[at.saturating_sub(30)..at];
            assert!(!whole, "{defect} après {near}");
            for cut in cuts {
                assert!(
                    !halves_pass(&schema, &broken, cut),
                    "{defect} après {near} non vu, coupé vers {cut}"
                );
            }
        }
    }

    #[test]
    fn the_checkers_get_about_equal_shares() {
        let text = written();
        let spans = spans(&text);
        let xml = XmlText::from(text.clone());
        let small = XmlText::from(text[..text.len() / 4].to_owned());
        let six = converted_rows(&Schema::cdc(), 6, None, true).files[0]
            .xml
            .to_string();
        let six_spans = self::spans(&six);
        let six = XmlText::from(six);
        // One file: two halves. A file beside one a quarter of its size: cut at its share.
        // Two files and one about half their size: none larger than a share, the second cut.
        for files in [
            vec![(&xml, &spans[..])],
            vec![(&xml, &spans[..]), (&small, &[][..])],
            vec![
                (&xml, &spans[..]),
                (&xml, &spans[..]),
                (&six, &six_spans[..]),
            ],
        ] {
            let total: usize = files.iter().map(|(x, _)| x.len()).sum();
            // Equal checkers, and the engine beside a partner that takes more.
            for weights in [[1, 1], [ENGINE_WEIGHT, PARTNER_WEIGHT]] {
                let lists = plan_checks(&files, &weights);
                let loads: Vec<usize> = lists
                    .iter()
                    .map(|l| {
                        l.iter()
                            .map(|j| job_parts(&files, j).iter().map(|p| p.len()).sum::<usize>())
                            .sum()
                    })
                    .collect();
                // Within two passages: the cut is at a passage other than its group's first
                // (and the group's head and tail are repeated in both halves).
                let passage = xml.len() / 6;
                let all = weights[0] + weights[1];
                assert!(
                    loads
                        .iter()
                        .zip(weights)
                        .all(|(&l, w)| l.abs_diff(total * w / all) < passage),
                    "{loads:?} de {total}, parts {weights:?}"
                );
            }
        }
        // A single checker takes every file whole.
        let files = [(&xml, &spans[..])];
        assert_eq!(plan_checks(&files, &[1]), vec![vec![(0, None)]]);
    }

    /// The CDC schema with one declaration edited, and whether its certifications and its
    /// passages may be checked in halves.
    fn edited(from: &str, to: &str) -> (Schema, bool, bool) {
        let xsd = crate::xsd::CDC_XSD.replace(from, to);
        assert!(xsd != crate::xsd::CDC_XSD, "« {from} » a changé de forme");
        let schema = Schema::parse(&xsd).unwrap();
        let root = schema.global_element("flux").unwrap();
        let plan = Plan::new(&schema, root, &mut Slots::default());
        let groups = repeats_freely(&schema, &plan, writer::GROUP_ELEMENT);
        let passages = repeats_freely(&schema, &plan, writer::RECORD_ELEMENT);
        (schema, groups, passages)
    }

    #[test]
    fn certifications_counted_in_pairs_are_checked_whole() {
        // Only an even number of certifications is valid: halves of 2 and 2 would pass (the cut
        // certification is in both) where the whole file has 3.
        let (schema, groups, passages) = edited(
            "<xs:choice maxOccurs=\"unbounded\">\n              <xs:element name=\"certification\" type=\"cpf:certification\"/>",
            "<xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\">\n              <xs:element name=\"certification\" type=\"cpf:certification\" minOccurs=\"2\" maxOccurs=\"2\"/>",
        );
        assert!(!groups && passages);
        let c = converted(&schema);
        assert!(c.files.is_empty(), "3 certifications : fichier invalide");
        assert!(c.findings.iter().any(|f| f.code == "erreur-interne"));
    }

    #[test]
    fn bounded_passages_are_checked_whole() {
        let (_, groups, passages) = edited(
            "<xs:choice maxOccurs=\"unbounded\">\n              <xs:element name=\"passageCertification\"",
            "<xs:choice maxOccurs=\"5\">\n              <xs:element name=\"passageCertification\"",
        );
        assert!(groups && !passages);
    }
}
