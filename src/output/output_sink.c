/* output_sink.c - EVE line sinks: file, unix socket, redis. See output_sink.h. */
#include "output/output_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/core_log.h"
#include "vg_config.h"
#if VG_HAVE_HIREDIS
#include <hiredis/hiredis.h>
#endif

/* redis: how long one connect / one socket read or write may block the
 * writer thread, and the reconnect backoff after a failure. */
#define SINK_REDIS_IO_TIMEOUT_MS 2000
#define SINK_REDIS_BACKOFF_MIN_MS 1000
#define SINK_REDIS_BACKOFF_MAX_MS 30000
#define SINK_REDIS_PUSH_EVERY_MS 1000 /* pipelining: read replies at least this often */

struct vg_sink {
    vg_sink_cfg_t cfg;
    char path[4096];
    FILE *fp;                 /* regular file */
    int fd;                   /* unix socket, -1 when not connected */
    time_t last_connect_try;  /* reconnect at most once a second */
    uint64_t dropped;
#if VG_HAVE_HIREDIS
    redisContext *redis;      /* NULL while disconnected */
    char server[256];
    char key[256];
    char maxlen[24];          /* XADD MAXLEN argument, "" = no trimming */
    unsigned pending;         /* pipelined commands whose replies are unread */
    uint64_t last_push_ms;    /* monotonic: replies last read */
    uint64_t next_try_ms;     /* monotonic: no reconnect before this */
    uint32_t backoff_ms;      /* next delay after a failed (re)connect */
    bool outage_logged;       /* one warning per outage, not per record */
    uint64_t error_replies;   /* server answered an error (e.g. WRONGTYPE) */
#endif
};

int
vg_sink_type_parse(const char *s, vg_sink_type_t *out)
{
    if (!strcasecmp(s, "regular") || !strcasecmp(s, "file")) {
        *out = VG_SINK_FILE;
    } else if (!strcasecmp(s, "unix_stream")) {
        *out = VG_SINK_UNIX_STREAM;
    } else if (!strcasecmp(s, "unix_dgram")) {
        *out = VG_SINK_UNIX_DGRAM;
    } else if (!strcasecmp(s, "redis")) {
        *out = VG_SINK_REDIS;
    } else {
        return VG_EINVAL;
    }
    return VG_OK;
}

int
vg_redis_mode_parse(const char *s, vg_redis_mode_t *out)
{
    /* Suricata: "list" is an alias of lpush (util-log-redis.c) */
    if (!strcasecmp(s, "rpush")) {
        *out = VG_REDIS_RPUSH;
    } else if (!strcasecmp(s, "list") || !strcasecmp(s, "lpush")) {
        *out = VG_REDIS_LPUSH;
    } else if (!strcasecmp(s, "channel") || !strcasecmp(s, "publish")) {
        *out = VG_REDIS_PUBLISH;
    } else if (!strcasecmp(s, "stream") || !strcasecmp(s, "xadd")) {
        *out = VG_REDIS_XADD;
    } else {
        return VG_EINVAL;
    }
    return VG_OK;
}

static int
sink_unix_connect(vg_sink_t *s)
{
    s->last_connect_try = time(NULL);
    int type = s->cfg.type == VG_SINK_UNIX_STREAM ? SOCK_STREAM : SOCK_DGRAM;
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return VG_EIO;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t plen = strlen(s->path); /* checked < sizeof(sun_path) at open */
    memcpy(sa.sun_path, s->path, VG_MIN(plen, sizeof(sa.sun_path) - 1));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return VG_EIO;
    }
    s->fd = fd;
    return VG_OK;
}

#if VG_HAVE_HIREDIS
static uint64_t
redis_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* hiredis write()s without MSG_NOSIGNAL: a server that went away would
 * kill the process with SIGPIPE. Block it in this (the writer) thread
 * around socket I/O and consume one raised meanwhile, so the write fails
 * with EPIPE instead and the sink handles it as a lost connection. */
typedef struct {
    sigset_t old;
    bool restore;
} redis_sigpipe_t;

static void
redis_sigpipe_block(redis_sigpipe_t *g)
{
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    g->restore = pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old) == 0 &&
                 !sigismember(&g->old, SIGPIPE);
}

static void
redis_sigpipe_unblock(redis_sigpipe_t *g)
{
    if (!g->restore)
        return;
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        (void)sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* Connect and check the server answers PING (as Suricata checks with ECHO:
 * a listening socket is not yet a usable server, e.g. NOAUTH). A server
 * containing '/' is a unix socket path, as in Suricata. Every later socket
 * read/write is bounded by SINK_REDIS_IO_TIMEOUT_MS so a stalled server
 * cannot block the writer (and through backpressure the pipeline) for
 * ever. VG_OK, or VG_EIO with the reason in errbuf (when errbuf != NULL). */
static int
sink_redis_connect(vg_sink_t *s, char *errbuf, size_t errlen)
{
    struct timeval tv = {SINK_REDIS_IO_TIMEOUT_MS / 1000, (SINK_REDIS_IO_TIMEOUT_MS % 1000) * 1000};
    if (strchr(s->server, '/') != NULL)
        s->redis = redisConnectUnixWithTimeout(s->server, tv);
    else
        s->redis = redisConnectWithTimeout(s->server, s->cfg.redis_port, tv);
    const char *why = NULL;
    char whybuf[256];
    redisReply *r = NULL;
    if (s->redis == NULL) {
        why = "out of memory";
    } else if (s->redis->err) {
        why = s->redis->errstr;
    } else if (redisSetTimeout(s->redis, tv) != REDIS_OK) {
        why = "cannot set socket timeouts";
    } else {
        redis_sigpipe_t g;
        redis_sigpipe_block(&g);
        r = redisCommand(s->redis, "PING");
        redis_sigpipe_unblock(&g);
        if (r == NULL) {
            why = s->redis->errstr[0] ? s->redis->errstr : "no answer to PING";
        } else if (r->type == REDIS_REPLY_ERROR) {
            snprintf(whybuf, sizeof(whybuf), "PING answered: %s", r->str ? r->str : "error");
            why = whybuf;
        }
    }
    if (r != NULL)
        freeReplyObject(r);
    if (why != NULL) {
        if (errbuf != NULL) {
            if (strchr(s->server, '/') != NULL)
                snprintf(errbuf, errlen, "redis %s: %s", s->server, why);
            else
                snprintf(errbuf, errlen, "redis %s:%u: %s", s->server, s->cfg.redis_port, why);
        }
        if (s->redis != NULL)
            redisFree(s->redis);
        s->redis = NULL;
        return VG_EIO;
    }
    s->pending = 0;
    s->last_push_ms = redis_now_ms();
    s->backoff_ms = SINK_REDIS_BACKOFF_MIN_MS;
    return VG_OK;
}

/* The connection failed (I/O error, EOF, timeout): every pipelined
 * command whose reply was not read counts as dropped (the server may have
 * applied some of them; we cannot know), and the next connect attempt is
 * delayed by the current backoff, which doubles up to the maximum. */
static void
sink_redis_lost(vg_sink_t *s, const char *why)
{
    if (!s->outage_logged) {
        vg_log_warn("eve-log: redis %s:%u: %s; dropping records, reconnecting with backoff",
                    s->server, s->cfg.redis_port, why);
        s->outage_logged = true;
    }
    s->dropped += s->pending;
    s->pending = 0;
    if (s->redis != NULL)
        redisFree(s->redis);
    s->redis = NULL;
    s->next_try_ms = redis_now_ms() + s->backoff_ms;
    s->backoff_ms = VG_MIN(s->backoff_ms * 2u, (uint32_t)SINK_REDIS_BACKOFF_MAX_MS);
}

/* Send what hiredis buffered and read every pending reply. An error reply
 * drops that one record (counted); a transport failure drops the rest
 * (sink_redis_lost). VG_OK or VG_EIO. */
static int
sink_redis_collect(vg_sink_t *s)
{
    int rc = VG_OK;
    s->last_push_ms = redis_now_ms();
    while (s->redis != NULL && s->pending > 0) {
        void *rv = NULL;
        redis_sigpipe_t g;
        redis_sigpipe_block(&g);
        int got = redisGetReply(s->redis, &rv);
        redis_sigpipe_unblock(&g);
        if (got != REDIS_OK || rv == NULL) {
            char why[160];
            snprintf(why, sizeof(why), "connection lost (%s)",
                     s->redis->errstr[0] ? s->redis->errstr : "no reply");
            sink_redis_lost(s, why);
            return VG_EIO;
        }
        redisReply *r = rv;
        s->pending--;
        if (r->type == REDIS_REPLY_ERROR) {
            if (s->error_replies++ == 0)
                vg_log_warn("eve-log: redis %s:%u key '%s': server error: %s (record dropped; "
                            "further errors are only counted)",
                            s->server, s->cfg.redis_port, s->key, r->str ? r->str : "?");
            s->dropped++;
            rc = VG_EIO;
        }
        freeReplyObject(r);
    }
    return rc;
}
#endif

int
vg_sink_open(vg_sink_t **out, const vg_sink_cfg_t *cfg, char *errbuf, size_t errlen)
{
    *out = NULL;
    vg_sink_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return VG_ENOMEM;
    s->cfg = *cfg;
    s->fd = -1;
    snprintf(s->path, sizeof(s->path), "%s", cfg->path ? cfg->path : "");
    s->cfg.path = s->path;
    switch (cfg->type) {
    case VG_SINK_FILE:
        s->fp = fopen(s->path, cfg->append ? "ab" : "wb");
        if (s->fp == NULL) {
            snprintf(errbuf, errlen, "%s: cannot open for writing: %s", s->path, strerror(errno));
            free(s);
            return VG_EIO;
        }
        /* large buffer: one write(2) per many records */
        setvbuf(s->fp, NULL, _IOFBF, 1 << 16);
        break;
    case VG_SINK_UNIX_STREAM:
    case VG_SINK_UNIX_DGRAM:
        if (strlen(s->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
            snprintf(errbuf, errlen, "%s: socket path too long, expected at most %zu characters",
                     s->path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
            free(s);
            return VG_ECONFIG;
        }
        (void)sink_unix_connect(s); /* not listening yet is fine; retried on write */
        break;
    case VG_SINK_REDIS:
#if VG_HAVE_HIREDIS
        snprintf(s->server, sizeof(s->server), "%s",
                 cfg->redis_server ? cfg->redis_server : "127.0.0.1");
        snprintf(s->key, sizeof(s->key), "%s", cfg->redis_key ? cfg->redis_key : "suricata");
        if (s->cfg.redis_port == 0)
            s->cfg.redis_port = 6379;
        if (s->cfg.redis_stream_maxlen > 0)
            snprintf(s->maxlen, sizeof(s->maxlen), "%llu",
                     (unsigned long long)s->cfg.redis_stream_maxlen);
        if (sink_redis_connect(s, errbuf, errlen) != VG_OK) {
            free(s);
            return VG_EIO;
        }
        break;
#else
        snprintf(errbuf, errlen, "filetype redis: not available in this build (built without "
                 "hiredis)");
        free(s);
        return VG_ECONFIG;
#endif
    }
    *out = s;
    return VG_OK;
}

static int
sink_unix_write(vg_sink_t *s, const char *line, size_t len)
{
    if (s->fd < 0) {
        if (time(NULL) == s->last_connect_try || sink_unix_connect(s) != VG_OK) {
            s->dropped++;
            return VG_EIO;
        }
    }
    if (s->cfg.type == VG_SINK_UNIX_DGRAM) {
        /* one record per datagram, newline-terminated like Suricata */
        char *tmp = malloc(len + 1);
        if (tmp == NULL) {
            s->dropped++;
            return VG_EIO;
        }
        memcpy(tmp, line, len);
        tmp[len] = '\n';
        /* never block the writer on a slow reader for long: wait up to
         * 100 ms for room, then drop (counted) */
        ssize_t n = send(s->fd, tmp, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
            if (poll(&pfd, 1, 100) > 0)
                n = send(s->fd, tmp, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                free(tmp);
                s->dropped++;
                return VG_EIO;
            }
        }
        free(tmp);
        if (n != (ssize_t)(len + 1)) {
            close(s->fd);
            s->fd = -1;
            s->dropped++;
            return VG_EIO;
        }
        return VG_OK;
    }
    struct sink_part {
        const char *b;
        size_t n;
    } parts[2] = {{line, len}, {"\n", 1}};
    for (int i = 0; i < 2; i++) {
        size_t off = 0;
        while (off < parts[i].n) {
            ssize_t n = send(s->fd, parts[i].b + off, parts[i].n - off, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(s->fd);
                s->fd = -1;
                s->dropped++;
                return VG_EIO;
            }
            off += (size_t)n;
        }
    }
    return VG_OK;
}

#if VG_HAVE_HIREDIS
/* Queue one record as the mode's command (Suricata's argument order:
 * LPUSH/RPUSH/PUBLISH key line; XADD key [MAXLEN ~|= n] * eve line) and,
 * unless pipelining holds it back, read the reply. While disconnected a
 * record is dropped at once (counted): the writer never waits for a
 * server that is down, beyond one bounded connect attempt per backoff. */
static int
sink_redis_write(vg_sink_t *s, const char *line, size_t len)
{
    if (s->redis == NULL) {
        if (redis_now_ms() < s->next_try_ms) {
            s->dropped++;
            return VG_EIO;
        }
        char why[320];
        if (sink_redis_connect(s, why, sizeof(why)) != VG_OK) {
            sink_redis_lost(s, why); /* schedules the next try, doubled backoff */
            s->dropped++;
            return VG_EIO;
        }
        vg_log_notice("eve-log: redis %s:%u: reconnected (%llu records dropped so far)",
                      s->server, s->cfg.redis_port, (unsigned long long)s->dropped);
        s->outage_logged = false;
    }
    const char *argv[8];
    size_t argl[8];
    int argc = 0;
    switch (s->cfg.redis_mode) {
    case VG_REDIS_RPUSH:
        argv[argc++] = "RPUSH";
        break;
    case VG_REDIS_LPUSH:
        argv[argc++] = "LPUSH";
        break;
    case VG_REDIS_PUBLISH:
        argv[argc++] = "PUBLISH";
        break;
    case VG_REDIS_XADD:
        argv[argc++] = "XADD";
        break;
    }
    argv[argc++] = s->key;
    if (s->cfg.redis_mode == VG_REDIS_XADD) {
        if (s->maxlen[0]) {
            argv[argc++] = "MAXLEN";
            argv[argc++] = s->cfg.redis_stream_trim_exact ? "=" : "~";
            argv[argc++] = s->maxlen;
        }
        argv[argc++] = "*";
        argv[argc++] = "eve"; /* Suricata's field name for the record */
    }
    for (int i = 0; i < argc; i++)
        argl[i] = strlen(argv[i]);
    argv[argc] = line;
    argl[argc++] = len;
    if (redisAppendCommandArgv(s->redis, argc, argv, argl) != REDIS_OK) {
        s->dropped++; /* out of memory in hiredis: this record only */
        return VG_EIO;
    }
    s->pending++;
    uint32_t batch = VG_MAX(s->cfg.redis_batch_size, 1u);
    if (s->pending >= batch || redis_now_ms() - s->last_push_ms >= SINK_REDIS_PUSH_EVERY_MS)
        return sink_redis_collect(s);
    return VG_OK;
}
#endif

int
vg_sink_write(vg_sink_t *s, const char *line, size_t len)
{
    switch (s->cfg.type) {
    case VG_SINK_FILE:
        if (fwrite(line, 1, len, s->fp) != len || fputc('\n', s->fp) == EOF) {
            s->dropped++;
            return VG_EIO;
        }
        return VG_OK;
    case VG_SINK_UNIX_STREAM:
    case VG_SINK_UNIX_DGRAM:
        return sink_unix_write(s, line, len);
    case VG_SINK_REDIS:
#if VG_HAVE_HIREDIS
        return sink_redis_write(s, line, len);
#else
        break;
#endif
    }
    s->dropped++;
    return VG_EIO;
}

int
vg_sink_flush(vg_sink_t *s)
{
    if (s->fp != NULL && fflush(s->fp) != 0)
        return VG_EIO;
#if VG_HAVE_HIREDIS
    if (s->redis != NULL && s->pending > 0)
        return sink_redis_collect(s);
#endif
    return VG_OK;
}

uint64_t
vg_sink_dropped(const vg_sink_t *s)
{
    return s->dropped;
}

void
vg_sink_close(vg_sink_t *s)
{
    if (s == NULL)
        return;
    if (s->fp != NULL)
        fclose(s->fp);
    if (s->fd >= 0)
        close(s->fd);
#if VG_HAVE_HIREDIS
    if (s->cfg.type == VG_SINK_REDIS) {
        if (s->redis != NULL && s->pending > 0)
            (void)sink_redis_collect(s); /* the last pipelined batch */
        if (s->redis != NULL)
            redisFree(s->redis);
        if (s->dropped > 0)
            vg_log_warn("eve-log: redis %s:%u: %llu records dropped (%llu error replies, the "
                        "rest while the server was unreachable)",
                        s->server, s->cfg.redis_port, (unsigned long long)s->dropped,
                        (unsigned long long)s->error_replies);
    }
#endif
    free(s);
}
