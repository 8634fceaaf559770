/* app_detect.h - protocol detection by content (internal to src/app).
 *
 * Runs every enabled parser's probe over the first bytes of one direction,
 * parsers whose port hints match the server port first.
 */
#ifndef VG_APP_DETECT_H
#define VG_APP_DETECT_H

#include "app/app.h"

/* VG_OK with *out set (a parser claimed the bytes), VG_AGAIN (some probe
 * needs more bytes), VG_DECLINED (no parser wants them). `server_port` is
 * the flow's destination port, used only to order the probes and, for
 * UDP port 53, as a fallback when the DNS probe cannot tell. */
int vg_app_detect(const bool enabled[VG_ALPROTO_MAX], const uint8_t *data, size_t len, int dir,
                  bool is_tcp, uint16_t server_port, vg_alproto_t *out);

#endif
