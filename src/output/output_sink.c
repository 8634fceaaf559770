/* output_sink.c - EVE line sinks: file, unix socket, redis. See output_sink.h. */
#include "output/output_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vg_config.h"
#if VG_HAVE_HIREDIS
#include <hiredis/hiredis.h>
#endif

struct vg_sink {
    vg_sink_cfg_t cfg;
    char path[4096];
    FILE *fp;                 /* regular file */
    int fd;                   /* unix socket, -1 when not connected */
    time_t last_connect_try;  /* reconnect at most once a second */
    uint64_t dropped;
#if VG_HAVE_HIREDIS
    redisContext *redis;
    char server[256];
    char key[256];
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
    if (!strcasecmp(s, "list") || !strcasecmp(s, "rpush")) {
        *out = VG_REDIS_RPUSH;
    } else if (!strcasecmp(s, "lpush")) {
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
static int
sink_redis_connect(vg_sink_t *s, char *errbuf, size_t errlen)
{
    s->last_connect_try = time(NULL);
    struct timeval tv = {2, 0};
    s->redis = redisConnectWithTimeout(s->server, s->cfg.redis_port, tv);
    if (s->redis == NULL || s->redis->err) {
        if (errbuf)
            snprintf(errbuf, errlen, "redis %s:%u: %s", s->server, s->cfg.redis_port,
                     s->redis ? s->redis->errstr : "out of memory");
        if (s->redis)
            redisFree(s->redis);
        s->redis = NULL;
        return VG_EIO;
    }
    return VG_OK;
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
static int
sink_redis_write(vg_sink_t *s, const char *line, size_t len)
{
    if (s->redis == NULL) {
        if (time(NULL) == s->last_connect_try || sink_redis_connect(s, NULL, 0) != VG_OK) {
            s->dropped++;
            return VG_EIO;
        }
    }
    redisReply *r = NULL;
    switch (s->cfg.redis_mode) {
    case VG_REDIS_RPUSH:
        r = redisCommand(s->redis, "RPUSH %s %b", s->key, line, len);
        break;
    case VG_REDIS_LPUSH:
        r = redisCommand(s->redis, "LPUSH %s %b", s->key, line, len);
        break;
    case VG_REDIS_PUBLISH:
        r = redisCommand(s->redis, "PUBLISH %s %b", s->key, line, len);
        break;
    case VG_REDIS_XADD:
        if (s->cfg.redis_stream_maxlen)
            r = redisCommand(s->redis, "XADD %s MAXLEN ~ %llu * eve %b", s->key,
                             (unsigned long long)s->cfg.redis_stream_maxlen, line, len);
        else
            r = redisCommand(s->redis, "XADD %s * eve %b", s->key, line, len);
        break;
    }
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        if (r)
            freeReplyObject(r);
        if (s->redis->err) {
            redisFree(s->redis);
            s->redis = NULL;
        }
        s->dropped++;
        return VG_EIO;
    }
    freeReplyObject(r);
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
    if (s->redis != NULL)
        redisFree(s->redis);
#endif
    free(s);
}
