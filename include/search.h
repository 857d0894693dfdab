/*
 * search.h -- a product search (?q=) in the forms the indexes take it,
 * without scanning every product: a SKU or name prefix (LIKE on their
 * B-tree indexes) and the words of q for the FULLTEXT index on
 * products.name (MATCH ... AGAINST in boolean mode; migration 0006).
 *
 * A product matches when its SKU or its name starts with q, or when
 * every word of q starts a word of its name (any order, any case).
 * InnoDB indexes neither words shorter than innodb_ft_min_token_size nor
 * its stopwords, and a required term that is one finds nothing, so such
 * words go to a REGEXP instead, tested only on the rows the index found
 * for the other words.  A q with no word the index can take ("TV", "a b")
 * matches by SKU and name prefix only.  Every character of q is literal:
 * LIKE's wildcards are escaped, and boolean-mode operators (+-<>()~*"@)
 * and every other non-word character only separate words.
 */
#ifndef SEARCH_H
#define SEARCH_H

#include <stddef.h>

struct arena;

/* MariaDB's defaults, which the index was built with. */
#define SEARCH_MIN_TOKEN	3	/* innodb_ft_min_token_size */
#define SEARCH_MAX_TOKEN	84	/* innodb_ft_max_token_size */

struct search_query {
	const char	*prefix;	/* q, LIKE-escaped, for 'prefix%' */
	const char	*terms;		/* "+w* +v*", or "" when no word is
					 * indexed */
	const char	*rest;		/* a REGEXP for the other words, or
					 * "" (matches every name) */
	size_t		 nterms;	/* words in terms */
};

/*
 * Fills sq from q (NULL or "" for no search: everything ""), in the
 * arena.  The terms go rarest-looking first (words with digits, then the
 * longer ones): InnoDB stops at the first term that finds nothing.
 * 0, or -1 when the arena is full.
 */
int	search_parse(struct arena *, const char *q, struct search_query *sq);
/* q with LIKE's wildcards ('%', '_' and the escape '\') escaped; NULL
 * when the arena is full. */
const char *search_like_literal(struct arena *, const char *q);

#endif /* SEARCH_H */
