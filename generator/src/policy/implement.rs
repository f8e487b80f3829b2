//! What the generated Rust does around a Rust implementation of each class and method, worked
//! out once after layout and kept by typed id ([`ClassId`], [`MethodId`]): the `_Impl` trait's
//! threading bounds and lifetime docs, each trait method's default body, what its thunk does
//! after the call or on panic, whether the raw wrapper may end the object's life, and the unit
//! IIS counts each buffer in (for the `# Safety` docs). The
//! emitters print these facts; they ask no rule themselves.

use super::{
    buffer_unit, ends_life, inherited_threading, lifetime, lifetime_doc, method_policy,
    releasing_methods, threading, EndsLife, Lifetime, MethodPolicy, Threading,
};
use crate::ir::Unit;
use crate::layout::{ClassId, LaidOutApi, MethodId};

/// The implementation facts of every class and declared method of one API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Implementations {
    /// By class index (header order).
    classes: Vec<ImplementedClass>,
    /// By class index, then by the method's index among the class's declared methods.
    methods: Vec<Vec<ImplementedMethod>>,
}

/// What a class's `_Impl` trait says of threads and lifetimes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImplementedClass {
    /// The class's own threading rule: the trait's `Send` (and `Sync`) supertraits. A base's
    /// rule reaches the trait through the base's trait.
    pub own_threading: Option<Threading>,
    /// The rule through the class or a base, with the reason: the trait's docs and the
    /// `Owned` thread markers.
    pub threading: Option<(Threading, &'static str)>,
    /// The methods of the class and its bases, by C++ name, whose call ends (or may end) the
    /// object's life.
    pub releasing_methods: Vec<&'static str>,
    /// Whether the class or a base declares a destructor (which ends the object's life too).
    pub has_destructor: bool,
}

/// What a trait method without an implementation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultBody {
    /// No default: the implementation must provide the method.
    Required,
    /// `{}`: a lifetime slot, whose effect the thunk applies after the call.
    Empty,
    /// Returns this value (the C++ base class's behaviour).
    Returns(super::Value),
}

/// What the generated Rust does around one implemented method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImplementedMethod {
    /// The trait method's default body.
    pub default: DefaultBody,
    /// The value on panic (and its docs); ignored by a slot with a `lifetime`, whose thunk
    /// swallows the panic and applies the effect anyway.
    pub policy: MethodPolicy,
    /// What the call does to the object's life, which the thunk applies after it, with the
    /// trait method's docs for it.
    pub lifetime: Option<(Lifetime, &'static str)>,
    /// Whether the call may end an object's life: the raw wrapper then takes the object
    /// pointer, and the method keeps only its raw form.
    pub ends_life: Option<EndsLife>,
    /// Per parameter, the unit IIS counts a SAL-sized buffer in (SAL's own, or bytes where
    /// a knowledge row says IIS counts bytes); `None` for a parameter SAL does not size.
    pub buffer_units: Vec<Option<Unit>>,
}

impl Implementations {
    /// The facts of every class and declared method of `model`.
    pub fn new(model: &LaidOutApi) -> Implementations {
        let api = &model.api;
        let mut classes = Vec::new();
        let mut methods = Vec::new();
        for (id, class, _) in model.identified_classes() {
            debug_assert_eq!(id.index(), classes.len());
            let has_destructor = api.chain(&class.name).any(|c| {
                api.class(c)
                    .is_some_and(|c| c.methods.iter().any(|m| m.is_destructor))
            });
            classes.push(ImplementedClass {
                own_threading: threading(&class.name).map(|(threading, _)| threading),
                threading: inherited_threading(api, &class.name),
                releasing_methods: releasing_methods(api, &class.name),
                has_destructor,
            });
            let declared = class.methods.iter().map(|method| {
                let lifetime = lifetime(api, &class.name, method);
                let policy = method_policy(api, method);
                let default = match (lifetime, policy.default) {
                    (Some(_), _) => DefaultBody::Empty,
                    (None, Some(value)) => DefaultBody::Returns(value),
                    (None, None) => DefaultBody::Required,
                };
                ImplementedMethod {
                    default,
                    policy,
                    lifetime: lifetime.map(|lifetime| (lifetime, lifetime_doc(lifetime))),
                    ends_life: ends_life(api, &class.name, method),
                    buffer_units: method
                        .params
                        .iter()
                        .map(|param| {
                            let buffer = param.sal.buffer.as_ref()?;
                            let unit = buffer.unit;
                            Some(buffer_unit(
                                api,
                                &class.name,
                                &method.name,
                                &param.name,
                                unit,
                            ))
                        })
                        .collect(),
                }
            });
            methods.push(declared.collect());
        }
        Implementations { classes, methods }
    }

    /// The facts of the class `id`.
    pub fn class(&self, id: ClassId) -> &ImplementedClass {
        &self.classes[id.index()]
    }

    /// The facts of the method `id`.
    pub fn method(&self, id: MethodId) -> &ImplementedMethod {
        &self.methods[id.class.index()][id.method.0]
    }
}
