//! What every HTML page bistand writes shares: escaping, the page around the content (language,
//! character set, the style sheet for screen and print), number formatting for people and the
//! accessible frame of an SVG chart. Pages are self-contained: no script, no font, no image or
//! style sheet is fetched, so a page opens the same offline, in a case file or in an e-mail.

use std::fmt::Write as _;

use crate::text::Language;

/// The MIME type of an HTML page.
pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, safe in element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The style shared by every page: dark text on white (contrast far above WCAG AA's 4.5:1),
/// tables with lines between rows, numbers right-aligned; and for print: A4, no navigation,
/// table headings repeated on each page, charts and table rows not split across pages.
const STYLE: &str = "\
:root{color:#1a1a1a;background:#fff;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;line-height:1.45}
body{margin:0 auto;max-width:76rem;padding:1rem 1.5rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-top:2px solid #1a1a1a;padding-top:.75rem}
h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1.25rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
.scroll:focus{outline:2px solid #1b4f9c}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid #8c8c8c;padding:.25rem .5rem;vertical-align:top}
tbody th{text-align:left}
thead th{text-align:left;vertical-align:bottom;border-bottom:2px solid #1a1a1a}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.code{color:#4d4d4d;font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.8rem}
tr.total th,tr.total td{font-weight:700;background:#f2f2f2}
p.footnote{font-size:.85rem;margin:.25rem 0 0}
figure{margin:.75rem 0}
figure svg{max-width:100%;height:auto}
figcaption{font-size:.85rem}
nav ol{columns:2;font-size:.9rem}
a{color:#1b4f9c}
@page{size:A4;margin:14mm}
@media print{
:root{font-size:10pt}
body{max-width:none;padding:0}
nav.contents{display:none}
.scroll{overflow:visible}
thead{display:table-header-group}
tr,figure,dl.facts{break-inside:avoid}
h2,h3{break-after:avoid}
section.table{break-before:auto}
a{color:inherit;text-decoration:none}
}
";

/// A complete page: `title` in the head, `body` as the body's content, in `language`. `extra_style`
/// is added after the shared style sheet.
pub fn page(language: Language, title: &str, extra_style: &str, body: &str) -> String {
    let lang = match language {
        Language::Swedish => "sv",
        Language::English => "en",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}{extra_style}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// A whole number for people: groups of three digits, separated by a (non-breaking) space in
/// Swedish and a comma in English.
pub fn count(n: u64, language: Language) -> String {
    let digits = n.to_string();
    let separator = match language {
        Language::Swedish => "\u{a0}",
        Language::English => ",",
    };
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(d);
    }
    out
}

/// A decimal number for people with `decimals` decimals: a decimal comma in Swedish, a point in
/// English.
pub fn decimal(value: f64, decimals: usize, language: Language) -> String {
    let text = format!("{value:.decimals$}");
    match language {
        Language::Swedish => text.replace('.', ",").replace('-', "\u{2212}"),
        Language::English => text,
    }
}

/// Opens an accessible SVG chart of `width` × `height`: `role="img"` named by its title and
/// described by its description (a chart's numbers are also in a table beside it).
pub fn svg_open(out: &mut String, id: &str, width: f64, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" \
         font-family=\"system-ui, 'DejaVu Sans', sans-serif\" font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b a=\"x\">Söder & 'Norr'</b>"),
            "&lt;b a=&quot;x&quot;&gt;Söder &amp; &#39;Norr&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn numbers_are_written_for_the_reader() {
        assert_eq!(count(1_234_567, Language::Swedish), "1\u{a0}234\u{a0}567");
        assert_eq!(count(1_234, Language::English), "1,234");
        assert_eq!(count(999, Language::English), "999");
        assert_eq!(decimal(44.57, 1, Language::Swedish), "44,6");
        assert_eq!(decimal(-0.5, 2, Language::Swedish), "\u{2212}0,50");
        assert_eq!(decimal(44.57, 1, Language::English), "44.6");
    }
}
