//! `cargo xtask …`: the command-line front of the project's tasks (see `lib.rs`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(generator::parse::worker::WORKER_ARG) {
        let code = generator::parse::worker::serve(&mut std::io::stdin(), &mut std::io::stdout());
        std::process::exit(code);
    }
    if let Ok(program) = std::env::current_exe() {
        xtask::isolate_parses_in(program);
    }
    let code = xtask::run(&args, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
