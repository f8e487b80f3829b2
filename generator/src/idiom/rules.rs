//! The rules of `mod.rs`, applied to one method: what keeps it raw (a release slot, a
//! pipeline resume, an unknown or conditional annotation), each parameter's role (worked
//! out in `roles.rs`), the receiver, defaults and names. A parameter no rule covers makes the
//! whole method raw, with the reason.

use super::names::{method_name, overload_suffix, param_name};
use super::refusal::Refusal;
use super::roles::{hungarian_lengths, mark, param_role, return_value};
use super::{
    defaults, signature, sizes, Arg, Form, Idiomatic, In, Out, Receiver, Ret, Role, Value, Variant,
};
use crate::ir::{Api, Class, Direction, Method, SizeExpr};
use crate::layout::names::{method_base_name, rust_name};
use crate::layout::{ClassLayout, LaidOutApi, MethodId, Slot, SlotIndex};
use crate::policy::{self, EndsLife};
use std::collections::BTreeMap;

/// The base idiomatic name of each own slot of `class` (by slot index): rules 1–3 of
/// `names.rs`, decided in declaration order against the names the base classes hold.
pub(super) fn name_slots(model: &LaidOutApi, layout: &ClassLayout) -> BTreeMap<SlotIndex, String> {
    // The first-declared method of each C++ name, from the bases.
    let mut first: BTreeMap<String, &Method> = BTreeMap::new();
    for slot in &layout.slots[..layout.inherited] {
        let method = model.method(slot);
        first.entry(method.name.clone()).or_insert(method);
    }
    let mut own: Vec<(SlotIndex, &Method)> = layout
        .own_slots()
        .iter()
        .map(|s| (s.slot_index(), model.method(s)))
        .collect();
    own.sort_by_key(|(index, _)| layout.slot(*index).method);
    let mut names = BTreeMap::new();
    for (index, method) in &own {
        let plain = method_name(&method_base_name(method));
        let name = match first.get(&method.name) {
            None => {
                first.insert(method.name.clone(), method);
                // A const twin declared later takes the plain name (rule 2).
                let twin_is_const = own.iter().any(|(_, other)| {
                    other.name == method.name
                        && !std::ptr::eq(*other, *method)
                        && overload_suffix(method, other) == "const"
                });
                if twin_is_const {
                    format!("{plain}_mut")
                } else {
                    plain
                }
            }
            Some(first) => match overload_suffix(first, method).as_str() {
                "const" => plain,
                "mut" => format!("{plain}_mut"),
                suffix => format!("{plain}_{suffix}"),
            },
        };
        // A suffix from a type's spelling (`unsigned long long`) made a valid identifier
        // by the naming pass's rule.
        names.insert(*index, rust_name(&name));
    }
    names
}

/// The idiomatic form of the method in `class`'s own slot `slot` (which ends an object's life
/// as `ends_life` says), named `name` unless `taken`.
pub(super) fn form(
    model: &LaidOutApi,
    class: &Class,
    slot: &Slot,
    ends_life: Option<EndsLife>,
    name: &str,
    taken: &mut Vec<String>,
) -> Form {
    match idiomatic(model, class, slot, ends_life, name, taken) {
        Ok(form) => {
            taken.extend(form.names().map(str::to_string));
            Form::Idiomatic(Box::new(form))
        }
        Err(reason) => Form::Raw(reason),
    }
}

fn idiomatic(
    model: &LaidOutApi,
    class: &Class,
    slot: &Slot,
    ends_life: Option<EndsLife>,
    name: &str,
    taken: &[String],
) -> Result<Idiomatic, Refusal> {
    let (api, method) = (&model.api, model.method(slot));
    refuse_life_ending(ends_life)?;
    // A contract no borrow can express makes the form an `unsafe fn` that states it.
    let safety = policy::resumes_the_pipeline(api, &class.name, &method.name)
        .then(|| policy::RESUME_CONTRACT.to_string());
    refuse_unreadable_sal(method)?;
    let mut args: Vec<Option<Role>> = vec![None; method.params.len()];
    // Lengths and counts first: they are named by the parameters they size.
    let ret = return_value(api, method, &mut args)?;
    mark_buffer_sizes(api, class, method, &mut args)?;
    hungarian_lengths(method, &mut args);
    let roles = remaining_roles(model, class, method, args)?;
    refuse_aliasing_buffers(&roles)?;
    refuse_unguardable(api, class, &ret, &roles)?;
    let borrowing = borrowing(api, class, method, name, ret, roles, safety.is_some())?;

    let args = with_defaults(model, method, model.method_id(slot), borrowing.roles)?;
    let has_short_form = args.iter().any(|a| a.default.is_some());
    let name = free_name(name, taken);
    let full_name = has_short_form.then(|| format!("{name}_with"));
    let mut form = Idiomatic {
        name,
        receiver: borrowing.receiver,
        args,
        ret: borrowing.ret,
        full_name,
        mut_name: borrowing.mut_name,
        safety,
        signature: Default::default(),
        full_signature: None,
        mut_signature: None,
    };
    // The Rust types, made once: a type with no Rust name keeps the method raw (the raw
    // method's own emitter reports it).
    let types = crate::rust_types::TypeMapper::new(model);
    let made = |variant| signature::signature(&types, &form, variant).map_err(Refusal::Unbound);
    let short = made(Variant::Short)?;
    let full = (form.full_name.is_some())
        .then(|| made(Variant::Full))
        .transpose()?;
    let exclusive = (form.mut_name.is_some())
        .then(|| made(Variant::Exclusive))
        .transpose()?;
    (form.signature, form.full_signature, form.mut_signature) = (short, full, exclusive);
    Ok(form)
}

/// A destructor or a release ends the object's life, which no borrow of it can express.
fn refuse_life_ending(ends_life: Option<EndsLife>) -> Result<(), Refusal> {
    match ends_life {
        Some(EndsLife::Own) => Err(Refusal::EndsOwnLife),
        Some(EndsLife::HandedOut) => Err(Refusal::EndsHandedOutLife),
        None => Ok(()),
    }
}

/// The roles come from the SAL annotations: one the parser could not read, or one that
/// holds only under a condition, leaves the method's contract unknown.
fn refuse_unreadable_sal(method: &Method) -> Result<(), Refusal> {
    let sals = method
        .params
        .iter()
        .map(|p| &p.sal)
        .chain([&method.return_sal]);
    for sal in sals {
        if sal.conditional {
            return Err(Refusal::ConditionalSal(sal.written.clone()));
        }
        // A contradiction (`_In_` on a buffer `_Out_writes_` says C++ writes) has no one
        // reading; picking one would be a guess.
        if let Some(both) = sal.unknown.iter().find(|u| u.contains(" contradicts ")) {
            return Err(Refusal::ContradictorySal(both.clone()));
        }
        if !sal.unknown.is_empty() {
            return Err(Refusal::UnknownSal(sal.unknown.clone()));
        }
    }
    Ok(())
}

/// Two buffers C++ hands out to be written may be the same memory (SAL does not say they
/// are distinct), and two `&mut [u8]` to one memory is undefined behaviour.
fn refuse_aliasing_buffers(roles: &[Role]) -> Result<(), Refusal> {
    let handed_out = roles
        .iter()
        .filter(|r| matches!(r, Role::Out(Out::BufferMut { .. })))
        .count();
    if handed_out > 1 {
        return Err(Refusal::SeveralBuffersToWrite);
    }
    Ok(())
}

/// A guard for an object to release (`Out::Child`) holds the exclusive borrow of `self`: it
/// needs a class IIS gives one request at a time, an `HRESULT` to report a failed call
/// with, and no other output borrowing `self`.
fn refuse_unguardable(api: &Api, class: &Class, ret: &Ret, roles: &[Role]) -> Result<(), Refusal> {
    if !roles
        .iter()
        .any(|r| matches!(r, Role::Out(Out::Child { .. })))
    {
        return Ok(());
    }
    let outputs = roles.iter().filter(|r| matches!(r, Role::Out(_))).count();
    if !policy::request_owned(api, &class.name) || *ret != Ret::Result || outputs > 1 {
        return Err(Refusal::UnguardableRelease);
    }
    Ok(())
}

/// Marks the parameters that size a buffer: the count an output buffer reports back, the
/// length of an input buffer, the capacity an in-out buffer's length carries both ways.
fn mark_buffer_sizes(
    api: &Api,
    class: &Class,
    method: &Method,
    args: &mut [Option<Role>],
) -> Result<(), Refusal> {
    for (i, param) in method.params.iter().enumerate() {
        let Some(buffer) = &param.sal.buffer else {
            continue;
        };
        if param.sal.pointer_out {
            match sizes::returned_length(buffer) {
                SizeExpr::Deref(_) => {
                    let (len, capacity) = sizes::written_counts(method, buffer, Some(i))?;
                    for count in std::iter::once(len).chain(capacity) {
                        mark(args, Some(count), Role::CountOut)?;
                    }
                }
                // The caller's count, checked where the output's role is given.
                SizeExpr::Param(_) | SizeExpr::Literal(_) => {}
                other => return Err(Refusal::SizedBy(other.clone())),
            }
            continue;
        }
        let unit = policy::buffer_unit(api, &class.name, &method.name, &param.name, buffer.unit);
        match &buffer.capacity {
            SizeExpr::Param(n) => {
                let count = sizes::input_count(method, n, i)?;
                mark(args, Some(count), Role::Length { of: i, unit })?;
            }
            // `_Inout_updates_(*n)`: the capacity goes in through `n`, and what C++
            // puts there comes back.
            SizeExpr::Deref(n) if param.sal.direction == Some(Direction::InOut) => {
                let count = sizes::updated_count(method, n, i)?;
                let role = Role::InOutLength {
                    of: i,
                    unit,
                    count: sizes::written_integer(method, count),
                };
                mark(args, Some(count), role)?;
            }
            other => return Err(Refusal::SizedBy(other.clone())),
        }
    }
    Ok(())
}

/// The role of every parameter no length or count claimed: the `fAsync` flag fixed to
/// false, the rest by `param_role`, then the ownership rules (`ownership`).
fn remaining_roles(
    model: &LaidOutApi,
    class: &Class,
    method: &Method,
    mut args: Vec<Option<Role>>,
) -> Result<Vec<Role>, Refusal> {
    let sized: Vec<bool> = (0..method.params.len())
        .map(|i| {
            args.iter().any(|r| {
                matches!(r, Some(Role::Length { of, .. } | Role::InOutLength { of, .. }) if *of == i)
            })
        })
        .collect();
    let api = &model.api;
    let retained = policy::retains_arguments(api, &class.name, &method.name);
    for (i, param) in method.params.iter().enumerate() {
        if args[i].is_some() {
            continue;
        }
        if policy::is_async_flag(param) {
            args[i] = Some(Role::Fixed(Value::Bool(false)));
            continue;
        }
        let role = param_role(api, method, param, sized[i])
            .and_then(|role| ownership(model, class, method, param, role))
            .map_err(|why| why.of_parameter(&param.name))?;
        args[i] = Some(role);
    }
    let roles: Vec<Role> = args
        .into_iter()
        .map(|r| r.expect("every role set"))
        .collect();
    // No borrow for the call may be given to what IIS keeps after it: a chunk
    // (WriteEntityChunkByReference), a buffer sized by another parameter (InsertEntityBody's,
    // whose role was set before this loop), any borrowed input.
    let borrowed = |role: &Role| match role {
        Role::In { ty, .. } => !matches!(ty, In::Bool | In::Value(_) | In::Owned(_)),
        _ => false,
    };
    if let Some(at) = roles.iter().position(|role| retained && borrowed(role)) {
        return Err(Refusal::Retained.of_parameter(&method.params[at].name));
    }
    Ok(roles)
}

/// What IIS's ownership rules make of a parameter's role: an object IIS takes over is passed
/// owned; one IIS keeps after the call without taking it over (no documented release) has
/// no safe form; a non-`const` pointer to an object IIS gives one request at a time is
/// passed exclusive (IIS may mutate it, and hand it to modules as `&mut`, during the call);
/// an object handed out for the caller to release comes back in a guard that releases it.
fn ownership(
    model: &LaidOutApi,
    class: &Class,
    method: &Method,
    param: &crate::ir::Param,
    role: Role,
) -> Result<Role, Refusal> {
    let api = &model.api;
    let (c, m) = (&class.name, &method.name);
    Ok(match role {
        Role::In {
            ty: In::Interface(object),
            optional,
        } => {
            if policy::takes_ownership(api, c, m, &param.name) {
                if optional {
                    return Err(Refusal::OptionalTakenOver(object));
                }
                Role::In {
                    ty: In::Owned(object),
                    optional,
                }
            } else if policy::retains_arguments(api, c, m) {
                return Err(Refusal::RetainedObject(object));
            } else if super::types::interface(api, &param.ty).is_some_and(|(_, mutable)| mutable)
                && policy::request_owned(api, &object)
            {
                Role::In {
                    ty: In::InterfaceMut(object),
                    optional,
                }
            } else {
                Role::In {
                    ty: In::Interface(object),
                    optional,
                }
            }
        }
        Role::Out(Out::Interface { ref class, .. }) => {
            match policy::released_by(api, c, m, &param.name) {
                Some(release) => Role::Out(Out::Child {
                    release: release_slot(model, class, release)?,
                    class: class.clone(),
                    parent: c.clone(),
                }),
                None => role,
            }
        }
        other => other,
    })
}

/// The Rust name of the raw method `release` that `class` declares, which a guard calls (as
/// `Class::Release`, taking the object pointer).
fn release_slot(model: &LaidOutApi, class: &str, release: &str) -> Result<String, Refusal> {
    model
        .layout(class)
        .own_slots()
        .iter()
        .find(|slot| model.method(slot).name == release && model.method(slot).params.is_empty())
        .map(|slot| slot.rust_name.clone())
        .ok_or_else(|| Refusal::NoRelease {
            class: class.to_string(),
            release: release.to_string(),
        })
}

/// How the form borrows `self`, and the result and roles as that borrow allows them.
struct Borrowing {
    receiver: Receiver,
    ret: Ret,
    roles: Vec<Role>,
    /// The `_mut` form of an interface getter.
    mut_name: Option<String>,
}

fn borrowing(
    api: &Api,
    class: &Class,
    method: &Method,
    name: &str,
    ret: Ret,
    roles: Vec<Role>,
    resumes_the_pipeline: bool,
) -> Result<Borrowing, Refusal> {
    let request_owned = policy::request_owned(api, &class.name);
    let receiver = receiver(request_owned, method, &ret, &roles)?;
    let interface_getter = method.params.is_empty()
        && matches!(&ret, Ret::Interface { mutable: true, .. })
        && request_owned;
    // A getter of an object hands it out shared from `&self`, and exclusive from the `_mut`
    // form.
    let (receiver, ret) = match (interface_getter, ret) {
        (true, Ret::Interface { class, .. }) => (
            Receiver::Shared,
            Ret::Interface {
                class,
                mutable: false,
            },
        ),
        (_, ret) => (receiver, ret),
    };
    let mut_name = interface_getter.then(|| format!("{name}_mut"));
    // IIS may call the module again (and hand it the request exclusively) before a resuming
    // call returns: the call itself claims no exclusive borrow.
    let receiver = if resumes_the_pipeline {
        Receiver::Shared
    } else {
        receiver
    };
    // Only an exclusive borrow of `self` can hand out exclusive references.
    let (ret, roles) = if receiver == Receiver::Shared {
        (
            shared_ret(ret),
            roles.into_iter().map(shared_role).collect(),
        )
    } else {
        (ret, roles)
    };
    Ok(Borrowing {
        receiver,
        ret,
        roles,
        mut_name,
    })
}

/// The borrow of `self` the method needs before any getter or resume adjustment.
fn receiver(
    request_owned: bool,
    method: &Method,
    ret: &Ret,
    roles: &[Role],
) -> Result<Receiver, Refusal> {
    // Data handed out by a method that could also invalidate it must be protected by an
    // exclusive borrow, which only request-owned classes can give.
    let hands_out_data = matches!(ret, Ret::Str { .. } | Ret::Buffer { .. } | Ret::Ref { .. })
        || roles.iter().any(|r| {
            matches!(
                r,
                Role::Out(Out::Buffer { .. } | Out::BufferMut { .. } | Out::Str { .. })
            )
        });
    let mutable_result = matches!(
        ret,
        Ret::Interface { mutable: true, .. } | Ret::Ref { mutable: true, .. }
    ) || roles
        .iter()
        .any(|r| matches!(r, Role::Out(Out::BufferMut { .. } | Out::Child { .. })))
        || roles.iter().any(|r| {
            matches!(
                r,
                Role::Out(Out::Interface { mutable: true, .. } | Out::Ref { mutable: true, .. })
            )
        });
    if request_owned && (!method.is_const || mutable_result) {
        Ok(Receiver::Exclusive)
    } else if hands_out_data && !method.is_const {
        Err(Refusal::SharedDataFromNonConst)
    } else {
        Ok(Receiver::Shared)
    }
}

fn shared_ret(ret: Ret) -> Ret {
    match ret {
        Ret::Interface { class, .. } => Ret::Interface {
            class,
            mutable: false,
        },
        Ret::Ref { ty, .. } => Ret::Ref { ty, mutable: false },
        other => other,
    }
}

fn shared_role(role: Role) -> Role {
    match role {
        Role::Out(Out::Interface {
            class, optional, ..
        }) => Role::Out(Out::Interface {
            class,
            mutable: false,
            optional,
        }),
        Role::Out(Out::Ref { ty, optional, .. }) => Role::Out(Out::Ref {
            ty,
            mutable: false,
            optional,
        }),
        other => other,
    }
}

/// `name`, or, when a raw method or another idiomatic one has it, `name_safe` (the safe
/// form of a C++ method already named in snake_case), then `_2`, `_3`…
fn free_name(name: &str, taken: &[String]) -> String {
    let name = if taken.iter().any(|t| t == name) {
        format!("{name}_safe")
    } else {
        name.to_string()
    };
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    candidate
}

/// Which C++ defaults become the short form (trailing defaulted parameters whose default
/// has a Rust spelling); roles unchanged.
fn with_defaults(
    model: &LaidOutApi,
    method: &Method,
    id: MethodId,
    roles: Vec<Role>,
) -> Result<Vec<Arg>, Refusal> {
    let api = &model.api;
    // The parameters as the naming pass named them (valid, unnamed ones given stand-ins).
    let raw_names = model.names().params(id);
    let mut args: Vec<Arg> = raw_names
        .iter()
        .zip(roles)
        .map(|(raw, role)| Arg {
            name: param_name(raw),
            role,
            default: None,
        })
        .collect();
    // A buffer whose length another parameter carries is left out only with that length;
    // the length is computed from the slice, so the slice stays a parameter.
    let sized: Vec<bool> = (0..args.len())
        .map(|i| {
            args.iter().any(
                |a| matches!(a.role, Role::Length { of, .. } | Role::InOutLength { of, .. } if of == i),
            )
        })
        .collect();
    for ((arg, param), sized) in args.iter_mut().zip(&method.params).zip(sized).rev() {
        let Some(text) = &param.default else {
            break;
        };
        if sized {
            break;
        }
        let Some(value) = defaults::value(api, &param.ty, text) else {
            break;
        };
        match (&arg.role, &value) {
            (Role::In { .. }, _) | (Role::Out(_), Value::Null) => arg.default = Some(value),
            _ => {}
        }
    }
    // Rust names must be distinct (Hungarian prefixes removed may collide).
    let mut seen: Vec<String> = Vec::new();
    for arg in &mut args {
        let mut name = arg.name.clone();
        let mut n = 2;
        while seen.contains(&name) || name == "self" || model.names().is_taken_local(&name) {
            name = format!("{}_{n}", arg.name);
            n += 1;
        }
        seen.push(name.clone());
        arg.name = name;
    }
    Ok(args)
}
