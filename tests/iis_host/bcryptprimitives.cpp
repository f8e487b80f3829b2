/*
 * bcryptprimitives.cpp -- a stand-in for Windows' bcryptprimitives.dll, which Rust's std
 * imports for ProcessPrng (its random numbers, e.g. HashMap seeds) and Debian's wine 8 does
 * not ship. ProcessPrng fills the buffer from advapi32's RtlGenRandom (SystemFunction036).
 * Built by tests/tests/iis_host.rs as a DLL without a CRT and put beside the host.
 */
#include <windows.h>

extern "C" BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

extern "C" __declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
