/* decode_events.c - names for decode_events.h. */
#include "decode/decode_events.h"

static const char *const event_names[] = {
#define VG_DECODE_EVENT_NAME(e, name, layer) name,
    VG_DECODE_EVENTS(VG_DECODE_EVENT_NAME)
#undef VG_DECODE_EVENT_NAME
};

static const unsigned char event_layers[] = {
#define VG_DECODE_EVENT_LAYER(e, name, layer) VG_EV_LAYER_##layer,
    VG_DECODE_EVENTS(VG_DECODE_EVENT_LAYER)
#undef VG_DECODE_EVENT_LAYER
};

const char *
vg_decode_event_name(vg_decode_event_t ev)
{
    return (unsigned)ev < VG_EV_MAX ? event_names[ev] : "unknown";
}

vg_event_layer_t
vg_decode_event_layer(vg_decode_event_t ev)
{
    return (unsigned)ev < VG_EV_MAX ? (vg_event_layer_t)event_layers[ev] : VG_EV_LAYER_DECODE;
}
