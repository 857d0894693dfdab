/*
 * assets.h -- fingerprinted static files.  At start and on reload the
 * master hashes each file of static_dir; pages link /static/NAME.HASH.EXT,
 * which nginx serves as immutable (conf/nginx/backroom.conf), so a changed
 * file gets a new URL and no browser keeps an old one.
 */
#ifndef ASSETS_H
#define ASSETS_H

#include <stddef.h>

#define ASSETS_MAX	32

struct arena;
struct tval;

struct asset {
	char	key[64];	/* "style_css" for style.css */
	char	url[128];	/* "/static/style.0123456789abcdef.css" */
};

struct assets {
	size_t		n;
	struct asset	v[ASSETS_MAX];
};

/*
 * Hashes the files of dir named [A-Za-z0-9_-]+.(css|js|svg|png|ico|woff2)
 * (others are skipped) into out.  0, or -1 (logged) when dir cannot be
 * read or holds more than ASSETS_MAX such files.
 */
int		 assets_load(const char *dir, struct assets *out);
/* The set pages link to (the master's, inherited by the workers). */
void		 assets_use(const struct assets *);
/* {key: url, ...} for a page's context: {{asset.style_css}}. */
struct tval	*assets_tv(struct arena *);

#endif /* ASSETS_H */
