/*
 * search.c -- a product search split into what the indexes take.  See
 * search.h.
 *
 * Words are runs of letters, digits and '_' as InnoDB's full-text parser
 * reads them; beyond ASCII, the Latin-1 signs and the punctuation blocks
 * separate words and every other character counts as a letter (an
 * approximation of the parser's Unicode classes: a word with a rarer
 * separator inside is looked up as InnoDB splits it).  Since a word holds
 * no ASCII punctuation, no boolean-mode operator and no REGEXP
 * metacharacter reaches the SQL from q.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "search.h"

/* InnoDB's default stopwords (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD):
 * an index built while they are on leaves them out. */
static const char *const search_stopwords[] = {
	"a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en",
	"for", "from", "how", "i", "in", "is", "it", "la", "of", "on", "or",
	"that", "the", "this", "to", "was", "what", "when", "where", "who",
	"will", "with", "und", "www"
};

/* What a word must follow in a name: its start or a non-word character. */
#define SEARCH_RE_OPEN	"(?=.*(^|[^[:alnum:]_])"
#define SEARCH_RE_CLOSE	")"

struct search_word {
	const char	*s;
	size_t		 len;		/* bytes */
	size_t		 chars;		/* UTF-8 characters */
	size_t		 pos;		/* order in q */
	int		 digit;		/* holds a digit */
};

/*
 * The length of the separator at s, or 0 at a word character.  ASCII:
 * all but letters, digits and '_'; U+0080..U+00BF but the letters ª µ º;
 * × and ÷; General Punctuation (U+2000..U+207F: spaces, dashes, quotes)
 * and CJK punctuation (U+3000..U+303F).
 */
static size_t
search_sep(const unsigned char *s)
{
	if (s[0] < 0x80)
		return (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' &&
		    s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9') ||
		    s[0] == '_' ? 0 : 1;
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0xbf && s[1] != 0xaa &&
	    s[1] != 0xb5 && s[1] != 0xba)
		return 2;
	if (s[0] == 0xc3 && (s[1] == 0x97 || s[1] == 0xb7))
		return 2;
	if (((s[0] == 0xe2 && (s[1] == 0x80 || s[1] == 0x81)) ||
	    (s[0] == 0xe3 && s[1] == 0x80)) && s[2] >= 0x80 && s[2] <= 0xbf)
		return 3;
	return 0;
}

/* Whether the index leaves w out: too short, too long, or a stopword. */
static int
search_unindexed(const struct search_word *w)
{
	size_t	i;

	if (w->chars < SEARCH_MIN_TOKEN || w->chars > SEARCH_MAX_TOKEN)
		return 1;
	for (i = 0; i < sizeof(search_stopwords) /
	    sizeof(search_stopwords[0]); i++)
		if (strlen(search_stopwords[i]) == w->len &&
		    strncasecmp(search_stopwords[i], w->s, w->len) == 0)
			return 1;
	return 0;
}

/* Words with digits first, then the longer, then in q's order. */
static int
search_word_cmp(const void *pa, const void *pb)
{
	const struct search_word	*a = pa, *b = pb;

	if (a->digit != b->digit)
		return b->digit - a->digit;
	if (a->chars != b->chars)
		return a->chars > b->chars ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* The words of q into w (room for len / 2 + 1); their number. */
static size_t
search_words(const char *q, size_t len, struct search_word *w)
{
	const unsigned char	*s = (const unsigned char *)q;
	size_t			 i = 0, n = 0, sep;

	while (i < len) {
		if ((sep = search_sep(s + i)) > 0) {
			i += sep;
			continue;
		}
		memset(&w[n], 0, sizeof(w[n]));
		w[n].s = q + i;
		w[n].pos = n;
		while (i < len && search_sep(s + i) == 0) {
			if ((s[i] & 0xc0) != 0x80)
				w[n].chars++;
			if (s[i] >= '0' && s[i] <= '9')
				w[n].digit = 1;
			i++;
		}
		w[n].len = (size_t)(q + i - w[n].s);
		n++;
	}
	return n;
}

/* Appends the len bytes at s to *p (the caller sized the buffer). */
static void
search_put(char **p, const char *s, size_t len)
{
	memcpy(*p, s, len);
	*p += len;
}

int
search_parse(struct arena *a, const char *q, struct search_query *sq)
{
	struct search_word	*w;
	char			*terms, *rest, *t, *r;
	size_t			 i, n, len = q != NULL ? strlen(q) : 0;

	memset(sq, 0, sizeof(*sq));
	sq->prefix = sq->terms = sq->rest = "";
	if (len == 0)
		return 0;
	/* At most len / 2 + 1 words; each grows by its decoration at most. */
	if (len > SIZE_MAX / 32 ||
	    (sq->prefix = search_like_literal(a, q)) == NULL ||
	    (w = arena_calloc(a, len / 2 + 1, sizeof(*w))) == NULL ||
	    (terms = arena_alloc(a, len * 4 + 4)) == NULL ||
	    (rest = arena_alloc(a, len * 32 + 32)) == NULL)
		return -1;
	n = search_words(q, len, w);
	qsort(w, n, sizeof(*w), search_word_cmp);
	t = terms;
	r = rest;
	for (i = 0; i < n; i++) {
		if (search_unindexed(&w[i])) {
			search_put(&r, SEARCH_RE_OPEN, strlen(SEARCH_RE_OPEN));
			search_put(&r, w[i].s, w[i].len);
			search_put(&r, SEARCH_RE_CLOSE,
			    strlen(SEARCH_RE_CLOSE));
			continue;
		}
		if (t != terms)
			search_put(&t, " ", 1);
		search_put(&t, "+", 1);
		search_put(&t, w[i].s, w[i].len);
		search_put(&t, "*", 1);
		sq->nterms++;
	}
	*t = '\0';
	*r = '\0';
	sq->terms = terms;
	sq->rest = rest;
	return 0;
}

const char *
search_like_literal(struct arena *a, const char *q)
{
	char	*out;
	size_t	 i, n = 0, len;

	if (q == NULL)
		return "";
	len = strlen(q);
	if (len > (SIZE_MAX - 1) / 2 ||
	    (out = arena_alloc(a, len * 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			out[n++] = '\\';
		out[n++] = q[i];
	}
	out[n] = '\0';
	return out;
}
