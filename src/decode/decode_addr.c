/* decode_addr.c - address formatting as EVE prints it. */
#include "decode/decode_packet.h"

#include <stdio.h>
#include <string.h>

/* RFC 5952: lower case hex without leading zeros, the longest run of two or
 * more zero groups (the first one on a tie) becomes "::". Suricata prints
 * IPv4-mapped/compatible addresses the same way (no dotted quad), which is
 * what inet_ntop would not do, hence our own formatter. */
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
        snprintf(buf, buflen, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
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
    snprintf(buf, buflen, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x",
             a->b[0], a->b[1], a->b[2], a->b[3], a->b[4], a->b[5], a->b[6], a->b[7], a->b[8],
             a->b[9], a->b[10], a->b[11], a->b[12], a->b[13], a->b[14], a->b[15]);
    return buf;
}
