//! Classification of anti-bot answers. Chinese government sites sit behind JS-cookie
//! challenges (瑞数 / Rivers Security, 加速乐 / Jiasule, the `wzws` cookie wall), generic
//! WAF block pages and captcha pages. The crawler recognises them and records
//! `blocked(<vendor>)`; it never executes the JS, replays cookies or solves anything.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

/// Headers and body of a response, as seen by the classifier.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    /// HTTP status.
    pub status: u16,
    /// Response header fields.
    pub headers: &'a [(String, String)],
    /// The body (possibly cut to the size cap).
    pub body: &'a [u8],
}

impl Answer<'_> {
    fn header_values(&self, name: &str) -> impl Iterator<Item = &str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(move |(k, _)| k.to_ascii_lowercase() == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every text the classifier looks for in a body, matched ASCII-case-insensitively.
const NEEDLES: &[&str] = &[
    "$_ts",
    "9DhefwqGPrzGxEp9hPaoag",
    "FSSBBIl1UgzbN7N",
    "__jsl_clearance",
    "wzwschallenge",
    "cf-chl",
    "challenge-platform",
    "验证码",
    "captcha",
    "滑动验证",
    "人机验证",
    "<table",
    "<script",
    "<p",
    "web application firewall",
    "web应用防火墙",
    "安全狗",
    "云盾",
    "访问被拦截",
    "请求被拦截",
    "非法请求",
];

/// The first [`MARKERS`] needles are vendor markers, the only ones that matter for a large
/// ordinary answer (the others only classify small pages or error statuses).
const MARKERS: usize = 7;

/// The needles found in a body: one pass of one automaton over the body instead of one
/// naive scan per needle (which was a quarter of the crawler's CPU time).
struct Found(u32);

impl Found {
    fn of(body: &[u8], all: bool) -> Found {
        static FULL: OnceLock<Option<AhoCorasick>> = OnceLock::new();
        static MARK: OnceLock<Option<AhoCorasick>> = OnceLock::new();
        let (cell, needles) = if all {
            (&FULL, NEEDLES)
        } else {
            (&MARK, &NEEDLES[..MARKERS])
        };
        let Some(ac) = cell
            .get_or_init(|| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(needles)
                    .ok()
            })
            .as_ref()
        else {
            return Found(0);
        };
        let mut bits = 0u32;
        for m in ac.find_overlapping_iter(body) {
            bits |= 1 << m.pattern().as_u32();
            if bits.count_ones() as usize == needles.len() {
                break;
            }
        }
        Found(bits)
    }

    fn has(&self, needle: &str) -> bool {
        NEEDLES
            .iter()
            .position(|n| *n == needle)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

/// Return the vendor name when the answer is an anti-bot challenge or block page.
///
/// Vendors: `ruishu` (202/412 + `$_ts` JS), `jiasule` (521 or `__jsl_clearance`/`__jsluid`),
/// `wzws` (`wzws_cid` cookie or challenge redirect), `cloudflare`, `captcha`, `waf`
/// (any other challenge-like answer: 412/521/405/403 with a script-only or WAF page).
pub fn classify(a: Answer<'_>) -> Option<&'static str> {
    let body = &a.body[..a.body.len().min(64 * 1024)];
    // Below: captcha and WAF words only count on small pages or error statuses, and the
    // script/table/paragraph test only on 202 and error statuses.
    let ordinary = (200..300).contains(&a.status) && a.status != 202 && body.len() >= 20 * 1024;
    let found = Found::of(body, !ordinary);
    let contains = |_: &[u8], needle: &str| found.has(needle);
    let cookies: Vec<&str> = a.header_values("set-cookie").collect();
    let cookie_has = |n: &str| cookies.iter().any(|c| c.to_ascii_lowercase().contains(n));
    let location = a
        .header_values("location")
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();

    if contains(body, "$_ts")
        || contains(body, "9DhefwqGPrzGxEp9hPaoag")
        || contains(body, "FSSBBIl1UgzbN7N")
    {
        return Some("ruishu");
    }
    if a.status == 521
        || cookie_has("__jsl_clearance")
        || cookie_has("__jsluid")
        || contains(body, "__jsl_clearance")
    {
        return Some("jiasule");
    }
    if cookie_has("wzws_cid") || location.contains("wzws") || contains(body, "wzwschallenge") {
        return Some("wzws");
    }
    if contains(body, "cf-chl") || contains(body, "challenge-platform") {
        return Some("cloudflare");
    }
    let small = body.len() < 20 * 1024;
    let captcha = contains(body, "验证码")
        || contains(body, "captcha")
        || contains(body, "滑动验证")
        || contains(body, "人机验证");
    if small && captcha && (a.status >= 400 || a.status == 202 || !contains(body, "<table")) {
        return Some("captcha");
    }
    let script_only =
        contains(body, "<script") && !contains(body, "<table") && !contains(body, "<p");
    let waf_words = contains(body, "web application firewall")
        || contains(body, "web应用防火墙")
        || contains(body, "安全狗")
        || contains(body, "云盾")
        || contains(body, "访问被拦截")
        || contains(body, "请求被拦截")
        || contains(body, "非法请求");
    match a.status {
        412 | 202 if script_only || waf_words => Some("ruishu"),
        412 => Some("waf"),
        403 | 405 | 406 | 418 | 429 | 503 if waf_words => Some("waf"),
        200 if small && waf_words && script_only => Some("waf"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a<'a>(status: u16, headers: &'a [(String, String)], body: &'a [u8]) -> Answer<'a> {
        Answer {
            status,
            headers,
            body,
        }
    }

    #[test]
    fn vendors() {
        let none: Vec<(String, String)> = vec![];
        assert_eq!(
            classify(a(412, &none, b"<script>var $_ts=window['$_ts'];</script>")),
            Some("ruishu")
        );
        assert_eq!(
            classify(a(202, &none, b"<html><script src='x.js'></script></html>")),
            Some("ruishu")
        );
        let jsl = vec![(
            "Set-Cookie".to_string(),
            "__jsluid_h=abc; path=/".to_string(),
        )];
        assert_eq!(
            classify(a(521, &jsl, b"<script>document.cookie=...</script>")),
            Some("jiasule")
        );
        assert_eq!(
            classify(a(200, &none, "<p>请输入验证码</p>".as_bytes())),
            Some("captcha")
        );
        assert_eq!(
            classify(a(
                200,
                &none,
                "<table><tr><td>年度报告</td></tr></table>".as_bytes()
            )),
            None
        );
        assert_eq!(classify(a(404, &none, b"not found")), None);
        // A large ordinary page: vendor markers still count, captcha words do not.
        let mut big = "<p>正文</p>".repeat(3000).into_bytes();
        assert_eq!(classify(a(200, &none, &big)), None);
        big.extend_from_slice("请输入验证码".as_bytes());
        assert_eq!(classify(a(200, &none, &big)), None);
        big.extend_from_slice(b"<script>var $_TS=window['$_ts'];</script>");
        assert_eq!(classify(a(200, &none, &big)), Some("ruishu"));
        assert_eq!(classify(a(500, &none, b"oops")), None);
    }
}
