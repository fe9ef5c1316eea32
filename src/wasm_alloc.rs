//! The browser build's memory policy: the heap grows in large steps instead of 64 KiB at a time.
//!
//! Rust's allocator on `wasm32-unknown-unknown` (dlmalloc) asks for more linear memory only as
//! much as the allocation in hand needs, rounded to 64 KiB. Every `memory.grow` makes the browser
//! run a full garbage collection of the page's JavaScript heap, so reading a 100 000-row workbook
//! (≈ 950 Mo in thousands of grows, some 4 000 collections) spent more time in the browser's
//! collector than in our code: 21 s instead of 12 s under node. [`GrowInSteps`] wraps the
//! standard allocator; when an allocation has just grown the memory, it allocates and frees at
//! once a block of a quarter of the memory's size (16 to 128 Mo), which leaves that much free at
//! the top of the heap for the allocations that follow. The same workbook then grows the memory about twenty times and
//! converts in 11.5 s, for a peak of 1 100 Mo instead of 950 (`memory_bytes`).
//!
//! Native builds keep the system allocator: this module only exists on `wasm32`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

const PAGE: usize = 64 * 1024;
/// Steps below this are not worth a collection of their own.
const MIN_STEP: usize = 16 * 1024 * 1024;
/// A step never exceeds this, so that a large heap near the 4 GiB limit of wasm32 does not
/// reserve more than the input can need.
const MAX_STEP: usize = 128 * 1024 * 1024;

/// The standard allocator, with the memory grown in steps of a quarter of its size (see the
/// module doc).
pub struct GrowInSteps {
    /// Linear memory size, in pages, after the last step.
    pages: AtomicUsize,
}

impl GrowInSteps {
    pub const fn new() -> GrowInSteps {
        GrowInSteps {
            pages: AtomicUsize::new(0),
        }
    }

    /// After an allocation: if it grew the memory, leaves a step's worth of free space on top.
    fn after_growth(&self) {
        let pages = core::arch::wasm32::memory_size(0);
        if pages <= self.pages.load(Ordering::Relaxed) {
            return;
        }
        let step = (pages * PAGE / 4).clamp(MIN_STEP, MAX_STEP);
        if let Ok(layout) = Layout::from_size_align(step, 1) {
            // SAFETY: the block is freed at once with the layout it was allocated with, and never
            // read or written. A failed reservation (memory exhausted) is simply skipped.
            unsafe {
                // black_box: an allocation nobody uses may otherwise be optimised away.
                let block = std::hint::black_box(system_alloc(layout));
                if !block.is_null() {
                    system_dealloc(block, layout);
                }
            }
        }
        self.pages
            .store(core::arch::wasm32::memory_size(0), Ordering::Relaxed);
    }
}

impl Default for GrowInSteps {
    fn default() -> Self {
        GrowInSteps::new()
    }
}

// SAFETY: every call is forwarded to `System` unchanged; `after_growth` only allocates and frees
// a block of its own.
unsafe impl GlobalAlloc for GrowInSteps {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = system_alloc(layout);
        self.after_growth();
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = system_alloc_zeroed(layout);
        self.after_growth();
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        system_dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = system_realloc(ptr, layout, new_size);
        self.after_growth();
        p
    }
}

// Not inlined: the allocator's code would otherwise be copied into each caller, 13 KB gzip more
// in the page (scripts/measure-size.sh).
#[inline(never)]
unsafe fn system_alloc(layout: Layout) -> *mut u8 {
    System.alloc(layout)
}

#[inline(never)]
unsafe fn system_dealloc(ptr: *mut u8, layout: Layout) {
    System.dealloc(ptr, layout)
}

#[inline(never)]
unsafe fn system_alloc_zeroed(layout: Layout) -> *mut u8 {
    System.alloc_zeroed(layout)
}

#[inline(never)]
unsafe fn system_realloc(ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    System.realloc(ptr, layout, new_size)
}

#[global_allocator]
static ALLOCATOR: GrowInSteps = GrowInSteps::new();

/// The size of the linear memory, in bytes: what the page holds for the engine at its peak, since
/// wasm memory never shrinks.
pub fn memory_bytes() -> usize {
    core::arch::wasm32::memory_size(0) * PAGE
}
