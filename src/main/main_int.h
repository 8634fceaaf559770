/* main_int.h - what the files of src/main share (not an API).
 *
 *   main.c           subcommand dispatch
 *   main_cli.c       Suricata-style options + config -> vg_run_cfg_t
 *   main_run.c       vg_main_run: --help/--version/--build-info/-T, then the pipeline
 *   main_pipeline.c  threads: reader, workers (SPSC rings + packet pools), writer
 *   main_worker.c    per-packet work of one worker: flow, stream, app, EVE
 */
#ifndef VG_MAIN_INT_H
#define VG_MAIN_INT_H

#include "core/core.h"
#include "core/core_config.h"
#include "core/core_limits.h"
#include "output/output_eve.h"
#include "output/output_sink.h"

#define VG_MAIN_MAX_THREADS 64
#define VG_MAIN_MAX_LIST 64

typedef enum {
    VG_RUNMODE_AUTOFP = 0, /* reader + N workers (default) */
    VG_RUNMODE_SINGLE,     /* one thread does everything */
    VG_RUNMODE_WORKERS,    /* same as autofp for files */
} vg_runmode_t;

/* Everything a run needs, from the command line and the config. */
struct vg_intel_store;

typedef struct vg_run_cfg {
    /* command line */
    const char *read_path;     /* -r */
    const char *iface;         /* -i */
    const char *logdir;        /* -l, default "." */
    const char *conf_path;     /* -c */
    const char *sets[VG_MAIN_MAX_LIST];
    size_t n_sets;
    const char *rules[VG_MAIN_MAX_LIST];
    size_t n_rules;
    const char *intel[VG_MAIN_MAX_LIST]; /* --intel files, loaded into the intel store */
    size_t n_intel;
    int verbose;
    int csum_all;              /* -k all: 1, -k none: 0, unset: -1 */
    bool runmode_given;
    vg_runmode_t runmode;
    unsigned threads;          /* workers; 0 = from config / automatic */
    bool init_errors_fatal;
    bool disable_detection;
    bool test_config;          /* -T */
    bool pcap_continuous;
    bool simulate_ips;

    /* from the config */
    vg_conf_t *conf;
    vg_limits_t limits;
    bool eve_enabled;
    vg_eve_cfg_t eve;
    bool anomaly_packethdr;
    vg_sink_cfg_t sink;
    char eve_path[4096];
    char redis_server[256];
    char redis_key[256];
    bool app_enabled[16];      /* indexed by vg_alproto_t */
    bool dns_requests;         /* types.dns.requests (default yes) */
    bool dns_responses;        /* types.dns.responses (default yes) */
    char dns_types[32][16];    /* types.dns.types: log only txs whose query rrtype is listed */
    size_t n_dns_types;
    bool vxlan_enabled;

    /* built at startup by the pipeline; read-only while workers run */
    struct vg_intel_store *intel_store; /* NULL without --intel */
} vg_run_cfg_t;

/* Parse argv (argv[0] is the program) into cfg. Returns 0 to go on, or
 * 1 + prints a one-line reason on a usage error. Sets *early_exit to a
 * status when an informational option (--help, -V, --build-info) was
 * handled and the program should stop. */
int vg_cli_parse(vg_run_cfg_t *cfg, int argc, char **argv, int *early_exit);

/* Load the config (-c or the built-in defaults), apply --set, and fill
 * the typed fields. VG_OK or VG_ECONFIG with "file:line: ..." in errbuf. */
int vg_cli_load_config(vg_run_cfg_t *cfg, char *errbuf, size_t errlen);

void vg_cli_cfg_fini(vg_run_cfg_t *cfg);

/* The built-in defaults: the parts of Suricata 8.0's suricata.yaml vigil reads. */
extern const char vg_default_yaml[];

/* Run the capture -> EVE pipeline. Returns the exit status. */
int vg_pipeline_run(vg_run_cfg_t *cfg);

/* ---- one worker (main_worker.c) ---- */

#include "core/core_counters.h"
#include "flow/flow.h"
#include "stream/stream.h"
#include "app/app.h"

struct vg_worker;

/* Hands a worker's finished lines (buf, len bytes of "record\n" lines) to
 * the output; called by the worker's thread. The callee copies or takes
 * what it needs before returning. */
typedef void (*vg_worker_deliver_fn)(void *user, struct vg_worker *w, const char *buf,
                                     size_t len);

typedef struct vg_worker {
    unsigned id;
    const vg_run_cfg_t *cfg;
    vg_counters_t *counters;     /* this worker's block (heap) */
    vg_flow_table_t *flows;
    vg_stream_ctx_t *stream;
    vg_app_layer_t *app;
    vg_jw_t jw;
    vg_time_us_t now;            /* time of the last packet or tick */
    char *out;                   /* finished lines not yet delivered */
    size_t out_len, out_cap;
    vg_worker_deliver_fn deliver;
    void *deliver_user;
    vg_counter_id_t c_records, c_truncated, c_flows_logged;
} vg_worker_t;

/* Set up a worker (startup, main thread: registers counters). VG_OK,
 * VG_ENOMEM, or VG_EINVAL with errbuf set when a module is missing. */
int vg_worker_init(vg_worker_t *w, const vg_run_cfg_t *cfg, unsigned id,
                   vg_worker_deliver_fn deliver, void *deliver_user, char *errbuf,
                   size_t errlen);
/* Process one decoded packet (defrag already done by the reader). */
void vg_worker_packet(vg_worker_t *w, vg_packet_t *p);
/* Capture time advanced to `now`: expire idle flows. */
void vg_worker_tick(vg_worker_t *w, vg_time_us_t now);
/* End of input at capture time `now`: end every flow (reason shutdown),
 * logging pending transactions and flow records, and deliver the rest. */
void vg_worker_finish(vg_worker_t *w, vg_time_us_t now);
/* Write a whole record (already in w->jw) into the output buffer. */
void vg_worker_emit_record(vg_worker_t *w, int eve_end_rc);
/* Deliver buffered lines now. */
void vg_worker_flush(vg_worker_t *w);
void vg_worker_fini(vg_worker_t *w);

#endif
