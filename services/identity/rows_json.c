/* rows_json.c: a list document from a query result (rows_json.h). */
#include "rows_json.h"

#include "cm_jsonapi.h"

void rows_json_respond(struct cm_resp *out, const struct cm_req *rq, PGresult *res,
                       json_t *(*row)(const PGresult *res, int i))
{
    json_t *data = json_array();

    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(data, row(res, i));
    PQclear(res);
    cm_resp_json(out, rq, 200, cm_jsonapi_doc(data));
}
