//! `cargo xtask …`: the command-line front of the project's tasks (see `lib.rs`).

fn main() {
    let mut args = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(arg) => args.push(arg),
            Err(arg) => {
                // Paths go to libclang as text, so there is nothing useful to do with them.
                eprintln!(
                    "error: argument {} is not valid UTF-8; rename the file or copy it to a \
                     UTF-8 path",
                    std::path::Path::new(&arg).display()
                );
                std::process::exit(2);
            }
        }
    }
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
