//! Checks shared by the page tests (also used by the binary's end-to-end tests through
//! `#[path]`): the page parses as strict XML, loads nothing from outside, and every
//! in-page link has its target.

// Shared by two test crates; each uses a different part of it.
#![allow(dead_code)]

use std::collections::HashSet;

/// What a checked page holds.
pub struct Checked {
    /// `data-chart` ids of the inline SVG charts, in page order.
    pub charts: Vec<String>,
    /// Every element id.
    pub ids: HashSet<String>,
    /// `<title>` texts of the SVG marks (the tooltips).
    pub tooltips: Vec<String>,
    /// Text of every `<details>` list, by id.
    pub details: Vec<(String, String)>,
    /// The visible text of the page.
    pub text: String,
}

/// Parse `html` strictly and check that it is self-contained. Panics with the reason.
pub fn check_page(html: &str) -> Checked {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(html, opts)
        .unwrap_or_else(|e| panic!("the page is not well-formed: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html");
    let mut ids = HashSet::new();
    let mut internal = Vec::new();
    let mut charts = Vec::new();
    let mut tooltips = Vec::new();
    let mut details = Vec::new();
    for n in root.descendants().filter(|n| n.is_element()) {
        let tag = n.tag_name().name();
        if let Some(id) = n.attribute("id") {
            assert!(ids.insert(id.to_string()), "duplicate id {id}");
        }
        // Elements that load a resource: nothing but in-page references.
        if matches!(
            tag,
            "script"
                | "style"
                | "img"
                | "image"
                | "link"
                | "source"
                | "iframe"
                | "use"
                | "object"
                | "embed"
                | "video"
                | "audio"
                | "track"
                | "input"
                | "form"
        ) {
            for a in n.attributes() {
                if matches!(
                    a.name(),
                    "src" | "href" | "data" | "srcset" | "action" | "poster"
                ) {
                    assert!(
                        a.value().starts_with('#'),
                        "<{tag} {}=\"{}\"> loads an outside resource",
                        a.name(),
                        a.value()
                    );
                }
            }
        }
        assert!(tag != "script", "the page needs no script");
        if let Some(style) = n.attribute("style") {
            assert!(!style.contains("url("), "style attribute loads {style}");
        }
        if tag == "style" {
            let css = n.text().unwrap_or_default();
            assert!(
                !css.contains("url(") && !css.contains("@import"),
                "the style sheet loads a resource"
            );
        }
        if tag == "a" {
            let href = n.attribute("href").unwrap_or_default();
            if let Some(t) = href.strip_prefix('#') {
                internal.push(t.to_string());
            } else {
                assert!(
                    href.starts_with("http://") || href.starts_with("https://"),
                    "link to {href}"
                );
            }
        }
        if tag == "svg" {
            if let Some(c) = n.attribute("data-chart") {
                charts.push(c.to_string());
            }
        }
        if tag == "title" && n.ancestors().any(|a| a.tag_name().name() == "g") {
            tooltips.push(n.text().unwrap_or_default().to_string());
        }
        if tag == "details" {
            let text: String = n
                .descendants()
                .filter(|d| d.is_text())
                .map(|d| d.text().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" ");
            details.push((n.attribute("id").unwrap_or_default().to_string(), text));
        }
    }
    for t in &internal {
        assert!(ids.contains(t), "in-page link #{t} has no target");
    }
    let text = root
        .descendants()
        .filter(|d| d.is_text())
        .map(|d| d.text().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ");
    Checked {
        charts,
        ids,
        tooltips,
        details,
        text,
    }
}
