//! Print the JSON report of a text file: `cargo run -p nianbao-extract --example dump FILE`.
fn main() {
    for path in std::env::args().skip(1) {
        match std::fs::read(&path) {
            Ok(bytes) => {
                let d = nianbao_text::decode(&bytes, None);
                let r = nianbao_extract::extract_text(&d.text, &path);
                match serde_json::to_string_pretty(&[r]) {
                    Ok(s) => println!("{s}"),
                    Err(e) => eprintln!("{path}: {e}"),
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
