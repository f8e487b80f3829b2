//! Prints the IR of a header as JSON (a debugging aid).
fn main() {
    let header = std::env::args().nth(1).expect("usage: dump_ir HEADER");
    let options = generator::parse::ParseOptions::debian(header);
    match generator::parse::parse(&options) {
        Ok(api) => println!("{}", serde_json::to_string_pretty(&api).unwrap()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
