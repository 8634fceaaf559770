/* util_utf8.h - strict UTF-8 validation, as Rust's str::from_utf8 accepts it
 * (no overlong forms, no surrogates, nothing above U+10FFFF). Suricata
 * decides with that check whether a protocol field is logged as text or in
 * its \xNN form, so EVE output and certificate names must use the same rule.
 */
#ifndef VG_UTIL_UTF8_H
#define VG_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the valid UTF-8 sequence at s, or 0 if invalid there. */
static inline size_t
vg_utf8_seq_len(const uint8_t *s, size_t left)
{
    uint8_t c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static inline bool
vg_utf8_valid(const void *sv, size_t n)
{
    const uint8_t *s = sv;
    size_t i = 0;
    while (i < n) {
        size_t k = vg_utf8_seq_len(s + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* Length of s[0..len) cut to at most max bytes without splitting a UTF-8
 * sequence (a cut text must stay valid JSON text). */
static inline size_t
vg_utf8_cut(const void *sv, size_t len, size_t max)
{
    const uint8_t *s = sv;
    if (len <= max)
        return len;
    while (max > 0 && (s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

#endif
