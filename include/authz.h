/*
 * authz.h -- roles and the permission matrix.
 *
 * Four roles, each a superset of the one below it:
 *   viewer   reads everything a signed-in user may see;
 *   clerk    also records stock movements and drafts orders;
 *   manager  also manages products, suppliers and warehouses, confirms,
 *            ships and cancels orders, and handles purchase orders;
 *   admin    also manages users, API tokens and webhooks and reads the
 *            audit log and analytics.
 * The matrix itself is a static const table in authz.c, which README
 * documents; routes name a permission string from it (router.h), and a
 * route naming a permission the table does not know is a bug the unit
 * tests catch through authz_perm_known().
 */
#ifndef AUTHZ_H
#define AUTHZ_H

#include <stddef.h>

/* Ordered from least to most privileged; stored by name, never by value. */
enum authz_role {
	AUTHZ_VIEWER = 0,
	AUTHZ_CLERK,
	AUTHZ_MANAGER,
	AUTHZ_ADMIN,
};
#define AUTHZ_NROLES	4

/*
 * The role named name ("admin", "manager", "clerk", "viewer"; exact,
 * case-sensitive), or -1 for anything else (NULL included).
 */
int		 authz_role_from_name(const char *name);
/* The static name of role; an out-of-range role is a bug: fatalx(). */
const char	*authz_role_name(enum authz_role role);
/*
 * 1 if role holds perm, else 0.  An unknown permission is a bug in the
 * caller (a route or handler names something the table lacks): it is
 * logged with log_err() and denied.  An out-of-range role: fatalx().
 */
int		 authz_allowed(enum authz_role role, const char *perm);
/* 1 if perm is a permission of the table, else 0 (NULL included). */
int		 authz_perm_known(const char *perm);
/*
 * The i-th permission of the table (0-based), NULL past the end: for
 * tests that walk the matrix and for generating documentation.
 */
const char	*authz_perm_name(size_t i);

#endif /* AUTHZ_H */
