/* main.c - subcommand dispatch: `vigil attribute ...`, `vigil intel ...`,
 * everything else is the sensor (Suricata-style options). */
#include "main/main.h"

#include <string.h>

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "attribute") == 0)
        return vg_main_attribute(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "intel") == 0)
        return vg_main_intel(argc - 1, argv + 1);
    return vg_main_run(argc, argv);
}
