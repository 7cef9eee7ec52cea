/* events_erase.c: erasing a person's events from the EVENTS stream
 * (events_erase.h). */
#include "events_erase.h"

#include <string.h>

#include "cm_log.h"
#include "cm_purge.h"

/* True when data (len) holds one of needles as a whole protobuf string
 * field (cm_purge_field: its length, then it), so that a needle inside a
 * longer value (another person's address) does not match. */
static int holds(const char *data, int len, char needles[][256], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char f[260];
        size_t k = needles[i][0] ? cm_purge_field(needles[i], f, sizeof f) : 0;
        if (k && len >= 0 && memmem(data, (size_t)len, f, k))
            return 1;
    }
    return 0;
}

cm_err events_erase(natsConnection *nc, const char *stream, char needles[][256], size_t n,
                    long *out_erased)
{
    jsCtx *js = NULL;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    uint64_t first, last;
    cm_err err = CM_OK;
    long erased = 0;

    if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK)
        return CM_EUNAVAIL;
    if (js_GetStreamInfo(&si, js, stream, NULL, &jerr) != NATS_OK) {
        jsCtx_Destroy(js);
        if (jerr == JSStreamNotFoundErr)
            return *out_erased = 0, CM_OK; /* no stream, no history */
        return CM_EUNAVAIL;
    }
    first = si->State.FirstSeq;
    last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    for (uint64_t seq = first; seq && seq <= last && err == CM_OK; seq++) {
        natsMsg *m = NULL;
        natsStatus s = js_GetMsg(&m, js, stream, seq, NULL, &jerr);
        if (s == NATS_NOT_FOUND || (s != NATS_OK && jerr == JSNoMessageFoundErr))
            continue; /* deleted already */
        if (s != NATS_OK) {
            err = CM_EUNAVAIL;
            break;
        }
        if (holds(natsMsg_GetData(m), natsMsg_GetDataLength(m), needles, n)) {
            if (js_EraseMsg(js, stream, seq, NULL, &jerr) == NATS_OK)
                erased++;
            else if (jerr != JSNoMessageFoundErr)
                err = CM_EUNAVAIL;
        }
        natsMsg_Destroy(m);
    }
    jsCtx_Destroy(js);
    if (err != CM_OK)
        cm_warn("erasing events from stream %s failed; the step is retried", stream);
    *out_erased = erased;
    return err;
}
