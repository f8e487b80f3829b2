// A completion finishes its notification once: signalling it again must not compile.
use httpserv::module::{Completion, Notification};

fn finish(completion: Completion) {
    completion.post(0);
    completion.resume(Notification::Continue);
}

fn main() {}
