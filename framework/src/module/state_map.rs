//! Several typed values on one request for one module. IIS gives a module one slot in the
//! request's module context container (`SetModuleContext` refuses a second), so the value the
//! framework stores there is a [`StateMap`]: one value per type, like `http::Extensions`, each
//! boxed where it stays until the request ends, so a reference handed out stays valid while
//! others are added. Values are only added (never replaced or removed) until IIS cleans the
//! stored context up, which drops them all.

use crate::runtime;
use alloc::boxed::Box;
use core::any::Any;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, Ordering};

/// The values, newest first, in a list that only grows: a reader walks it while the one
/// writer (the module's notification, which has the request exclusively) pushes in front.
pub(crate) struct StateMap {
    head: AtomicPtr<Entry>,
}

/// One value, boxed on its own so that its address never changes.
struct Entry {
    value: NonNull<dyn Any + Send + Sync>,
    next: *mut Entry,
}

impl StateMap {
    pub fn new() -> StateMap {
        StateMap {
            head: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The value of type `T`, if one was added.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        let mut at = self.head.load(Ordering::Acquire);
        while !at.is_null() {
            // SAFETY: entries are made by `insert` (boxed, published with Release, which the
            // Acquire above and the list's immutability after publication make visible) and
            // freed only by `drop`, which has `self` exclusively.
            let entry = unsafe { &*at };
            // SAFETY: as above: the value lives as long as its entry.
            let value = unsafe { entry.value.as_ref() };
            if let Some(value) = value.downcast_ref::<T>() {
                return Some(value);
            }
            at = entry.next;
        }
        None
    }

    /// Adds `value`, unless a value of its type is there (then `value` comes back). The
    /// reference is valid as long as the map.
    pub fn insert<T: Send + Sync + 'static>(&self, value: T) -> Result<&T, T> {
        if self.get::<T>().is_some() {
            return Err(value);
        }
        let value: NonNull<T> = NonNull::from(Box::leak(Box::new(value)));
        let entry = Box::into_raw(Box::new(Entry {
            value,
            next: ptr::null_mut(),
        }));
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: `entry` is ours until published.
            unsafe { (*entry).next = head };
            match self
                .head
                .compare_exchange_weak(head, entry, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => head = now,
            }
        }
        // SAFETY: the value lives until the map is dropped, and nothing hands out `&mut T`.
        Ok(unsafe { value.as_ref() })
    }
}

impl Drop for StateMap {
    /// Drops every value, each on its own: a panic in one value's `Drop` is caught and
    /// reported, and the others are still dropped (nothing leaks, nothing unwinds into IIS).
    fn drop(&mut self) {
        let mut at = *self.head.get_mut();
        while !at.is_null() {
            // SAFETY: made by `insert` with Box::into_raw, freed once, here, with the map
            // held exclusively.
            let entry = unsafe { Box::from_raw(at) };
            at = entry.next;
            let value = entry.value.as_ptr();
            runtime::guard(
                // SAFETY: made by `insert` with Box::leak, dropped once, here.
                || unsafe { drop(Box::from_raw(value)) },
                |_| (),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StateMap;

    #[test]
    fn one_value_per_type_and_references_outlive_later_inserts() {
        let map = StateMap::new();
        let first = map.insert(7u32).unwrap();
        let second = map.insert("text").unwrap();
        map.insert(0u64).unwrap();
        assert_eq!((*first, *second), (7, "text"));
        assert_eq!(map.insert(8u32), Err(8));
        assert_eq!(map.get::<u64>(), Some(&0));
        assert_eq!(map.get::<i8>(), None);
    }
}
