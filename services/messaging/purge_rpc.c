/* purge_rpc.c: messaging.rpc.Purge (purge_rpc.h): the email logs and
 * queued deliveries of what was sent to the person's address go, with its
 * suppression, their feedback, clinical profile, read receipts and thread
 * memberships; what they wrote in shared threads stays for the others,
 * its author (and creator, uploader) replaced by a tombstone. A table that
 * holds a person's data gets one line in store_purge.c. Once the tables are done, the
 * local transport's spool files addressed to them (their "to" one of the
 * needles) are deleted too. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cm_log.h"
#include "cm_purge.h"
#include "store_purge.h"
#include "privacy.pb-c.h"
#include "purge_rpc.h"

/* Deletes the spool files in dir whose "to" is one of needles[0..n)
 * (case-insensitive); idempotent. Returns how many went. */
static long purge_spool(const char *dir, char *const *needles, size_t n)
{
    DIR *d = dir && dir[0] ? opendir(dir) : NULL;
    struct dirent *e;
    long gone = 0;

    if (!d)
        return 0;
    while ((e = readdir(d))) {
        char path[4096];
        json_t *doc;
        const char *to;
        size_t len = strlen(e->d_name);

        if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        doc = json_load_file(path, 0, NULL);
        to = json_string_value(json_object_get(doc, "to"));
        for (size_t i = 0; to && i < n; i++)
            if (needles[i][0] && !strcasecmp(to, needles[i])) {
                if (unlink(path) == 0)
                    gone++;
                break;
            }
        json_decref(doc);
    }
    closedir(d);
    return gone;
}

cm_err messaging_rpc_purge(struct cm_worker *w, const Envelope__RpcRequest *req,
                           uint8_t **out_payload, size_t *out_len)
{
    cm_err err = cm_purge_serve(w, req, store_purge_statements, NULL, out_payload, out_len);
    Privacy__PurgeRequest *in =
        err == CM_OK ? privacy__purge_request__unpack(NULL, req->payload.len, req->payload.data)
                     : NULL;

    if (in) {
        long gone = purge_spool(w->cfg->spool_dir, in->needles, in->n_needles);
        if (gone)
            cm_info("purge: %ld spool files deleted", gone);
        privacy__purge_request__free_unpacked(in, NULL);
    }
    return err;
}
