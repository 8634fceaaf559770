/* core_limits.c - defaults and string setters for core_limits.h. */
#include "core/core_limits.h"
#include "core/core.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct limit_desc {
    const char *key;
    uint64_t def;
    size_t offset;
    const char *why;
} limit_desc_t;

static const limit_desc_t limit_table[] = {
#define VG_LIMIT_DESC(field, key, def, why) {key, (uint64_t)(def), offsetof(vg_limits_t, field), why},
    VG_LIMITS(VG_LIMIT_DESC)
#undef VG_LIMIT_DESC
};

void
vg_limits_defaults(vg_limits_t *l)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(limit_table); i++)
        *(uint64_t *)((char *)l + limit_table[i].offset) = limit_table[i].def;
}

int
vg_limits_parse_value(const char *value, uint64_t *out)
{
    if (value == NULL || *value == '\0')
        return VG_EINVAL;
    if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcasecmp(value, "on")) {
        *out = 1;
        return VG_OK;
    }
    if (!strcasecmp(value, "no") || !strcasecmp(value, "false") || !strcasecmp(value, "off")) {
        *out = 0;
        return VG_OK;
    }
    errno = 0;
    char *end = NULL;
    if (!isdigit((unsigned char)value[0]))
        return VG_EINVAL;
    double num = strtod(value, &end);
    if (errno != 0 || end == value || num < 0)
        return VG_EINVAL;
    while (*end == ' ')
        end++;
    double mult = 1;
    if (*end) {
        if (!strcasecmp(end, "kb") || !strcasecmp(end, "k") || !strcasecmp(end, "kib"))
            mult = 1024.0;
        else if (!strcasecmp(end, "mb") || !strcasecmp(end, "m") || !strcasecmp(end, "mib"))
            mult = 1024.0 * 1024;
        else if (!strcasecmp(end, "gb") || !strcasecmp(end, "g") || !strcasecmp(end, "gib"))
            mult = 1024.0 * 1024 * 1024;
        else if (!strcasecmp(end, "s"))
            mult = 1;
        else
            return VG_EINVAL;
    }
    double v = num * mult;
    if (v > 1.8e19)
        return VG_EINVAL;
    *out = (uint64_t)v;
    return VG_OK;
}

int
vg_limits_set(vg_limits_t *l, const char *key, const char *value, char *errbuf, size_t errlen)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(limit_table); i++) {
        if (strcmp(limit_table[i].key, key) != 0)
            continue;
        uint64_t v;
        if (vg_limits_parse_value(value, &v) != VG_OK) {
            if (errbuf)
                snprintf(errbuf, errlen, "%s: bad value '%s', expected a number with optional "
                         "kb/mb/gb suffix or yes/no", key, value);
            return VG_EINVAL;
        }
        *(uint64_t *)((char *)l + limit_table[i].offset) = v;
        return VG_OK;
    }
    return VG_DECLINED;
}

size_t
vg_limits_count(void)
{
    return VG_ARRAY_LEN(limit_table);
}

const char *
vg_limits_key(size_t i)
{
    return i < VG_ARRAY_LEN(limit_table) ? limit_table[i].key : NULL;
}

uint64_t
vg_limits_get(const vg_limits_t *l, size_t i)
{
    return i < VG_ARRAY_LEN(limit_table) ? *(const uint64_t *)((const char *)l + limit_table[i].offset)
                                         : 0;
}

const char *
vg_limits_why(size_t i)
{
    return i < VG_ARRAY_LEN(limit_table) ? limit_table[i].why : NULL;
}
