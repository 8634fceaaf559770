/* app_file.h - files carried by application protocols (HTTP bodies today):
 * size, MD5/SHA-1/SHA-256 over the decoded bytes, gaps, CLOSED/TRUNCATED.
 *
 * A vg_app_file_t (app.h) is the record handed to ctx->emit; the hashing
 * state lives beside it in a vg_app_file_hash_t while the file is open.
 * Digests use OpenSSL's EVP interface. Not thread safe; one owner.
 */
#ifndef VG_APP_FILE_H
#define VG_APP_FILE_H

#include "app/app.h"

typedef struct vg_app_file_hash vg_app_file_hash_t;

/* Start a file: reset its size/state flags (the caller sets filename,
 * file_id, tx) and allocate hashing state. Returns the state, or NULL on
 * ENOMEM or when hashing is off (the file then carries on without hashes). */
vg_app_file_hash_t *vg_app_file_open(vg_app_file_t *f);

/* Which digests vg_app_file_open() computes (VG_FILE_DIGEST_* bits):
 * process-wide, all three by default. MD5 + SHA-1 + SHA-256 over every body
 * byte cost more CPU than all the parsers together (bench/RESULTS.md), and
 * MD5 alone is slower than SHA-1 and SHA-256 with SHA-NI, so a sensor run
 * computes only the ones something reads: the types listed in
 * types.files.force-hash and the hash types of the loaded indicators.
 * 0 turns hashing off. Call before any thread starts. */
void vg_app_file_set_digests(unsigned digests);

/* Shorthand: all three digests (true) or none (false). */
void vg_app_file_set_hashing(bool on);

/* Add decoded bytes to the file. */
void vg_app_file_data(vg_app_file_t *f, vg_app_file_hash_t *h, const uint8_t *data, size_t len);

/* Record a gap of `len` missing bytes: the file keeps its size but its
 * hashes are no longer meaningful. */
void vg_app_file_gap(vg_app_file_t *f, vg_app_file_hash_t *h, size_t len);

/* Finish: `complete` true gives state CLOSED (with the configured digests,
 * f->digests saying which, unless a gap was seen), false TRUNCATED. Frees
 * `h` (may be NULL). */
void vg_app_file_close(vg_app_file_t *f, vg_app_file_hash_t *h, bool complete);

/* Free hashing state without finishing (flow torn down). */
void vg_app_file_hash_free(vg_app_file_hash_t *h);

#endif
