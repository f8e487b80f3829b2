//! Callgrind's client requests, so that `valgrind --tool=callgrind --instr-atstart=no` counts
//! only the code between `start_instrumentation` and `stop_instrumentation` (and runs the rest
//! several times faster). Outside valgrind the magic sequence is a no-op.

/// `VG_USERREQ_TOOL_BASE('C', 'T')`.
const CALLGRIND_BASE: usize = (b'C' as usize) << 24 | (b'T' as usize) << 16;
const START_INSTRUMENTATION: usize = CALLGRIND_BASE + 4;
const STOP_INSTRUMENTATION: usize = CALLGRIND_BASE + 5;

#[cfg(target_arch = "x86_64")]
fn client_request(request: usize) {
    let args: [usize; 6] = [request, 0, 0, 0, 0, 0];
    // SAFETY: valgrind's x86_64 special instruction sequence (valgrind.h's
    // VALGRIND_DO_CLIENT_REQUEST_EXPR): the four rotations of rdi add up to 128 bits and
    // `xchg rbx, rbx` swaps a register with itself, so natively nothing changes but rdx, which
    // holds the default result; under valgrind, rax points at the request.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") 0usize => _,
            options(nostack),
        );
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn client_request(_request: usize) {}

pub fn start_instrumentation() {
    client_request(START_INSTRUMENTATION);
}

pub fn stop_instrumentation() {
    client_request(STOP_INSTRUMENTATION);
}
