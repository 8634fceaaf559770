/* core_config.h - Suricata-style YAML configuration as flat dotted keys.
 *
 * A suricata.yaml is read with libyaml and flattened into dotted keys the
 * way Suricata's ConfNode names them: mapping keys join with '.', sequence
 * items are named by their 0-based index, so
 *
 *   outputs:
 *     - eve-log:
 *         types:
 *           - dns: {version: 3}
 *
 * gives "outputs.0.eve-log.types.0.dns.version" = "3". A scalar sequence
 * item ("- flow") is the value of its index key ("...types.4" = "flow").
 * Container nodes are kept too (value NULL) so "does this key exist" and
 * "what are the children of" questions have answers.
 *
 * `include: file` (or a list of files) at any mapping level, and the
 * `!include` tag on a value, load another file relative to the including
 * file's directory into the same place. Later definitions of a key
 * replace earlier ones; `--set key=value` (vg_conf_set) is applied after
 * the files and replaces whatever they said.
 *
 * Lifetime: engine snapshot. Built single-threaded at startup, read-only
 * afterwards except for the "used" marks (startup only).
 */
#ifndef VG_CORE_CONFIG_H
#define VG_CORE_CONFIG_H

#include "core/core.h"
#include "core/core_limits.h"

typedef struct vg_conf vg_conf_t;

/* Empty configuration. NULL on ENOMEM. */
vg_conf_t *vg_conf_new(void);
void vg_conf_free(vg_conf_t *c);

/* Read a YAML file (and what it includes) into c. VG_OK, or VG_ECONFIG /
 * VG_EIO with "file:line: what, expected what" in errbuf. */
int vg_conf_load_file(vg_conf_t *c, const char *path, char *errbuf, size_t errlen);

/* Same from a string; `name` is used in messages, includes resolve
 * relative to the current directory. */
int vg_conf_load_string(vg_conf_t *c, const char *yaml, const char *name, char *errbuf,
                        size_t errlen);

/* --set: "key=value" (value may be empty). Replaces an existing value or
 * adds the key (and its parents). VG_OK or VG_ECONFIG (no '=' / empty key). */
int vg_conf_set(vg_conf_t *c, const char *assignment, char *errbuf, size_t errlen);

/* Scalar value of a key, or NULL (absent, or a container, or null value).
 * Marks the key used. */
const char *vg_conf_get(vg_conf_t *c, const char *key);

/* True if the key exists (scalar, null, or container). Marks it used. */
bool vg_conf_exists(vg_conf_t *c, const char *key);

/* Typed getters. Absent key -> *out = def, VG_OK. A value that does not
 * parse -> VG_ECONFIG with "file:line: key: bad value 'x', expected ...". */
int vg_conf_get_bool(vg_conf_t *c, const char *key, bool def, bool *out, char *errbuf,
                     size_t errlen);
int vg_conf_get_uint(vg_conf_t *c, const char *key, uint64_t def, uint64_t *out, char *errbuf,
                     size_t errlen);

/* Parse a Suricata boolean ("yes", "true", "on", "1", "no", ...). VG_OK or VG_EINVAL. */
int vg_conf_parse_bool(const char *v, bool *out);

/* Children of a container key ("" = root), in document order: calls fn
 * with each child's last name segment ("0", "eve-log", ...). Returns the
 * number of children. */
size_t vg_conf_children(vg_conf_t *c, const char *key,
                        void (*fn)(void *user, const char *child), void *user);

/* The name of a sequence item: for "outputs.0" whose single mapping child
 * is "eve-log", writes "eve-log"; for a scalar item "- flow" writes
 * "flow". Returns false if the item does not exist. */
bool vg_conf_item_name(vg_conf_t *c, const char *item_key, char *out, size_t outlen);

/* Where a key was defined ("suricata.yaml", 12) for messages; file may be
 * "--set". Returns false if the key is absent. */
bool vg_conf_where(const vg_conf_t *c, const char *key, const char **file, int *line);

/* Apply every core_limits.h key present in c to l (vg_limits_set).
 * VG_OK or VG_ECONFIG with "file:line: key: ..." in errbuf. */
int vg_conf_apply_limits(vg_conf_t *c, vg_limits_t *l, char *errbuf, size_t errlen);

/* Scalar keys nobody asked for (for `-v`): calls fn for each. Returns the count. */
size_t vg_conf_unused(const vg_conf_t *c, void (*fn)(void *user, const char *key,
                                                     const char *file, int line),
                      void *user);

/* Number of keys stored (tests). */
size_t vg_conf_count(const vg_conf_t *c);

#endif
