/* doc_json.h: service documents and check-ins as the API shows them
 * (pure: records in, jansson documents out). */
#ifndef ONBOARDING_DOC_JSON_H
#define ONBOARDING_DOC_JSON_H

#include <jansson.h>

#include "store_documents.h"

#define DOC_TYPE "service-documents"
#define CHECKIN_TYPE "user-checkins"
#define AGREEMENTS_CODE "service_document_agreements_required"

/* A service-documents resource. locale (NULL: none) picks the title and
 * html-link of a matching translation; with_html adds attribute "html"
 * (the stored html, after a reflow style when reflow). */
json_t *doc_resource(const struct doc_rec *d, const char *locale, int with_html, int reflow);

/* {"id", "type", "version", "title", "html-link"}: a document as a refusal
 * names it. */
json_t *doc_ref(const struct doc_rec *d);

/* The 4xx document of a refusal for want of agreement to the documents of
 * l (status 403, code AGREEMENTS_CODE, pointer pointer, their ids in the
 * detail, meta {"service-documents": [doc_ref…]}). */
json_t *doc_agreements_refusal(const struct doc_list *l, const char *pointer);

/* A user-checkins resource. */
json_t *checkin_resource(const struct checkin_rec *c);

#endif
