/* Unit tests for the redis sink of output_sink.c, against a fake RESP
 * server in a thread on a loopback port: the exact commands the sink
 * sends (Suricata's argument order), pipelining batches, the startup
 * error, and what happens when the server goes away mid-run (drops
 * counted, no reconnect before the backoff, reconnect after it).
 * The real-server end-to-end check is tests/regress/test_redis_sink.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "output/output_sink.h"

#define FAKE_MAX_CMDS 64
#define FAKE_MAX_ARGS 10

typedef struct {
    int argc;
    char argv[FAKE_MAX_ARGS][256];
    int conn; /* 1 = first connection, 2 = second */
} fake_cmd_t;

typedef struct {
    int lfd;
    uint16_t port;
    int answer_first; /* on connection 1: reply to this many non-PING commands, then close */
    pthread_t th;
    pthread_mutex_t mu;
    fake_cmd_t cmds[FAKE_MAX_CMDS];
    int n_cmds;      /* non-PING commands fully read */
    int conns;       /* connections accepted */
    int conn1_closed;
} fake_t;

/* Read one RESP array-of-bulk-strings command from fd (blocking). 0 on
 * success, -1 on EOF / malformed input. */
static int
fake_read_cmd(int fd, fake_cmd_t *c)
{
    char line[64];
    size_t n = 0;
    int count = -1;
    c->argc = 0;
    for (;;) {
        n = 0;
        for (;;) { /* one CRLF-terminated header line, byte by byte (test only) */
            char ch;
            if (read(fd, &ch, 1) != 1)
                return -1;
            if (ch == '\n')
                break;
            if (ch != '\r' && n < sizeof(line) - 1)
                line[n++] = ch;
        }
        line[n] = 0;
        if (count < 0) {
            if (line[0] != '*')
                return -1;
            count = atoi(line + 1);
            if (count == 0)
                return 0;
            continue;
        }
        if (line[0] != '$')
            return -1;
        size_t len = (size_t)atol(line + 1);
        char *buf = malloc(len + 2);
        if (buf == NULL)
            return -1;
        size_t got = 0;
        while (got < len + 2) {
            ssize_t r = read(fd, buf + got, len + 2 - got);
            if (r <= 0) {
                free(buf);
                return -1;
            }
            got += (size_t)r;
        }
        if (c->argc < FAKE_MAX_ARGS) {
            size_t keep = len < 255 ? len : 255;
            memcpy(c->argv[c->argc], buf, keep);
            c->argv[c->argc][keep] = 0;
            c->argc++;
        }
        free(buf);
        if (--count == 0)
            return 0;
    }
}

static void
fake_serve(fake_t *f, int fd, int conn_no)
{
    int answered = 0;
    fake_cmd_t c;
    while (fake_read_cmd(fd, &c) == 0) {
        if (c.argc == 1 && !strcmp(c.argv[0], "PING")) {
            (void)!write(fd, "+PONG\r\n", 7);
            continue;
        }
        if (conn_no == 1 && f->answer_first >= 0 && answered >= f->answer_first)
            break; /* server "goes away": this command is never answered */
        pthread_mutex_lock(&f->mu);
        c.conn = conn_no;
        if (f->n_cmds < FAKE_MAX_CMDS)
            f->cmds[f->n_cmds++] = c;
        pthread_mutex_unlock(&f->mu);
        (void)!write(fd, ":1\r\n", 4);
        answered++;
    }
    close(fd);
}

static void *
fake_main(void *arg)
{
    fake_t *f = arg;
    for (int conn_no = 1; conn_no <= 2; conn_no++) {
        int fd = accept(f->lfd, NULL, NULL);
        if (fd < 0)
            return NULL;
        pthread_mutex_lock(&f->mu);
        f->conns++;
        pthread_mutex_unlock(&f->mu);
        fake_serve(f, fd, conn_no);
        pthread_mutex_lock(&f->mu);
        if (conn_no == 1)
            f->conn1_closed = 1;
        pthread_mutex_unlock(&f->mu);
    }
    return NULL;
}

static void
fake_start(fake_t *f, int answer_first)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->mu, NULL);
    f->answer_first = answer_first;
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f->lfd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f->lfd, 4), 0);
    socklen_t sl = sizeof(sa);
    assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&sa, &sl), 0);
    f->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void
fake_stop(fake_t *f)
{
    shutdown(f->lfd, SHUT_RDWR); /* wakes a pending accept() */
    pthread_join(f->th, NULL);
    close(f->lfd);
    pthread_mutex_destroy(&f->mu);
}

static int
fake_get(fake_t *f, int what)
{
    pthread_mutex_lock(&f->mu);
    int v = what == 0 ? f->n_cmds : what == 1 ? f->conns : f->conn1_closed;
    pthread_mutex_unlock(&f->mu);
    return v;
}

static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static vg_sink_cfg_t
redis_cfg(uint16_t port, vg_redis_mode_t mode)
{
    vg_sink_cfg_t cfg = {.type = VG_SINK_REDIS, .redis_server = "127.0.0.1", .redis_port = port,
                         .redis_mode = mode, .redis_key = "vgkey"};
    return cfg;
}

static void
test_mode_names_as_suricata(void **state)
{
    (void)state;
    vg_redis_mode_t m;
    assert_int_equal(vg_redis_mode_parse("list", &m), VG_OK);
    assert_int_equal(m, VG_REDIS_LPUSH); /* Suricata: list is lpush */
    assert_int_equal(vg_redis_mode_parse("lpush", &m), VG_OK);
    assert_int_equal(m, VG_REDIS_LPUSH);
    assert_int_equal(vg_redis_mode_parse("rpush", &m), VG_OK);
    assert_int_equal(m, VG_REDIS_RPUSH);
    assert_int_equal(vg_redis_mode_parse("channel", &m), VG_OK);
    assert_int_equal(m, VG_REDIS_PUBLISH);
    assert_int_equal(vg_redis_mode_parse("publish", &m), VG_OK);
    assert_int_equal(m, VG_REDIS_PUBLISH);
    assert_int_equal(vg_redis_mode_parse("stream", &m), VG_OK);
    assert_int_equal(m, VG_REDIS_XADD);
    assert_int_equal(vg_redis_mode_parse("xadd", &m), VG_OK);
    assert_int_equal(m, VG_REDIS_XADD);
    assert_int_equal(vg_redis_mode_parse("queue", &m), VG_EINVAL);
}

/* XADD key MAXLEN ~|= n * eve <line>, and LPUSH/RPUSH/PUBLISH key <line> */
static void
test_command_shapes(void **state)
{
    (void)state;
    fake_t f;
    fake_start(&f, -1);
    char err[256] = "";
    vg_sink_t *s = NULL;
    vg_sink_cfg_t cfg = redis_cfg(f.port, VG_REDIS_XADD);
    cfg.redis_stream_maxlen = 100;
    assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_OK);
    assert_int_equal(vg_sink_write(s, "{\"a\":1}", 7), VG_OK);
    vg_sink_close(s);
    cfg.redis_stream_trim_exact = true;
    assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_OK);
    assert_int_equal(vg_sink_write(s, "{\"b\":2}", 7), VG_OK);
    vg_sink_close(s);
    fake_stop(&f);
    assert_int_equal(f.n_cmds, 2);
    const char *want0[] = {"XADD", "vgkey", "MAXLEN", "~", "100", "*", "eve", "{\"a\":1}"};
    const char *want1[] = {"XADD", "vgkey", "MAXLEN", "=", "100", "*", "eve", "{\"b\":2}"};
    assert_int_equal(f.cmds[0].argc, 8);
    assert_int_equal(f.cmds[1].argc, 8);
    for (int i = 0; i < 8; i++) {
        assert_string_equal(f.cmds[0].argv[i], want0[i]);
        assert_string_equal(f.cmds[1].argv[i], want1[i]);
    }

    static const struct {
        vg_redis_mode_t mode;
        const char *cmd;
    } simple[] = {{VG_REDIS_LPUSH, "LPUSH"}, {VG_REDIS_RPUSH, "RPUSH"},
                  {VG_REDIS_PUBLISH, "PUBLISH"}};
    for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
        fake_start(&f, -1);
        cfg = redis_cfg(f.port, simple[i].mode);
        cfg.redis_stream_maxlen = 100; /* ignored outside stream mode */
        assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_OK);
        assert_int_equal(vg_sink_write(s, "{}", 2), VG_OK);
        vg_sink_close(s);
        fake_stop(&f);
        assert_int_equal(f.n_cmds, 1);
        assert_int_equal(f.cmds[0].argc, 3);
        assert_string_equal(f.cmds[0].argv[0], simple[i].cmd);
        assert_string_equal(f.cmds[0].argv[1], "vgkey");
        assert_string_equal(f.cmds[0].argv[2], "{}");
    }
}

/* batch-size 4: nothing reaches the server before the 4th record; the
 * rest of a partial batch goes out on flush */
static void
test_pipelining_batches(void **state)
{
    (void)state;
    fake_t f;
    fake_start(&f, -1);
    char err[256] = "";
    vg_sink_t *s = NULL;
    vg_sink_cfg_t cfg = redis_cfg(f.port, VG_REDIS_RPUSH);
    cfg.redis_batch_size = 4;
    assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(vg_sink_write(s, "{}", 2), VG_OK);
    sleep_ms(50);
    assert_int_equal(fake_get(&f, 0), 0);
    assert_int_equal(vg_sink_write(s, "{}", 2), VG_OK); /* 4th: batch sent, replies read */
    assert_int_equal(fake_get(&f, 0), 4);
    assert_int_equal(vg_sink_write(s, "{}", 2), VG_OK);
    assert_int_equal(vg_sink_write(s, "{}", 2), VG_OK);
    assert_int_equal(vg_sink_flush(s), VG_OK);
    assert_int_equal(fake_get(&f, 0), 6);
    assert_int_equal(vg_sink_dropped(s), 0);
    vg_sink_close(s);
    fake_stop(&f);
}

static void
test_unreachable_at_start(void **state)
{
    (void)state;
    fake_t f;
    fake_start(&f, -1);
    uint16_t port = f.port;
    fake_stop(&f); /* nothing listens on port any more */
    char err[256] = "";
    char want[64];
    vg_sink_t *s = (vg_sink_t *)&f; /* must be reset to NULL */
    vg_sink_cfg_t cfg = redis_cfg(port, VG_REDIS_LPUSH);
    assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_EIO);
    assert_null(s);
    snprintf(want, sizeof(want), "redis 127.0.0.1:%u: ", port);
    assert_non_null(strstr(err, want));
    assert_null(strchr(err, '\n'));
}

/* Server answers 3 records, then closes. The 4th record is lost (counted),
 * the 5th is dropped without a connect attempt (backoff), and after the
 * backoff the 6th reconnects and arrives on the new connection. */
static void
test_server_gone_then_back(void **state)
{
    (void)state;
    fake_t f;
    fake_start(&f, 3);
    char err[256] = "";
    vg_sink_t *s = NULL;
    vg_sink_cfg_t cfg = redis_cfg(f.port, VG_REDIS_RPUSH);
    assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_OK);
    assert_int_equal(vg_sink_write(s, "r1", 2), VG_OK);
    assert_int_equal(vg_sink_write(s, "r2", 2), VG_OK);
    assert_int_equal(vg_sink_write(s, "r3", 2), VG_OK);
    assert_int_equal(vg_sink_write(s, "r4", 2), VG_EIO);
    assert_int_equal(vg_sink_dropped(s), 1);
    for (int i = 0; i < 200 && !fake_get(&f, 2); i++)
        sleep_ms(10);
    assert_int_equal(fake_get(&f, 2), 1);
    assert_int_equal(vg_sink_write(s, "r5", 2), VG_EIO); /* within the backoff */
    assert_int_equal(vg_sink_dropped(s), 2);
    assert_int_equal(fake_get(&f, 1), 1);                /* no connect attempt */
    sleep_ms(1100);
    assert_int_equal(vg_sink_write(s, "r6", 2), VG_OK);
    assert_int_equal(vg_sink_dropped(s), 2);
    assert_int_equal(fake_get(&f, 1), 2);
    vg_sink_close(s);
    fake_stop(&f);
    assert_int_equal(f.n_cmds, 4);
    static const char *const first[] = {"r1", "r2", "r3"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(f.cmds[i].conn, 1);
        assert_string_equal(f.cmds[i].argv[2], first[i]);
    }
    assert_int_equal(f.cmds[3].conn, 2);
    assert_string_equal(f.cmds[3].argv[0], "RPUSH");
    assert_string_equal(f.cmds[3].argv[2], "r6");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode_names_as_suricata),
        cmocka_unit_test(test_command_shapes),
        cmocka_unit_test(test_pipelining_batches),
        cmocka_unit_test(test_unreachable_at_start),
        cmocka_unit_test(test_server_gone_then_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
