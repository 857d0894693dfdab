/*
 * authz.c -- the permission matrix as a table.  See authz.h.
 *
 * Each permission lists the roles that hold it as a bit mask, so the
 * table reads as the matrix README documents, row by row.  The roles are
 * nested today, but the table does not rely on that: a permission may be
 * given to any set of roles.  There are a dozen permissions, so lookup is
 * a linear scan of string compares; that is cheaper than anything cleverer
 * would be to read.
 */
#include <stddef.h>
#include <string.h>

#include "authz.h"
#include "escape.h"
#include "log.h"

#define R_VIEWER	(1u << AUTHZ_VIEWER)
#define R_CLERK		(1u << AUTHZ_CLERK)
#define R_MANAGER	(1u << AUTHZ_MANAGER)
#define R_ADMIN		(1u << AUTHZ_ADMIN)

#define R_ALL		(R_VIEWER | R_CLERK | R_MANAGER | R_ADMIN)
#define R_CLERK_UP	(R_CLERK | R_MANAGER | R_ADMIN)
#define R_MANAGER_UP	(R_MANAGER | R_ADMIN)

_Static_assert(AUTHZ_ADMIN + 1 == AUTHZ_NROLES, "AUTHZ_NROLES is stale");

static const char *const authz_role_names[AUTHZ_NROLES] = {
	[AUTHZ_VIEWER] = "viewer",
	[AUTHZ_CLERK] = "clerk",
	[AUTHZ_MANAGER] = "manager",
	[AUTHZ_ADMIN] = "admin",
};

static const struct authz_perm {
	const char	*name;
	unsigned int	 roles;
} authz_perms[] = {
	{ "read",		R_ALL },	/* pages, lists, details */
	{ "stock.move",		R_CLERK_UP },	/* receipts, moves, counts */
	{ "orders.draft",	R_CLERK_UP },
	{ "products.manage",	R_MANAGER_UP },
	{ "suppliers.manage",	R_MANAGER_UP },
	{ "warehouses.manage",	R_MANAGER_UP },
	{ "orders.manage",	R_MANAGER_UP },	/* confirm, ship, cancel */
	{ "purchasing.manage",	R_MANAGER_UP },	/* purchase orders */
	{ "users.manage",	R_ADMIN },
	{ "tokens.manage",	R_ADMIN },
	{ "webhooks.manage",	R_ADMIN },
	{ "audit.read",		R_ADMIN },
	{ "analytics.read",	R_ADMIN },
};

#define AUTHZ_NPERMS	(sizeof(authz_perms) / sizeof(authz_perms[0]))

static const struct authz_perm *
authz_perm_find(const char *perm)
{
	size_t	i;

	if (perm == NULL)
		return NULL;
	for (i = 0; i < AUTHZ_NPERMS; i++)
		if (strcmp(authz_perms[i].name, perm) == 0)
			return &authz_perms[i];
	return NULL;
}

int
authz_role_from_name(const char *name)
{
	int	i;

	if (name == NULL)
		return -1;
	for (i = 0; i < AUTHZ_NROLES; i++)
		if (strcmp(authz_role_names[i], name) == 0)
			return i;
	return -1;
}

const char *
authz_role_name(enum authz_role role)
{
	if ((unsigned int)role >= AUTHZ_NROLES)
		fatalx("unknown role %d", (int)role);
	return authz_role_names[role];
}

int
authz_allowed(enum authz_role role, const char *perm)
{
	const struct authz_perm	*p;
	char			 esc[64];

	if ((unsigned int)role >= AUTHZ_NROLES)
		fatalx("unknown role %d", (int)role);
	if ((p = authz_perm_find(perm)) == NULL) {
		log_err("unknown permission \"%s\"", perm == NULL ? "(null)" :
		    escape_log(esc, sizeof(esc), perm));
		return 0;
	}
	return (p->roles & (1u << role)) != 0;
}

int
authz_perm_known(const char *perm)
{
	return authz_perm_find(perm) != NULL;
}

const char *
authz_perm_name(size_t i)
{
	return i < AUTHZ_NPERMS ? authz_perms[i].name : NULL;
}
