/*
 * h_openapi.c -- GET /api/v1/openapi.json: the document kept in the repo
 * (app/data/openapi.json, the openapi_file directive), served as is.
 */
#include <stdio.h>

#include "app.h"
#include "buf.h"
#include "config.h"
#include "handlers.h"
#include "log.h"
#include "request.h"
#include "response.h"

void
h_api_openapi(struct request *r, struct response *resp)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;

	if ((f = fopen(r->cfg->openapi_file, "r")) == NULL) {
		log_err("cannot read %s", r->cfg->openapi_file);
		response_error(resp, r, 404, "The API document is not "
		    "installed.");
		return;
	}
	buf_reset(&resp->body);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&resp->body, chunk, n) == -1)
			break;
	if (ferror(f) || n > 0) {
		log_err("%s: %s", r->cfg->openapi_file, n > 0 ?
		    "larger than the response cap" : "read error");
		fclose(f);
		response_error(resp, r, 500, "The API document cannot be "
		    "served.");
		return;
	}
	fclose(f);
	resp->status = 200;
	resp->content_type = "application/json";
}
