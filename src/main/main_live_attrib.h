/* main_live_attrib.h - attribution during a sensor run (`vigil -r/-i ...
 * --intel FILE...`): every EVE line the writer emits is fed to the
 * attribution engine; at the end of the run the engine's `attribution`
 * records are appended to the same EVE output, and the text report and
 * STIX bundle are written next to eve.json. Single-threaded: only the
 * writer (or the single-mode worker) calls feed/finish.
 */
#ifndef VG_MAIN_LIVE_ATTRIB_H
#define VG_MAIN_LIVE_ATTRIB_H

#include <stddef.h>
#include "core/core_limits.h"
#include "intel/intel.h"

typedef struct vg_live_attrib vg_live_attrib_t;

/* Build the knowledge base from the STIX files among `intel` (others, such
 * as MISP or Zeek intel files, only feed the store) and an engine over the
 * already frozen `store` (borrowed). Returns NULL when there is nothing to
 * attribute with (no files) or on out-of-memory (reported on stderr). */
vg_live_attrib_t *vg_live_attrib_new(const char *const *intel, size_t n_intel,
                                     const vg_intel_store_t *store, const vg_limits_t *limits);

/* One EVE line (no trailing newline needed). */
void vg_live_attrib_feed(vg_live_attrib_t *la, const char *line, size_t len);

/* Attribute, hand each `attribution` record to write_line (the EVE sink),
 * write <logdir>/attribution.txt and <logdir>/attribution-stix.json, and
 * print the one-line judgements on stderr. Returns the incident count. */
size_t vg_live_attrib_finish(vg_live_attrib_t *la, const char *logdir,
                             void (*write_line)(void *user, const char *line, size_t len),
                             void *user);

void vg_live_attrib_free(vg_live_attrib_t *la);

/* The bundled actor sponsor claims (data/actor-sponsors.json of the source
 * tree) if readable, else NULL. Shared by `vigil attribute` and live runs. */
const char *vg_main_default_sponsors(void);

#endif
