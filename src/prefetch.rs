//! Asking the processor for a record a loop will read a few steps later.
//!
//! Matching a customer's group reads its invoices and payments by index, scattered over
//! arrays of hundreds of megabytes at a year of a big company's data: nearly every first
//! read of a record waits for memory, and did so one record at a time (the reads of
//! a tenth of the data stay in the cache, which made matching grow faster than the data;
//! docs/performance.md). Asked for a few records ahead, the waits overlap.

/// How many records ahead a loop asks for.
pub const AHEAD: usize = 8;

/// Asks for the cache lines `record` lies on, without waiting for them (nothing where
/// the processor has no such hint).
#[inline(always)]
pub fn record<T>(record: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = (record as *const T).cast::<i8>();
        let size = std::mem::size_of::<T>();
        let mut offset = 0;
        // Each line the record touches: a record of 112 bytes spans two or three.
        while offset < size {
            // SAFETY: a prefetch is only a hint: it reads nothing the program sees and
            // faults on no address, and this one lies within `record`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset)) };
            offset += 64;
        }
        // The last byte's line, when the record does not start on a line.
        // SAFETY: as above; `size - 1` is within the record (a zero-sized one has no lines).
        if size > 0 {
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(size - 1)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = record;
}

#[cfg(test)]
mod tests {
    #[test]
    fn asks_for_records_of_any_size() {
        // A hint changes nothing the program sees, whatever the record's size.
        let bytes = [7u8; 200];
        super::record(&bytes);
        super::record(&());
        super::record(&bytes[199]);
        assert_eq!(bytes[199], 7);
    }
}
