/* themes.h: organization themes (#97-#100, handlers_themes.c) and
 * organization logos (#106, #108 and the upload target and logo read that
 * are not in the seed, handlers_logos.c). Every authenticated caller reads
 * themes; the platform admin creates and changes them (a theme may serve
 * several organizations, which point at it with theme-id). Logos are set by
 * the organization's admins. */
#ifndef IDENTITY_THEMES_H
#define IDENTITY_THEMES_H

#include "cm_service.h"

/* GET /v1/organization-themes/ (#97): filter[domain],
 * filter[support-email], filter[cmp-last-modified-time] (< and >, at most
 * one each), filter[include-inactive], page; 200. */
cm_err themes_list(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/organization-themes/ (#98): domain, support-email,
 * support-email-name, is-active; 201. */
cm_err themes_create(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/organization-themes/{id}/ (#99): 200, 404. */
cm_err themes_read(struct cm_req *rq, struct cm_resp *out);

/* PATCH /v1/organization-themes/{id}/ (#100): as create; 200. */
cm_err themes_update(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/organizations/{id}/upload-logo/ (#108): content-type
 * (image/png, image/jpeg, image/webp) and filename; 201 {"data": {id,
 * upload-url, upload-data {method, headers, max-bytes}, expiration-time
 * (unix seconds)}}: where to PUT the image. */
cm_err logos_upload(struct cm_req *rq, struct cm_resp *out);

/* PUT /v1/organizations/{id}/logo-uploads/{upload}/ (not in the seed): the
 * image bytes (at most the edge's body limit), with the declared
 * Content-Type; 201 null. 409 once expired or processed. */
cm_err logos_put(struct cm_req *rq, struct cm_resp *out);

/* POST /v1/organizations/{id}/process-logo-upload/ (#106): body {} or
 * none; the latest image put is decoded and checked with libvips (its
 * format must be the one declared), scaled to fit LOGO_MAX_SIDE and stored
 * as PNG; the organization's logo-ready-to-use becomes true; 201 with the
 * organization. 400 for an image that does not decode, 413 for one of too
 * many pixels, 409 when nothing was uploaded. */
cm_err logos_process(struct cm_req *rq, struct cm_resp *out);

/* GET /v1/organizations/{id}/logo/ (not in the seed): the logo, image/png,
 * to anyone (logos are shown before login); 404 when there is none. */
cm_err logos_read(struct cm_req *rq, struct cm_resp *out);

#endif
