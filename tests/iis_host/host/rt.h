/*
 * rt.h -- the little C runtime the IIS host and the C++ example modules need instead of
 * MSVC's (which a Linux machine does not have): operator new/delete on the process heap,
 * the memory functions clang may call, string helpers, a growable text buffer, and console
 * output through kernel32. Every piece is compiled into each image that uses it (rt.cpp);
 * nothing here allocates before it is called, so no static initializers are needed.
 */
#pragma once
#include <winsock2.h>
#include <windows.h>
#include <httpserv_rs_compat.h>
#include <httpserv.h>
#include <httptrace.h>

/* Placement new, which <new> would declare. */
inline void *operator new(size_t, void *where) noexcept { return where; }

namespace rt {

size_t length(const char *text);
size_t wide_length(const wchar_t *text);
bool equal(const char *a, const char *b);
bool equal_n(const char *a, const char *b, size_t n);
/* ASCII case-insensitive comparison of `n` characters (HTTP header names). */
bool equal_nocase(const char *a, size_t a_len, const char *b, size_t b_len);
bool starts_with(const char *text, const char *prefix);
/* Decimal digits of `text` up to its first non-digit; `fallback` when there are none. */
unsigned long long parse_number(const char *text, size_t len, unsigned long long fallback);
void copy(void *to, const void *from, size_t n);

/* Heap strings: the caller frees them with `delete[]`. */
char *duplicate(const char *text, size_t len);
wchar_t *to_wide(const char *text, size_t len);
/* Wide to narrow, ASCII only (other characters become '?'): for names and log lines. */
char *to_narrow(const wchar_t *text, size_t len);

/* A growable byte buffer for responses and log lines. */
class Text
{
public:
    Text() : data_(0), len_(0), cap_(0) {}
    ~Text() { delete[] data_; }
    Text(const Text &) = delete;
    Text &operator=(const Text &) = delete;

    Text &add(const char *text) { return add(text, length(text)); }
    Text &add(const char *text, size_t len);
    Text &add_wide(const wchar_t *text);
    Text &add_number(unsigned long long n);
    Text &add_hex(unsigned long long n);
    Text &add_char(char c) { return add(&c, 1); }
    void clear() { len_ = 0; }
    void truncate(size_t n) { if (n < len_) len_ = n; }
    /* NUL-terminated; valid until the next change. */
    const char *c_str();
    size_t size() const { return len_; }
    const char *data() const { return data_; }

private:
    char *data_;
    size_t len_, cap_;
};

/* stdout/stderr of the process; whole lines are written under a lock, so threads don't mix. */
void out(const char *text, size_t len);
void out(const char *text);
void err(const char *text);
void out_line(Text &line);

} // namespace rt
