/* main.h - entry points of vigil's subcommands.
 *
 *   vigil [suricata-style options]        sensor: -r/-i ... (main_run.c)
 *   vigil attribute [--intel F]... EVE... offline attribution (main_attribute.c)
 *   vigil intel check FILE...             what loads and what does not (main_intel_cmd.c)
 *
 * Each returns the process exit status (0 ok, 1 usage/config error).
 */
#ifndef VG_MAIN_H
#define VG_MAIN_H

int vg_main_run(int argc, char **argv);
int vg_main_attribute(int argc, char **argv);
int vg_main_intel(int argc, char **argv);

#endif
