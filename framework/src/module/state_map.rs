//! Several typed values for one module on one request, application or connection. IIS gives a
//! module one slot in each module context container (`SetModuleContext` refuses a second), so
//! the value the framework stores there is a [`StateMap`]: one value per type, like
//! `http::Extensions`, each in a node of its own where it stays until the container ends, so a
//! reference handed out stays valid while others are added. Values are only added (never
//! replaced or removed) until IIS cleans the stored context up, which drops them all.

use crate::runtime;
use alloc::boxed::Box;
use core::any::Any;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, Ordering};

/// The values, newest first, in a list that only grows: readers walk it while writers push
/// in front.
pub(crate) struct StateMap {
    head: AtomicPtr<Entry>,
}

/// What the list knows of one value: where it is (for `get`), the next entry, and how to
/// free the [`Node`] it heads.
struct Entry {
    value: NonNull<dyn Any + Send + Sync>,
    next: *mut Entry,
    free: unsafe fn(*mut Entry),
}

/// One value and its entry in one allocation (`set_state` is on the request path), never
/// moved once made; `entry` first, so a pointer to the node is one to its entry.
#[repr(C)]
struct Node<T> {
    entry: Entry,
    value: T,
}

/// Frees the node `entry` heads, dropping its value.
///
/// # Safety
///
/// `entry` came from `Box::into_raw` of a `Box<Node<T>>` (cast), and is freed once.
unsafe fn free_node<T>(entry: *mut Entry) {
    // SAFETY: the caller's contract; `Node<T>` is `repr(C)` with the entry at offset 0.
    drop(unsafe { Box::from_raw(entry.cast::<Node<T>>()) });
}

impl StateMap {
    pub fn new() -> StateMap {
        StateMap {
            head: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The value of type `T`, if one was added.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        // SAFETY: the list's head, published with Release (see `find`).
        unsafe { find::<T>(self.head.load(Ordering::Acquire)) }
    }

    /// Adds `value`, unless a value of its type is there (then `value` comes back). The
    /// reference is valid as long as the map. Threads may add at once (an application's or a
    /// connection's map is shared by its requests): the type is checked again against
    /// whatever another thread pushed meanwhile, so a type is never added twice.
    pub fn insert<T: Send + Sync + 'static>(&self, value: T) -> Result<&T, T> {
        let mut head = self.head.load(Ordering::Acquire);
        // SAFETY: the head just read.
        if unsafe { find::<T>(head) }.is_some() {
            return Err(value);
        }
        let node = Box::into_raw(Box::new(Node {
            entry: Entry {
                value: NonNull::<T>::dangling(),
                next: ptr::null_mut(),
                free: free_node::<T>,
            },
            value,
        }));
        // SAFETY: `node` is live and ours until published; the value's pointer is derived
        // from it, so it may be used as long as the node lives.
        let value = unsafe { NonNull::new_unchecked(ptr::addr_of_mut!((*node).value)) };
        let entry = node.cast::<Entry>();
        // SAFETY: as above; `Node` is `repr(C)` with its entry first.
        unsafe { (*entry).value = value };
        loop {
            // SAFETY: `entry` is ours until published.
            unsafe { (*entry).next = head };
            match self
                .head
                .compare_exchange_weak(head, entry, Ordering::Release, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(now) => {
                    head = now;
                    // SAFETY: the head just read; the entries it leads to are published.
                    if unsafe { find::<T>(head) }.is_some() {
                        // SAFETY: never published, so still ours alone, made above.
                        let node = unsafe { Box::from_raw(node) };
                        return Err(node.value);
                    }
                }
            }
        }
        // SAFETY: the value lives until the map is dropped, and nothing hands out `&mut T`.
        Ok(unsafe { value.as_ref() })
    }
}

/// The value of type `T` in the list from `at`.
///
/// # Safety
///
/// `at` is null or a published entry of a live map, read with Acquire: entries are made by
/// `insert` (in their node, published with Release and never changed after) and freed only
/// by the map's `drop`, which has the map exclusively; the values live as long as the map.
unsafe fn find<'m, T: 'static>(mut at: *mut Entry) -> Option<&'m T> {
    while !at.is_null() {
        // SAFETY: the caller's contract.
        let entry = unsafe { &*at };
        // SAFETY: as above: the value lives as long as its entry, in the same node.
        let value = unsafe { entry.value.as_ref() };
        if let Some(value) = value.downcast_ref::<T>() {
            return Some(value);
        }
        at = entry.next;
    }
    None
}

/// What a second value of a type in one map is refused with, as IIS's `SetModuleContext`
/// refuses a second stored context.
pub(crate) fn already_assigned() -> runtime::Error {
    runtime::Error::from(runtime::HRESULT::from_win32(
        windows_sys::Win32::Foundation::ERROR_ALREADY_ASSIGNED,
    ))
}

impl Drop for StateMap {
    /// Drops every value, each on its own: a panic in one value's `Drop` is caught and
    /// reported (its node is still freed), and the others are still dropped (nothing leaks,
    /// nothing unwinds into IIS).
    fn drop(&mut self) {
        let mut at = *self.head.get_mut();
        while !at.is_null() {
            // SAFETY: made by `insert`, published, never changed since; the map is held
            // exclusively.
            let (next, free) = unsafe { ((*at).next, (*at).free) };
            let node = at;
            runtime::guard(
                // SAFETY: `free` is the node's own `free_node::<T>`; each node freed once, here.
                || unsafe { free(node) },
                |_| (),
            );
            at = next;
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

    /// Threads adding the same type at once (an application's map): exactly one wins, the
    /// others get their value back, and every value of another type goes in.
    #[cfg(feature = "std")]
    #[test]
    fn threads_adding_at_once_add_each_type_once() {
        let map = StateMap::new();
        let wins = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|threads| {
            for n in 0..4u32 {
                let (map, wins) = (&map, &wins);
                threads.spawn(move || {
                    if map.insert(n).is_ok() {
                        wins.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    map.insert(u64::from(n)).ok();
                    map.insert([n as u8; 3]).ok();
                });
            }
        });
        assert_eq!(wins.into_inner(), 1);
        assert!(map.get::<u32>().is_some() && map.get::<u64>().is_some());
        let mut entries = 0;
        let mut at = map.head.load(core::sync::atomic::Ordering::Acquire);
        while !at.is_null() {
            entries += 1;
            // SAFETY: a published entry of the live map.
            at = unsafe { (*at).next };
        }
        assert_eq!(entries, 3);
    }

    /// A value whose `Drop` panics (caught by the map's guard when the `std` feature has
    /// one): under Miri, its node is still freed and the other values still dropped.
    #[cfg(feature = "std")]
    #[test]
    fn a_panicking_drop_frees_its_node_and_the_others_are_dropped() {
        #[derive(Debug)]
        struct Loud;
        impl Drop for Loud {
            fn drop(&mut self) {
                panic!("dropped loudly");
            }
        }
        let dropped = std::sync::Arc::new(());
        let map = StateMap::new();
        map.insert(dropped.clone()).unwrap();
        map.insert(Loud).unwrap();
        map.insert(std::string::String::from("after")).unwrap();
        drop(map);
        assert_eq!(std::sync::Arc::strong_count(&dropped), 1);
    }
}
