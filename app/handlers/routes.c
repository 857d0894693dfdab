/*
 * routes.c -- the route table.  Every route names the permission it needs
 * ("" only for public routes, which must also carry R_PUBLIC); a unit test
 * walks this table.
 */
#include <stddef.h>

#include "handlers.h"
#include "request.h"
#include "router.h"

const struct route routes[] = {
	{ M_GET, "/", h_home, "", R_PUBLIC },
	{ M_GET, "/healthz", h_healthz, "", R_PUBLIC },
	{ M_GET, "/readyz", h_readyz, "", R_PUBLIC },
	{ M_GET, "/status", h_status, "", R_PUBLIC | R_LOOPBACK },
	{ M_GET, "/debug/sleep", h_debug_sleep, "", R_PUBLIC | R_LOOPBACK },
	{ M_POST, "/debug/echo", h_debug_echo, "", R_PUBLIC | R_LOOPBACK },
	{ M_POST | M_PUT, "/api/v1/debug/echo/{name}", h_debug_echo_json, "",
	    R_PUBLIC | R_LOOPBACK | R_API },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
