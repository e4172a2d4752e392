//! The `SiteIDCode` meta tag (政府网站标识码) of real corpus pages reaches the page metadata.

mod common;
use common::*;
use nianbao_html::parse_page;

#[test]
fn site_id_is_read_from_the_meta_tag() {
    // Pingtan (TRS, `<meta name="SiteIDCode" content="3590000001"/>`).
    let page = parse_page(&fixture("002.html"), None, None);
    assert_eq!(page.meta.site_id.as_deref(), Some("3590000001"));
    // Baoding (upper-case `<META content="1306000033" name="SiteIDCode">`).
    let page = parse_page(&fixture("006.html"), None, None);
    assert_eq!(page.meta.site_id.as_deref(), Some("1306000033"));
    // A state-owned enterprise's homepage has none.
    let page = parse_page(&fixture("007.html"), None, None);
    assert_eq!(page.meta.site_id, None);
}

#[test]
fn site_id_serializes_as_site_id() {
    let page = parse_page(&fixture("002.html"), None, None);
    let json = serde_json::to_value(&page.meta).unwrap();
    assert_eq!(json["site_id"], "3590000001");
}
