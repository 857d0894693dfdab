/*
 * assets.c -- fingerprinted static files (see assets.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "assets.h"
#include "etag.h"
#include "log.h"
#include "str.h"
#include "tmpl.h"

static const char *const exts[] = { "css", "js", "svg", "png", "ico",
    "woff2" };

#define NAME_CHARS	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

static struct assets	current;

/* NAME.EXT with the characters nginx's location accepts; else -1. */
static int
asset_name(const char *f, size_t *stem)
{
	const char	*dot = strrchr(f, '.');
	size_t		 i;

	if (dot == NULL || dot == f || (size_t)(dot - f) > 40)
		return -1;
	for (i = 0; f + i < dot; i++)
		if (strchr(NAME_CHARS, f[i]) == NULL)
			return -1;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcmp(dot + 1, exts[i]) == 0) {
			*stem = (size_t)(dot - f);
			return 0;
		}
	return -1;
}

/* Appends s[0..n) to the string in dst; -1 if it does not fit. */
static int
append(char *dst, size_t size, const char *s, size_t n)
{
	size_t	len = strlen(dst);

	if (len + n >= size)
		return -1;
	memcpy(dst + len, s, n);
	dst[len + n] = '\0';
	return 0;
}

static int
asset_hash(int dfd, const char *f, char hex[17])
{
	struct etag	e;
	char		buf[8192];
	ssize_t		n;
	int		fd;

	if ((fd = openat(dfd, f, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	etag_init(&e, "asset");
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		etag_bytes(&e, buf, (size_t)n);
	close(fd);
	if (n == -1)
		return -1;
	etag_hex(&e, hex);
	return 0;
}

int
assets_load(const char *dir, struct assets *out)
{
	struct dirent	*de;
	struct asset	*a;
	DIR		*d;
	char		 hex[17];
	size_t		 stem, i;

	memset(out, 0, sizeof(*out));
	if ((d = opendir(dir)) == NULL) {
		log_err("static_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (asset_name(de->d_name, &stem) == -1)
			continue;
		if (out->n == ASSETS_MAX) {
			log_err("static_dir %s: more than %d files", dir,
			    ASSETS_MAX);
			closedir(d);
			return -1;
		}
		if (asset_hash(dirfd(d), de->d_name, hex) == -1) {
			log_err("static_dir %s: cannot read %s", dir,
			    de->d_name);
			closedir(d);
			return -1;
		}
		/* asset_name() keeps names short enough for both. */
		a = &out->v[out->n++];
		if (str_copy(a->key, sizeof(a->key), de->d_name) == -1 ||
		    str_copy(a->url, sizeof(a->url), "/static/") == -1 ||
		    append(a->url, sizeof(a->url), de->d_name, stem) ==
		    -1 || append(a->url, sizeof(a->url), ".", 1) == -1 ||
		    append(a->url, sizeof(a->url), hex, 16) == -1 ||
		    append(a->url, sizeof(a->url), de->d_name + stem,
		    strlen(de->d_name + stem)) == -1) {
			closedir(d);
			return -1;
		}
		for (i = 0; a->key[i] != '\0'; i++)
			if (a->key[i] == '.' || a->key[i] == '-')
				a->key[i] = '_';
	}
	closedir(d);
	return 0;
}

void
assets_use(const struct assets *a)
{
	current = *a;
}

struct tval *
assets_tv(struct arena *ar)
{
	struct tval	*o = tv_obj(ar);
	size_t		 i;

	for (i = 0; i < current.n; i++)
		tv_set_str(o, current.v[i].key, current.v[i].url);
	return o;
}
