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
 * the flow's destination port and `client_port` its source port: they
 * order the probes (hinted parsers first) and, for UDP port 53, make DNS
 * the answer when its probe cannot tell.
 *
 * DNS has no signature, only a plausibility check that other UDP
 * protocols built on the DNS wire format also pass (NetBIOS name service,
 * mDNS, LLMNR). As Suricata registers its DNS probe on port 53 only (and
 * suricata-verify expects NBNS on 137 to end "failed"), the DNS probe runs
 * only when either port is one of its hints. HTTP and TLS are detected on
 * any port. */
int vg_app_detect(const bool enabled[VG_ALPROTO_MAX], const uint8_t *data, size_t len, int dir,
                  bool is_tcp, uint16_t server_port, uint16_t client_port, vg_alproto_t *out);

#endif
