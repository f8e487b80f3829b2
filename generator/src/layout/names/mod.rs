//! The naming pass: every identifier the bindings define, decided once, so the emitters read
//! names here instead of formatting their own. One rule for all of them:
//!
//! 1. **Valid.** A C++ name becomes a Rust identifier by [`rust_name`]: characters no Rust
//!    identifier holds (`$`) become `_`, a keyword takes a trailing `_` (`type_`); letters
//!    beyond ASCII stay (`Grüße`), except in module names, which name files and must be
//!    ASCII ([`module_name`]).
//! 2. **Reserved.** A name the generated code or the generated crate already uses in that
//!    namespace takes a trailing `_` as a keyword does: in the type namespace `Option`,
//!    `Send`, `T`, `windows_sys`, `runtime`, … ([`RESERVED_TYPES`]); in the value namespace
//!    `None`, `Some`, and the locals the generated code binds, `this`, `value`, …
//!    ([`RESERVED_VALUES`]); for slots the helpers every class has, `new`, `from_raw`, …
//!    ([`HELPER_METHODS`]).
//! 3. **Header names first.** In each namespace — the bindings' types (classes, enums,
//!    structs, typedefs, opaque types, then modules), their values (constants and
//!    enumerators), one struct's fields, one method's parameters (which must also differ
//!    from every value name: a parameter is a pattern) — a name written in the header that
//!    rules 1–2 leave unchanged is kept. Then, in header order, the names rules 1–2
//!    changed, scoped enumerators (`Color::Red` is `Color_Red`), unnamed parameters
//!    (`param<i>`) and generated names (`<class>_Vtbl`, `<class>_Impl`, `IID_<class>`, an
//!    interface alias's `<alias>_Vtbl`, module names) take theirs — or, when it is taken,
//!    the first free of `<name>_2`, `<name>_3`, ….
//! 4. **Slots** (vtable fields, calling wrappers, `_Impl` methods) follow the overload
//!    rules of `slots.rs`, checked against the same keywords and helper names and against
//!    every slot name of the class and its bases.
//!
//! A header without hazards keeps every name it writes, and every generated name is the
//! C++ name with its suffix (`IHttpRequest_Vtbl`), as before this pass.

mod ident;
mod slots;
#[cfg(test)]
mod tests;

pub use ident::{
    module_name, rust_name, HELPER_METHODS, RESERVED_FIELDS, RESERVED_LOCALS, RESERVED_PARAMS,
    RESERVED_TYPES, RESERVED_VALUES,
};
pub(super) use slots::own_slot_names;
pub use slots::{
    method_base_name, overload_difference, overload_suffix, type_identifier, OverloadDifference,
    DESTRUCTOR, OPERATORS,
};

use super::MethodId;
use crate::ir::{Api, TypeKind};
use std::collections::{BTreeMap, BTreeSet};

/// The Rust names of one class's items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassNames {
    /// The interface struct (`*mut IFoo` is C++'s `IFoo*`).
    pub object: String,
    pub vtable: String,
    pub implement: String,
    /// `IID_IFoo`, for classes with a uuid.
    pub iid: Option<String>,
    /// The module (file) the class is emitted in.
    pub module: String,
}

/// Every name the bindings define, by the C++ declaration it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Names {
    classes: BTreeMap<String, ClassNames>,
    /// Enums, structs, typedefs and emitted opaque types.
    types: BTreeMap<String, String>,
    /// Interface aliases (`typedef IFoo IBar;`) → their `_Vtbl` alias.
    alias_vtables: BTreeMap<String, String>,
    /// Constants and unscoped enumerators, which C++ names at namespace scope.
    values: BTreeMap<String, String>,
    /// (enum, enumerator) → name, scoped enumerators included.
    enumerators: BTreeMap<(String, String), String>,
    /// (struct, field index) → name.
    fields: BTreeMap<(String, usize), String>,
    /// Each method's parameters' names: by class (`ClassId`), then method (`MethodIndex`).
    params: Vec<Vec<Vec<String>>>,
    types_module: String,
    /// Every name of the bindings' value namespace.
    value_names: BTreeSet<String>,
}

/// The module of the non-class items, when no header name takes it.
pub const TYPES_MODULE: &str = "types";

/// Names claimed in one namespace (rule 3).
struct Claims {
    taken: BTreeSet<String>,
    reserved: &'static [&'static str],
}

impl Claims {
    fn new(reserved: &'static [&'static str]) -> Claims {
        Claims {
            taken: BTreeSet::new(),
            reserved,
        }
    }

    /// Claims `name` as written if rules 1–2 leave it unchanged and it is free.
    fn keep(&mut self, name: &str) -> Option<String> {
        let unchanged = rust_name(name) == name && !self.reserved.contains(&name);
        (unchanged && self.taken.insert(name.to_string())).then(|| name.to_string())
    }

    /// Claims `candidate` made valid and unreserved, or its first free `_2`, `_3`, ….
    fn claim(&mut self, candidate: &str) -> String {
        let mut base = rust_name(candidate);
        if self.reserved.contains(&base.as_str()) {
            base.push('_');
        }
        let mut name = base.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }

    /// [`Claims::keep`], else [`Claims::claim`] later: the two passes of rule 3 over
    /// `names` (in order), giving each its claimed name.
    fn header_names<'n>(&mut self, names: impl Iterator<Item = &'n str> + Clone) -> Vec<String> {
        let kept: Vec<Option<String>> = names.clone().map(|n| self.keep(n)).collect();
        names
            .zip(kept)
            .map(|(name, kept)| kept.unwrap_or_else(|| self.claim(name)))
            .collect()
    }
}

impl Names {
    /// Names every item of `api`.
    pub fn new(api: &Api) -> Names {
        let mut names = Names::default();
        names.name_types(api);
        names.name_values(api);
        for record in &api.structs {
            let mut claims = Claims::new(&[]);
            let fields = claims.header_names(record.fields.iter().map(|f| f.name.as_str()));
            for (index, name) in fields.into_iter().enumerate() {
                names.fields.insert((record.name.clone(), index), name);
            }
        }
        for class in &api.classes {
            let methods = (class.methods.iter())
                .map(|method| names.name_params(method.params.iter().map(|p| p.name.as_str())))
                .collect();
            names.params.push(methods);
        }
        names
    }

    fn name_types(&mut self, api: &Api) {
        let mut claims = Claims::new(RESERVED_TYPES);
        let emitted_opaque = api
            .opaque_types
            .iter()
            .filter(|o| crate::knowledge::known_path(o).is_none());
        let header: Vec<&str> = api
            .classes
            .iter()
            .map(|c| c.name.as_str())
            .chain(api.enums.iter().map(|e| e.name.as_str()))
            .chain(api.structs.iter().map(|s| s.name.as_str()))
            .chain(api.typedefs.iter().map(|t| t.name.as_str()))
            .chain(emitted_opaque.map(String::as_str))
            .collect();
        let claimed = claims.header_names(header.iter().copied());
        let mut claimed = header.iter().zip(claimed);
        let objects: Vec<String> = api
            .classes
            .iter()
            .map(|_| claimed.next().expect("one per class").1)
            .collect();
        for (cpp, rust) in claimed {
            self.types.insert(cpp.to_string(), rust);
        }
        let generated: Vec<(String, String)> = objects
            .iter()
            .map(|object| {
                (
                    claims.claim(&format!("{object}_Vtbl")),
                    claims.claim(&format!("{object}_Impl")),
                )
            })
            .collect();
        for typedef in &api.typedefs {
            if let TypeKind::Record { name } = &typedef.target.kind {
                if api.class(name).is_some() {
                    let alias = format!("{}_Vtbl", self.types[&typedef.name]);
                    self.alias_vtables
                        .insert(typedef.name.clone(), claims.claim(&alias));
                }
            }
        }
        self.types_module = claims.claim(TYPES_MODULE);
        // Classes of one family (a name and its numbered successors) share a module.
        let mut modules: BTreeMap<String, String> = BTreeMap::new();
        for ((class, object), (vtable, implement)) in api.classes.iter().zip(objects).zip(generated)
        {
            let stem = family_stem(&object).to_string();
            let module = modules
                .entry(stem)
                .or_insert_with_key(|stem| claims.claim(&module_name(&stem_case(stem))))
                .clone();
            self.classes.insert(
                class.name.clone(),
                ClassNames {
                    object,
                    vtable,
                    implement,
                    iid: None,
                    module,
                },
            );
        }
    }

    fn name_values(&mut self, api: &Api) {
        let mut claims = Claims::new(RESERVED_VALUES);
        let unscoped = api
            .enums
            .iter()
            .filter(|e| !api.details.scoped_enums.contains(&e.name));
        let header: Vec<&str> = api
            .constants
            .iter()
            .map(|c| c.name.as_str())
            .chain(unscoped.flat_map(|e| e.variants.iter().map(|v| v.name.as_str())))
            .collect();
        let claimed = claims.header_names(header.iter().copied());
        for (cpp, rust) in header.iter().zip(claimed) {
            self.values.insert(cpp.to_string(), rust);
        }
        for e in &api.enums {
            let scoped = api.details.scoped_enums.contains(&e.name);
            for v in &e.variants {
                let name = if scoped {
                    claims.claim(&format!("{}_{}", self.types[&e.name], v.name))
                } else {
                    self.values[&v.name].clone()
                };
                self.enumerators
                    .insert((e.name.clone(), v.name.clone()), name);
            }
        }
        for class in api.classes.iter().filter(|c| c.uuid.is_some()) {
            let names = self.classes.get_mut(&class.name).expect("named above");
            names.iid = Some(claims.claim(&format!("IID_{}", names.object)));
        }
        self.value_names = claims.taken;
    }

    /// One method's parameters (empty: unnamed): every value name is taken, and
    /// [`RESERVED_PARAMS`]; unnamed parameters are `param<i>`.
    fn name_params<'p>(&self, params: impl Iterator<Item = &'p str>) -> Vec<String> {
        let mut claims = Claims::new(RESERVED_PARAMS);
        claims.taken.extend(self.value_names.iter().cloned());
        let written: Vec<&str> = params.collect();
        let kept: Vec<Option<String>> = written
            .iter()
            .map(|name| (!name.is_empty()).then(|| claims.keep(name)).flatten())
            .collect();
        written
            .iter()
            .enumerate()
            .zip(kept)
            .map(|((index, name), kept)| {
                kept.unwrap_or_else(|| match *name {
                    "" => claims.claim(&format!("param{index}")),
                    name => claims.claim(name),
                })
            })
            .collect()
    }

    /// The names of class `class`'s items; panics for a class the API does not declare.
    pub fn class(&self, class: &str) -> &ClassNames {
        &self.classes[class]
    }

    /// The Rust name of a class, enum, struct, typedef or emitted opaque type of the API.
    pub fn type_name(&self, cpp: &str) -> Option<&str> {
        self.classes
            .get(cpp)
            .map(|c| c.object.as_str())
            .or_else(|| self.types.get(cpp).map(String::as_str))
    }

    /// The `_Vtbl` alias of an interface alias typedef.
    pub fn alias_vtable(&self, typedef: &str) -> Option<&str> {
        self.alias_vtables.get(typedef).map(String::as_str)
    }

    /// The Rust name of a constant or an unscoped enumerator.
    pub fn value(&self, cpp: &str) -> Option<&str> {
        self.values.get(cpp).map(String::as_str)
    }

    /// The Rust name of enumerator `name` of enum `enumeration`.
    pub fn enumerator(&self, enumeration: &str, name: &str) -> &str {
        &self.enumerators[&(enumeration.to_string(), name.to_string())]
    }

    /// The Rust name of field `index` of struct `record`.
    pub fn field(&self, record: &str, index: usize) -> &str {
        &self.fields[&(record.to_string(), index)]
    }

    /// The Rust names of method `method`'s parameters.
    pub fn params(&self, method: MethodId) -> &[String] {
        &self.params[method.class.index()][method.method.0]
    }

    /// The module of the constants, enums, typedefs, structs and opaque types.
    pub fn types_module(&self) -> &str {
        &self.types_module
    }

    /// Whether an idiomatic method's argument may not be called `name`: a value of the
    /// bindings has it (the argument would be a pattern), or [`RESERVED_LOCALS`] does.
    pub fn is_taken_local(&self, name: &str) -> bool {
        self.value_names.contains(name) || RESERVED_LOCALS.contains(&name)
    }
}

/// A class's family: its name without a trailing version number (`IHttpRequest4` →
/// `IHttpRequest`); classes of one family share a file.
pub fn family_stem(class: &str) -> &str {
    let stem = class.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.is_empty() {
        class
    } else {
        stem
    }
}

/// `IHttpRequest` → `i_http_request`, `HTTPVersion` → `http_version`, `HTTP_TRACE` →
/// `http_trace`, `Url2` → `url2`: words split at case changes, runs of underscores kept as
/// one, none leading or trailing. The naming rules of files, types and the idiomatic
/// methods all use this one.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let previous = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if (previous.is_ascii_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_ascii_uppercase() && next_is_lower))
                && !out.ends_with('_')
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out.trim_end_matches('_').to_string()
}

/// A file or module stem: [`snake_case`], keeping the trailing `_` of a name that yielded to
/// another (`Option_` → `option_`, so it does not take `option` back).
pub fn stem_case(name: &str) -> String {
    let mut stem = snake_case(name);
    if name.ends_with('_') {
        stem.push('_');
    }
    stem
}
