/* main_run.c - the sensor entry point: options, config, then the pipeline. */
#include "main/main.h"
#include "main/main_int.h"

#include "core/core_log.h"

#include <stdio.h>
#include <sys/stat.h>

int
vg_main_run(int argc, char **argv)
{
    vg_run_cfg_t cfg;
    int early = -1;
    if (vg_cli_parse(&cfg, argc, argv, &early) != 0)
        return 1;
    if (early >= 0)
        return early;
    vg_log_set_level(VG_LOG_NOTICE + cfg.verbose);

    char err[VG_ERRBUF_SIZE] = "";
    if (vg_cli_load_config(&cfg, err, sizeof(err)) != VG_OK) {
        fprintf(stderr, "vigil: %s\n", err);
        vg_cli_cfg_fini(&cfg);
        return 1;
    }
    if (cfg.test_config) {
        printf("vigil: configuration %s OK\n", cfg.conf_path ? cfg.conf_path : "(built-in)");
        vg_cli_cfg_fini(&cfg);
        return 0;
    }
    if (cfg.n_rules > 0)
        vg_log_warn("rules are not supported in this build (no rule engine): %s ignored",
                    cfg.rules[0]);
    if (cfg.pcap_continuous)
        vg_log_warn("--pcap-file-continuous is not supported; reading the input once");
    if (cfg.simulate_ips)
        vg_log_warn("--simulate-ips is not supported; running as an IDS");
    struct stat st;
    if (stat(cfg.logdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "vigil: -l %s: not a directory, expected an existing log directory\n",
                cfg.logdir);
        vg_cli_cfg_fini(&cfg);
        return 1;
    }
    int rc = vg_pipeline_run(&cfg);
    vg_cli_cfg_fini(&cfg);
    return rc;
}
