/* app_ssh.c - SSH detection only: the "SSH-" banner (RFC 4253 4.2) claims
 * a direction, so flows show app_proto "ssh" and a flow whose two sides
 * speak different protocols (HTTP one way, an SSH banner back) raises
 * Suricata's APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS.
 *
 * No transactions: banners, key exchange and the encrypted session are not
 * parsed and no `ssh` EVE record is written (Suricata's SSH parser would
 * log client/server software versions; a known gap, see NOTES.md). */
#include "app/app.h"

#include <string.h>

/* VG_OK on "SSH-" at the start of the direction, VG_AGAIN on a prefix of
 * it, VG_DECLINED otherwise (Suricata's pattern "SSH-" at offset 0, both
 * directions). */
static int
ssh_probe(const uint8_t *data, size_t len, int dir, bool is_tcp)
{
    (void)dir;
    static const char sig[] = "SSH-";
    if (!is_tcp || data == NULL || len == 0)
        return VG_DECLINED;
    size_t n = VG_MIN(len, sizeof(sig) - 1);
    if (memcmp(data, sig, n) != 0)
        return VG_DECLINED;
    return n < sizeof(sig) - 1 ? VG_AGAIN : VG_OK;
}

/* The flow needs a non-NULL state; there is nothing to keep. */
static char ssh_state_token;

static void *
ssh_state_new(vg_app_ctx_t *ctx)
{
    (void)ctx;
    return &ssh_state_token;
}

static void
ssh_state_free(void *state)
{
    (void)state;
}

static int
ssh_parse(vg_app_ctx_t *ctx, void *state, int dir, const uint8_t *data, size_t len,
          unsigned flags)
{
    (void)ctx;
    (void)state;
    (void)dir;
    (void)data;
    (void)len;
    (void)flags;
    return VG_OK;
}

static void
ssh_flush(vg_app_ctx_t *ctx, void *state)
{
    (void)ctx;
    (void)state;
}

static int
ssh_get_buffer(const void *tx, vg_buffer_id_t id, uint32_t index, const uint8_t **data,
               uint32_t *len)
{
    (void)tx;
    (void)id;
    (void)index;
    (void)data;
    (void)len;
    return VG_DECLINED;
}

const vg_app_parser_t vg_app_parser_ssh = {
    .proto = VG_ALPROTO_SSH,
    .name = "ssh",
    .tcp = true,
    .udp = false,
    .ports = { 22 },
    .probe = ssh_probe,
    .state_new = ssh_state_new,
    .state_free = ssh_state_free,
    .parse = ssh_parse,
    .flush = ssh_flush,
    .get_buffer = ssh_get_buffer,
    .register_counters = NULL,
};
