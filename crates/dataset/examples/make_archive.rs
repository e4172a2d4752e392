//! Store every file of a folder as a fetched report page in a new web archive, for the memory
//! benchmark (`benches/memory.py --archive`): `make_archive IN_DIR DATA_DIR`.

use nianbao_archive::{Archive, Exchange, HttpResponse};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(data)) = (args.get(1), args.get(2)) else {
        return Err("usage: make_archive IN_DIR DATA_DIR".into());
    };
    let mut names: Vec<_> = std::fs::read_dir(input)?
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    let mut a = Archive::open(std::path::Path::new(data))?;
    for (i, p) in names.iter().enumerate() {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("x");
        let ct = if name.ends_with(".html") {
            "text/html"
        } else {
            "text/plain; charset=utf-8"
        };
        let ex = Exchange {
            url: format!("http://h{}.test/{name}", i % 50),
            host: format!("h{}.test", i % 50),
            method: nianbao_archive::Method::Get,
            role: "report".into(),
            run_id: 1,
            outcome: nianbao_archive::Outcome::Ok,
            response: Some(HttpResponse {
                status: 200,
                reason: "OK".into(),
                headers: vec![("Content-Type".into(), ct.into())],
                body: std::fs::read(p)?,
            }),
            ..Default::default()
        };
        a.store(&ex, None, &[])?;
    }
    Ok(())
}
