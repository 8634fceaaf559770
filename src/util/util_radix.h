/* util_radix.h - path-compressed binary trie for longest-prefix match over
 * IPv4 (32-bit) or IPv6 (128-bit) keys.
 *
 * Each prefix carries one uint32_t value slot (VG_RADIX_NONE when empty);
 * callers that need several values per prefix chain them themselves (the
 * intel store keeps a `next` index per indicator). Nodes live in one
 * growable array, so the tree is a few flat allocations and lookups touch
 * no allocator. Not thread safe while inserting; lookups on a tree no one
 * modifies are safe from any number of threads.
 */
#ifndef VG_UTIL_RADIX_H
#define VG_UTIL_RADIX_H

#include "core/core.h"

#define VG_RADIX_NONE UINT32_MAX

typedef struct vg_radix vg_radix_t;

/* maxbits: 32 or 128. NULL on ENOMEM or a bad maxbits. */
vg_radix_t *vg_radix_new(unsigned maxbits);
void vg_radix_free(vg_radix_t *r);

/* Find or create the node of prefix key/bits (bits <= maxbits; key bits past
 * `bits` are ignored) and return its value slot, VG_RADIX_NONE if new.
 * NULL on ENOMEM or bits > maxbits. The pointer is valid until the next
 * insert. */
uint32_t *vg_radix_insert(vg_radix_t *r, const uint8_t *key, unsigned bits);

/* Values of every stored prefix that contains key (maxbits long), longest
 * prefix first. Writes up to max_out values and returns how many prefixes
 * matched in total. */
size_t vg_radix_lookup_all(const vg_radix_t *r, const uint8_t *key, uint32_t *out,
                           size_t max_out);

/* Value of the longest stored prefix containing key, or VG_RADIX_NONE. */
uint32_t vg_radix_lookup(const vg_radix_t *r, const uint8_t *key);

/* Build the lookup shortcut (a 64k-entry table indexed by the first 16
 * key bits, ~0.8 MB) once all prefixes are in: lookups then start below
 * depth 16 instead of at the root. Optional; a later insert drops it.
 * VG_OK or VG_ENOMEM (the tree still works without it). */
int vg_radix_finish(vg_radix_t *r);

/* Number of prefixes holding a value, and bytes used (bench, stats). */
size_t vg_radix_count(const vg_radix_t *r);
size_t vg_radix_bytes(const vg_radix_t *r);

#endif
