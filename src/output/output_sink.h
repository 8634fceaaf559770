/* output_sink.h - where finished EVE lines go: a regular file, a unix
 * socket (stream or datagram) or redis (list push, pub/sub or stream),
 * as Suricata's outputs.eve-log.filetype.
 *
 * A sink is used by ONE thread (the writer thread, or the only thread in
 * single mode). Lines are passed without their trailing newline; the sink
 * adds what its transport needs.
 */
#ifndef VG_OUTPUT_SINK_H
#define VG_OUTPUT_SINK_H

#include "core/core.h"

typedef enum {
    VG_SINK_FILE = 0,     /* "regular" */
    VG_SINK_UNIX_STREAM,  /* "unix_stream" */
    VG_SINK_UNIX_DGRAM,   /* "unix_dgram" */
    VG_SINK_REDIS,        /* "redis" (only when built with hiredis) */
} vg_sink_type_t;

typedef enum {
    VG_REDIS_RPUSH = 0,   /* mode: rpush */
    VG_REDIS_LPUSH,       /* mode: list / lpush (Suricata's default) */
    VG_REDIS_PUBLISH,     /* mode: channel / publish */
    VG_REDIS_XADD,        /* mode: stream / xadd */
} vg_redis_mode_t;

typedef struct vg_sink_cfg {
    vg_sink_type_t type;
    const char *path;          /* file or socket path (already joined with the log dir) */
    bool append;               /* regular: append (Suricata default) or truncate */
    const char *redis_server;  /* default "127.0.0.1" */
    uint16_t redis_port;       /* default 6379 */
    vg_redis_mode_t redis_mode;
    const char *redis_key;     /* default "suricata" */
    uint64_t redis_stream_maxlen; /* XADD MAXLEN ~ n; 0 = none */
    uint32_t redis_batch_size;    /* pipelining: replies read every n commands
                                     (and at least once a second); 0 or 1 =
                                     one round trip per record */
    bool redis_stream_trim_exact; /* XADD MAXLEN = n instead of ~ n */
} vg_sink_cfg_t;

typedef struct vg_sink vg_sink_t;

/* "regular" -> VG_SINK_FILE etc. VG_OK or VG_EINVAL. */
int vg_sink_type_parse(const char *s, vg_sink_type_t *out);
int vg_redis_mode_parse(const char *s, vg_redis_mode_t *out);

/* Open a sink. VG_OK; VG_EIO / VG_ECONFIG with a reason in errbuf. A unix
 * socket that is not listening yet is not an error: the sink reconnects
 * on later writes and counts what it had to drop. A redis server that
 * does not answer PING at open IS an error (VG_EIO): a sensor started
 * against a wrong address should say so, not drop everything silently.
 * A redis server lost later is reconnected with backoff (1 s doubling to
 * 30 s); records written meanwhile are dropped and counted. */
int vg_sink_open(vg_sink_t **out, const vg_sink_cfg_t *cfg, char *errbuf, size_t errlen);

/* Write one record (len bytes, no newline). VG_OK, or VG_EIO if it was
 * dropped (counted in vg_sink_dropped). */
int vg_sink_write(vg_sink_t *s, const char *line, size_t len);

/* Push buffered bytes to the OS. */
int vg_sink_flush(vg_sink_t *s);

/* Records dropped because the transport failed. */
uint64_t vg_sink_dropped(const vg_sink_t *s);

/* Flush and close; NULL is fine. */
void vg_sink_close(vg_sink_t *s);

#endif
