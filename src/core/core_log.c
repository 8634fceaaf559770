/* core_log.c - see core_log.h. */
#include "core/core_log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int log_level = VG_LOG_NOTICE;

void
vg_log_set_level(int level)
{
    atomic_store(&log_level, level);
}

int
vg_log_get_level(void)
{
    return atomic_load(&log_level);
}

void
vg_log(int level, const char *fmt, ...)
{
    if (level > atomic_load(&log_level))
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    const char *tag = level == VG_LOG_ERROR ? "error: " : level == VG_LOG_WARN ? "warning: " : "";
    fprintf(stderr, "vigil: %s%s\n", tag, line);
}
