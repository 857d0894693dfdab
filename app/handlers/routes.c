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
	{ M_GET, "/", h_home, "read", 0 },
	{ M_GET, "/login", h_login_form, "", R_PUBLIC },
	{ M_POST, "/login", h_login, "", R_PUBLIC },
	{ M_POST, "/logout", h_logout, "read", R_PWCHANGE },
	{ M_GET, "/account", h_account, "read", R_PWCHANGE },
	{ M_POST, "/account/password", h_account_password, "read", R_PWCHANGE },
	{ M_GET, "/admin/users", h_users, "users.manage", 0 },
	{ M_POST, "/admin/users", h_users_create, "users.manage", 0 },
	{ M_GET, "/admin/users/{id}", h_user, "users.manage", 0 },
	{ M_POST, "/admin/users/{id}", h_user_update, "users.manage", 0 },
	{ M_POST, "/admin/users/{id}/password", h_user_password,
	    "users.manage", 0 },
	{ M_GET, "/admin/tokens", h_tokens, "tokens.manage", 0 },
	{ M_POST, "/admin/tokens", h_tokens_create, "tokens.manage", 0 },
	{ M_POST, "/admin/tokens/{id}/revoke", h_tokens_revoke,
	    "tokens.manage", 0 },
	{ M_GET, "/admin/audit", h_audit, "audit.read", 0 },
	{ M_GET, "/api/v1/me", h_api_me, "read", R_API },
	{ M_GET, "/api/v1/users", h_api_users, "users.manage", R_API },
	{ M_GET, "/api/v1/audit", h_api_audit, "audit.read", R_API },
	{ M_POST, "/api/v1/tokens/{id}/revoke", h_tokens_revoke,
	    "tokens.manage", R_API },
	{ M_GET, "/healthz", h_healthz, "", R_PUBLIC },
	{ M_GET, "/readyz", h_readyz, "", R_PUBLIC },
	{ M_GET, "/status", h_status, "", R_PUBLIC | R_LOOPBACK },
	{ M_GET, "/debug/sleep", h_debug_sleep, "", R_PUBLIC | R_LOOPBACK },
	{ M_POST, "/debug/echo", h_debug_echo, "", R_PUBLIC | R_LOOPBACK },
	{ M_POST | M_PUT, "/api/v1/debug/echo/{name}", h_debug_echo_json, "",
	    R_PUBLIC | R_LOOPBACK | R_API },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
