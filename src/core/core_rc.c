/* core_rc.c - names of return codes, for logs and test messages. */
#include "core/core.h"

const char *
vg_rc_name(int rc)
{
    switch (rc) {
    case VG_OK: return "VG_OK";
    case VG_AGAIN: return "VG_AGAIN";
    case VG_DECLINED: return "VG_DECLINED";
    case VG_EINVAL: return "VG_EINVAL";
    case VG_ENOMEM: return "VG_ENOMEM";
    case VG_EIO: return "VG_EIO";
    case VG_ECONFIG: return "VG_ECONFIG";
    default: return "VG_UNKNOWN";
    }
}
