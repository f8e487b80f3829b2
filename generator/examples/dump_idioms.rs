//! Prints every slot's idiomatic signature, or why it stays raw (a review aid).
fn main() {
    let header = std::env::args().nth(1).expect("usage: dump_idioms HEADER");
    let api = generator::parse::parse(&generator::parse::ParseOptions::debian(header)).unwrap();
    let model = generator::layout::LaidOutApi::new(api).unwrap();
    let idioms = generator::idiom::Idioms::new(&model);
    for (class, id, form) in idioms.forms() {
        let method = &model.method(model.layout(class).slot(id.slot)).name;
        match form {
            generator::idiom::Form::Idiomatic(f) => {
                println!("{class}::{method}: {}", f.signature);
                if let Some(full) = &f.full_signature {
                    println!("{class}::{method}: {full}");
                }
            }
            generator::idiom::Form::Raw(why) => println!("{class}::{method}: RAW {why}"),
        }
    }
}
