//! Hostile XML catalogue: documents built to hurt an XML parser (entity bombs, external entities,
//! extreme depth, a huge text node, wrong encodings, truncation, NUL bytes, attribute floods).
//! Each must end in a located French diagnostic, in bounded time and memory, and nothing may be
//! fetched from the file system or the network.
//!
//! Time: each case runs on its own thread and a generous deadline catches a hang (no timing
//! assertion, which a loaded machine would make flaky). Memory: this binary counts its heap with
//! a wrapping allocator; cases run one at a time so the peak belongs to the case. Native only:
//! it uses threads and sockets, and the library's wasm32 build has its own allocator.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use accrochage::xsd::{Code, Diagnostic, Report, Schema, ValidationOptions};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = CURRENT.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const NS: &str = "urn:cdc:cpf:pc5:schema:1.0.0";
/// Far above what any case needs on a loaded 2-core machine in a debug build; only a hang
/// (or an exponential blow-up) reaches it.
const DEADLINE: Duration = Duration::from_secs(120);

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(Schema::cdc)
}

/// Outcome of one case: the report and the heap used above the input, at the peak.
struct Outcome {
    report: Report,
    extra_heap: usize,
}

/// Held for the whole of each test, input building included: the heap peak is then the case's.
fn turn() -> MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Validates `xml` on a thread of its own; panics if it does not finish before the deadline.
fn validate(name: &str, xml: Vec<u8>) -> Outcome {
    let schema = schema();
    let (tx, rx) = mpsc::channel();
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    std::thread::spawn(move || {
        let options = ValidationOptions::default();
        let report = schema.validate_bytes(&xml, &options);
        drop(xml);
        let _ = tx.send(report);
    });
    let report = rx
        .recv_timeout(DEADLINE)
        .unwrap_or_else(|_| panic!("{name}: validation did not finish within {DEADLINE:?}"));
    let extra_heap = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    Outcome { report, extra_heap }
}

/// The first error, which must carry `code` and say `fragment` (in French).
fn first_error<'r>(name: &str, r: &'r Report, code: Code, fragment: &str) -> &'r Diagnostic {
    let d = r
        .errors()
        .next()
        .unwrap_or_else(|| panic!("{name}: expected {code}, got no error"));
    assert_eq!(d.code, code, "{name}: {d:#?}");
    assert!(
        d.message.contains(fragment),
        "{name}: « {fragment} » not in « {} »",
        d.message
    );
    assert!(d.line >= 1, "{name}: the diagnostic is located: {d:#?}");
    support::catalogue::record(
        name,
        &format!("ligne {}, colonne {} : {}", d.line, d.column, d.message),
    );
    d
}

fn flux(inner: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cpf:flux xmlns:cpf=\"{NS}\">{inner}</cpf:flux>\n")
}

fn billion_laughs() -> String {
    let mut xml =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE cpf:flux [\n<!ENTITY l0 \"lol\">\n");
    for i in 1..=9 {
        xml.push_str(&format!(
            "<!ENTITY l{i} \"{}\">\n",
            format!("&l{};", i - 1).repeat(10)
        ));
    }
    xml.push_str("]>\n");
    xml + &flux("<cpf:idFlux>&l9;</cpf:idFlux>")[39..]
}

#[test]
fn internal_dtd_is_refused() {
    let _turn = turn();
    let name = "DTD";
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE cpf:flux [<!ELEMENT cpf:flux ANY>]>\n{}",
        &flux("")[39..]
    );
    let o = validate(name, xml.into_bytes());
    let d = first_error(name, &o.report, Code::XmlDtd, "refusée par sécurité");
    assert_eq!((d.line, d.column), (2, 1));
    assert!(d.message.contains("supprimez-la"), "{d:#?}");
}

#[test]
fn billion_laughs_is_refused_unexpanded() {
    let _turn = turn();
    let name = "billion laughs";
    let xml = billion_laughs();
    let len = xml.len();
    let o = validate(name, xml.into_bytes());
    first_error(
        name,
        &o.report,
        Code::XmlDtd,
        "aucune entité n'est développée",
    );
    assert_eq!(o.report.error_count, 1, "{:#?}", o.report.diagnostics);
    // Expanded, &l9; would be 3 GB: the heap stays near the input's size.
    assert!(o.extra_heap < 1 << 20, "{} bytes for {len}", o.extra_heap);
    assert!(o
        .report
        .diagnostics
        .iter()
        .all(|d| !d.message.contains("lol")));
}

#[test]
fn entity_reference_without_dtd_is_refused() {
    let _turn = turn();
    let name = "&l9; without DTD";
    let o = validate(name, flux("<cpf:idFlux>&l9;</cpf:idFlux>").into_bytes());
    let d = first_error(
        name,
        &o.report,
        Code::XmlEntity,
        "« &l9; » inconnue ou interdite",
    );
    assert_eq!(d.path, "/flux/idFlux");
}

/// A listener nobody should call: after validation, no connection may be waiting.
fn trap() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    (listener, url)
}

fn assert_not_called(name: &str, listener: &TcpListener) {
    // A fetch would have connected before validation returned; give a late one a moment.
    std::thread::sleep(Duration::from_millis(200));
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((mut s, _)) => {
            let mut request = String::new();
            let _ = s.read_to_string(&mut request);
            panic!("{name}: the validator fetched a URL: {request}");
        }
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn external_entities_are_never_fetched() {
    let _turn = turn();
    let (listener, url) = trap();
    // A file only this test knows: its content must not show up anywhere.
    let secret = std::env::temp_dir().join(format!("accrochage-secret-{}.txt", std::process::id()));
    std::fs::write(&secret, "SECRET-CONTENT-42").unwrap();
    let file_url = format!("file://{}", secret.display());
    let cases = [
        (
            "external entity file://",
            format!("<?xml version=\"1.0\"?>\n<!DOCTYPE cpf:flux [<!ENTITY x SYSTEM \"{file_url}\">]>\n"),
        ),
        (
            "external entity http://",
            format!("<?xml version=\"1.0\"?>\n<!DOCTYPE cpf:flux [<!ENTITY x SYSTEM \"{url}x\">]>\n"),
        ),
        (
            "external DTD http://",
            format!("<?xml version=\"1.0\"?>\n<!DOCTYPE cpf:flux SYSTEM \"{url}flux.dtd\">\n"),
        ),
        (
            "parameter entity http://",
            format!("<?xml version=\"1.0\"?>\n<!DOCTYPE cpf:flux [<!ENTITY % p SYSTEM \"{url}p.dtd\"> %p;]>\n"),
        ),
    ];
    for (name, prolog) in cases {
        let xml = prolog + &flux("<cpf:idFlux>&x;</cpf:idFlux>")[39..];
        let o = validate(name, xml.into_bytes());
        let d = first_error(name, &o.report, Code::XmlDtd, "aucun fichier externe lu");
        assert_eq!(d.line, 2, "{name}");
        assert_eq!(
            o.report.error_count, 1,
            "{name}: {:#?}",
            o.report.diagnostics
        );
        let all = format!("{:?}", o.report);
        assert!(!all.contains("SECRET-CONTENT"), "{name}: {all}");
        assert_not_called(name, &listener);
    }
    let _ = std::fs::remove_file(secret);
}

#[test]
fn depth_of_100_000_is_reported_once() {
    let _turn = turn();
    let name = "depth 100 000";
    let depth = 100_000;
    let inner = "<a>".repeat(depth) + &"</a>".repeat(depth);
    let o = validate(name, flux(&inner).into_bytes());
    let d = first_error(name, &o.report, Code::ElementUnexpected, "« a »");
    assert_eq!(d.path, "/flux/a");
    // Content under an unknown element is not checked: one error, not 100 000.
    assert!(o.report.error_count <= 2, "{:#?}", o.report.diagnostics);
    // A stack of open elements, no recursion, no path copied per level.
    assert!(o.extra_heap < 64 << 20, "{} bytes", o.extra_heap);
}

#[test]
fn depth_of_100_000_left_open_is_refused_past_65_535_levels() {
    let _turn = turn();
    let name = "depth 100 000, never closed";
    let xml = format!("<cpf:flux xmlns:cpf=\"{NS}\">") + &"<a>".repeat(100_000);
    let o = validate(name, xml.into_bytes());
    let d = o
        .report
        .errors()
        .find(|d| d.code == Code::XmlMalformed)
        .expect("a malformed-document error");
    assert_eq!(
        d.message,
        "Le fichier n'est pas un XML bien formé : les éléments sont imbriqués sur plus de 65535 niveaux : un flux de la CDC en compte moins de 10"
    );
    // The path of the error keeps both ends and says how many levels it leaves out.
    assert!(d.path.starts_with("/flux/a/a/"), "{}", d.path);
    assert!(d.path.contains("/…(65503 niveaux)…/a/"), "{}", d.path);
    assert!(d.path.len() < 200, "{}", d.path.len());
    assert!(o.extra_heap < 64 << 20, "{} bytes", o.extra_heap);
}

#[test]
fn truncated_at_depth_says_truncated() {
    let _turn = turn();
    let name = "depth 1 000, never closed";
    let xml = format!("<cpf:flux xmlns:cpf=\"{NS}\">") + &"<a>".repeat(1000);
    let o = validate(name, xml.into_bytes());
    let d = o
        .report
        .errors()
        .find(|d| d.code == Code::XmlMalformed)
        .expect("a malformed-document error");
    assert_eq!(
        d.message,
        "Le fichier se termine alors que l'élément « a » n'est pas fermé (fichier tronqué ?)"
    );
    assert!(d.path.len() < 200, "{}", d.path);
}

#[test]
fn a_50_mb_text_node_is_reported_shortened() {
    let _turn = turn();
    let name = "50 MB text node";
    let size = 50 << 20;
    let xml = flux(&format!("<cpf:idFlux>{}</cpf:idFlux>", "A".repeat(size)));
    let len = xml.len();
    let o = validate(name, xml.into_bytes());
    let d = first_error(name, &o.report, Code::ValueMaxLength, "trop longue");
    assert_eq!(d.path, "/flux/idFlux");
    // The message quotes a few characters, not 50 MB.
    assert!(d.message.len() < 1000, "{} bytes", d.message.len());
    assert!(
        d.message.contains(&format!("{size} caractères")),
        "{}",
        d.message
    );
    // The text is held once or twice (reader buffer, element text), never more.
    assert!(o.extra_heap < 3 * len, "{} bytes for {len}", o.extra_heap);
}

#[test]
fn invalid_utf8_is_an_encoding_error() {
    let _turn = turn();
    let name = "invalid UTF-8";
    // « Hélène » saved in Windows-1252.
    let mut xml = flux("<cpf:idFlux>H").into_bytes();
    let tail = xml.split_off(xml.len() - "</cpf:flux>\n".len());
    xml.extend_from_slice(b"\xe9l\xe8ne</cpf:idFlux>");
    xml.extend(tail);
    let o = validate(name, xml);
    let d = first_error(name, &o.report, Code::XmlEncoding, "pas en UTF-8 valide");
    assert!(d.message.contains("réenregistrez-le en UTF-8"), "{d:#?}");
    assert_eq!(d.line, 2);
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    for u in units {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_with_and_without_bom_is_an_encoding_error() {
    let _turn = turn();
    let text = flux("<cpf:idFlux>x</cpf:idFlux>");
    for (name, be, bom) in [
        ("UTF-16 LE with BOM", false, true),
        ("UTF-16 BE with BOM", true, true),
        ("UTF-16 LE without BOM", false, false),
        ("UTF-16 BE without BOM", true, false),
    ] {
        let o = validate(name, utf16(&text, be, bom));
        let d = first_error(name, &o.report, Code::XmlEncoding, "encodé en UTF-16");
        assert_eq!((d.line, d.column), (1, 1), "{name}");
        assert_eq!(o.report.error_count, 1, "{name}");
    }
}

#[test]
fn utf8_bom_is_valid() {
    let _turn = turn();
    let name = "UTF-8 BOM";
    let example = include_str!("../fuzz/seeds/validate/cdc-example.xml");
    let mut xml = "\u{feff}".as_bytes().to_vec();
    xml.extend_from_slice(example.as_bytes());
    let o = validate(name, xml);
    assert!(o.report.is_valid(), "{:#?}", o.report.diagnostics);
    assert!(o.report.records > 0);
}

#[test]
fn truncated_document_says_truncated() {
    let _turn = turn();
    let name = "truncated";
    let example = include_str!("../fuzz/seeds/validate/cdc-example.xml");
    // Cut in the middle of a tag, then between tags.
    let in_tag = example.find("<cpf:passageCertification>").unwrap() + 10;
    let o = validate(name, example.as_bytes()[..in_tag].to_vec());
    first_error(name, &o.report, Code::XmlMalformed, "pas un XML bien formé");
    let between = example.find("</cpf:passageCertification>").unwrap();
    let o = validate(name, example.as_bytes()[..between].to_vec());
    let d = o
        .report
        .errors()
        .find(|d| d.code == Code::XmlMalformed)
        .expect("a malformed-document error");
    assert!(d.message.contains("fichier tronqué ?"), "{d:#?}");
}

#[test]
fn nul_bytes_are_forbidden_characters() {
    let _turn = turn();
    let name = "NUL in text";
    let o = validate(name, flux("<cpf:idFlux>a\0b</cpf:idFlux>").into_bytes());
    let d = first_error(
        name,
        &o.report,
        Code::XmlMalformed,
        "Caractère interdit en XML (U+0000",
    );
    // Line 2, the NUL is the 65th character (« <cpf:flux …><cpf:idFlux>a » is 64).
    assert_eq!((d.line, d.column), (2, 65));
    let name = "NUL in an attribute";
    let o = validate(
        name,
        flux("<cpf:idFlux a=\"\0\">x</cpf:idFlux>").into_bytes(),
    );
    first_error(name, &o.report, Code::XmlMalformed, "dans l'attribut « a »");
    let name = "NUL before the root";
    let o = validate(name, b"\0\0\0\0<a/>".to_vec());
    assert!(!o.report.is_valid());
    let d = o.report.errors().next().unwrap();
    assert!(
        d.message.contains("U+0000") || d.message.contains("bien formé"),
        "{d:#?}"
    );
}

#[test]
fn a_flood_of_attributes_is_bounded() {
    let _turn = turn();
    let name = "100 000 attributes";
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let xml = format!("<cpf:flux xmlns:cpf=\"{NS}\"{attrs}><cpf:idFlux>x</cpf:idFlux></cpf:flux>");
    let len = xml.len();
    let o = validate(name, xml.into_bytes());
    first_error(name, &o.report, Code::AttributeUndeclared, "a0");
    // Every attribute counts, but the report keeps a bounded list.
    assert!(o.report.diagnostics.len() <= 1001);
    assert!(o.extra_heap < 64 << 20, "{} bytes for {len}", o.extra_heap);
    let name = "100 000 copies of one attribute";
    let attrs = " a=\"v\"".repeat(100_000);
    let xml = format!("<cpf:flux xmlns:cpf=\"{NS}\"{attrs}/>");
    let o = validate(name, xml.into_bytes());
    assert!(!o.report.is_valid());
    assert!(o.report.diagnostics.len() <= 1001);
}

#[test]
fn a_flood_of_namespace_declarations_is_refused() {
    let _turn = turn();
    let name = "100 000 xmlns declarations";
    let decls: String = (0..100_000)
        .map(|i| format!(" xmlns:p{i}=\"urn:x:{i}\""))
        .collect();
    let xml = format!("<cpf:flux xmlns:cpf=\"{NS}\"{decls}/>");
    let o = validate(name, xml.into_bytes());
    let d = first_error(
        name,
        &o.report,
        Code::XmlMalformed,
        "plus de 128 déclarations d'espace de noms (xmlns)",
    );
    assert_eq!((d.line, d.column), (1, 1));
    assert!(o.extra_heap < 64 << 20, "{} bytes", o.extra_heap);
}

#[test]
fn a_flood_of_comments_keeps_a_bounded_report() {
    let _turn = turn();
    let name = "1 000 000 comments";
    let xml = flux(&"<!---->".repeat(1_000_000));
    let len = xml.len();
    let o = validate(name, xml.into_bytes());
    let w = o.report.warnings().next().unwrap();
    assert!(w.message.starts_with("Commentaire XML"), "{w:#?}");
    // 1 000 warnings listed (and the 3 errors of the empty flux), then one notice.
    assert_eq!(o.report.diagnostics.len(), 1004);
    let last = o.report.diagnostics.last().unwrap();
    assert_eq!(
        last.message,
        "999000 autres avertissements ne sont pas listés : seuls les 1000 premiers le sont"
    );
    assert_eq!(o.report.warning_count, 1_000_001);
    assert!(
        o.extra_heap < 2 * len + (16 << 20),
        "{} bytes for {len}",
        o.extra_heap
    );
}

#[test]
fn a_record_full_of_errors_keeps_a_bounded_report() {
    let _turn = turn();
    let name = "200 000 unknown elements in one passage";
    let passage = format!(
        "<cpf:passageCertifications><cpf:passageCertification><cpf:idTechnique>P-1</cpf:idTechnique>{}</cpf:passageCertification></cpf:passageCertifications>",
        "<cpf:intrus/>".repeat(200_000)
    );
    let xml = flux(&format!(
        "<cpf:emetteur><cpf:certificateurs><cpf:certificateur><cpf:certifications><cpf:certification>{passage}</cpf:certification></cpf:certifications></cpf:certificateur></cpf:certificateurs></cpf:emetteur>"
    ));
    let len = xml.len();
    let o = validate(name, xml.into_bytes());
    assert!(o.report.error_count >= 200_000, "{}", o.report.error_count);
    assert!(o.report.errors().count() <= 1000);
    let notice = o.report.diagnostics.last().unwrap();
    assert!(
        notice
            .message
            .ends_with("autres erreurs ne sont pas listées : seules les 1000 premières le sont"),
        "{notice:#?}"
    );
    assert!(
        o.extra_heap < 2 * len + (16 << 20),
        "{} bytes for {len}",
        o.extra_heap
    );
}

#[test]
fn every_parser_error_is_worded_in_french() {
    let _turn = turn();
    let cases: &[(&str, &str, &str)] = &[
        (
            "reserved prefix rebound",
            "<a xmlns:xml=\"urn:autre\"/>",
            "le préfixe xml ne peut être lié qu'à http://www.w3.org/XML/1998/namespace",
        ),
        (
            "xmlns prefix bound",
            "<a xmlns:xmlns=\"urn:autre\"/>",
            "le préfixe xmlns et l'espace de noms http://www.w3.org/2000/xmlns/ ne peuvent pas être déclarés",
        ),
        (
            "unclosed tag",
            "<a",
            "une balise n'est pas fermée par « > »",
        ),
        (
            "unclosed comment",
            "<a><!-- x",
            "un commentaire n'est pas fermé par « --> »",
        ),
        (
            "unclosed CDATA",
            "<a><![CDATA[x",
            "une section CDATA n'est pas fermée par « ]]> »",
        ),
        (
            "unclosed attribute",
            "<a b=\"x>",
            "une valeur d'attribut n'est pas fermée par son guillemet",
        ),
        (
            "mismatched end",
            "<a></b>",
            "la balise fermante </b> ne correspond pas à l'élément ouvert <a>",
        ),
        (
            "unmatched end",
            "</b>",
            "la balise fermante </b> n'a pas de balise ouvrante",
        ),
        (
            "bare ampersand",
            "<a>x & y</a>",
            "un « & » n'est pas suivi d'un nom terminé par « ; »",
        ),
    ];
    for (name, xml, fragment) in cases {
        let o = validate(name, xml.as_bytes().to_vec());
        let d = o
            .report
            .errors()
            .find(|d| d.code == Code::XmlMalformed)
            .unwrap_or_else(|| panic!("{name}: {:#?}", o.report.diagnostics));
        assert!(d.message.contains(fragment), "{name}: « {} »", d.message);
        assert!(
            d.message
                .starts_with("Le fichier n'est pas un XML bien formé : "),
            "{name}"
        );
    }
}

#[test]
fn one_hidden_warning_is_said_in_the_singular() {
    let _turn = turn();
    let name = "1 001 comments";
    let xml = flux(&"<!---->".repeat(1001));
    let o = validate(name, xml.into_bytes());
    assert_eq!(
        o.report.diagnostics.last().unwrap().message,
        "1 autre avertissement n'est pas listé : seuls les 1000 premiers le sont"
    );
}
