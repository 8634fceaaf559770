/* core.h - return codes and defensive-check macros shared by every stage.
 *
 * One return type for the whole code base (STYLE.md "Errors and bad input"):
 * zero or positive values are outcomes, negative values are engine errors.
 * Malformed wire data is never an error here: decoders tag an anomaly and
 * return VG_OK.
 */
#ifndef VG_CORE_H
#define VG_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef enum {
    VG_OK = 0,        /* done */
    VG_AGAIN = 1,     /* need more bytes; call again with more input */
    VG_DECLINED = 2,  /* not mine / not applicable; caller tries something else */
    VG_EINVAL = -1,   /* bad argument or unusable input file/rule/intel */
    VG_ENOMEM = -2,   /* allocation failed or a memcap refused */
    VG_EIO = -3,      /* read/write failure */
    VG_ECONFIG = -4,  /* configuration error */
} vg_rc_t;

/* Human-readable name of a return code ("VG_EINVAL"). Never NULL. */
const char *vg_rc_name(int rc);

/* Size of the error buffers callers hand to functions that can fail with
 * a human explanation ("file:line: what, expected what"). */
#define VG_ERRBUF_SIZE 512

#if defined(__GNUC__)
#define VG_LIKELY(x) __builtin_expect(!!(x), 1)
#define VG_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define VG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define VG_UNUSED __attribute__((unused))
#else
#define VG_LIKELY(x) (x)
#define VG_UNLIKELY(x) (x)
#define VG_PRINTF(fmt, args)
#define VG_UNUSED
#endif

/* SQLite-style defensive checks: the condition is expected to hold (ALWAYS)
 * or not to hold (NEVER). In debug builds a violation aborts so tests find
 * it; in release builds the expression's value is returned so the caller
 * can take the safe branch. Never use them on wire input. */
#ifdef VG_DEBUG
#include <assert.h>
#define VG_ALWAYS(x) ((x) ? 1 : (assert(0 && #x), 0))
#define VG_NEVER(x) ((x) ? (assert(0 && !#x), 1) : 0)
#else
#define VG_ALWAYS(x) (!!(x))
#define VG_NEVER(x) (!!(x))
#endif

#define VG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define VG_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VG_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Timestamps travel as microseconds since the Unix epoch (what pcap gives
 * and what EVE prints). */
typedef int64_t vg_time_us_t;

#endif /* VG_CORE_H */
