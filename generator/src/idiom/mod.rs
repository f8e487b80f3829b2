//! The idiomatic form of every virtual function, worked out once from its types, its SAL
//! annotations, its C++ defaults and IIS's sharing rules (`policy`), as data: which C++
//! parameters become which Rust arguments, which are filled in (lengths, outputs, fixed
//! flags), what the result is, and its Rust signatures as typed data (`rust_form.rs`, made
//! once by `signature.rs`). The emitter writes the methods from this model (the signatures as
//! tokens), the manifest records the signatures (as text, from the same values), and the
//! coverage list names what stays raw and why. Forms are keyed by the slot's typed id
//! ([`SlotId`]: the class that introduced it, the slot's index).
//!
//! The rules, by kind (`rules.rs` for the method, `roles.rs` for each parameter, `types.rs`
//! for what a C++ type is; names in `names.rs`):
//! - `_In_ PCSTR` → `&CStr`, `_In_ PCWSTR` → `&U16CStr`; `_In_reads_bytes_(cb)` and
//!   `_In_reads_(n)` → a slice whose length fills the count parameter (so does a `psz…`/`pv…`
//!   parameter followed by its `cch…`/`cb…` count, the Windows naming convention);
//!   `_Out_writes_…(cb)` → `&mut [u8]`; `_opt_` (or a `NULL` default) → `Option`.
//! - `BOOL` in or out → `bool`; `_Out_` scalars and `_Outptr_` objects or buffers become the
//!   result; an `HRESULT` result becomes `Result<T>`.
//! - a returned `PCSTR`/`PCWSTR` sized by `_Ret_writes_…(*pcch)` → `Option<&[u8]>` /
//!   `Option<&[u16]>` (the count hidden), unsized → `Option<&CStr>` / `Option<&U16CStr>`; a
//!   returned object → `Option<&I>` (and `Option<&mut I>` from the `_mut` form where IIS
//!   gives the request one at a time).
//! - C++ default arguments give a short form without them and a full form (`_with`).
//! - Ownership (`policy`): an object IIS takes over is passed as `Owned<I>` by value; an
//!   object IIS hands out for the caller to release comes back as a `Child` guard that
//!   releases it when dropped (its release slot keeps only the raw method); an object IIS
//!   keeps after the call with no documented release keeps the method raw; a non-`const`
//!   pointer to an object IIS gives one request at a time is passed as `&mut I`.
//! - Soundness: a `const` C++ method borrows `self` shared, a non-`const` one of a class IIS
//!   gives one request at a time borrows it exclusively, so data it returned cannot be
//!   invalidated while borrowed; asynchronous flags are fixed to `FALSE` (a buffer is
//!   borrowed for the call only). What these rules cannot express keeps only the raw method.

pub mod coverage;
mod defaults;
pub mod names;
mod refusal;
mod roles;
mod rules;
pub mod rust_form;
mod signature;
mod sizes;
mod types;

use crate::ir::{Type, Unit};
use crate::layout::{ClassId, LaidOutApi, SlotId, SlotIndex};
use crate::policy::Implementations;
pub use refusal::Refusal;
use rust_form::RustSignature;
use std::collections::BTreeMap;

/// The inherent functions the generator gives every class besides its methods (the naming
/// pass's list, which slot names avoid too).
pub const RESERVED: &[&str] = crate::layout::names::HELPER_METHODS;

/// The per-method model of one API, made once after layout: per class (by [`ClassId`]) its
/// own slots' idiomatic forms, and what the generated Rust does around an implementation of
/// each class and method (`policy`'s answers, [`Implementations`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Idioms {
    classes: Vec<ClassForms>,
    implementations: Implementations,
}

/// The forms of one class's own slots.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ClassForms {
    id: ClassId,
    /// The class's C++ name, for listings.
    name: String,
    forms: BTreeMap<SlotIndex, Form>,
    /// The own methods (C++ names, in slot order) whose form trusts the implementation
    /// ([`Idiomatic::trusts_the_implementation`]).
    trusted: Vec<String>,
}

/// What a slot gets besides its raw `unsafe fn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    Idiomatic(Box<Idiomatic>),
    /// Only the raw method, and why.
    Raw(Refusal),
}

/// One idiomatic method (and, with defaults, its full form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idiomatic {
    pub name: String,
    pub receiver: Receiver,
    /// One per C++ parameter, in order.
    pub args: Vec<Arg>,
    pub ret: Ret,
    /// The full form's name when a short form without the defaulted parameters exists.
    pub full_name: Option<String>,
    /// The form with an exclusive receiver returning exclusive objects (`request_mut`),
    /// for getters of objects IIS gives one request at a time.
    pub mut_name: Option<String>,
    /// The caller's contract when the form is an `unsafe fn` (its `# Safety`): a rule of
    /// IIS that no borrow can express (`policy::RESUME_CONTRACT`).
    pub safety: Option<String>,
    /// The Rust signature of the (short) form, e.g. `fn header(&self, name: &CStr) ->
    /// Option<&[u8]>`.
    pub signature: RustSignature,
    /// The full form's signature, when there is one.
    pub full_signature: Option<RustSignature>,
    /// The exclusive form's signature, when there is one.
    pub mut_signature: Option<RustSignature>,
}

/// The variants of one idiomatic form, each a method of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Without the defaulted parameters (or the only form).
    Short,
    /// With every parameter (`Idiomatic::full_name`).
    Full,
    /// The exclusive form of an object getter (`Idiomatic::mut_name`).
    Exclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Receiver {
    /// `&self`.
    #[default]
    Shared,
    /// `&mut self`.
    Exclusive,
}

/// One C++ parameter in the idiomatic form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The Rust parameter name (also the name of the local holding an output).
    pub name: String,
    pub role: Role,
    /// The C++ default, as a Rust value; `Some` only where the short form leaves the
    /// parameter out.
    pub default: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A Rust parameter.
    In { ty: In, optional: bool },
    /// Filled with the length of the slice passed for argument `of`.
    Length { of: usize, unit: Unit },
    /// Points at the capacity of the slice passed for argument `of` (`_Inout_updates_(*n)`);
    /// what C++ leaves there is returned, as `count`, the integer C++ writes (no
    /// conversion that could truncate or widen it).
    InOutLength {
        of: usize,
        unit: Unit,
        count: crate::ir::Type,
    },
    /// Written by C++ and returned.
    Out(Out),
    /// Written by C++: the length of the buffer the method returns or another output is.
    CountOut,
    /// Always passed this value.
    Fixed(Value),
}

/// Rust parameter kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum In {
    /// `&CStr`.
    CStr,
    /// `&U16CStr`.
    WideCStr,
    /// `&[u8]`.
    Bytes,
    /// `&[u16]`.
    Wide,
    /// `&mut [u8]`, filled by C++.
    BytesMut,
    /// `&mut [u16]`, filled by C++.
    WideMut,
    /// `&DataChunk<'_>`.
    Chunk,
    /// `&[DataChunk<'_>]`.
    Chunks,
    /// `bool`.
    Bool,
    /// The type as is (integers, enums, handles, `HRESULT`).
    Value(Type),
    /// `&T` for a C++ reference (`const GUID &`).
    Ref(Type),
    /// `&mut T` for an `_Inout_` scalar.
    RefMut(Type),
    /// `&I` for an interface pointer.
    Interface(String),
    /// `&mut I` for a non-`const` pointer to an object IIS gives one request at a time: IIS
    /// may call its mutating methods (and hand it to modules as `&mut`) during the call.
    InterfaceMut(String),
    /// `Owned<I>`, by value: IIS takes the object (`policy::TAKES_OWNERSHIP`).
    Owned(String),
}

/// Output kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// A plain value (integers, enums, `HRESULT`, plain structs).
    Value(Type),
    Bool,
    /// An object: `&I` or, when `mutable`, `&mut I`; in an `Option` when `optional` (SAL
    /// `_opt_`, or a method without an `HRESULT` to report a null with).
    Interface {
        class: String,
        mutable: bool,
        optional: bool,
    },
    /// A buffer whose length another output (argument index) holds: `&[u8]` / `&[u16]`.
    Buffer {
        len: usize,
        wide: bool,
    },
    /// A buffer C++ hands out for the caller to fill, as long as the input argument `len`
    /// says: `&mut [u8]`.
    BufferMut {
        len: usize,
    },
    /// A NUL-terminated string: `Option<&CStr>` / `Option<&U16CStr>`.
    Str {
        wide: bool,
    },
    /// An object the caller must release (`policy::released_by`): `Child<'_, P, I>`, a guard
    /// that derefs to `I`, calls `I`'s own release slot `release` (its Rust name) when
    /// dropped, and borrows `self` (a `P`) exclusively until then.
    Child {
        class: String,
        parent: String,
        release: String,
    },
    /// A struct C++ owns: `&T` or, when `mutable`, `&mut T`, in an `Option` when
    /// `optional`.
    Ref {
        ty: Type,
        mutable: bool,
        optional: bool,
    },
}

/// What the C++ return value becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ret {
    Unit,
    /// `HRESULT` → `Result<…>` of the outputs.
    Result,
    Bool,
    Value(Type),
    /// A data pointer returned as is (`PVOID`, `PSID`): safe to return, unsafe to use.
    Pointer(Type),
    /// `Option<&CStr>` / `Option<&U16CStr>`.
    Str {
        wide: bool,
    },
    /// `Option<&[u8]>` / `Option<&[u16]>` whose length the argument `len` receives.
    Buffer {
        len: usize,
        wide: bool,
    },
    /// `Option<&I>` / `Option<&mut I>`.
    Interface {
        class: String,
        mutable: bool,
    },
    /// `Option<&T>` / `Option<&mut T>` for a struct C++ owns.
    Ref {
        ty: Type,
        mutable: bool,
    },
}

/// A value passed for a parameter the Rust caller does not give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// An `HRESULT` the runtime names (`S_OK`).
    Hresult(String),
    /// A constant or enumerator of the API.
    Constant(String),
}

impl Idioms {
    /// The idiomatic forms of every own slot of every class, and the implementation facts
    /// of every class and method.
    pub fn new(model: &LaidOutApi) -> Idioms {
        let implementations = Implementations::new(model);
        let mut classes: Vec<ClassForms> = Vec::new();
        for (id, class, layout) in model.identified_classes() {
            // The raw methods (C++ names can be snake_case too) and the inherent functions
            // every class has stay theirs.
            let mut taken: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect();
            taken.extend(layout.slot_names().map(str::to_string));
            // Inherited idiomatic names stay taken in the derived class (C++ declares a base
            // before the classes deriving from it, so its forms are made).
            for name in model.api.chain(&class.name).skip(1) {
                let Some(base) = classes.get(model.class_id(name).index()) else {
                    continue;
                };
                for form in base.forms.values() {
                    if let Form::Idiomatic(form) = form {
                        taken.extend(form.names().map(str::to_string));
                    }
                }
            }
            let named = rules::name_slots(model, layout);
            let mut forms = BTreeMap::new();
            for slot in layout.own_slots() {
                // A call that ends an object's life has no borrow to express it.
                let ends_life = implementations.method(model.method_id(slot)).ends_life;
                let name = &named[&slot.slot_index()];
                let form = rules::form(model, class, slot, ends_life, name, &mut taken);
                forms.insert(slot.slot_index(), form);
            }
            let mut trusted: Vec<String> = (layout.own_slots().iter())
                .filter(|slot| {
                    matches!(&forms[&slot.slot_index()],
                        Form::Idiomatic(form) if form.trusts_the_implementation())
                })
                .map(|slot| model.method(slot).name.clone())
                .collect();
            trusted.dedup();
            classes.push(ClassForms {
                id,
                name: class.name.clone(),
                forms,
                trusted,
            });
        }
        Idioms {
            classes,
            implementations,
        }
    }

    /// The own methods of `class` (C++ names, in slot order) whose idiomatic form trusts the
    /// implementation: implementing the class in Rust is `unsafe`.
    pub fn trusted_methods(&self, class: ClassId) -> &[String] {
        self.classes
            .get(class.index())
            .map_or(&[], |class| &class.trusted)
    }

    /// What the generated Rust does around an implementation of each class and method.
    pub fn implementations(&self) -> &Implementations {
        &self.implementations
    }

    /// The form of the slot `id` (an own slot of `id.class`).
    pub fn form(&self, id: SlotId) -> Option<&Form> {
        self.classes.get(id.class.index())?.forms.get(&id.slot)
    }

    /// Every form, in header order of the classes and slot order within each: the class's
    /// C++ name, the slot and its form.
    pub fn forms(&self) -> impl Iterator<Item = (&str, SlotId, &Form)> {
        self.classes.iter().flat_map(|class| {
            (class.forms.iter()).map(|(&slot, form)| {
                let id = SlotId {
                    class: class.id,
                    slot,
                };
                (class.name.as_str(), id, form)
            })
        })
    }
}

impl Idiomatic {
    /// Whether the form turns what the implementation returns — a pointer, a string, a
    /// length — into a reference, slice or string: a safe caller's memory safety then rests
    /// on the implementation keeping the C++ contract, so implementing the class in Rust is
    /// `unsafe` (a hostile implementation could otherwise make a safe call read freed or
    /// made-up memory).
    pub fn trusts_the_implementation(&self) -> bool {
        matches!(
            self.ret,
            Ret::Str { .. } | Ret::Buffer { .. } | Ret::Interface { .. } | Ret::Ref { .. }
        ) || self.args.iter().any(|arg| {
            matches!(
                arg.role,
                Role::Out(
                    Out::Interface { .. }
                        | Out::Buffer { .. }
                        | Out::BufferMut { .. }
                        | Out::Str { .. }
                        | Out::Ref { .. }
                )
            )
        })
    }

    /// Every Rust name the form uses.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.full_name.as_deref())
            .chain(self.mut_name.as_deref())
    }

    /// Every variant the form has, with its signature: the short form, then the full and the
    /// exclusive one where they exist.
    pub fn signatures(&self) -> impl Iterator<Item = (Variant, &RustSignature)> {
        std::iter::once((Variant::Short, &self.signature))
            .chain(self.full_signature.iter().map(|s| (Variant::Full, s)))
            .chain(self.mut_signature.iter().map(|s| (Variant::Exclusive, s)))
    }
}
