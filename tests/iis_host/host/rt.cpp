/*
 * rt.cpp -- the runtime of rt.h: heap, memory and string functions, console output. Built
 * into the host and into each C++ example module (no MSVC CRT on Linux, see rt.h). The
 * memory functions use `rep movsb`/`rep stosb` so clang cannot turn them back into calls
 * to themselves.
 */
#include "rt.h"

extern "C" {
/* Floating point is linked in only if a translation unit uses it; MSVC's CRT defines this. */
int _fltused = 0;

void *memset(void *dest, int value, size_t n)
{
    void *d = dest;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(value) : "memory");
    return dest;
}

void *memcpy(void *dest, const void *src, size_t n)
{
    void *d = dest;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dest;
}

void *memmove(void *dest, const void *src, size_t n)
{
    unsigned char *d = (unsigned char *)dest;
    const unsigned char *s = (const unsigned char *)src;
    if (d <= s || d >= s + n) return memcpy(dest, src, n);
    while (n--) d[n] = s[n];
    return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}
}

void *operator new(size_t size) { return HeapAlloc(GetProcessHeap(), 0, size ? size : 1); }
void *operator new[](size_t size) { return operator new(size); }
void operator delete(void *p) noexcept { if (p) HeapFree(GetProcessHeap(), 0, p); }
void operator delete[](void *p) noexcept { operator delete(p); }
void operator delete(void *p, size_t) noexcept { operator delete(p); }
void operator delete[](void *p, size_t) noexcept { operator delete(p); }

namespace rt {

size_t length(const char *text)
{
    size_t n = 0;
    while (text && text[n]) ++n;
    return n;
}

size_t wide_length(const wchar_t *text)
{
    size_t n = 0;
    while (text && text[n]) ++n;
    return n;
}

bool equal(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    while (*a && *a == *b) { ++a; ++b; }
    return *a == *b;
}

bool equal_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

bool equal_nocase(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len) return false;
    for (size_t i = 0; i < a_len; ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool starts_with(const char *text, const char *prefix)
{
    while (*prefix)
        if (*text++ != *prefix++) return false;
    return true;
}

unsigned long long parse_number(const char *text, size_t len, unsigned long long fallback)
{
    unsigned long long n = 0;
    size_t i = 0;
    for (; i < len && text[i] >= '0' && text[i] <= '9'; ++i) n = n * 10 + (unsigned)(text[i] - '0');
    return i ? n : fallback;
}

void copy(void *to, const void *from, size_t n) { memcpy(to, from, n); }

char *duplicate(const char *text, size_t len)
{
    char *copy_ = new char[len + 1];
    memcpy(copy_, text, len);
    copy_[len] = 0;
    return copy_;
}

wchar_t *to_wide(const char *text, size_t len)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, text, (int)len, NULL, 0);
    wchar_t *wide = new wchar_t[n + 1];
    MultiByteToWideChar(CP_UTF8, 0, text, (int)len, wide, n);
    wide[n] = 0;
    return wide;
}

char *to_narrow(const wchar_t *text, size_t len)
{
    char *narrow = new char[len + 1];
    for (size_t i = 0; i < len; ++i) narrow[i] = text[i] < 128 ? (char)text[i] : '?';
    narrow[len] = 0;
    return narrow;
}

Text &Text::add(const char *text, size_t len)
{
    if (len_ + len + 1 > cap_) {
        size_t cap = cap_ ? cap_ * 2 : 64;
        while (cap < len_ + len + 1) cap *= 2;
        char *grown = new char[cap];
        memcpy(grown, data_, len_);
        delete[] data_;
        data_ = grown;
        cap_ = cap;
    }
    memcpy(data_ + len_, text, len);
    len_ += len;
    return *this;
}

Text &Text::add_wide(const wchar_t *text)
{
    for (; text && *text; ++text) add_char(*text < 128 ? (char)*text : '?');
    return *this;
}

Text &Text::add_number(unsigned long long n)
{
    /* Long division in 16-bit steps: 32-bit x86 has no 64-bit divide without MSVC's CRT. */
    char digits[24];
    int i = sizeof digits;
    do {
        unsigned high = (unsigned)(n >> 32), low = (unsigned)n;
        unsigned q_high = high / 10, rest = high % 10;
        unsigned middle = (rest << 16) | (low >> 16), q_middle = middle / 10;
        rest = middle % 10;
        unsigned bottom = (rest << 16) | (low & 0xffff), q_bottom = bottom / 10;
        digits[--i] = (char)('0' + bottom % 10);
        n = ((unsigned long long)q_high << 32) | ((unsigned long long)q_middle << 16) | q_bottom;
    } while (n);
    return add(digits + i, sizeof digits - i);
}

Text &Text::add_hex(unsigned long long n)
{
    char digits[16];
    int i = sizeof digits;
    do { digits[--i] = "0123456789abcdef"[n & 15]; n >>= 4; } while (n);
    return add(digits + i, sizeof digits - i);
}

const char *Text::c_str()
{
    add("", 0);
    data_[len_] = 0;
    return data_;
}

static SRWLOCK g_output_lock = SRWLOCK_INIT;

static void write_to(DWORD which, const char *text, size_t len)
{
    AcquireSRWLockExclusive(&g_output_lock);
    DWORD written;
    WriteFile(GetStdHandle(which), text, (DWORD)len, &written, NULL);
    ReleaseSRWLockExclusive(&g_output_lock);
}

void out(const char *text, size_t len) { write_to(STD_OUTPUT_HANDLE, text, len); }
void out(const char *text) { out(text, length(text)); }
void err(const char *text) { write_to(STD_ERROR_HANDLE, text, length(text)); }

void out_line(Text &line)
{
    line.add_char('\n');
    out(line.data(), line.size());
}

} // namespace rt
