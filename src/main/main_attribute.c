/* main_attribute.c - placeholder until the attribution engineer's
 * `vigil attribute` lands (they replace this file). */
#include "main/main.h"

#include <stdio.h>

int
vg_main_attribute(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "vigil attribute: not built yet\n");
    return 1;
}
