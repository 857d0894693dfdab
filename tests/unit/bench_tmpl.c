/*
 * bench_tmpl.c -- a timing loop, not a test (make unit does not build or
 * run it): builds the context of a 50-row /products page the way
 * h_products_html.c does (h_product_tv() and the page's columns per row)
 * and renders app/templates/products.html with it, N times, then prints
 * the nanoseconds per row spent building and rendering.  The context is
 * made in an arena that is reset per page, as a worker's is per request.
 *
 *   make BUILD=build bench-tmpl && build/bench-tmpl [N] [show]
 *
 * (run from the top directory; "show" also prints the page once.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "handlers.h"
#include "hutil.h"
#include "str.h"
#include "tmpl.h"

#define ROWS	50

static double
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The page's context as products_ctx() makes it (page 7 of 2000). */
static struct tval *
build(struct arena *a, const struct product *p)
{
	struct tval	*ctx = tv_obj(a), *list = tv_arr(a), *o;
	int		 i;

	for (i = 0; i < ROWS; i++) {
		o = h_product_tv(a, &p[i]);
		tv_set_str(o, "price", h_money(a, p[i].price_cents));
		tv_set_str(o, "cost", h_money(a, p[i].cost_cents));
		tv_set_i64(o, "on_hand", p[i].on_hand);
		tv_set_i64(o, "reserved", p[i].reserved);
		tv_push(list, o);
	}
	tv_set_str(ctx, "title", "Products");
	tv_set_tv(ctx, "products", list);
	tv_set_str(ctx, "q", "");
	tv_set_str(ctx, "sort", "id");
	tv_set_bool(ctx, "sort_sku", 0);
	tv_set_bool(ctx, "sort_name", 0);
	tv_set_i64(ctx, "page", 7);
	tv_set_i64(ctx, "pages", 2000);
	tv_set_i64(ctx, "prev_page", 6);
	tv_set_i64(ctx, "next_page", 8);
	return ctx;
}

int
main(int argc, char **argv)
{
	struct tmpl_set	*set;
	struct arena	*a, *pa;
	struct product	 p[ROWS];
	struct tval	*ctx;
	struct buf	 out;
	char		 err[256];
	int64_t		 n = 20000, i;
	double		 t0, tb = 0, tr = 0;

	if (argc > 1 && str_to_i64(argv[1], 1, 100000000, &n) == -1)
		return 2;
	if ((set = tmpl_load_dir("app/templates", err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((a = arena_create(1 << 20)) == NULL ||
	    (pa = arena_create(1 << 20)) == NULL)
		return 1;
	buf_init(&out, 1 << 20);
	/* Rows like the bench's (tests/bench/bench.py). */
	for (i = 0; i < ROWS; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].id = 300 + i;
		p[i].sku = arena_printf(pa, "BENCH-%07d", (int)(300 + i));
		p[i].name = arena_printf(pa, "Bench product %d <&>",
		    (int)(300 + i));
		p[i].description = "";
		p[i].unit = "pcs";
		p[i].price_cents = 100 + i;
		p[i].cost_cents = 50 + i;
		p[i].active = 1;
		p[i].version = 1;
		p[i].on_hand = 3000000;
	}
	for (i = 0; i < n; i++) {
		arena_reset(a);
		t0 = now_ns();
		ctx = build(a, p);
		tb += now_ns() - t0;
		buf_reset(&out);
		t0 = now_ns();
		if (tmpl_render(set, "products", ctx, &out) == -1) {
			fprintf(stderr, "render failed\n");
			return 1;
		}
		tr += now_ns() - t0;
	}
	printf("tval: %" PRId64 " pages of %d rows, %zu bytes: build %.0f "
	    "ns/row, render %.0f ns/row, total %.0f ns/row\n", n, ROWS,
	    out.len, tb / (double)n / ROWS, tr / (double)n / ROWS,
	    (tb + tr) / (double)n / ROWS);
	if (argc > 2 && fwrite(out.data, 1, out.len, stdout) != out.len)
		return 1;
	buf_free(&out);
	arena_destroy(a);
	arena_destroy(pa);
	tmpl_set_free(set);
	return 0;
}
