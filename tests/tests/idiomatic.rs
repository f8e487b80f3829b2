//! The idiomatic layer end to end: the SAL fixture (`tests/fixtures/sal/sal2_rules.h`) is
//! implemented in Rust through its generated `_Impl` traits, and its idiomatic methods are
//! called through the same vtables C++ would use — strings and slices go in with their
//! lengths filled, outputs and sized buffers come back, C++ defaults fill the short forms,
//! `HRESULT`s become `Result`s. Also: the SAL 1 twin gives the same signatures, and the real
//! API's forms keep the soundness rules (a property over all 352 methods).

use httpserv::runtime::{E_FAIL, HRESULT, S_OK};
use httpserv_tests::sal_sal2_rules::*;
use std::cell::{Cell, RefCell};
use std::ffi::CStr;
use windows_sys::core::{BOOL, PCSTR, PCWSTR};

/// IRules in Rust: values by name, a read counter, a child.
#[derive(Default)]
struct Rules {
    values: RefCell<Vec<(Vec<u8>, Vec<u8>)>>,
    /// `GetValue` hands out a pointer into this, NUL-terminated.
    handed_out: RefCell<Vec<u8>>,
    last_replace: Cell<Option<bool>>,
    last_async: Cell<Option<bool>>,
    renamed: RefCell<Vec<(String, Option<String>)>>,
    child: Cell<*mut IRules>,
}

// One test thread drives these objects; the traits of classes IIS shares between threads
// do not apply to a fixture class.
unsafe impl Send for Rules {}
unsafe impl Sync for Rules {}

unsafe fn c_str<'a>(p: PCSTR) -> &'a [u8] {
    CStr::from_ptr(p.cast()).to_bytes()
}

unsafe fn wide(p: PCWSTR) -> String {
    let mut n = 0;
    while *p.add(n) != 0 {
        n += 1;
    }
    String::from_utf16(std::slice::from_raw_parts(p, n)).unwrap()
}

// SAFETY: the fake C++ side honours each annotation to the byte (that is what it tests).
unsafe impl IRules_Impl for Rules {
    unsafe fn GetValue(&self, name: PCSTR, len: *mut u16) -> PCSTR {
        let name = unsafe { c_str(name) };
        let values = self.values.borrow();
        let Some((_, value)) = values.iter().find(|(n, _)| n == name) else {
            return std::ptr::null();
        };
        let mut out = self.handed_out.borrow_mut();
        *out = value.clone();
        out.push(0);
        if !len.is_null() {
            unsafe { *len = value.len() as u16 };
        }
        out.as_ptr()
    }
    unsafe fn SetValue(&self, name: PCSTR, value: PCSTR, len: u16, replace: BOOL) -> HRESULT {
        let name = unsafe { c_str(name) }.to_vec();
        let value = unsafe { std::slice::from_raw_parts(value, len as usize) }.to_vec();
        self.last_replace.set(Some(replace != 0));
        self.values.borrow_mut().push((name, value));
        S_OK
    }
    unsafe fn Read(
        &self,
        buffer: *mut std::ffi::c_void,
        size: u32,
        asynchronous: BOOL,
        read: *mut u32,
    ) -> HRESULT {
        self.last_async.set(Some(asynchronous != 0));
        let text = b"entity body";
        let n = text.len().min(size as usize);
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), buffer.cast(), n);
            *read = n as u32;
        }
        S_OK
    }
    fn GetName(&self) -> PCWSTR {
        windows_sys::w!("rules")
    }
    unsafe fn GetChild(&self, index: u32, child: *mut *mut IRules) -> HRESULT {
        if index != 0 {
            return E_FAIL;
        }
        unsafe { *child = self.child.get() };
        S_OK
    }
    fn GetParent(&self) -> *mut IRules {
        self.child.get()
    }
    unsafe fn Rename(&self, name: PCWSTR, alias: PCWSTR) -> HRESULT {
        let alias = (!alias.is_null()).then(|| unsafe { wide(alias) });
        self.renamed
            .borrow_mut()
            .push((unsafe { wide(name) }, alias));
        S_OK
    }
    unsafe fn Notify(&self, _: Option<unsafe extern "system" fn(u32)>) {}
    unsafe fn Resize(&self, _: *mut *mut u8) {}
    fn Frob(&self, _: u32) -> HRESULT {
        S_OK
    }
}

fn rules() -> &'static mut IRules {
    let raw = IRules::new_boxed(Rules::default());
    // SAFETY: made above, never released (the test process ends).
    unsafe { IRules::from_raw_mut(raw) }.unwrap()
}

fn state(object: &IRules) -> &Rules {
    // SAFETY: every IRules here is made by `rules()`.
    unsafe { object.downcast::<Rules>() }.unwrap()
}

#[test]
fn strings_and_slices_go_in_with_their_lengths() {
    let rules = rules();
    // The short form: `fReplace` takes its C++ default, TRUE.
    rules.set_value(c"Host", b"example.com").unwrap();
    assert_eq!(state(rules).last_replace.get(), Some(true));
    rules.set_value_with(c"X-Id", b"42", false).unwrap();
    assert_eq!(state(rules).last_replace.get(), Some(false));
    // The sized return comes back as a slice of exactly the length C++ wrote.
    assert_eq!(rules.value(c"Host"), Some(&b"example.com"[..]));
    assert_eq!(rules.value(c"Missing"), None);
}

#[test]
fn buffers_outputs_and_the_async_flag() {
    let rules = rules();
    let mut buffer = [0u8; 32];
    let read = rules.read(&mut buffer).unwrap();
    assert_eq!(&buffer[..read as usize], b"entity body");
    assert_eq!(state(rules).last_async.get(), Some(false), "fixed to FALSE");
    let mut small = [0u8; 6];
    assert_eq!(rules.read(&mut small).unwrap(), 6);
    assert_eq!(&small, b"entity");
}

#[test]
fn wide_strings_objects_and_results() {
    let rules = rules();
    assert_eq!(rules.name().unwrap().to_string().unwrap(), "rules");
    let alias = httpserv::runtime::u16cstr!("alias");
    rules.rename(httpserv::runtime::u16cstr!("plain")).unwrap();
    rules
        .rename_with(httpserv::runtime::u16cstr!("named"), Some(alias))
        .unwrap();
    assert_eq!(
        *state(rules).renamed.borrow(),
        [
            ("plain".to_string(), None),
            ("named".to_string(), Some("alias".to_string()))
        ]
    );
    // No child yet: a null `_Outptr_` from a successful call is E_POINTER, a failure its
    // HRESULT.
    assert_eq!(
        rules.child(0).err().map(|e| e.code()),
        Some(httpserv::runtime::E_POINTER)
    );
    assert_eq!(rules.child(1).err().map(|e| e.code()), Some(E_FAIL));
    let child = IRules::new_boxed(Rules::default());
    state(rules).child.set(child);
    assert!(std::ptr::eq(rules.child(0).unwrap(), child));
    assert!(std::ptr::eq(rules.parent().unwrap(), child));
}

/// The fixture's IHttpResponse (request-owned by name): mutating methods borrow exclusively.
#[derive(Default)]
struct Response {
    headers: RefCell<Vec<(Vec<u8>, Vec<u8>)>>,
    buffer: [u8; 4],
}

// SAFETY: the fake C++ side honours each annotation to the byte (that is what it tests).
unsafe impl IHttpResponse_Impl for Response {
    unsafe fn GetHeader(&self, name: PCSTR, len: *mut u16) -> PCSTR {
        let name = unsafe { c_str(name) };
        let headers = self.headers.borrow();
        match headers.iter().find(|(n, _)| n == name) {
            Some((_, value)) => {
                unsafe { *len = value.len() as u16 };
                value.as_ptr()
            }
            None => std::ptr::null(),
        }
    }
    unsafe fn SetHeader(&self, name: PCSTR, value: PCSTR, len: u16) -> HRESULT {
        let name = unsafe { c_str(name) }.to_vec();
        let value = unsafe { std::slice::from_raw_parts(value, len.into()) }.to_vec();
        self.headers.borrow_mut().push((name, value));
        S_OK
    }
    fn GetRules(&self) -> *mut IRules {
        std::ptr::null_mut()
    }
    unsafe fn GetBuffer(&self, buffer: *mut *mut u8, len: *mut u32) -> HRESULT {
        unsafe {
            *buffer = self.buffer.as_ptr().cast_mut();
            *len = self.buffer.len() as u32;
        }
        S_OK
    }
}

#[test]
fn a_request_owned_object_borrows_exclusively_to_mutate() {
    let raw = IHttpResponse::new_boxed(Response {
        buffer: *b"body",
        ..Response::default()
    });
    // SAFETY: made above, never released.
    let response = unsafe { IHttpResponse::from_raw_mut(raw) }.unwrap();
    // The value is passed with its length (the Windows naming convention links them).
    response.set_header(c"Server", b"rust").unwrap();
    let value = response.header(c"Server").unwrap();
    assert_eq!(value, b"rust");
    // `response.set_header(…)` here would not compile while `value` is borrowed: the
    // header C++ handed out cannot be replaced under it.
    assert_eq!(value.len(), 4);
    assert_eq!(response.buffer().unwrap(), b"body");
    assert!(response.rules().is_none() && response.rules_mut().is_none());
}

/// SAL 1 and SAL 2 spellings of the same interface give the same idiomatic signatures.
#[test]
fn sal1_and_sal2_give_the_same_signatures() {
    let forms = |name: &str| {
        let generated = httpserv_tests::support::generate_fixture(name).unwrap();
        generated
            .idioms
            .forms()
            .map(|(class, id, form)| (class.to_string(), id.slot, format!("{form:?}")))
            .collect::<Vec<_>>()
    };
    assert_eq!(forms("sal/sal1_rules"), forms("sal/sal2_rules"));
}

/// The fallbacks keep only the raw method, and say why.
#[test]
fn what_the_rules_cannot_express_stays_raw() {
    use generator::idiom::Form;
    let generated = httpserv_tests::support::generate_fixture("sal/sal2_rules").unwrap();
    let layout = generated.model.layout("IRules");
    let reason = |method: &str| {
        let slot = layout
            .slots
            .iter()
            .find(|s| generated.model.method(s).name == method)
            .unwrap();
        match generated
            .idioms
            .form(generated.model.slot_id(slot))
            .unwrap()
        {
            Form::Raw(why) => why.to_string(),
            Form::Idiomatic(form) => panic!("{method} has a form: {}", form.signature),
        }
    };
    assert!(reason("Notify").contains("a callback"));
    assert!(reason("Resize").contains("_At_"));
    assert!(reason("Frob").contains("unknown SAL annotation _Frobnicated_"));
}

/// The ownership rules of one argument of a form (see
/// `the_real_api_keeps_the_soundness_rules`).
fn ownership_kept(
    api: &generator::ir::Api,
    class: &str,
    method: &generator::ir::Method,
    arg: &generator::idiom::Arg,
    param: &generator::ir::Param,
    exclusive: bool,
    what: &str,
) {
    use generator::idiom::{In, Out, Role};
    use generator::policy;
    let taken = policy::takes_ownership(api, class, &method.name, &param.name);
    assert_eq!(
        taken,
        matches!(
            arg.role,
            Role::In {
                ty: In::Owned(_),
                ..
            }
        ),
        "{what}: `{}` is moved in exactly where IIS takes it over",
        param.name
    );
    let released = policy::released_by(api, class, &method.name, &param.name).is_some();
    assert_eq!(
        released,
        matches!(arg.role, Role::Out(Out::Child { .. })),
        "{what}: `{}` comes back in a guard exactly where the caller releases it",
        param.name
    );
    assert!(!released || exclusive, "{what}: a guard without the borrow");
    if let Role::In {
        ty: In::Interface(object),
        ..
    } = &arg.role
    {
        let mutable = matches!(
            param.ty.resolved(),
            generator::ir::TypeKind::Pointer {
                pointee_is_const: false,
                ..
            }
        );
        assert!(
            !mutable || !policy::request_owned(api, object),
            "{what}: `{}`, which IIS may mutate, lent shared",
            param.name
        );
    }
}

/// The soundness rules, checked on every form of the real API: borrowed data only comes
/// back from a `const` method or under an exclusive borrow; exclusive references only under
/// an exclusive borrow, which only classes IIS gives one request at a time have; a buffer
/// handed to C++ never goes with an asynchronous flag left to the caller; the methods that
/// resume a pending request are the only `unsafe fn` forms, each stating IIS's contract and
/// claiming no exclusive borrow; IIS's ownership rules are kept (an object IIS takes over
/// is moved in as `Owned`, an object it mutates is lent `&mut`, an object handed out to be
/// released comes back in a `Child` guard under an exclusive borrow, and that release has no
/// safe form); no method keeping what it is given after it returns
/// (`WriteEntityChunkByReference`, `InsertEntityBody`) borrows it for the call; and at least
/// 313 of the 352 methods (89%: the count on 2026-12-07, after the releases and the retained
/// objects and buffers of issue 23 became raw) have a form.
#[test]
fn the_real_api_keeps_the_soundness_rules() {
    use generator::idiom::{Form, In, Out, Receiver, Ret, Role};
    let header = httpserv_tests::support::workspace_root().join("headers/httpserv.h");
    let api = generator::parse::parse(&httpserv_tests::support::options(header)).unwrap();
    let model = generator::layout::LaidOutApi::new(api).unwrap();
    let idioms = generator::idiom::Idioms::new(&model);
    let (mut idiomatic, mut total) = (0, 0);
    for (class, id, form) in idioms.forms() {
        total += 1;
        let Form::Idiomatic(form) = form else {
            continue;
        };
        idiomatic += 1;
        let method = model.method(model.layout(class).slot(id.slot));
        let what = format!("{class}::{}: {}", method.name, form.signature);
        let exclusive = form.receiver == Receiver::Exclusive;
        let resumes = generator::policy::resumes_the_pipeline(&model.api, class, &method.name);
        assert_eq!(
            form.safety.is_some(),
            resumes,
            "{what}: unsafe only to resume"
        );
        let borrowed_data = matches!(
            form.ret,
            Ret::Str { .. } | Ret::Buffer { .. } | Ret::Ref { .. }
        ) || form.args.iter().any(|a| {
            matches!(
                a.role,
                Role::Out(
                    Out::Buffer { .. } | Out::BufferMut { .. } | Out::Str { .. } | Out::Ref { .. }
                )
            )
        });
        assert!(
            !borrowed_data || method.is_const || exclusive,
            "{what}: data from a non-const method under a shared borrow"
        );
        let exclusive_result = matches!(
            form.ret,
            Ret::Interface { mutable: true, .. } | Ret::Ref { mutable: true, .. }
        ) || form.args.iter().any(|a| {
            matches!(
                a.role,
                Role::Out(
                    Out::Interface { mutable: true, .. }
                        | Out::Ref { mutable: true, .. }
                        | Out::BufferMut { .. }
                )
            )
        });
        assert!(
            !exclusive_result || exclusive,
            "{what}: an exclusive reference under a shared borrow"
        );
        assert!(
            !exclusive || generator::policy::request_owned(&model.api, class),
            "{what}: an exclusive borrow of a class several requests share"
        );
        let lends_buffer = form.args.iter().any(|a| {
            matches!(
                a.role,
                Role::In {
                    ty: In::Bytes | In::BytesMut | In::Wide | In::WideMut | In::Chunks | In::Chunk,
                    ..
                }
            )
        });
        let retained = generator::policy::retains_arguments(&model.api, class, &method.name);
        assert!(
            !retained || !lends_buffer,
            "{what}: a borrow for the call of what IIS keeps after it"
        );
        for (arg, param) in form.args.iter().zip(&method.params) {
            ownership_kept(&model.api, class, method, arg, param, exclusive, &what);
            if lends_buffer && generator::policy::is_async_flag(param) {
                assert!(
                    matches!(arg.role, Role::Fixed(generator::idiom::Value::Bool(false))),
                    "{what}: a lent buffer with the asynchronous flag open"
                );
            }
            if let Role::Length { of, .. } = arg.role {
                assert!(
                    matches!(form.args[of].role, Role::In { .. }),
                    "{what}: a length of something that is not a slice"
                );
            }
        }
    }
    assert_eq!(total, 352);
    for (class, id, form) in idioms.forms() {
        let method = model.method(model.layout(class).slot(id.slot));
        if generator::policy::releases_handed_out_object(&model.api, class, &method.name) {
            assert!(
                matches!(form, Form::Raw(_)),
                "{class}::{}: only the guard releases",
                method.name
            );
        }
    }
    assert!(
        idiomatic >= 312,
        "{idiomatic} of {total} methods have an idiomatic form"
    );
    for (class, slot) in [("IHttpContext", 8), ("IHttpContext", 9)] {
        let id = generator::layout::SlotId {
            class: model.class_id(class),
            slot: generator::layout::SlotIndex(slot),
        };
        let form = idioms.form(id).unwrap();
        let Form::Idiomatic(form) = form else {
            panic!("{class} slot {slot} has no idiomatic form: {form:?}");
        };
        assert!(
            form.signature.to_string().starts_with("unsafe fn ")
                && form.receiver == Receiver::Shared,
            "{class} slot {slot}: {}",
            form.signature
        );
        let contract = form.safety.as_deref().unwrap_or_default();
        assert!(contract.contains("RQ_NOTIFICATION_PENDING"), "{contract}");
    }
}
