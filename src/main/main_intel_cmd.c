/* main_intel_cmd.c - placeholder until the intel engineer's `vigil intel`
 * lands (they replace this file). */
#include "main/main.h"

#include <stdio.h>

int
vg_main_intel(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "vigil intel: not built yet\n");
    return 1;
}
