//! The charts, as plain inline SVG written by hand.
//!
//! Three shapes cover every chart on the page: a shaded grid (coverage and quality by year),
//! horizontal bars (levels, flags, errors, hosts) and stacked columns (publication dates
//! against a deadline). Writing them directly keeps what a plotting crate cannot give: a
//! `<title>` tooltip and a link on every mark, CSS classes so the page's fonts and print
//! rules apply, and a `viewBox` so each chart shrinks to a phone's width.

use crate::html::{clip, esc};
use std::fmt::Write as _;

/// Estimated width in pixels of `s` at font size `px` (CJK full width, Latin about half).
pub fn text_width(s: &str, px: f64) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.58 } else { 1.0 })
        .sum::<f64>()
        * px
}

/// The sequential colour of a share in [0, 1] (light to dark blue) and whether text on it
/// should be white.
pub fn shade(share: f64) -> (String, bool) {
    let s = share.clamp(0.0, 1.0);
    let stops = [
        (0.0, [239.0, 246.0, 255.0]),
        (0.5, [96.0, 165.0, 250.0]),
        (1.0, [30.0, 64.0, 175.0]),
    ];
    let (a, b) = if s <= 0.5 {
        (stops[0], stops[1])
    } else {
        (stops[1], stops[2])
    };
    let t = (s - a.0) / (b.0 - a.0);
    let c: Vec<u8> = (0..3)
        .map(|i| (a.1[i] + (b.1[i] - a.1[i]) * t).round().clamp(0.0, 255.0) as u8)
        .collect();
    (format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]), s > 0.55)
}

/// Charts are drawn a quarter larger than their user units on a wide screen; on a narrow one
/// CSS (`max-width: 100%`) scales them down to the width available, but not below
/// `MIN_SCALE` (11 px labels stay at least 9 px): a wider chart scrolls sideways instead.
const SCALE: f64 = 1.25;
const MIN_SCALE: f64 = 0.82;

fn open(out: &mut String, chart: &str, title: &str, w: f64, h: f64) {
    let _ = write!(
        out,
        "<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" data-chart=\"{chart}\" role=\"img\" aria-label=\"{t}\" width=\"{:.0}\" height=\"{:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" style=\"min-width:{:.0}px\"><title>{t}</title>",
        w * SCALE,
        h * SCALE,
        w * MIN_SCALE,
        t = esc(title)
    );
}

fn close(out: &mut String) {
    out.push_str("</svg></div>");
}

fn link_open(out: &mut String, href: Option<&str>) {
    if let Some(h) = href {
        let _ = write!(out, "<a href=\"{}\">", esc(h));
    }
}

fn link_close(out: &mut String, href: Option<&str>) {
    if href.is_some() {
        out.push_str("</a>");
    }
}

/// One cell of a shaded grid.
pub struct GridCell {
    /// Share in [0, 1] that sets the shade; `None` draws an unshaded cell (counts only).
    pub share: Option<f64>,
    /// Text inside the cell (a percentage or a count).
    pub text: String,
    /// Tooltip: the counts and which rows they are.
    pub tip: String,
    /// Where a click goes (an anchor on the page).
    pub href: Option<String>,
}

/// A grid of rows × columns, each cell shaded by its share, with a legend.
pub fn grid(
    out: &mut String,
    chart: &str,
    title: &str,
    rows: &[(String, Option<String>)],
    cols: &[String],
    cells: &[Vec<Option<GridCell>>],
) {
    let (cw, ch, top) = (44.0, 20.0, 22.0);
    let label_w = rows
        .iter()
        .map(|(l, _)| text_width(&clip(l, 16), 11.0))
        .fold(40.0_f64, f64::max)
        + 10.0;
    let w = label_w + cw * cols.len() as f64 + 4.0;
    let h = top + ch * rows.len() as f64 + 34.0;
    open(out, chart, title, w, h);
    for (j, c) in cols.iter().enumerate() {
        let x = label_w + cw * j as f64 + cw / 2.0;
        let _ = write!(
            out,
            "<text class=\"lbl\" x=\"{x:.1}\" y=\"15\" text-anchor=\"middle\">{}</text>",
            esc(c)
        );
    }
    for (i, (label, href)) in rows.iter().enumerate() {
        let y = top + ch * i as f64;
        link_open(out, href.as_deref());
        let _ = write!(
            out,
            "<text class=\"lbl\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(&clip(label, 16))
        );
        link_close(out, href.as_deref());
        for j in 0..cols.len() {
            let x = label_w + cw * j as f64;
            let Some(Some(cell)) = cells.get(i).and_then(|r| r.get(j)) else {
                let _ = write!(
                    out,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#fafafa\" stroke=\"#eee\"/>",
                    x + 1.0,
                    y + 1.0,
                    cw - 2.0,
                    ch - 2.0
                );
                continue;
            };
            let (fill, inv) = match cell.share {
                Some(s) => shade(s),
                None => ("#f1f5f9".to_string(), false),
            };
            link_open(out, cell.href.as_deref());
            let _ = write!(
                out,
                "<g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"2\" fill=\"{fill}\"/><text class=\"val{}\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
                esc(&cell.tip),
                x + 1.0,
                y + 1.0,
                cw - 2.0,
                ch - 2.0,
                if inv { " inv" } else { "" },
                x + cw / 2.0,
                y + 14.0,
                esc(&cell.text)
            );
            link_close(out, cell.href.as_deref());
        }
    }
    // Legend: five shades from 0 to 100 %.
    let ly = top + ch * rows.len() as f64 + 12.0;
    let _ = write!(
        out,
        "<text class=\"val\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">0%</text>",
        label_w - 4.0,
        ly + 10.0
    );
    for k in 0..5 {
        let (fill, _) = shade(f64::from(k) / 4.0);
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{ly:.1}\" width=\"24\" height=\"12\" fill=\"{fill}\"/>",
            label_w + 24.0 * f64::from(k)
        );
    }
    let _ = write!(
        out,
        "<text class=\"val\" x=\"{:.1}\" y=\"{:.1}\">100%</text>",
        label_w + 124.0,
        ly + 10.0
    );
    close(out);
}

/// One horizontal bar.
pub struct Bar {
    /// Label on the left.
    pub label: String,
    /// Length, relative to the chart's maximum.
    pub value: f64,
    /// Text after the bar (a count, a share).
    pub text: String,
    /// Tooltip.
    pub tip: String,
    /// Where a click goes.
    pub href: Option<String>,
}

/// Horizontal bars, longest = `max` (the largest value when `max` is `None`).
pub fn hbars(out: &mut String, chart: &str, title: &str, bars: &[Bar], max: Option<f64>) {
    let (bh, area) = (20.0, 220.0);
    let label_w = bars
        .iter()
        .map(|b| text_width(&clip(&b.label, 28), 11.0))
        .fold(40.0_f64, f64::max)
        .min(300.0)
        + 10.0;
    let text_w = bars
        .iter()
        .map(|b| text_width(&b.text, 10.0))
        .fold(20.0_f64, f64::max)
        + 8.0;
    let max = max
        .unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let w = label_w + area + text_w;
    let h = bh * bars.len() as f64 + 6.0;
    open(out, chart, title, w, h);
    let _ = write!(
        out,
        "<line class=\"ax\" x1=\"{label_w:.1}\" y1=\"0\" x2=\"{label_w:.1}\" y2=\"{h:.1}\"/>"
    );
    for (i, b) in bars.iter().enumerate() {
        let y = bh * i as f64 + 3.0;
        let len = (b.value / max).clamp(0.0, 1.0) * area;
        link_open(out, b.href.as_deref());
        let _ = write!(
            out,
            "<g><title>{}</title><text class=\"lbl\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{label_w:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#3b82f6\"/><text class=\"val\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            esc(&b.tip),
            label_w - 6.0,
            y + 13.0,
            esc(&clip(&b.label, 28)),
            y + 2.0,
            len.max(if b.value > 0.0 { 1.0 } else { 0.0 }),
            bh - 6.0,
            label_w + len + 4.0,
            y + 13.0,
            esc(&b.text)
        );
        link_close(out, b.href.as_deref());
    }
    close(out);
}

/// One column of a stacked column chart: `parts[0]` drawn at the bottom, `parts[1]` on top.
pub struct Column {
    /// Label under the column (may be empty).
    pub label: String,
    /// The two stacked counts.
    pub parts: [u64; 2],
    /// Tooltip.
    pub tip: String,
    /// Where a click goes.
    pub href: Option<String>,
}

/// Stacked columns with a dashed vertical marker after column `marker.0` (a deadline).
pub fn columns(
    out: &mut String,
    chart: &str,
    title: &str,
    cols: &[Column],
    marker: Option<(usize, &str)>,
    legend: [&str; 2],
) {
    let (cw, plot_h, left, top) = (24.0, 130.0, 36.0, 28.0);
    let w = left + cw * cols.len() as f64 + 10.0;
    let h = top + plot_h + 40.0;
    let max = cols
        .iter()
        .map(|c| c.parts[0] + c.parts[1])
        .max()
        .unwrap_or(0)
        .max(1);
    open(out, chart, title, w, h);
    let base = top + plot_h;
    let _ = write!(
        out,
        "<line class=\"ax\" x1=\"{left}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\"/><line class=\"ax\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{base}\"/><text class=\"val\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{max}</text><text class=\"val\" x=\"{:.1}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        w - 6.0,
        left - 4.0,
        top + 8.0,
        left - 4.0
    );
    let colours = ["#3b82f6", "#ea580c"];
    for (i, c) in cols.iter().enumerate() {
        let x = left + cw * i as f64 + 2.0;
        let mut y = base;
        link_open(out, c.href.as_deref());
        let _ = write!(out, "<g><title>{}</title>", esc(&c.tip));
        for (k, &n) in c.parts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let hh = (n as f64 / max as f64 * plot_h).max(1.0);
            y -= hh;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{hh:.1}\" fill=\"{}\"/>",
                cw - 4.0,
                colours[k]
            );
        }
        // An invisible full-height target so thin columns still show their tooltip.
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{plot_h}\" fill=\"transparent\"/></g>",
            cw - 4.0
        );
        link_close(out, c.href.as_deref());
        if !c.label.is_empty() {
            // A label may name a pair of columns (a month of two half-months): centre it
            // under the pair when the next column has no label of its own.
            let pair = cols.get(i + 1).is_some_and(|n| n.label.is_empty());
            let cx = left + cw * i as f64 + if pair { cw } else { cw / 2.0 };
            let _ = write!(
                out,
                "<text class=\"val\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                base + 13.0,
                esc(&c.label)
            );
        }
    }
    if let Some((after, label)) = marker {
        let x = left + cw * (after as f64 + 1.0);
        let _ = write!(
            out,
            "<line class=\"dl\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{base}\"/><text class=\"val\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
            top - 6.0,
            x + 3.0,
            top - 10.0,
            if x > w * 0.6 { "end" } else { "start" },
            esc(label)
        );
    }
    // Legend.
    let ly = base + 24.0;
    let mut lx = left;
    for (k, l) in legend.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x=\"{lx:.1}\" y=\"{ly:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text class=\"val\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            colours[k],
            lx + 14.0,
            ly + 9.0,
            esc(l)
        );
        lx += 24.0 + text_width(l, 10.0);
    }
    close(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_run_light_to_dark() {
        assert_eq!(shade(0.0).0, "#eff6ff");
        assert_eq!(shade(1.0).0, "#1e40af");
        assert!(!shade(0.2).1 && shade(0.9).1);
        assert_eq!(shade(7.0), shade(1.0), "clamped");
    }

    #[test]
    fn charts_escape_labels_and_carry_tooltips() {
        let mut s = String::new();
        hbars(
            &mut s,
            "t",
            "a<b",
            &[Bar {
                label: "x&y".into(),
                value: 2.0,
                text: "2".into(),
                tip: "two \"rows\"".into(),
                href: Some("#rows-1".into()),
            }],
            None,
        );
        assert!(s.contains("data-chart=\"t\""));
        assert!(s.contains("<title>a&lt;b</title>"));
        assert!(s.contains("x&amp;y"));
        assert!(s.contains("<title>two &quot;rows&quot;</title>"));
        assert!(s.contains("<a href=\"#rows-1\">"));
        let mut g = String::new();
        grid(
            &mut g,
            "g",
            "grid",
            &[("福建省".into(), None)],
            &["2023".into(), "2024".into()],
            &[vec![
                Some(GridCell {
                    share: Some(0.5),
                    text: "50%".into(),
                    tip: "1/2".into(),
                    href: None,
                }),
                None,
            ]],
        );
        assert_eq!(
            g.matches("<rect").count(),
            2 + 5,
            "two cells and the legend"
        );
    }
}
