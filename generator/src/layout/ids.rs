//! Typed ids for the laid-out model: a class by its place in the header, a method by its place
//! among its class's declarations, a slot by its place in its class's vtable. Per-method facts
//! (parameter names, the idiomatic forms, the manifest's signatures) are keyed by them, so a
//! lookup copies two integers instead of allocating a class name, and a slot index cannot be
//! passed where a method index is meant.

/// A class of the API: its index in `Api::classes` (header order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClassId(usize);

impl ClassId {
    /// The id of the class at `index` of `Api::classes`.
    pub(super) fn new(index: usize) -> ClassId {
        ClassId(index)
    }

    /// The class's index in `Api::classes`.
    pub fn index(self) -> usize {
        self.0
    }
}

/// A slot's place in its class's vtable (`Slot::index`), inherited slots first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotIndex(pub usize);

/// A method's place among its class's declared methods (`Class::methods`, `Slot::method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MethodIndex(pub usize);

/// One declared method of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MethodId {
    pub class: ClassId,
    pub method: MethodIndex,
}

impl MethodId {
    /// The `index`th method `class` declares.
    pub fn new(class: ClassId, index: usize) -> MethodId {
        MethodId {
            class,
            method: MethodIndex(index),
        }
    }
}

/// One slot of the API, named by the class that introduced it: where the facts about the
/// method in it live, whichever derived class's vtable repeats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotId {
    pub class: ClassId,
    pub slot: SlotIndex,
}
