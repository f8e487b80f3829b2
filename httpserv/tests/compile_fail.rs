//! Misuses of the implement path that must not compile (trybuild): thread-safety bounds from
//! IIS's threading rules (a factory, global module or stored context that is not `Sync`, a
//! module that is not `Send`), typed objects (a value whose type does not implement the
//! class, an object pointer used as another class), and IIS's ownership rules (a cloned
//! context used after its release, a user lent to `set_user` instead of moved in, a shared
//! reference passed where IIS mutates the object), and an `_Impl` method that takes raw
//! pointers called from safe code with made-up ones. Each case's expected compiler message is
//! checked in beside it (`TRYBUILD=overwrite` rewrites them after an intended change).

#[test]
fn misuses_do_not_compile() {
    let found = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compile_fail"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "rs")
        })
        .count();
    assert!(
        found >= 11,
        "the compile-fail cases are missing ({found} found)"
    );
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}
