//! Print what the reader makes of a page: metadata, attachments, images and content lines.
//! `cargo run -p nianbao-html --example dump_page -- page.html [url] [charset]`

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: dump_page PAGE.html [URL] [CHARSET]");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let url = args.get(2).map(String::as_str);
    let cs = args.get(3).map(String::as_str);
    let page = nianbao_html::parse_page(&bytes, url, cs);
    println!("content: {:?}  charset: {:?}", page.content, page.charset);
    println!(
        "meta: {}",
        serde_json::to_string(&page.meta).unwrap_or_default()
    );
    for a in &page.attachments {
        println!("attachment: {a:?}");
    }
    println!("images: {:?}", page.images);
    println!("links: {}", page.links.len());
    for l in &page.lines {
        println!("{:?} {:?}", l.table, l.cells);
    }
}
