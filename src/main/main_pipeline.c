/* main_pipeline.c - run modes and threads.
 *
 * single:  one thread reads, decodes, defrags and runs the worker code.
 * autofp / workers (files): the calling thread is the reader (capture ->
 *   decode -> defrag -> symmetric flow hash) and hands packets to N worker
 *   threads through bounded single-producer/single-consumer rings; packets
 *   come back through a second ring per worker to a pool the reader owns,
 *   so nothing is allocated per packet and at most max-pending-packets are
 *   in flight. Workers own their flows (a flow's packets always hash to the
 *   same worker) and send finished EVE lines in batches to ONE writer
 *   thread that owns the sink.
 *
 * Determinism: flow timeouts are driven by TICK messages the reader sends
 * to every worker, in packet order, whenever capture time enters a new
 * second, and the end of the run is stamped with the last packet's time.
 * A flow's records therefore depend only on its own packets and on the
 * capture clock, never on which worker runs it or how many there are.
 */
#include "main/main_int.h"

#include "capture/capture.h"
#include "core/core_log.h"
#include "decode/decode.h"
#ifdef VG_HAVE_DEFRAG
#include "stream/stream_defrag.h"
#endif
#ifdef VG_HAVE_INTEL
#include "intel/intel.h"
#include "main/main_live_attrib.h"
#endif
#ifdef VG_HAVE_INTEL_MATCH
#include "intel/intel_match.h"
#endif
#ifdef VG_HAVE_APP_FILE
#include "app/app_file.h"
#endif

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- bounded SPSC ring ---- */

typedef enum { MSG_PKT = 0, MSG_TICK, MSG_END } msg_kind_t;

typedef struct msg {
    msg_kind_t kind;
    vg_packet_t *p;
    vg_time_us_t ts;
} msg_t;

/* Each side keeps a private copy of the other side's index and reloads it
 * only when the ring looks full/empty, and the producer can write several
 * slots before publishing them (ring_stage + ring_publish): with one
 * atomic store and one cache-line transfer per message the rings were a
 * visible cost at ~1 us of work per packet. */
typedef struct ring {
    _Atomic size_t head; /* next slot to read (consumer) */
    size_t tail_seen;    /* consumer: last value read from tail */
    char pad1[64];
    _Atomic size_t tail; /* slots published to the consumer (producer) */
    size_t staged;       /* producer: slots written; staged - tail not yet published */
    size_t head_seen;    /* producer: last value read from head */
    char pad2[64];
    size_t mask;
    msg_t *slots;
} ring_t;

/* messages staged before the reader (or a worker, for returned packets)
 * publishes them; everything staged is published before anyone waits */
#define PIPE_BATCH 32

static int
ring_init(ring_t *r, size_t min_cap)
{
    size_t cap = 16;
    while (cap < min_cap)
        cap <<= 1;
    r->slots = calloc(cap, sizeof(msg_t));
    if (r->slots == NULL)
        return VG_ENOMEM;
    r->mask = cap - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    r->tail_seen = r->staged = r->head_seen = 0;
    return VG_OK;
}

static void
ring_fini(ring_t *r)
{
    free(r->slots);
    r->slots = NULL;
}

/* Producer: write m into the next slot without making it visible yet;
 * false when the ring is full (staged slots count). */
static bool
ring_stage(ring_t *r, const msg_t *m)
{
    size_t t = r->staged;
    if (t - r->head_seen > r->mask) {
        r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
        if (t - r->head_seen > r->mask)
            return false;
    }
    r->slots[t & r->mask] = *m;
    r->staged = t + 1;
    return true;
}

/* Producer: make every staged slot visible to the consumer. */
static void
ring_publish(ring_t *r)
{
    if (atomic_load_explicit(&r->tail, memory_order_relaxed) != r->staged)
        atomic_store_explicit(&r->tail, r->staged, memory_order_release);
}

/* Producer: slots staged but not published. */
static size_t
ring_unpublished(const ring_t *r)
{
    return r->staged - atomic_load_explicit(&r->tail, memory_order_relaxed);
}

static bool
ring_try_pop(ring_t *r, msg_t *m)
{
    size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (h == r->tail_seen) {
        r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (h == r->tail_seen)
            return false;
    }
    *m = r->slots[h & r->mask];
    atomic_store_explicit(&r->head, h + 1, memory_order_release);
    return true;
}

/* Back off while a ring is full/empty: yield a few times, then sleep,
 * doubling from 50 us up to 1.6 ms the longer the wait lasts, so idle
 * threads (a quiet live interface) cost next to no CPU while a busy
 * pipeline never sleeps long. */
static void
pipe_backoff(unsigned *spins)
{
    unsigned n = ++*spins;
    if (n < 64) {
        sched_yield();
        return;
    }
    unsigned shift = VG_MIN((n - 64) / 16, 5u);
    struct timespec ts = {0, (50L * 1000) << shift};
    nanosleep(&ts, NULL);
}

/* ---- writer ---- */

typedef struct chunk {
    struct chunk *next;
    size_t len;
    char data[];
} chunk_t;

#define WRITER_MAX_QUEUED 64 /* chunks waiting; workers block beyond (backpressure) */

typedef struct writer {
    vg_sink_t *sink;
    pthread_mutex_t mu;
    pthread_cond_t cv_nonempty;
    pthread_cond_t cv_space;
    chunk_t *head, *tail;
    size_t queued;
    bool done;
    uint64_t lines;
    vg_live_attrib_t *attrib; /* --intel runs: every line written also feeds attribution */
} writer_t;

static void
sink_write_lines(writer_t *wr, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        const char *nl = memchr(buf + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
        (void)vg_sink_write(wr->sink, buf + off, n);
        vg_live_attrib_feed(wr->attrib, buf + off, n);
        wr->lines++;
        off += n + 1;
    }
}

/* attribution records at the end of the run: to the sink, not fed back */
static void
attrib_write_line(void *user, const char *line, size_t len)
{
    writer_t *wr = user;
    (void)vg_sink_write(wr->sink, line, len);
    wr->lines++;
}

static void *
writer_main(void *arg)
{
    writer_t *wr = arg;
    pthread_mutex_lock(&wr->mu);
    for (;;) {
        while (wr->head == NULL && !wr->done)
            pthread_cond_wait(&wr->cv_nonempty, &wr->mu);
        if (wr->head == NULL && wr->done)
            break;
        chunk_t *c = wr->head;
        wr->head = c->next;
        if (wr->head == NULL)
            wr->tail = NULL;
        wr->queued--;
        pthread_cond_signal(&wr->cv_space);
        pthread_mutex_unlock(&wr->mu);
        sink_write_lines(wr, c->data, c->len);
        free(c);
        pthread_mutex_lock(&wr->mu);
    }
    pthread_mutex_unlock(&wr->mu);
    vg_sink_flush(wr->sink);
    return NULL;
}

/* deliver callback of threaded workers: copy the batch into the queue */
static void
writer_deliver(void *user, vg_worker_t *w, const char *buf, size_t len)
{
    (void)w;
    writer_t *wr = user;
    chunk_t *c = malloc(sizeof(*c) + len);
    if (c == NULL)
        return; /* lines lost; the record counters still show them */
    c->next = NULL;
    c->len = len;
    memcpy(c->data, buf, len);
    pthread_mutex_lock(&wr->mu);
    while (wr->queued >= WRITER_MAX_QUEUED)
        pthread_cond_wait(&wr->cv_space, &wr->mu);
    if (wr->tail)
        wr->tail->next = c;
    else
        wr->head = c;
    wr->tail = c;
    wr->queued++;
    pthread_cond_signal(&wr->cv_nonempty);
    pthread_mutex_unlock(&wr->mu);
}

/* deliver callback in single mode: straight to the sink */
static void
direct_deliver(void *user, vg_worker_t *w, const char *buf, size_t len)
{
    (void)w;
    writer_t *wr = user;
    sink_write_lines(wr, buf, len);
}

/* deliver callback when EVE is disabled */
static void
null_deliver(void *user, vg_worker_t *w, const char *buf, size_t len)
{
    (void)user, (void)w, (void)buf, (void)len;
}

/* ---- workers ---- */

typedef struct worker_thread {
    vg_worker_t w;
    pthread_t tid;
    bool started;
    ring_t in;    /* reader -> worker: packets, ticks, end */
    ring_t back;  /* worker -> reader: used packets */
} worker_thread_t;

static void *
worker_main(void *arg)
{
    worker_thread_t *wt = arg;
    unsigned spins = 0;
    for (;;) {
        msg_t m;
        if (!ring_try_pop(&wt->in, &m)) {
            ring_publish(&wt->back); /* idle: hand back every used packet first */
            pipe_backoff(&spins);
            continue;
        }
        spins = 0;
        switch (m.kind) {
        case MSG_PKT:
            vg_worker_packet(&wt->w, m.p);
            /* `back` holds every packet of the pool, so this never fails */
            while (!ring_stage(&wt->back, &m))
                pipe_backoff(&spins);
            if (ring_unpublished(&wt->back) >= PIPE_BATCH)
                ring_publish(&wt->back);
            break;
        case MSG_TICK:
            vg_worker_tick(&wt->w, m.ts);
            break;
        case MSG_END:
            vg_worker_finish(&wt->w, m.ts);
            return NULL;
        }
    }
}

/* ---- the run ---- */

typedef struct pipeline {
    vg_run_cfg_t *cfg;
    unsigned n_workers;
    bool threaded;
    worker_thread_t *wt;
    writer_t wr;
    pthread_t writer_tid;
    bool writer_started;
    vg_capture_t *cap;
    vg_decode_ctx_t dec;
    vg_counters_t *reader_counters;
#ifdef VG_HAVE_DEFRAG
    vg_defrag_t *defrag;
#endif
    /* packet pool owned by the reader */
    vg_packet_t *pkts;
    size_t n_pkts;
    vg_packet_t **free_stack;
    size_t n_free;
    vg_time_us_t last_ts;
    int64_t last_tick_sec;
    uint64_t n_packets;
} pipeline_t;

static vg_capture_t *volatile g_cap; /* for the signal handler */

static void
pipe_on_signal(int sig)
{
    (void)sig;
    if (g_cap != NULL)
        vg_capture_stop(g_cap);
}

static void
pipe_capture_warn(void *user, const char *msg)
{
    (void)user;
    vg_log_warn("%s", msg);
}

/* A free packet for the reader: from its stack, else collected back from
 * the workers (waiting for them if everything is in flight). */
/* Publish every packet staged for the workers (before the reader waits for
 * anything, and when the capture is idle). */
static void
pipe_flush(pipeline_t *pl)
{
    for (unsigned i = 0; i < pl->n_workers && pl->threaded; i++)
        ring_publish(&pl->wt[i].in);
}

static vg_packet_t *
pipe_get_packet(pipeline_t *pl)
{
    unsigned spins = 0;
    if (pl->n_free == 0)
        pipe_flush(pl); /* the workers cannot return what they cannot see */
    while (pl->n_free == 0) {
        for (unsigned i = 0; i < pl->n_workers && pl->threaded; i++) {
            msg_t m;
            while (ring_try_pop(&pl->wt[i].back, &m))
                pl->free_stack[pl->n_free++] = m.p;
        }
        if (pl->n_free == 0)
            pipe_backoff(&spins);
    }
    return pl->free_stack[--pl->n_free];
}

static void
pipe_put_packet(pipeline_t *pl, vg_packet_t *p)
{
    pl->free_stack[pl->n_free++] = p;
}

/* Packets are staged and published PIPE_BATCH at a time; ticks and the end
 * message are published at once (with the packets staged before them). */
static void
pipe_push(pipeline_t *pl, unsigned i, const msg_t *m)
{
    unsigned spins = 0;
    ring_t *r = &pl->wt[i].in;
    while (!ring_stage(r, m)) {
        ring_publish(r);
        pipe_backoff(&spins);
    }
    if (m->kind != MSG_PKT || ring_unpublished(r) >= PIPE_BATCH)
        ring_publish(r);
}

static void
pipe_dispatch(pipeline_t *pl, vg_packet_t *p)
{
    p->flow_hash = 0;
    if (p->ip_ver != 0 && !(p->flags & VG_PKT_INVALID)) {
        p->flow_hash = vg_flow_hash_packet(p);
        p->flags |= VG_PKT_FLOW_HASHED;
    }
    if (!pl->threaded) {
        vg_worker_packet(&pl->wt[0].w, p);
        pipe_put_packet(pl, p);
        return;
    }
    msg_t m = {.kind = MSG_PKT, .p = p};
    pipe_push(pl, p->flow_hash % pl->n_workers, &m);
}

static void
pipe_broadcast(pipeline_t *pl, msg_kind_t kind, vg_time_us_t ts)
{
    for (unsigned i = 0; i < pl->n_workers; i++) {
        if (!pl->threaded) {
            if (kind == MSG_TICK)
                vg_worker_tick(&pl->wt[i].w, ts);
            else
                vg_worker_finish(&pl->wt[i].w, ts);
            continue;
        }
        msg_t m = {.kind = kind, .ts = ts};
        pipe_push(pl, i, &m);
    }
}

/* Capture time entered a new second: let workers expire idle flows. */
static void
pipe_clock(pipeline_t *pl, vg_time_us_t ts)
{
    if (ts > pl->last_ts)
        pl->last_ts = ts;
    int64_t sec = ts / 1000000;
    if (pl->last_tick_sec < 0) {
        pl->last_tick_sec = sec;
        return;
    }
    if (sec > pl->last_tick_sec) {
        pl->last_tick_sec = sec;
        pipe_broadcast(pl, MSG_TICK, ts);
#ifdef VG_HAVE_DEFRAG
        if (pl->defrag)
            vg_defrag_timeout(pl->defrag, ts);
#endif
    }
}

static int
pipe_read_loop(pipeline_t *pl)
{
    const vg_run_cfg_t *cfg = pl->cfg;
    struct timespec t0, tn;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    time_t last_progress = t0.tv_sec;
    int result = VG_OK;
    vg_packet_t *p = pipe_get_packet(pl);
    for (;;) {
        int rc = vg_capture_next(pl->cap, p);
        if (rc == VG_DECLINED)
            break;
        if (rc == VG_AGAIN) {
            pipe_flush(pl); /* live capture idle: nothing waits in a batch */
            struct timespec ts = {0, 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (rc == VG_ENOMEM)
            continue;
        if (rc != VG_OK) {
            vg_log_error("capture failed: %s", vg_capture_last_warning(pl->cap));
            result = VG_EIO;
            break;
        }
        pl->n_packets++;
        vg_decode_packet(&pl->dec, p);
        pipe_clock(pl, p->ts);
#ifdef VG_HAVE_DEFRAG
        if ((p->flags & VG_PKT_IS_FRAGMENT) && pl->defrag != NULL) {
            vg_packet_t *q = pipe_get_packet(pl);
            int drc = vg_defrag_handle(pl->defrag, p, q);
            pipe_dispatch(pl, p); /* the fragment itself: anomalies, counters */
            if (drc == VG_OK) {
                vg_decode_packet(&pl->dec, q);
                pipe_dispatch(pl, q);
            } else {
                pipe_put_packet(pl, q);
            }
            p = pipe_get_packet(pl);
            continue;
        }
#endif
        pipe_dispatch(pl, p);
        p = pipe_get_packet(pl);
        if (cfg->verbose > 0 && (pl->n_packets & 0xffff) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &tn);
            if (tn.tv_sec - last_progress >= 5) {
                last_progress = tn.tv_sec;
                vg_log_info("progress: %llu packets read (%s)",
                            (unsigned long long)pl->n_packets,
                            vg_capture_current_file(pl->cap));
            }
        }
    }
    pipe_put_packet(pl, p);
    return result;
}

static void
pipe_stats(pipeline_t *pl, uint64_t uptime_s)
{
    const vg_run_cfg_t *cfg = pl->cfg;
    if (!cfg->eve_enabled || !cfg->eve.stats || !cfg->eve.stats_totals)
        return;
    vg_counters_t *total = calloc(1, sizeof(*total));
    vg_jw_t jw;
    if (total == NULL || vg_jw_init(&jw, cfg->limits.output_max_record) != VG_OK) {
        free(total);
        return;
    }
    vg_capture_update_counters(pl->cap, pl->reader_counters);
    vg_counters_merge(total, pl->reader_counters);
    for (unsigned i = 0; i < pl->n_workers; i++)
        vg_counters_merge(total, pl->wt[i].w.counters);
    vg_time_us_t ts = pl->last_ts;
    if (ts == 0) { /* no packet at all (idle live capture): wall clock */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        ts = (vg_time_us_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
    }
    if (vg_eve_stats_record(&jw, &cfg->eve, ts, total, uptime_s) == VG_OK)
        sink_write_lines(&pl->wr, jw.buf, jw.len);
    vg_jw_fini(&jw);
    free(total);
}

/* --intel files into one frozen store shared read-only by the workers
 * (cfg->intel_store). A file that does not load is a startup error. */
static int
pipe_load_intel(vg_run_cfg_t *cfg)
{
    if (cfg->n_intel == 0)
        return VG_OK;
#if defined(VG_HAVE_INTEL) && defined(VG_HAVE_INTEL_MATCH)
    vg_intel_store_t *store = vg_intel_store_new();
    if (store == NULL)
        return VG_ENOMEM;
    vg_intel_store_set_limits(store, &cfg->limits);
    for (size_t i = 0; i < cfg->n_intel; i++) {
        char err[VG_ERRBUF_SIZE] = "";
        if (vg_intel_load_file(store, cfg->intel[i], VG_INTEL_FMT_AUTO, NULL, NULL, err,
                               sizeof(err)) != VG_OK) {
            fprintf(stderr, "vigil: --intel %s: %s\n", cfg->intel[i], err);
            vg_intel_store_free(store);
            return VG_ECONFIG;
        }
    }
    vg_intel_store_freeze(store);
    vg_intel_register_counters();
    vg_log_info("intel: %zu indicators loaded from %zu files", vg_intel_store_count(store),
                cfg->n_intel);
    cfg->intel_store = store;
    return VG_OK;
#else
    fprintf(stderr, "vigil: --intel: intel matching is not available in this build\n");
    return VG_ECONFIG;
#endif
}

static void
pipe_free_intel(vg_run_cfg_t *cfg)
{
#if defined(VG_HAVE_INTEL) && defined(VG_HAVE_INTEL_MATCH)
    vg_intel_store_free(cfg->intel_store);
#endif
    cfg->intel_store = NULL;
}

#ifdef VG_HAVE_APP_FILE
/* File digests (MD5 + SHA-1 + SHA-256 over every body byte) cost more CPU
 * than all parsers together; compute only the ones something reads: the
 * types listed in types.files.force-hash and the hash types of the loaded
 * indicators (a feed of SHA-256 hashes needs no MD5, the slowest of the
 * three). VG_FILE_DIGEST_* bits, 0 = none. */
static unsigned
pipe_file_digests_needed(const vg_run_cfg_t *cfg)
{
    unsigned need = cfg->eve.files_force_hash;
#ifdef VG_HAVE_INTEL
    if (cfg->intel_store != NULL) {
        const vg_intel_load_report_t *r = vg_intel_store_report(cfg->intel_store);
        if (r == NULL)
            return VG_FILE_DIGEST_ALL;
        if (r->indicators_by_type[VG_IOC_MD5] > 0)
            need |= VG_FILE_DIGEST_MD5;
        if (r->indicators_by_type[VG_IOC_SHA1] > 0)
            need |= VG_FILE_DIGEST_SHA1;
        if (r->indicators_by_type[VG_IOC_SHA256] > 0)
            need |= VG_FILE_DIGEST_SHA256;
    }
#endif
    return need;
}
#endif

static double
pipe_seconds(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int
vg_pipeline_run(vg_run_cfg_t *cfg)
{
    int status = 1;
    int read_rc = VG_OK;
    char err[VG_ERRBUF_SIZE] = "";
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (pipe_load_intel(cfg) != VG_OK)
        return 1;
    /* Startup (loading indicators: ~1 s per million) and teardown are not
     * packet processing; the run's throughput is measured between these
     * two points and printed with -v (make bench reads it). */
    struct timespec proc_wall0, proc_cpu0;
    clock_gettime(CLOCK_MONOTONIC, &proc_wall0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &proc_cpu0);
#ifdef VG_HAVE_APP_FILE
    vg_app_file_set_digests(pipe_file_digests_needed(cfg));
#endif

    pipeline_t pl = {.cfg = cfg, .last_tick_sec = -1};
    pl.threaded = cfg->runmode != VG_RUNMODE_SINGLE;
    pl.n_workers = pl.threaded ? VG_MAX(1u, cfg->threads) : 1;
    pl.reader_counters = calloc(1, sizeof(*pl.reader_counters));
    pl.wt = calloc(pl.n_workers, sizeof(*pl.wt));
    if (pl.reader_counters == NULL || pl.wt == NULL) {
        fprintf(stderr, "vigil: out of memory\n");
        goto out_free;
    }

    /* sink first: an unwritable log dir is a startup error */
    if (cfg->eve_enabled) {
        if (vg_sink_open(&pl.wr.sink, &cfg->sink, err, sizeof(err)) != VG_OK) {
            fprintf(stderr, "vigil: eve-log: %s\n", err);
            goto out_free;
        }
        /* --intel: weigh what this run sees against the actors in the intel */
        pl.wr.attrib = vg_live_attrib_new(cfg->intel, cfg->n_intel, cfg->intel_store,
                                          &cfg->limits);
    }

    /* everything that registers counters runs before any thread starts */
    if (vg_decode_ctx_init(&pl.dec, &cfg->limits, pl.reader_counters) != VG_OK) {
        fprintf(stderr, "vigil: decoder init failed\n");
        goto out_sink;
    }
    pl.dec.csum = cfg->csum_all == 1 ? VG_CSUM_ALL : VG_CSUM_NONE;
    pl.dec.vxlan_enabled = cfg->vxlan_enabled;
#ifdef VG_HAVE_DEFRAG
    pl.defrag = vg_defrag_new(&cfg->limits, pl.reader_counters);
    if (pl.defrag == NULL) {
        fprintf(stderr, "vigil: out of memory (defrag)\n");
        goto out_sink;
    }
#endif
    vg_worker_deliver_fn deliver = !cfg->eve_enabled ? null_deliver
                                   : pl.threaded     ? writer_deliver
                                                     : direct_deliver;
    for (unsigned i = 0; i < pl.n_workers; i++) {
        if (vg_worker_init(&pl.wt[i].w, cfg, i, deliver, &pl.wr, err, sizeof(err)) != VG_OK) {
            fprintf(stderr, "vigil: %s\n", err);
            goto out_workers;
        }
    }

    /* packet pool: max-pending-packets, at least a few per worker */
    pl.n_pkts = VG_MAX((size_t)cfg->limits.max_pending_packets, (size_t)pl.n_workers * 8 + 4);
    pl.pkts = calloc(pl.n_pkts, sizeof(*pl.pkts));
    pl.free_stack = calloc(pl.n_pkts, sizeof(*pl.free_stack));
    if (pl.pkts == NULL || pl.free_stack == NULL) {
        fprintf(stderr, "vigil: out of memory (packet pool)\n");
        goto out_workers;
    }
    for (size_t i = 0; i < pl.n_pkts; i++)
        pl.free_stack[pl.n_free++] = &pl.pkts[i];
    if (pl.threaded) {
        for (unsigned i = 0; i < pl.n_workers; i++) {
            if (ring_init(&pl.wt[i].in, pl.n_pkts / pl.n_workers + 64) != VG_OK ||
                ring_init(&pl.wt[i].back, pl.n_pkts + 1) != VG_OK) {
                fprintf(stderr, "vigil: out of memory (rings)\n");
                goto out_workers;
            }
        }
    }

    vg_capture_opts_t copts = {.limits = &cfg->limits, .warn = pipe_capture_warn};
    int rc = cfg->iface ? vg_capture_open_live(&pl.cap, cfg->iface, &copts, err, sizeof(err))
                        : vg_capture_open_path(&pl.cap, cfg->read_path, &copts, err, sizeof(err));
    if (rc != VG_OK) {
        fprintf(stderr, "vigil: %s\n", err);
        goto out_workers;
    }
    vg_capture_update_counters(pl.cap, pl.reader_counters); /* registers its counters */

    g_cap = pl.cap;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = pipe_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (pl.threaded) {
        if (cfg->eve_enabled) {
            pthread_mutex_init(&pl.wr.mu, NULL);
            pthread_cond_init(&pl.wr.cv_nonempty, NULL);
            pthread_cond_init(&pl.wr.cv_space, NULL);
            if (pthread_create(&pl.writer_tid, NULL, writer_main, &pl.wr) != 0) {
                fprintf(stderr, "vigil: cannot start the writer thread\n");
                goto out_capture;
            }
            pl.writer_started = true;
        }
        for (unsigned i = 0; i < pl.n_workers; i++) {
            if (pthread_create(&pl.wt[i].tid, NULL, worker_main, &pl.wt[i]) != 0) {
                fprintf(stderr, "vigil: cannot start worker thread %u\n", i);
                goto out_threads;
            }
            pl.wt[i].started = true;
        }
    }
    vg_log_info("%s mode, %u worker%s, reading %s", pl.threaded ? "autofp" : "single",
                pl.n_workers, pl.n_workers == 1 ? "" : "s", cfg->iface ? cfg->iface : cfg->read_path);

    /* a failed live capture still logs what it saw, then exits 1 */
    read_rc = pipe_read_loop(&pl);
    status = 0;

out_threads:
    /* end of input: every worker ends its flows at the last capture time */
    if (pl.threaded) {
        for (unsigned i = 0; i < pl.n_workers; i++) {
            if (!pl.wt[i].started)
                continue;
            msg_t m = {.kind = MSG_END, .ts = pl.last_ts};
            pipe_push(&pl, i, &m);
        }
        for (unsigned i = 0; i < pl.n_workers; i++)
            if (pl.wt[i].started)
                pthread_join(pl.wt[i].tid, NULL);
        if (pl.writer_started) {
            pthread_mutex_lock(&pl.wr.mu);
            pl.wr.done = true;
            pthread_cond_signal(&pl.wr.cv_nonempty);
            pthread_mutex_unlock(&pl.wr.mu);
            pthread_join(pl.writer_tid, NULL);
        }
    } else if (status == 0) {
        pipe_broadcast(&pl, MSG_END, pl.last_ts);
    }
    if (status == 0) {
        if (pl.wr.attrib != NULL)
            vg_live_attrib_finish(pl.wr.attrib, cfg->logdir, attrib_write_line, &pl.wr);
        struct timespec now, cpu_now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_now);
        vg_log_info("processing: %llu packets in %.3f s wall, %.3f s cpu; startup %.3f s wall "
                    "(intel load)",
                    (unsigned long long)pl.n_packets, pipe_seconds(&proc_wall0, &now),
                    pipe_seconds(&proc_cpu0, &cpu_now), pipe_seconds(&start, &proc_wall0));
        pipe_stats(&pl, (uint64_t)(now.tv_sec - start.tv_sec));
        vg_log_info("%llu packets, %llu EVE records written to %s",
                    (unsigned long long)pl.n_packets, (unsigned long long)pl.wr.lines,
                    cfg->eve_enabled ? cfg->eve_path : "(eve-log disabled)");
        if (vg_capture_warnings(pl.cap) > 0)
            vg_log_notice("input had %u problem(s); last: %s", vg_capture_warnings(pl.cap),
                          vg_capture_last_warning(pl.cap));
        if (read_rc != VG_OK)
            status = 1;
    }
    if (pl.writer_started) {
        pthread_mutex_destroy(&pl.wr.mu);
        pthread_cond_destroy(&pl.wr.cv_nonempty);
        pthread_cond_destroy(&pl.wr.cv_space);
    }
out_capture:
    g_cap = NULL;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    vg_capture_close(pl.cap);
out_workers:
    for (unsigned i = 0; i < pl.n_workers; i++) {
        vg_worker_fini(&pl.wt[i].w);
        ring_fini(&pl.wt[i].in);
        ring_fini(&pl.wt[i].back);
    }
    if (pl.pkts != NULL)
        for (size_t i = 0; i < pl.n_pkts; i++)
            vg_packet_fini(&pl.pkts[i]);
    free(pl.pkts);
    free(pl.free_stack);
#ifdef VG_HAVE_DEFRAG
    vg_defrag_free(pl.defrag);
#endif
out_sink:
    vg_live_attrib_free(pl.wr.attrib);
    vg_sink_close(pl.wr.sink);
out_free:
    free(pl.wt);
    free(pl.reader_counters);
    pipe_free_intel(cfg);
    return status;
}
