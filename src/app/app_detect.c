/* app_detect.c - protocol detection by content, port hint as tie-breaker. */
#include "app/app_detect.h"

static bool
detect_port_match(const vg_app_parser_t *ap, uint16_t port)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(ap->ports); i++)
        if (ap->ports[i] != 0 && ap->ports[i] == port)
            return true;
    return false;
}

int
vg_app_detect(const bool enabled[VG_ALPROTO_MAX], const uint8_t *data, size_t len, int dir,
              bool is_tcp, uint16_t server_port, uint16_t client_port, vg_alproto_t *out)
{
    const vg_app_parser_t *order[VG_ALPROTO_MAX];
    size_t n = 0;
    /* pass 0: parsers hinted by the port; pass 1: the rest. DNS, which has
     * no signature, goes after HTTP/TLS whatever the port, as Suricata
     * runs pattern detection before probing parsers. */
    const vg_app_parser_t *dns = NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (int p = VG_ALPROTO_HTTP; p < VG_ALPROTO_MAX; p++) {
            const vg_app_parser_t *ap = vg_app_parser_get((vg_alproto_t)p);
            if (ap == NULL || ap->probe == NULL || (enabled != NULL && !enabled[p]))
                continue;
            if (is_tcp ? !ap->tcp : !ap->udp)
                continue;
            bool hinted = detect_port_match(ap, server_port) || detect_port_match(ap, client_port);
            if (p == VG_ALPROTO_DNS) {
                if (hinted && pass == 0)
                    dns = ap; /* port-bound probe, see app_detect.h */
                continue;
            }
            if (hinted == (pass == 0))
                order[n++] = ap;
        }
    }
    if (dns != NULL)
        order[n++] = dns;
    bool again = false;
    for (size_t i = 0; i < n; i++) {
        int rc = order[i]->probe(data, len, dir, is_tcp);
        if (rc == VG_OK) {
            *out = order[i]->proto;
            return VG_OK;
        }
        if (rc == VG_AGAIN) {
            /* UDP/53: a datagram never grows, so "cannot tell" means DNS */
            if (!is_tcp && order[i]->proto == VG_ALPROTO_DNS &&
                (detect_port_match(order[i], server_port) ||
                 detect_port_match(order[i], client_port))) {
                *out = VG_ALPROTO_DNS;
                return VG_OK;
            }
            again = true;
        }
    }
    return again ? VG_AGAIN : VG_DECLINED;
}
