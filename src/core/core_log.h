/* core_log.h - messages to stderr, with a verbosity level.
 *
 * One line per message, prefixed "vigil: " (errors "vigil: error: ",
 * warnings "vigil: warning: "). Errors and warnings always print; info
 * needs -v, debug -vv. Thread safe (one fprintf per line).
 */
#ifndef VG_CORE_LOG_H
#define VG_CORE_LOG_H

#include "core/core.h"

typedef enum {
    VG_LOG_ERROR = 0,
    VG_LOG_WARN = 1,
    VG_LOG_NOTICE = 2, /* default */
    VG_LOG_INFO = 3,   /* -v */
    VG_LOG_DEBUG = 4,  /* -vv and more */
} vg_log_level_t;

void vg_log_set_level(int level);
int vg_log_get_level(void);
void vg_log(int level, const char *fmt, ...) VG_PRINTF(2, 3);

#define vg_log_error(...) vg_log(VG_LOG_ERROR, __VA_ARGS__)
#define vg_log_warn(...) vg_log(VG_LOG_WARN, __VA_ARGS__)
#define vg_log_notice(...) vg_log(VG_LOG_NOTICE, __VA_ARGS__)
#define vg_log_info(...) vg_log(VG_LOG_INFO, __VA_ARGS__)
#define vg_log_debug(...) vg_log(VG_LOG_DEBUG, __VA_ARGS__)

#endif
