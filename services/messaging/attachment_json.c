/* attachment_json.c: the attachment document of the seed and the sniffing
 * of a content's mime type (attachment.h). Pure. */
#include "attachment.h"

#include <string.h>

#include "cm_body.h"

json_t *attachment_json(const struct attachment_rec *r)
{
    return json_pack("{s:s, s:{s:s, s:s, s:s, s:I, s:s, s:s}}", "status", "ok", "attachment", "id",
                     r->id, "mime_type", r->mime_type, "name", r->name, "size",
                     (json_int_t)r->size, "time_created", r->time_created, "user_id", r->user_id);
}

static int starts(const uint8_t *p, size_t n, const char *magic, size_t m)
{
    return n >= m && !memcmp(p, magic, m);
}

const char *attachment_sniff(const uint8_t *head, size_t n)
{
    if (starts(head, n, "\xff\xd8\xff", 3))
        return "image/jpeg";
    if (starts(head, n, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (starts(head, n, "GIF87a", 6) || starts(head, n, "GIF89a", 6))
        return "image/gif";
    if (starts(head, n, "%PDF-", 5))
        return "application/pdf";
    if (starts(head, n, "PK\x03\x04", 4))
        return "application/zip";
    if (n >= 12 && starts(head, n, "RIFF", 4) && !memcmp(head + 8, "WEBP", 4))
        return "image/webp";
    if (starts(head, n, "II*\0", 4) || starts(head, n, "MM\0*", 4))
        return "image/tiff";
    if (starts(head, n, "\x1f\x8b", 2))
        return "application/gzip";
    if (n == 0)
        return "application/octet-stream";
    for (size_t i = 0; i < n; i++)
        if ((head[i] < 0x20 && head[i] != '\t' && head[i] != '\n' && head[i] != '\r') ||
            head[i] == 0x7f)
            return "application/octet-stream";
    /* a multi-byte character cut at the end of the sniffed bytes is fine */
    for (size_t cut = 0; cut < 4 && cut < n; cut++)
        if (cm_utf8_valid(head, n - cut))
            return "text/plain";
    return "application/octet-stream";
}

int attachment_id_valid(const char *id)
{
    size_t n = strlen(id);

    if (n != 24)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return 0;
    return 1;
}
