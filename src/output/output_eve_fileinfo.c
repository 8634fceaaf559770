/* output_eve_fileinfo.c - the EVE fileinfo record body, as Suricata 8.0
 * writes it (output-json-file.c, EveFileInfo): the owning transaction's
 * "http" object (basic + extended fields, always), "app_proto", then
 * "fileinfo". Digests appear only for CLOSED files and only when
 * types.files.force-hash is set (Suricata's default config computes none:
 * no filestore, force-hash commented out). No filestore: stored is false.
 */
#include "output/output_eve.h"
#include "app/app_http.h"

/* From output_eve_http.c (same library). */
void vg_eve_http_fields(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_http_tx_t *tx,
                        bool extended);

void
vg_eve_fileinfo(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_app_event_t *ev)
{
    const vg_app_file_t *f = ev->file;
    if (ev->proto == VG_ALPROTO_HTTP && ev->tx != NULL) {
        vg_jw_open_object(jw, "http");
        vg_eve_http_fields(jw, cfg, ev->tx, true);
        vg_jw_close_object(jw);
    }
    vg_jw_str(jw, "app_proto", ev->proto == VG_ALPROTO_HTTP ? "http" : "unknown");
    vg_jw_open_object(jw, "fileinfo");
    if (f != NULL) {
        vg_jw_str_bytes(jw, "filename", (const uint8_t *)f->filename, f->filename_len);
        if (f->magic != NULL)
            vg_jw_str(jw, "magic", f->magic);
        vg_jw_bool(jw, "gaps", f->gaps);
        /* as Suricata: each digest listed in force-hash, when computed */
        unsigned hashes = cfg != NULL ? cfg->files_force_hash & f->digests : 0;
        if (f->complete) {
            vg_jw_str(jw, "state", "CLOSED");
            if (hashes & VG_FILE_DIGEST_MD5)
                vg_jw_hex(jw, "md5", f->md5, sizeof(f->md5), false);
            if (hashes & VG_FILE_DIGEST_SHA1)
                vg_jw_hex(jw, "sha1", f->sha1, sizeof(f->sha1), false);
        } else {
            vg_jw_str(jw, "state", "TRUNCATED");
        }
        if (hashes & VG_FILE_DIGEST_SHA256)
            vg_jw_hex(jw, "sha256", f->sha256, sizeof(f->sha256), false);
        vg_jw_bool(jw, "stored", false);
        vg_jw_uint(jw, "size", f->size);
        vg_jw_uint(jw, "tx_id", f->tx_id);
    }
    vg_jw_close_object(jw);
}
