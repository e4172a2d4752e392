//! Identify one agency from the command line:
//! `cargo run -p nianbao-divisions --example identify -- AGENCY [TITLE] [YEAR] [SITE_ID] [SOURCE_CODE]`
//! (empty arguments are absent). Prints the identity as JSON.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).filter(|s| !s.is_empty());
    let input = nianbao_divisions::IdentityInput {
        agency: arg(0),
        title: arg(1),
        year: arg(2).and_then(|y| y.parse().ok()),
        site_id: arg(3),
        source_division_code: arg(4),
    };
    let id = nianbao_divisions::identify(&input);
    match serde_json::to_string(&id) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("{e}"),
    }
}
