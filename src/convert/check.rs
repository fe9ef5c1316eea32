//! The final check of the files written: every XML the converter returns has passed the XSD
//! engine. Natively the check is shared among the cores — the files side by side, and a large
//! file in two halves ([`validation_parts`]) — while the browser's single-threaded engine checks
//! each file whole. A file that fails is checked again whole, so that its report gives true
//! lines.

use super::writer::{Body, Node, Plan};
use crate::xsd::model::{Particle, Term};
use crate::xsd::{Report, Schema, ValidationOptions};

/// Byte offsets of one group (certification) in a written file, for [`validation_parts`].
#[derive(Debug, Clone, Default)]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(super) struct GroupSpan {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) passages: Vec<usize>,
    pub(super) passages_end: usize,
}

/// The engine's report on each file, in order. Natively the work is shared among the cores: the
/// files side by side, and a file larger than its share checked in two halves (see
/// [`validation_parts`]); the browser build has a single thread and checks each file whole.
pub(super) fn validate_files<'x>(
    schema: &Schema,
    files: impl Iterator<Item = (&'x str, &'x [GroupSpan])>,
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
    let files: Vec<(&str, &[GroupSpan])> = files.collect();
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let total: usize = files.iter().map(|(xml, _)| xml.len()).sum();
        if threads > 1 && total > 0 {
            let share = total / threads;
            // (file, the half to check or `None` for the whole file), largest first. A file
            // larger than a thread's share is cut at that share, so that its rest and the
            // other files make up the other shares (one file: two halves).
            let mut jobs: Vec<(usize, Option<Half>)> = Vec::new();
            for (i, (xml, spans)) in files.iter().enumerate() {
                let parts = if xml.len() > share {
                    validation_parts(xml.len(), spans, share)
                } else {
                    None
                };
                match parts {
                    Some([a, b]) => {
                        jobs.push((i, Some(a)));
                        jobs.push((i, Some(b)));
                    }
                    None => jobs.push((i, None)),
                }
            }
            if jobs.len() > 1 {
                let size = |(i, half): &(usize, Option<Half>)| match half {
                    Some(h) => h.iter().map(|r| r.len()).sum(),
                    None => files[*i].0.len(),
                };
                jobs.sort_by_key(|job| std::cmp::Reverse(size(job)));
                let valid = run_jobs(schema, &options, &files, &jobs, threads);
                // A file found invalid is checked again whole, on this thread: the report
                // then gives the true lines (an internal error, which should never happen).
                return files
                    .iter()
                    .enumerate()
                    .map(|(i, (xml, _))| match valid[i] {
                        true => Report::default(),
                        false => schema.validate_str(xml, &located),
                    })
                    .collect();
            }
        }
    }
    files
        .iter()
        .map(|(xml, _)| match schema.validate_str(xml, &options) {
            report if report.is_valid() => report,
            _ => schema.validate_str(xml, &located),
        })
        .collect()
}

/// Runs the validation jobs on `threads` threads; whether each file passed all of its own.
#[cfg(not(target_arch = "wasm32"))]
fn run_jobs(
    schema: &Schema,
    options: &ValidationOptions,
    files: &[(&str, &[GroupSpan])],
    jobs: &[(usize, Option<Half>)],
    threads: usize,
) -> Vec<bool> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    // Takes jobs until none is left; the files that failed one.
    let work = || {
        let mut failed = Vec::new();
        while let Some((file, half)) =
            jobs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        {
            let bytes = files[*file].0.as_bytes();
            let valid = match half {
                Some([a, b, c]) => schema
                    .validate_parts(
                        &[&bytes[a.clone()], &bytes[b.clone()], &bytes[c.clone()]],
                        options,
                    )
                    .is_valid(),
                None => schema.validate_bytes(bytes, options).is_valid(),
            };
            if !valid {
                failed.push(*file);
            }
        }
        failed
    };
    let mut valid = vec![true; files.len()];
    std::thread::scope(|scope| {
        // This thread works too: if the system refuses a thread, the jobs are still all done.
        let helpers: Vec<_> = (1..threads.min(jobs.len()))
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        let mut failed = work();
        for h in helpers {
            match h.join() {
                Ok(f) => failed.extend(f),
                // A validator panic is a bug like any other: let it surface.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        failed.into_iter().for_each(|f| valid[f] = false);
    });
    valid
}

/// Two documents that together check every byte of a file, for two cores to share. The file
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
// The browser build has one thread and checks each file whole.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
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
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
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
        c.files[0].xml.clone()
    }

    fn converted(schema: &Schema) -> Conversion {
        let mut csv = String::from(
            "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;\
             presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;\
             anneeNaissance;sexe;codeInsee\n",
        );
        for i in 0..12 {
            let code = ["RNCP11111", "RNCP22222", "RS3333"][i / 4];
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
        convert(csv.as_bytes(), "p.csv", schema, &options).unwrap()
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
