/* main_cli.c - Suricata-style command line and suricata.yaml -> vg_run_cfg_t.
 *
 * The goal is that a Suricata command line (as suricata-verify builds it)
 * drives vigil unchanged: options vigil cannot honour yet are accepted
 * with a warning, unknown options fail with a one-line reason.
 */
#include "main/main_int.h"
#include "main/main_defaults.h"

#include "core/core_log.h"
#include "flow/flow.h"
#include "vg_config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum {
    OPT_SET = 1000,
    OPT_RUNMODE,
    OPT_THREADS,
    OPT_INIT_ERRORS_FATAL,
    OPT_DISABLE_DETECTION,
    OPT_BUILD_INFO,
    OPT_INTEL,
    OPT_PCAP_CONTINUOUS,
    OPT_SIMULATE_IPS,
    OPT_HELP,
    OPT_PCAP,
};

static const struct option cli_long[] = {
    {"set", required_argument, NULL, OPT_SET},
    {"runmode", required_argument, NULL, OPT_RUNMODE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"init-errors-fatal", no_argument, NULL, OPT_INIT_ERRORS_FATAL},
    {"disable-detection", no_argument, NULL, OPT_DISABLE_DETECTION},
    {"build-info", no_argument, NULL, OPT_BUILD_INFO},
    {"intel", required_argument, NULL, OPT_INTEL},
    {"pcap-file-continuous", no_argument, NULL, OPT_PCAP_CONTINUOUS},
    {"simulate-ips", no_argument, NULL, OPT_SIMULATE_IPS},
    {"pcap", optional_argument, NULL, OPT_PCAP},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void
cli_usage(FILE *out)
{
    fprintf(out,
            "vigil %s - network intrusion detection and attribution sensor\n"
            "\n"
            "usage: vigil [options]\n"
            "       vigil attribute [--intel FILE]... EVE.json...\n"
            "       vigil intel check FILE...\n"
            "\n"
            "  -r <path>                 read a pcap/pcapng file or a folder of them\n"
            "  -i <iface>                capture live on an interface\n"
            "  -l <dir>                  log directory (default .): <dir>/eve.json\n"
            "  -c <suricata.yaml>        configuration (default: built-in Suricata 8.0 defaults)\n"
            "  --set key=value           override a config key (repeatable, applied last)\n"
            "  -k none|all               checksum checks\n"
            "  --runmode single|autofp|workers\n"
            "  --threads N               worker threads\n"
            "  --intel FILE              load indicators (STIX 2.1, MISP, Zeek intel; repeatable)\n"
            "  -S/-s <rules>             accepted; no rule engine in this build (warning)\n"
            "  --disable-detection       accepted (no rule engine)\n"
            "  --init-errors-fatal       accepted (config errors are always fatal)\n"
            "  -T                        test the configuration and exit\n"
            "  -v                        more output (repeatable); lists unused config keys\n"
            "  -V, --version             print the version\n"
            "  --build-info              version, features and every limit\n"
            "  --help                    this text\n",
            VG_VERSION);
}

static int cli_fail(const char *fmt, ...) VG_PRINTF(1, 2);

/* One-line usage error on stderr; returns the exit status 1. */
static int
cli_fail(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "vigil: %s (see vigil --help)\n", msg);
    return 1;
}

static void
cli_build_info(void)
{
    printf("vigil %s\n", VG_VERSION);
    printf("Features:");
#ifdef VG_HAVE_JA3
    printf(" HAVE_JA3");
#endif
#ifdef VG_HAVE_JA4
    printf(" HAVE_JA4");
#endif
#if VG_HAVE_HIREDIS
    printf(" HAVE_HIREDIS");
#endif
#if VG_HAVE_HS
    printf(" HAVE_HYPERSCAN");
#endif
    printf("\n");
    printf("Pipeline modules:");
#ifdef VG_HAVE_DEFRAG
    printf(" defrag");
#endif
#ifdef VG_HAVE_FLOW_TABLE
    printf(" flow");
#endif
#ifdef VG_HAVE_STREAM
    printf(" stream");
#endif
#ifdef VG_HAVE_APP
    printf(" app-layer");
#endif
#ifdef VG_HAVE_EVE_DNS
    printf(" eve-dns");
#endif
#ifdef VG_HAVE_EVE_HTTP
    printf(" eve-http");
#endif
#ifdef VG_HAVE_EVE_TLS
    printf(" eve-tls");
#endif
#ifdef VG_HAVE_INTEL
    printf(" intel");
#endif
    printf("\n");
    printf("Limits (yaml key = default: why):\n");
    vg_limits_t l;
    vg_limits_defaults(&l);
    for (size_t i = 0; i < vg_limits_count(); i++)
        printf("  %s = %llu: %s\n", vg_limits_key(i), (unsigned long long)vg_limits_get(&l, i),
               vg_limits_why(i));
}

static int
cli_push(const char **list, size_t *n, const char *v, const char *what)
{
    if (*n >= VG_MAIN_MAX_LIST)
        return cli_fail("too many %s options, expected at most 64", what);
    list[(*n)++] = v;
    return 0;
}

static int
cli_runmode(const char *v, vg_runmode_t *out)
{
    if (!strcasecmp(v, "single"))
        *out = VG_RUNMODE_SINGLE;
    else if (!strcasecmp(v, "autofp"))
        *out = VG_RUNMODE_AUTOFP;
    else if (!strcasecmp(v, "workers"))
        *out = VG_RUNMODE_WORKERS;
    else
        return VG_EINVAL;
    return VG_OK;
}

int
vg_cli_parse(vg_run_cfg_t *cfg, int argc, char **argv, int *early_exit)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->logdir = ".";
    cfg->csum_all = -1;
    *early_exit = -1;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":r:i:l:c:k:S:s:vVTh", cli_long, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (cfg->iface)
                return cli_fail("-r and -i given%s, expected one input", "");
            cfg->read_path = optarg;
            break;
        case 'i':
            if (cfg->read_path)
                return cli_fail("-r and -i given%s, expected one input", "");
            cfg->iface = optarg;
            break;
        case 'l':
            cfg->logdir = optarg;
            break;
        case 'c':
            cfg->conf_path = optarg;
            break;
        case 'k':
            if (!strcmp(optarg, "none"))
                cfg->csum_all = 0;
            else if (!strcmp(optarg, "all"))
                cfg->csum_all = 1;
            else
                return cli_fail("-k '%s': expected none or all", optarg);
            break;
        case 'S':
        case 's':
            if (cli_push(cfg->rules, &cfg->n_rules, optarg, "rule file"))
                return 1;
            break;
        case 'v':
            cfg->verbose++;
            break;
        case 'V':
            printf("vigil %s\n", VG_VERSION);
            *early_exit = 0;
            return 0;
        case 'T':
            cfg->test_config = true;
            break;
        case 'h':
        case OPT_HELP:
            cli_usage(stdout);
            *early_exit = 0;
            return 0;
        case OPT_BUILD_INFO:
            cli_build_info();
            *early_exit = 0;
            return 0;
        case OPT_SET:
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                return cli_fail("--set '%s': expected key=value", optarg);
            if (cli_push(cfg->sets, &cfg->n_sets, optarg, "--set"))
                return 1;
            break;
        case OPT_RUNMODE:
            if (cli_runmode(optarg, &cfg->runmode) != VG_OK)
                return cli_fail("--runmode '%s': expected single, autofp or workers", optarg);
            cfg->runmode_given = true;
            break;
        case OPT_THREADS: {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (end == optarg || *end || n < 1 || n > VG_MAIN_MAX_THREADS)
                return cli_fail("--threads '%s': expected a number from 1 to 64", optarg);
            cfg->threads = (unsigned)n;
            break;
        }
        case OPT_INIT_ERRORS_FATAL:
            cfg->init_errors_fatal = true;
            break;
        case OPT_DISABLE_DETECTION:
            cfg->disable_detection = true;
            break;
        case OPT_INTEL:
            if (cli_push(cfg->intel, &cfg->n_intel, optarg, "--intel"))
                return 1;
            break;
        case OPT_PCAP_CONTINUOUS:
            cfg->pcap_continuous = true;
            break;
        case OPT_SIMULATE_IPS:
            cfg->simulate_ips = true;
            break;
        case OPT_PCAP:
            /* Suricata's --pcap[=dev] is a live pcap capture */
            if (optarg)
                cfg->iface = optarg;
            break;
        case ':':
            if (optopt)
                fprintf(stderr, "vigil: option -%c needs a value (see vigil --help)\n", optopt);
            else
                fprintf(stderr, "vigil: option %s needs a value (see vigil --help)\n",
                        argv[optind - 1]);
            return 1;
        default:
            if (optopt)
                fprintf(stderr, "vigil: unknown option -%c (see vigil --help)\n", optopt);
            else
                fprintf(stderr, "vigil: unknown option %s (see vigil --help)\n",
                        argv[optind - 1]);
            return 1;
        }
    }
    if (optind < argc)
        return cli_fail("unexpected argument '%s', expected options only", argv[optind]);
    if (!cfg->read_path && !cfg->iface && !cfg->test_config)
        return cli_fail("no input%s: expected -r <pcap|folder> or -i <iface>", "");
    return 0;
}

/* ---- config -> typed fields ---- */

typedef struct eve_scan {
    vg_run_cfg_t *cfg;
    int rc;
    char *errbuf;
    size_t errlen;
    char prefix[256];
} eve_scan_t;

/* Read the bool at "<item>.<name>.<opt>" into *out (keeps *out when absent). */
static int
cli_item_bool(vg_conf_t *c, const char *item, const char *opt, bool *out, char *errbuf,
              size_t errlen)
{
    char key[1024];
    snprintf(key, sizeof(key), "%s.%s", item, opt);
    return vg_conf_get_bool(c, key, *out, out, errbuf, errlen);
}

/* One entry of outputs.N.eve-log.types: "- flow" or "- dns: {...}". */
static int
cli_eve_type(vg_run_cfg_t *cfg, const char *types_key, const char *idx, char *errbuf,
             size_t errlen)
{
    vg_conf_t *c = cfg->conf;
    char item[512], name[128], sub[640];
    snprintf(item, sizeof(item), "%s.%s", types_key, idx);
    if (!vg_conf_item_name(c, item, name, sizeof(name)) || name[0] == '\0')
        return VG_OK;
    snprintf(sub, sizeof(sub), "%s.%s", item, name); /* options of this type */
    bool on = true;
    int rc = cli_item_bool(c, sub, "enabled", &on, errbuf, errlen);
    if (rc != VG_OK)
        return rc;
    vg_eve_cfg_t *e = &cfg->eve;
    if (!strcmp(name, "flow")) {
        e->flow = on;
    } else if (!strcmp(name, "netflow")) {
        e->netflow = on;
    } else if (!strcmp(name, "dns")) {
        e->dns = on;
        /* Suricata 8 logs DNS v3 in detailed + grouped answer formats by default */
        char k[700];
        snprintf(k, sizeof(k), "%s.formats", sub);
        e->dns_v3_grouped = !vg_conf_exists(c, k);
        if (!e->dns_v3_grouped) {
            snprintf(k, sizeof(k), "%s.formats.0", sub);
            for (int i = 0; i < 4; i++) {
                snprintf(k, sizeof(k), "%s.formats.%d", sub, i);
                const char *f = vg_conf_get(c, k);
                if (f && !strcmp(f, "grouped"))
                    e->dns_v3_grouped = true;
            }
        }
        snprintf(k, sizeof(k), "%s.version", sub);
        (void)vg_conf_get(c, k);
        if ((rc = cli_item_bool(c, sub, "requests", &cfg->dns_requests, errbuf, errlen)) !=
                VG_OK ||
            (rc = cli_item_bool(c, sub, "responses", &cfg->dns_responses, errbuf, errlen)) !=
                VG_OK)
            return rc;
        cfg->n_dns_types = 0;
        for (int i = 0; i < 32; i++) {
            snprintf(k, sizeof(k), "%s.types.%d", sub, i);
            const char *t = vg_conf_get(c, k);
            if (t == NULL)
                break;
            snprintf(cfg->dns_types[cfg->n_dns_types++], sizeof(cfg->dns_types[0]), "%s", t);
        }
    } else if (!strcmp(name, "http")) {
        e->http = on;
        rc = cli_item_bool(c, sub, "extended", &e->http_extended, errbuf, errlen);
        /* types.http.dump-all-headers: both|request|response|none - HTTP engineer */
        char hk[1024];
        snprintf(hk, sizeof(hk), "%s.dump-all-headers", sub);
        const char *dh = vg_conf_get(c, hk);
        e->http_dump_headers = 0;
        if (dh != NULL && (!strcmp(dh, "both") || !strcmp(dh, "request")))
            e->http_dump_headers |= 1;
        if (dh != NULL && (!strcmp(dh, "both") || !strcmp(dh, "response")))
            e->http_dump_headers |= 2;
    } else if (!strcmp(name, "tls")) {
        e->tls = on;
        rc = cli_item_bool(c, sub, "extended", &e->tls_extended, errbuf, errlen);
        /* types.tls.custom (a list of field names; Suricata ignores unknown
         * ones) and session-resumption (default on) - TLS engineer */
        bool resumption = true;
        if (rc == VG_OK)
            rc = cli_item_bool(c, sub, "session-resumption", &resumption, errbuf, errlen);
        e->tls_no_session_resumption = !resumption;
#ifdef VG_HAVE_EVE_TLS
        char ck[1024];
        snprintf(ck, sizeof(ck), "%s.custom", sub);
        if (vg_conf_exists(c, ck)) {
            e->tls_custom = 0;
            for (int i = 0; i < 64; i++) {
                snprintf(ck, sizeof(ck), "%s.custom.%d", sub, i);
                const char *fv = vg_conf_get(c, ck);
                if (fv == NULL)
                    break;
                e->tls_custom |= vg_eve_tls_custom_field(fv);
            }
            if (e->tls_custom == 0)
                e->tls_custom = VG_EVE_TLS_F_SESSION_RESUMED; /* "custom: []" logs nothing else */
        }
#endif
    } else if (!strcmp(name, "files") || !strcmp(name, "fileinfo")) {
        e->fileinfo = on;
        /* types.files.force-hash: [md5, sha1, sha256]: each listed digest
         * is computed and logged; as Suricata, an unknown name is warned
         * about and skipped */
        e->files_force_hash = 0;
        for (int i = 0; i < 16; i++) {
            char fk[1024];
            snprintf(fk, sizeof(fk), "%s.force-hash.%d", sub, i);
            const char *alg = vg_conf_get(c, fk);
            if (alg == NULL)
                break;
            if (!strcasecmp(alg, "md5"))
                e->files_force_hash |= VG_FILE_DIGEST_MD5;
            else if (!strcasecmp(alg, "sha1"))
                e->files_force_hash |= VG_FILE_DIGEST_SHA1;
            else if (!strcasecmp(alg, "sha256"))
                e->files_force_hash |= VG_FILE_DIGEST_SHA256;
            else
                vg_log_warn("%s: '%s' is not a valid hash algorithm (md5, sha1, sha256)", fk, alg);
        }
    } else if (!strcmp(name, "anomaly")) {
        e->anomaly = on;
        /* Suricata's defaults when anomaly.types is absent or partial:
         * decode no, stream no, applayer yes */
        e->anomaly_decode = false;
        e->anomaly_stream = false;
        e->anomaly_applayer = true;
        char t[700];
        snprintf(t, sizeof(t), "%s.types", sub);
        if ((rc = cli_item_bool(c, t, "decode", &e->anomaly_decode, errbuf, errlen)) != VG_OK ||
            (rc = cli_item_bool(c, t, "stream", &e->anomaly_stream, errbuf, errlen)) != VG_OK ||
            (rc = cli_item_bool(c, t, "applayer", &e->anomaly_applayer, errbuf, errlen)) != VG_OK)
            return rc;
        rc = cli_item_bool(c, sub, "packethdr", &cfg->anomaly_packethdr, errbuf, errlen);
    } else if (!strcmp(name, "stats")) {
        e->stats = on;
        e->stats_totals = true;
        if ((rc = cli_item_bool(c, sub, "totals", &e->stats_totals, errbuf, errlen)) != VG_OK ||
            (rc = cli_item_bool(c, sub, "threads", &e->stats_threads, errbuf, errlen)) != VG_OK)
            return rc;
        rc = cli_item_bool(c, sub, "deltas", &e->stats_deltas, errbuf, errlen);
    } else if (!strcmp(name, "alert")) {
        e->alert = on;
    } else if (!strcmp(name, "intel")) {
        e->intel = on;
    } else if (!strcmp(name, "attribution")) {
        e->attribution = on;
    }
    /* other Suricata types (smtp, ssh, ...) are accepted: vigil has no parser for them */
    return rc;
}

typedef struct cli_iter {
    vg_run_cfg_t *cfg;
    const char *key;
    char *errbuf;
    size_t errlen;
    int rc;
    char first_eve[320];
} cli_iter_t;

static void
cli_types_cb(void *user, const char *child)
{
    cli_iter_t *it = user;
    if (it->rc == VG_OK)
        it->rc = cli_eve_type(it->cfg, it->key, child, it->errbuf, it->errlen);
}

static void
cli_outputs_cb(void *user, const char *child)
{
    cli_iter_t *it = user;
    char item[256], name[64];
    snprintf(item, sizeof(item), "outputs.%s", child);
    if (!it->first_eve[0] && vg_conf_item_name(it->cfg->conf, item, name, sizeof(name)) &&
        !strcmp(name, "eve-log"))
        snprintf(it->first_eve, sizeof(it->first_eve), "%s.eve-log", item);
}

static int
cli_eve(vg_run_cfg_t *cfg, char *errbuf, size_t errlen)
{
    vg_conf_t *c = cfg->conf;
    cli_iter_t it = {.cfg = cfg, .errbuf = errbuf, .errlen = errlen};
    vg_conf_children(c, "outputs", cli_outputs_cb, &it);
    if (!it.first_eve[0])
        return VG_OK; /* no eve-log: nothing is logged, as Suricata */
    const char *eve = it.first_eve;
    char k[512];
    int rc;
    snprintf(k, sizeof(k), "%s.enabled", eve);
    if ((rc = vg_conf_get_bool(c, k, true, &cfg->eve_enabled, errbuf, errlen)) != VG_OK)
        return rc;
    snprintf(k, sizeof(k), "%s.community-id", eve);
    if ((rc = vg_conf_get_bool(c, k, false, &cfg->eve.community_id, errbuf, errlen)) != VG_OK)
        return rc;
    uint64_t seed;
    snprintf(k, sizeof(k), "%s.community-id-seed", eve);
    if ((rc = vg_conf_get_uint(c, k, 0, &seed, errbuf, errlen)) != VG_OK)
        return rc;
    if (seed > 65535) {
        const char *f = "?";
        int line = 0;
        vg_conf_where(c, k, &f, &line);
        snprintf(errbuf, errlen, "%s:%d: %s: bad value %llu, expected 0 to 65535", f, line, k,
                 (unsigned long long)seed);
        return VG_ECONFIG;
    }
    cfg->eve.community_id_seed = (uint16_t)seed;
    snprintf(k, sizeof(k), "%s.ethernet", eve);
    if ((rc = vg_conf_get_bool(c, k, false, &cfg->eve.ethernet, errbuf, errlen)) != VG_OK)
        return rc;

    /* sink */
    cfg->sink.type = VG_SINK_FILE;
    snprintf(k, sizeof(k), "%s.filetype", eve);
    const char *ft = vg_conf_get(c, k);
    if (ft != NULL && vg_sink_type_parse(ft, &cfg->sink.type) != VG_OK) {
        const char *f = "?";
        int line = 0;
        vg_conf_where(c, k, &f, &line);
        snprintf(errbuf, errlen, "%s:%d: %s: bad value '%s', expected regular, unix_stream, "
                 "unix_dgram or redis", f, line, k, ft);
        return VG_ECONFIG;
    }
    snprintf(k, sizeof(k), "%s.filename", eve);
    const char *fn = vg_conf_get(c, k);
    if (fn == NULL || !*fn)
        fn = "eve.json";
    if (fn[0] == '/')
        snprintf(cfg->eve_path, sizeof(cfg->eve_path), "%s", fn);
    else
        snprintf(cfg->eve_path, sizeof(cfg->eve_path), "%s/%s", cfg->logdir, fn);
    cfg->sink.path = cfg->eve_path;
    cfg->sink.append = true;
    snprintf(k, sizeof(k), "%s.append", eve);
    if ((rc = vg_conf_get_bool(c, k, true, &cfg->sink.append, errbuf, errlen)) != VG_OK)
        return rc;
    if (cfg->sink.type == VG_SINK_REDIS) {
        snprintf(k, sizeof(k), "%s.redis.server", eve);
        const char *v = vg_conf_get(c, k);
        snprintf(cfg->redis_server, sizeof(cfg->redis_server), "%s", v ? v : "127.0.0.1");
        cfg->sink.redis_server = cfg->redis_server;
        uint64_t port;
        snprintf(k, sizeof(k), "%s.redis.port", eve);
        if ((rc = vg_conf_get_uint(c, k, 6379, &port, errbuf, errlen)) != VG_OK)
            return rc;
        if (port == 0 || port > 65535) {
            const char *f = "?";
            int line = 0;
            vg_conf_where(c, k, &f, &line);
            snprintf(errbuf, errlen, "%s:%d: %s: bad value %llu, expected 1 to 65535", f, line, k,
                     (unsigned long long)port);
            return VG_ECONFIG;
        }
        cfg->sink.redis_port = (uint16_t)port;
        snprintf(k, sizeof(k), "%s.redis.key", eve);
        v = vg_conf_get(c, k);
        snprintf(cfg->redis_key, sizeof(cfg->redis_key), "%s", v ? v : "suricata");
        cfg->sink.redis_key = cfg->redis_key;
        snprintf(k, sizeof(k), "%s.redis.mode", eve);
        v = vg_conf_get(c, k);
        cfg->sink.redis_mode = VG_REDIS_LPUSH; /* Suricata's default, "list" */
        if (v != NULL && vg_redis_mode_parse(v, &cfg->sink.redis_mode) != VG_OK) {
            const char *f = "?";
            int line = 0;
            vg_conf_where(c, k, &f, &line);
            snprintf(errbuf, errlen, "%s:%d: %s: bad value '%s', expected list, lpush, rpush, "
                     "channel, publish, stream or xadd", f, line, k, v);
            return VG_ECONFIG;
        }
        /* Suricata trims streams to 100000 entries unless told otherwise;
         * stream-maxlen: 0 turns trimming off */
        snprintf(k, sizeof(k), "%s.redis.stream-maxlen", eve);
        if ((rc = vg_conf_get_uint(c, k, 100000, &cfg->sink.redis_stream_maxlen, errbuf,
                                   errlen)) != VG_OK)
            return rc;
        snprintf(k, sizeof(k), "%s.redis.stream-trim-exact", eve);
        if ((rc = vg_conf_get_bool(c, k, false, &cfg->sink.redis_stream_trim_exact, errbuf,
                                   errlen)) != VG_OK)
            return rc;
        /* pipelining: {enabled, batch-size (default 10)}; each pending
         * record is held in hiredis' buffer, hence the cap */
        bool pipe_on;
        uint64_t batch;
        snprintf(k, sizeof(k), "%s.redis.pipelining.enabled", eve);
        if ((rc = vg_conf_get_bool(c, k, false, &pipe_on, errbuf, errlen)) != VG_OK)
            return rc;
        snprintf(k, sizeof(k), "%s.redis.pipelining.batch-size", eve);
        if ((rc = vg_conf_get_uint(c, k, 10, &batch, errbuf, errlen)) != VG_OK)
            return rc;
        if (pipe_on && (batch == 0 || batch > 100000)) {
            const char *f = "?";
            int line = 0;
            vg_conf_where(c, k, &f, &line);
            snprintf(errbuf, errlen, "%s:%d: %s: bad value %llu, expected 1 to 100000", f, line,
                     k, (unsigned long long)batch);
            return VG_ECONFIG;
        }
        cfg->sink.redis_batch_size = pipe_on ? (uint32_t)batch : 0;
    }

    char types[512];
    snprintf(types, sizeof(types), "%s.types", eve);
    it.key = types;
    it.rc = VG_OK;
    vg_conf_children(c, types, cli_types_cb, &it);
    return it.rc;
}

/* app-layer.protocols.<p>.enabled: yes | no | detection-only. DNS also
 * has per-transport keys (dns.tcp.enabled / dns.udp.enabled). */
static int
cli_app_enabled(vg_run_cfg_t *cfg, const char *proto, vg_alproto_t id, char *errbuf,
                size_t errlen)
{
    char k[256];
    snprintf(k, sizeof(k), "app-layer.protocols.%s.enabled", proto);
    const char *v = vg_conf_get(cfg->conf, k);
    bool on = true;
    if (v != NULL && strcasecmp(v, "detection-only") != 0 && vg_conf_parse_bool(v, &on) != VG_OK) {
        const char *f = "?";
        int line = 0;
        vg_conf_where(cfg->conf, k, &f, &line);
        snprintf(errbuf, errlen, "%s:%d: %s: bad value '%s', expected yes, no or detection-only",
                 f, line, k, v);
        return VG_ECONFIG;
    }
    if (id == VG_ALPROTO_DNS && v == NULL) {
        bool tcp = true, udp = true;
        int rc;
        if ((rc = vg_conf_get_bool(cfg->conf, "app-layer.protocols.dns.tcp.enabled", true, &tcp,
                                   errbuf, errlen)) != VG_OK ||
            (rc = vg_conf_get_bool(cfg->conf, "app-layer.protocols.dns.udp.enabled", true, &udp,
                                   errbuf, errlen)) != VG_OK)
            return rc;
        on = tcp || udp;
    }
    cfg->app_enabled[id] = on;
    return VG_OK;
}

static void
cli_unused_cb(void *user, const char *key, const char *file, int line)
{
    (void)user;
    vg_log_info("config key not used by vigil: %s (%s:%d)", key, file, line);
}

int
vg_cli_load_config(vg_run_cfg_t *cfg, char *errbuf, size_t errlen)
{
    int rc;
    cfg->conf = vg_conf_new();
    if (cfg->conf == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return VG_ENOMEM;
    }
    if (cfg->conf_path != NULL)
        rc = vg_conf_load_file(cfg->conf, cfg->conf_path, errbuf, errlen);
    else
        rc = vg_conf_load_string(cfg->conf, vg_default_yaml, "<built-in defaults>", errbuf,
                                 errlen);
    if (rc != VG_OK)
        return rc;
    for (size_t i = 0; i < cfg->n_sets; i++)
        if ((rc = vg_conf_set(cfg->conf, cfg->sets[i], errbuf, errlen)) != VG_OK)
            return rc;

    vg_conf_t *c = cfg->conf;
    cfg->dns_requests = cfg->dns_responses = true;
    vg_limits_defaults(&cfg->limits);
    if ((rc = vg_conf_apply_limits(c, &cfg->limits, errbuf, errlen)) != VG_OK)
        return rc;

    /* run mode and threads: command line wins over the config */
    const char *rm = vg_conf_get(c, "runmode");
    if (!cfg->runmode_given && rm != NULL && cli_runmode(rm, &cfg->runmode) != VG_OK) {
        const char *f = "?";
        int line = 0;
        vg_conf_where(c, "runmode", &f, &line);
        snprintf(errbuf, errlen, "%s:%d: runmode: bad value '%s', expected single, autofp or "
                 "workers", f, line, rm);
        return VG_ECONFIG;
    }
    if (cfg->threads == 0) {
        uint64_t n = 0;
        if ((rc = vg_conf_get_uint(c, "threading.worker-threads", 0, &n, errbuf, errlen)) != VG_OK)
            return rc;
        if (n == 0) {
            const char *ratio = vg_conf_get(c, "threading.detect-thread-ratio");
            long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
            double r = ratio ? strtod(ratio, NULL) : 1.0;
            if (r <= 0)
                r = 1.0;
            n = (uint64_t)((double)(ncpu > 0 ? ncpu : 1) * r);
        }
        cfg->threads = (unsigned)VG_MAX(1, VG_MIN(n, (uint64_t)VG_MAIN_MAX_THREADS));
    }

    /* checksum: -k wins; else pcap-file.checksum-checks yes -> all */
    if (cfg->csum_all < 0) {
        const char *cc = vg_conf_get(c, "pcap-file.checksum-checks");
        bool on = false;
        cfg->csum_all = (cc != NULL && vg_conf_parse_bool(cc, &on) == VG_OK && on) ? 1 : 0;
    }
    if ((rc = vg_conf_get_bool(c, "decoder.vxlan.enabled", true, &cfg->vxlan_enabled, errbuf,
                               errlen)) != VG_OK)
        return rc;

    if ((rc = cli_app_enabled(cfg, "http", VG_ALPROTO_HTTP, errbuf, errlen)) != VG_OK ||
        (rc = cli_app_enabled(cfg, "tls", VG_ALPROTO_TLS, errbuf, errlen)) != VG_OK ||
        (rc = cli_app_enabled(cfg, "dns", VG_ALPROTO_DNS, errbuf, errlen)) != VG_OK ||
        (rc = cli_app_enabled(cfg, "ssh", VG_ALPROTO_SSH, errbuf, errlen)) != VG_OK)
        return rc;

    if ((rc = cli_eve(cfg, errbuf, errlen)) != VG_OK)
        return rc;
    /* JA3 is off unless app-layer.protocols.tls.ja3-fingerprints is yes
     * (Suricata's "auto" enables it only for rules that need it); JA4 is
     * logged unless ja4-fingerprints is explicitly no - TLS engineer */
    {
        const char *j3 = vg_conf_get(c, "app-layer.protocols.tls.ja3-fingerprints");
        const char *j4 = vg_conf_get(c, "app-layer.protocols.tls.ja4-fingerprints");
        bool b = false;
        cfg->eve.tls_ja3 = j3 != NULL && vg_conf_parse_bool(j3, &b) == VG_OK && b;
        cfg->eve.tls_no_ja4 = j4 != NULL && vg_conf_parse_bool(j4, &b) == VG_OK && !b;
    }

    /* keys read by the vars section are kept for the future rule engine */
    vg_conf_exists(c, "vars");
    if (cfg->verbose > 0)
        vg_conf_unused(c, cli_unused_cb, NULL);
    return VG_OK;
}

void
vg_cli_cfg_fini(vg_run_cfg_t *cfg)
{
    vg_conf_free(cfg->conf);
    cfg->conf = NULL;
}
