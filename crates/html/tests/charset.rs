//! The dev report re-encoded as GBK: charset declared only in a `<meta>`, only in the HTTP
//! header (served by a real server on 127.0.0.1 and fetched with a minimal client), and
//! nowhere. All must give exactly the lines (every cell) of the UTF-8 original.

mod common;
use common::*;
use nianbao_html::parse_page;
use nianbao_text::Line;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn original() -> String {
    String::from_utf8(fixture("dev006.html")).unwrap()
}

fn reference() -> Vec<Line> {
    let p = parse_page(original().as_bytes(), None, None);
    let cells = p.lines.iter().map(|l| l.cells.len()).sum::<usize>();
    assert!(cells >= 300, "the UTF-8 original gives {cells} cells");
    p.lines
}

#[test]
fn gbk_declared_in_meta_only() {
    let html = format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>{}</body></html>",
        original()
    );
    let p = parse_page(&gbk(&html), None, None);
    assert_eq!(p.lines, reference());
    let cs = p.charset;
    assert_eq!((cs.name.as_str(), cs.source.as_str()), ("GBK", "meta"));
}

#[test]
fn gbk_declared_nowhere() {
    let p = parse_page(&gbk(&original()), None, None);
    assert_eq!(p.lines, reference());
    let cs = p.charset;
    assert_eq!((cs.name.as_str(), cs.source.as_str()), ("GBK", "detected"));
}

#[test]
fn header_wins_over_a_wrong_meta() {
    // Header says GBK, the page claims UTF-8: the server's header decides (HTML standard).
    let html = format!("<meta charset=\"utf-8\">{}", original());
    let p = parse_page(&gbk(&html), None, Some("text/html; charset=GBK"));
    assert_eq!(p.lines, reference());
    assert_eq!(p.charset.source, "header");
}

/// Serve `body` once per connection with the given Content-Type; returns the base URL.
fn serve(body: Vec<u8>, content_type: &'static str, connections: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut s) = stream else { continue };
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    format!("http://{addr}/zwgk/xxgknb/202001/t20200131_1.html")
}

/// A minimal HTTP/1.1 GET: returns the Content-Type header and the body.
fn get(url: &str) -> (Option<String>, Vec<u8>) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&resp[..split]).to_string();
    let ct = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        })
        .map(|(_, v)| v.trim().to_string());
    (ct, resp[split + 4..].to_vec())
}

#[test]
fn gbk_declared_in_http_header_only() {
    let url = serve(gbk(&original()), "text/html; charset=GBK", 2);
    let (ct, body) = get(&url);
    assert_eq!(ct.as_deref(), Some("text/html; charset=GBK"));
    assert!(
        std::str::from_utf8(&body).is_err(),
        "the body really is GBK"
    );
    let p = parse_page(&body, Some(&url), ct.as_deref());
    assert_eq!(p.lines, reference());
    let cs = p.charset.clone();
    assert_eq!((cs.name.as_str(), cs.source.as_str()), ("GBK", "header"));
    assert_eq!(p.url.as_deref(), Some(url.as_str()));
    // The same bytes without the header still decode (detection), same cells.
    let (_, body2) = get(&url);
    let p2 = parse_page(&body2, Some(&url), None);
    assert_eq!(p2.lines, reference());
}

#[test]
fn gb18030_only_characters_survive() {
    // U+20000 (𠀀) has no GBK two-byte code; GB18030 encodes it in four bytes.
    let (bytes, _, _) = encoding_rs::GB18030.encode("<p>𠀀县政府信息公开工作年度报告</p>");
    let page = parse_page(&bytes, None, Some("GB18030"));
    assert_eq!(page.lines[0].cells[0], "𠀀县政府信息公开工作年度报告");
    let page = parse_page(&bytes, None, Some("gbk"));
    assert_eq!(page.lines[0].cells[0], "𠀀县政府信息公开工作年度报告");
}
