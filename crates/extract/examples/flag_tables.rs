//! Print the README flag tables generated from the flag enums: `cargo run -p nianbao-extract --example flag_tables`.
fn main() {
    print!("{}", nianbao_extract::CellFlag::markdown_table());
    println!("---");
    print!("{}", nianbao_extract::ReportFlag::markdown_table());
}
