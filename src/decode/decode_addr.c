/* decode_addr.c - address formatting as EVE prints it. */
#include "decode/decode_packet.h"

#include <stdio.h>
#include <string.h>

/* RFC 5952: lower case hex without leading zeros, the longest run of two or
 * more zero groups (the first one on a tie) becomes "::". Suricata prints
 * IPv4-mapped/compatible addresses the same way (no dotted quad), which is
 * what inet_ntop would not do, hence our own formatter. */
/* n bytes of src into buf (buflen > 0) as snprintf("%s") would: truncated
 * to buflen - 1 and always terminated. */
static void
addr_copy_out(char *buf, size_t buflen, const char *src, size_t n)
{
    if (n >= buflen)
        n = buflen - 1;
    memcpy(buf, src, n);
    buf[n] = '\0';
}

char *
vg_addr_format(const vg_addr_t *a, char *buf, size_t buflen)
{
    if (buf == NULL || buflen == 0)
        return buf;
    if (a == NULL || (a->family != 4 && a->family != 6)) {
        snprintf(buf, buflen, "%s", "");
        return buf;
    }
    if (a->family == 4) {
        /* by hand, not snprintf: every EVE record prints two addresses and
         * snprintf was a visible share of the output cost */
        char tmp[16];
        char *o = tmp;
        for (int i = 0; i < 4; i++) {
            unsigned v = a->b[i];
            if (i)
                *o++ = '.';
            if (v >= 100)
                *o++ = (char)('0' + v / 100);
            if (v >= 10)
                *o++ = (char)('0' + v / 10 % 10);
            *o++ = (char)('0' + v % 10);
        }
        addr_copy_out(buf, buflen, tmp, (size_t)(o - tmp));
        return buf;
    }
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)((a->b[2 * i] << 8) | a->b[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    char tmp[48];
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            tmp[n++] = ':';
            if (i == 0)
                tmp[n++] = ':';
            i += best_len - 1;
            continue;
        }
        n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%x", g[i]);
        if (i < 7)
            tmp[n++] = ':';
    }
    tmp[n] = '\0';
    snprintf(buf, buflen, "%s", tmp);
    return buf;
}

char *
vg_addr_format_eve(const vg_addr_t *a, char *buf, size_t buflen)
{
    if (a == NULL || a->family != 6)
        return vg_addr_format(a, buf, buflen);
    if (buf == NULL || buflen == 0)
        return buf;
    static const char hx[] = "0123456789abcdef";
    char tmp[40];
    char *o = tmp;
    for (int i = 0; i < 16; i++) {
        if (i && (i & 1) == 0)
            *o++ = ':';
        *o++ = hx[a->b[i] >> 4];
        *o++ = hx[a->b[i] & 15];
    }
    addr_copy_out(buf, buflen, tmp, (size_t)(o - tmp));
    return buf;
}
