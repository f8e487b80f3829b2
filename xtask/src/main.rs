//! `cargo xtask …`: the command-line front of the project's tasks (see `lib.rs`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = xtask::run(&args, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
