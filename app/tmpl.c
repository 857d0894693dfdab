/*
 * tmpl.c -- mustache-like HTML templates, parsed once and rendered from a
 * struct tval context (tval.c; see tmpl.h for the syntax).
 *
 * Each template keeps a private copy of its text and a flat op list.  Text
 * ops point into the copy; a section op records the index just past its
 * body, so rendering is a loop that recurses only into section bodies and
 * partials.  Tag names are split in place once parsing succeeded: the byte
 * after a name (a blank or the first '}' of the closing braces) and each
 * '.' become NUL, so a lookup walks NUL-separated segments without
 * allocating.
 *
 * Caveats: there are no set-delimiter tags, no lambdas and no standalone
 * line trimming (whitespace around tags is output as written).  An object
 * or array used as {{value}} renders as its JSON text.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "escape.h"
#include "tmpl.h"

#define TMPL_MAX_INCLUDE	8	/* {{> }} nesting, per tmpl.h */
#define TMPL_MAX_NEST		32	/* open sections in one template */
#define TMPL_NAME_SHOW		64	/* bytes of a tag name in messages */

enum op_kind {
	OP_TEXT,
	OP_VAR,
	OP_RAW,
	OP_SECTION,
	OP_INVERTED,
	OP_PARTIAL
};

struct op {
	enum op_kind	 kind;
	char		*s;	/* text, or the tag name */
	size_t		 len;	/* bytes at s */
	size_t		 nseg;	/* name segments; 0 for "." */
	size_t		 end;	/* sections: index just past the body */
	int		 line;
};

struct tmpl {
	char		*name;
	char		*text;
	struct op	*ops;
	size_t		 nops;
};

struct tmpl_set {
	struct tmpl	tmpls[BR_MAX_TEMPLATES];
	size_t		n;
};

struct parser {
	struct tmpl	*t;
	size_t		 cap;			/* ops allocated */
	const char	*label;			/* for messages */
	char		*err;
	size_t		 errsz;
	size_t		 open[TMPL_MAX_NEST];	/* op index of open sections */
	int		 nopen;
	int		 line;
};

/* A context frame: sections push one, lookups walk them outward. */
struct frame {
	const struct tval	*obj;
	const struct frame	*up;
};

static void	tmpl_err(char *, size_t, const char *, int, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static int	render_ops(const struct tmpl_set *, const struct tmpl *,
		    size_t, size_t, const struct frame *, int, struct buf *);

/* Writes "label:line: message" (or "label: message" for line 0). */
static void
tmpl_err(char *err, size_t errsz, const char *label, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (err == NULL || errsz == 0)
		return;
	if (line > 0)
		n = snprintf(err, errsz, "%s:%d: ", label, line);
	else
		n = snprintf(err, errsz, "%s: ", label);
	/* A message cut short by errsz is still the right message. */
	if (n < 0 || (size_t)n >= errsz)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	va_end(ap);
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* 1 if s[0..len) is "." or dot-separated words (dots only if dotted). */
static int
name_valid(const char *s, size_t len, int dotted)
{
	size_t	i;

	if (dotted && len == 1 && s[0] == '.')
		return 1;
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.' && dotted && s[i - 1] != '.')
			continue;
		if (!name_char(s[i]))
			return 0;
	}
	return 1;
}

static int
count_lines(const char *s, size_t len)
{
	const char	*end = s + len, *nl;
	int		 n = 0;

	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		n++;
		s = nl + 1;
	}
	return n;
}

/* Precision for printing a tag name of len bytes in a message. */
static int
show(size_t len)
{
	return len > TMPL_NAME_SHOW ? TMPL_NAME_SHOW : (int)len;
}

static struct op *
op_new(struct parser *ps, enum op_kind kind, char *s, size_t len)
{
	struct tmpl	*t = ps->t;
	struct op	*ops, *op;
	size_t		 ncap;

	if (t->nops == ps->cap) {
		ncap = ps->cap == 0 ? 32 : ps->cap * 2;
		if ((ops = reallocarray(t->ops, ncap, sizeof(*ops))) == NULL) {
			tmpl_err(ps->err, ps->errsz, ps->label, ps->line,
			    "out of memory");
			return NULL;
		}
		t->ops = ops;
		ps->cap = ncap;
	}
	op = &t->ops[t->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->s = s;
	op->len = len;
	op->line = ps->line;
	return op;
}

/* Handles {{/name}}: closes the innermost open section. */
static int
parse_close(struct parser *ps, const char *name, size_t len)
{
	struct op	*open;

	if (ps->nopen == 0) {
		tmpl_err(ps->err, ps->errsz, ps->label, ps->line,
		    "{{/%.*s}} without an open section", show(len), name);
		return -1;
	}
	open = &ps->t->ops[ps->open[ps->nopen - 1]];
	if (open->len != len || memcmp(open->s, name, len) != 0) {
		tmpl_err(ps->err, ps->errsz, ps->label, ps->line,
		    "mismatched {{/%.*s}}, expected {{/%.*s}} (line %d)",
		    show(len), name, show(open->len), open->s, open->line);
		return -1;
	}
	open->end = ps->t->nops;
	ps->nopen--;
	return 0;
}

/* Adds the op for a tag whose sigil and trimmed name are known. */
static int
parse_named(struct parser *ps, char sigil, char *name, size_t len)
{
	enum op_kind	 kind;
	struct op	*op;

	if (!name_valid(name, len, sigil != '>')) {
		tmpl_err(ps->err, ps->errsz, ps->label, ps->line,
		    "bad tag name '%.*s'", show(len), name);
		return -1;
	}
	switch (sigil) {
	case '/':
		return parse_close(ps, name, len);
	case '#':
		kind = OP_SECTION;
		break;
	case '^':
		kind = OP_INVERTED;
		break;
	case '>':
		kind = OP_PARTIAL;
		break;
	case '{':
		kind = OP_RAW;
		break;
	default:
		kind = OP_VAR;
		break;
	}
	if ((kind == OP_SECTION || kind == OP_INVERTED) &&
	    ps->nopen == TMPL_MAX_NEST) {
		tmpl_err(ps->err, ps->errsz, ps->label, ps->line,
		    "sections nested deeper than %d", TMPL_MAX_NEST);
		return -1;
	}
	if ((op = op_new(ps, kind, name, len)) == NULL)
		return -1;
	if (kind == OP_SECTION || kind == OP_INVERTED)
		ps->open[ps->nopen++] = ps->t->nops - 1;
	return 0;
}

/*
 * Parses the tag starting at text[at] ("{{").  Returns the offset just
 * past it, or 0 on error (a tag is never at the end of the text).
 */
static size_t
parse_tag(struct parser *ps, size_t at, size_t len)
{
	char		*text = ps->t->text, *name, *close, sigil;
	const char	*delim;
	size_t		 start, nlen, next;

	sigil = at + 2 < len ? text[at + 2] : '\0';
	if (sigil == '\0' || strchr("{#^/>!", sigil) == NULL)
		sigil = '\0';
	delim = sigil == '{' ? "}}}" : "}}";
	start = at + 2 + (sigil != '\0');
	close = memmem(text + start, len - start, delim, strlen(delim));
	if (close == NULL) {
		tmpl_err(ps->err, ps->errsz, ps->label, ps->line,
		    "unclosed tag");
		return 0;
	}
	next = (size_t)(close - text) + strlen(delim);
	name = text + start;
	nlen = (size_t)(close - name);
	while (nlen > 0 && (*name == ' ' || *name == '\t'))
		name++, nlen--;
	while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
		nlen--;
	/* Ops and messages carry the line the tag starts on. */
	if (sigil != '!' && parse_named(ps, sigil, name, nlen) == -1)
		return 0;
	ps->line += count_lines(text + at, next - at);
	return next;
}

/* NUL-splits every name in place; see the file comment. */
static void
parse_finish(struct tmpl *t)
{
	struct op	*op;
	size_t		 i, j;

	for (i = 0; i < t->nops; i++) {
		op = &t->ops[i];
		if (op->kind == OP_TEXT)
			continue;
		op->s[op->len] = '\0';
		if (op->len == 1 && op->s[0] == '.')
			continue;
		op->nseg = 1;
		for (j = 0; j < op->len; j++)
			if (op->s[j] == '.') {
				op->s[j] = '\0';
				op->nseg++;
			}
	}
}

static int
tmpl_parse(struct parser *ps, size_t len)
{
	struct op	*op;
	char		*text = ps->t->text, *tag;
	size_t		 at = 0, n;

	while (at < len) {
		tag = memmem(text + at, len - at, "{{", 2);
		n = (tag != NULL ? (size_t)(tag - text) : len) - at;
		if (n > 0 && op_new(ps, OP_TEXT, text + at, n) == NULL)
			return -1;
		ps->line += count_lines(text + at, n);
		if (tag == NULL)
			break;
		if ((at = parse_tag(ps, (size_t)(tag - text), len)) == 0)
			return -1;
	}
	if (ps->nopen > 0) {
		op = &ps->t->ops[ps->open[ps->nopen - 1]];
		tmpl_err(ps->err, ps->errsz, ps->label, op->line,
		    "unclosed section '%.*s'", show(op->len), op->s);
		return -1;
	}
	parse_finish(ps->t);
	return 0;
}

static void
tmpl_clear(struct tmpl *t)
{
	free(t->name);
	free(t->text);
	free(t->ops);
	memset(t, 0, sizeof(*t));
}

static const struct tmpl *
tmpl_find(const struct tmpl_set *set, const char *name)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->tmpls[i].name, name) == 0)
			return &set->tmpls[i];
	return NULL;
}

/* tmpl_set_add(), with label naming the source in messages. */
static int
tmpl_add(struct tmpl_set *set, const char *name, const char *label,
    const char *text, size_t len, char *err, size_t errsz)
{
	struct parser	 ps;
	struct tmpl	*t;

	if (!name_valid(name, strlen(name), 0)) {
		tmpl_err(err, errsz, label, 0, "bad template name");
		return -1;
	}
	if (tmpl_find(set, name) != NULL) {
		tmpl_err(err, errsz, label, 0, "duplicate template");
		return -1;
	}
	if (set->n == BR_MAX_TEMPLATES) {
		tmpl_err(err, errsz, label, 0, "more than %d templates",
		    BR_MAX_TEMPLATES);
		return -1;
	}
	if (len > BR_MAX_TEMPLATE_SIZE) {
		tmpl_err(err, errsz, label, 0, "file too big (over %d bytes)",
		    BR_MAX_TEMPLATE_SIZE);
		return -1;
	}
	t = &set->tmpls[set->n];
	memset(&ps, 0, sizeof(ps));
	ps.t = t;
	ps.label = label;
	ps.err = err;
	ps.errsz = errsz;
	ps.line = 1;
	if ((t->name = strdup(name)) == NULL ||
	    (t->text = malloc(len + 1)) == NULL) {
		tmpl_err(err, errsz, label, 0, "out of memory");
		tmpl_clear(t);
		return -1;
	}
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	if (tmpl_parse(&ps, len) == -1) {
		tmpl_clear(t);
		return -1;
	}
	set->n++;
	return 0;
}

struct tmpl_set *
tmpl_set_new(void)
{
	return calloc(1, sizeof(struct tmpl_set));
}

int
tmpl_set_add(struct tmpl_set *set, const char *name, const char *text,
    size_t len, char *err, size_t errsz)
{
	return tmpl_add(set, name, name, text, len, err, errsz);
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_clear(&set->tmpls[i]);
	free(set);
}

int
tmpl_exists(const struct tmpl_set *set, const char *name)
{
	return tmpl_find(set, name) != NULL;
}

/*
 * The value op names into *out: "." is the innermost context; the first
 * segment of a name is looked up from the innermost context outward and
 * the rest is walked from there (a miss on that walk does not fall back
 * outward, as in mustache).  *out is NULL if absent.  -1 when the lookup
 * reads through a broken container (tmpl.h).
 */
static int
ctx_lookup(const struct frame *f, const struct op *op,
    const struct tval **out)
{
	const struct tval	*v = NULL;
	const char		*seg = op->s;
	size_t			 i;

	*out = NULL;
	if (op->nseg == 0) {
		*out = f->obj;
		return 0;
	}
	for (; f != NULL; f = f->up) {
		if (f->obj == NULL || f->obj->type != TV_OBJ)
			continue;
		if (!tv_ok(f->obj))
			return -1;
		if ((v = tv_get(f->obj, seg)) != NULL)
			break;
	}
	if (f == NULL)
		return 0;
	for (i = 1; i < op->nseg; i++) {
		seg += strlen(seg) + 1;
		if (v->type != TV_OBJ)
			return 0;
		if (!tv_ok(v))
			return -1;
		if ((v = tv_get(v, seg)) == NULL)
			return 0;
	}
	*out = v;
	return 0;
}

/* 1 if {{#v}} renders its body, see tmpl.h. */
static int
truthy(const struct tval *v)
{
	if (v == NULL)
		return 0;
	switch (v->type) {
	case TV_BOOL:
		return v->u.b != 0;
	case TV_INT:
		return v->u.i != 0;
	case TV_DBL:
		return v->u.d != 0.0;
	case TV_STR:
		return v->u.str.len > 0;
	case TV_ARR:
		return tv_len(v) > 0;
	case TV_OBJ:
		return 1;
	case TV_NULL:
	default:
		return 0;
	}
}

/* Writes the decimal digits of v to end in the 21 bytes before it;
 * returns where they start. */
static char *
fmt_i64(char *end, int64_t v)
{
	uint64_t	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char		*p = end;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return p;
}

/*
 * A double as json-c prints one: "%.17g", with ".0" added when that
 * looks like an integer; NaN and infinities by name.  Into num (at least
 * 32 bytes); returns its length.
 */
static size_t
fmt_dbl(char *num, size_t size, double d)
{
	int	n;

	if (isnan(d))
		n = snprintf(num, size, "NaN");
	else if (isinf(d))
		n = snprintf(num, size, d < 0 ? "-Infinity" : "Infinity");
	else {
		n = snprintf(num, size, "%.17g", d);
		if (n > 0 && (size_t)n + 2 < size &&
		    strpbrk(num, ".eE") == NULL) {
			memcpy(num + n, ".0", 3);
			n += 2;
		}
	}
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* A JSON string as json-c writes it (escaping '/' too). */
static int
json_str(struct buf *b, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*esc;
	char			 u[6];
	size_t			 i, from = 0;
	unsigned char		 c;

	if (buf_putc(b, '"') == -1)
		return -1;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '/' ?
		    "\\/" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ?
		    "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
		if (esc == NULL && c >= 0x20)
			continue;
		if (buf_append(b, s + from, i - from) == -1)
			return -1;
		from = i + 1;
		if (esc != NULL) {
			if (buf_puts(b, esc) == -1)
				return -1;
			continue;
		}
		memcpy(u, "\\u00", 4);
		u[4] = hex[c >> 4];
		u[5] = hex[c & 0xf];
		if (buf_append(b, u, sizeof(u)) == -1)
			return -1;
	}
	if (buf_append(b, s + from, len - from) == -1)
		return -1;
	return buf_putc(b, '"');
}

/* v's compact JSON text, as json-c printed it (JSON_C_TO_STRING_PLAIN). */
static int
json_text(struct buf *b, const struct tval *v, int depth)
{
	char	 num[32], *p;
	size_t	 i, n = tv_len(v);

	if (v->type == TV_OBJ || v->type == TV_ARR) {
		if (!tv_ok(v) || depth > TMPL_MAX_NEST)
			return -1;
		if (buf_putc(b, v->type == TV_OBJ ? '{' : '[') == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if ((i > 0 && buf_putc(b, ',') == -1) ||
			    (v->type == TV_OBJ && (json_str(b, tv_key(v, i),
			    strlen(tv_key(v, i))) == -1 ||
			    buf_putc(b, ':') == -1)) ||
			    json_text(b, tv_at(v, i), depth + 1) == -1)
				return -1;
		}
		return buf_putc(b, v->type == TV_OBJ ? '}' : ']');
	}
	switch (v->type) {
	case TV_BOOL:
		return buf_puts(b, v->u.b ? "true" : "false");
	case TV_INT:
		p = fmt_i64(num + sizeof(num), v->u.i);
		return buf_append(b, p, (size_t)(num + sizeof(num) - p));
	case TV_DBL:
		return buf_append(b, num, fmt_dbl(num, sizeof(num), v->u.d));
	case TV_STR:
		return json_str(b, v->u.str.s, v->u.str.len);
	default:
		return buf_puts(b, "null");
	}
}

static int
render_value(struct buf *out, const struct tval *v, int raw)
{
	struct buf	 js;
	const char	*s;
	char		 num[32];
	size_t		 len;
	int		 rv;

	if (v == NULL)
		return 0;
	switch (v->type) {
	case TV_STR:
		s = v->u.str.s;
		len = v->u.str.len;
		break;
	case TV_INT:
		s = fmt_i64(num + sizeof(num), v->u.i);
		len = (size_t)(num + sizeof(num) - s);
		break;
	case TV_DBL:
		len = fmt_dbl(num, sizeof(num), v->u.d);
		s = num;
		break;
	case TV_BOOL:
		s = v->u.b ? "true" : "false";
		len = strlen(s);
		break;
	case TV_ARR:
	case TV_OBJ:
		buf_init(&js, BR_MAX_RESPONSE);
		rv = json_text(&js, v, 0);
		if (rv == 0)
			rv = raw ? buf_append(out, js.data, js.len) :
			    escape_html(out, js.data, js.len);
		buf_free(&js);
		return rv;
	case TV_NULL:
	default:
		return 0;
	}
	return raw ? buf_append(out, s, len) : escape_html(out, s, len);
}

/* Renders the section or inverted section at ops[i]. */
static int
render_section(const struct tmpl_set *set, const struct tmpl *t, size_t i,
    const struct frame *f, int depth, struct buf *out)
{
	const struct op		*op = &t->ops[i];
	const struct tval	*v;
	struct frame		 inner;
	size_t			 k, n;

	if (ctx_lookup(f, op, &v) == -1)
		return -1;
	if (op->kind == OP_INVERTED)
		return truthy(v) ? 0 :
		    render_ops(set, t, i + 1, op->end, f, depth, out);
	inner.up = f;
	if (v != NULL && v->type == TV_ARR) {
		if (!tv_ok(v))
			return -1;
		n = tv_len(v);
		for (k = 0; k < n; k++) {
			inner.obj = tv_at(v, k);
			if (render_ops(set, t, i + 1, op->end, &inner, depth,
			    out) == -1)
				return -1;
		}
		return 0;
	}
	if (!truthy(v))
		return 0;
	inner.obj = v;
	return render_ops(set, t, i + 1, op->end, &inner, depth, out);
}

/* Renders t->ops[from..to) with context f at include depth depth. */
static int
render_ops(const struct tmpl_set *set, const struct tmpl *t, size_t from,
    size_t to, const struct frame *f, int depth, struct buf *out)
{
	const struct op		*op;
	const struct tmpl	*inc;
	const struct tval	*v;
	size_t			 i, next;
	int			 rv;

	for (i = from; i < to; i = next) {
		op = &t->ops[i];
		next = i + 1;
		switch (op->kind) {
		case OP_TEXT:
			rv = buf_append(out, op->s, op->len);
			break;
		case OP_VAR:
		case OP_RAW:
			rv = ctx_lookup(f, op, &v);
			if (rv == 0)
				rv = render_value(out, v, op->kind == OP_RAW);
			break;
		case OP_SECTION:
		case OP_INVERTED:
			rv = render_section(set, t, i, f, depth, out);
			next = op->end;
			break;
		case OP_PARTIAL:
			inc = tmpl_find(set, op->s);
			if (inc == NULL || depth >= TMPL_MAX_INCLUDE)
				rv = -1;
			else
				rv = render_ops(set, inc, 0, inc->nops, f,
				    depth + 1, out);
			break;
		default:
			rv = -1;	/* unreachable: ops come from parse */
			break;
		}
		if (rv == -1)
			return -1;
	}
	return 0;
}

int
tmpl_render(const struct tmpl_set *set, const char *name,
    const struct tval *ctx, struct buf *out)
{
	const struct tmpl	*t;
	struct frame		 root;
	size_t			 start = out->len;

	if ((t = tmpl_find(set, name)) == NULL)
		return -1;
	root.obj = ctx;
	root.up = NULL;
	if (render_ops(set, t, 0, t->nops, &root, 0, out) == -1) {
		/* Undo the partial page so it cannot be sent by mistake. */
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
		return -1;
	}
	return 0;
}

/* Reads a template file into a new malloc'd buffer, refusing big ones. */
static int
read_file(const char *path, char **out, size_t *outlen, char *err,
    size_t errsz)
{
	struct stat	 st;
	char		*p = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto syserr;
	if (fstat(fd, &st) == -1)
		goto syserr;
	if (!S_ISREG(st.st_mode) || st.st_size > BR_MAX_TEMPLATE_SIZE) {
		tmpl_err(err, errsz, path, 0, S_ISREG(st.st_mode) ?
		    "file too big" : "not a regular file");
		goto fail;
	}
	/* One byte past the cap notices a file that grew since fstat. */
	if ((p = malloc(BR_MAX_TEMPLATE_SIZE + 1)) == NULL)
		goto syserr;
	while (len < BR_MAX_TEMPLATE_SIZE + 1) {
		n = read(fd, p + len, BR_MAX_TEMPLATE_SIZE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto syserr;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > BR_MAX_TEMPLATE_SIZE) {
		tmpl_err(err, errsz, path, 0, "file too big");
		goto fail;
	}
	close(fd);
	*out = p;
	*outlen = len;
	return 0;
syserr:
	saved = errno;
	tmpl_err(err, errsz, path, 0, "%s", strerror(saved));
fail:
	if (fd != -1)
		close(fd);
	free(p);
	return -1;
}

/* Loads dir/fname if it is a template file; 0 if skipped or loaded. */
static int
load_entry(struct tmpl_set *set, const char *dir, const char *fname,
    char *err, size_t errsz)
{
	char	 path[BR_MAX_PATH], name[256], *text;
	size_t	 flen = strlen(fname), len;
	int	 n, rv;

	if (fname[0] == '.' || flen <= 5 || flen - 5 >= sizeof(name) ||
	    strcmp(fname + flen - 5, ".html") != 0)
		return 0;
	n = snprintf(path, sizeof(path), "%s/%s", dir, fname);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		tmpl_err(err, errsz, dir, 0, "path too long for %s", fname);
		return -1;
	}
	memcpy(name, fname, flen - 5);
	name[flen - 5] = '\0';
	if (read_file(path, &text, &len, err, errsz) == -1)
		return -1;
	rv = tmpl_add(set, name, path, text, len, err, errsz);
	free(text);
	return rv;
}

/* Every {{> name}} must name a loaded template. */
static int
check_partials(const struct tmpl_set *set, const char *dir, char *err,
    size_t errsz)
{
	const struct tmpl	*t;
	char			 path[BR_MAX_PATH];
	size_t			 i, k;
	int			 n;

	for (i = 0; i < set->n; i++) {
		t = &set->tmpls[i];
		for (k = 0; k < t->nops; k++) {
			if (t->ops[k].kind != OP_PARTIAL ||
			    tmpl_exists(set, t->ops[k].s))
				continue;
			n = snprintf(path, sizeof(path), "%s/%s.html", dir,
			    t->name);
			if (n < 0 || (size_t)n >= sizeof(path))
				n = -1;		/* name the template instead */
			tmpl_err(err, errsz, n == -1 ? t->name : path,
			    t->ops[k].line, "unknown partial '%s'",
			    t->ops[k].s);
			return -1;
		}
	}
	return 0;
}

struct tmpl_set *
tmpl_load_dir(const char *dir, char *err, size_t errsz)
{
	struct tmpl_set	*set;
	struct dirent	*de;
	DIR		*d;
	int		 rv = 0;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if ((d = opendir(dir)) == NULL) {
		tmpl_err(err, errsz, dir, 0, "%s", strerror(errno));
		return NULL;
	}
	if ((set = tmpl_set_new()) == NULL) {
		tmpl_err(err, errsz, dir, 0, "out of memory");
		closedir(d);
		return NULL;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				tmpl_err(err, errsz, dir, 0, "%s",
				    strerror(errno));
				rv = -1;
			}
			break;
		}
		if ((rv = load_entry(set, dir, de->d_name, err, errsz)) == -1)
			break;
	}
	closedir(d);
	if (rv == 0)
		rv = check_partials(set, dir, err, errsz);
	if (rv == -1) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}
