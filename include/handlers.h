/*
 * handlers.h -- every handler the route table names.  One file per
 * resource in app/handlers/.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <stddef.h>
#include <stdint.h>

struct request;
struct response;

/* h_ops.c: operations endpoints */
void	h_healthz(struct request *, struct response *);
void	h_readyz(struct request *, struct response *);
void	h_status(struct request *, struct response *);
void	h_metrics(struct request *, struct response *);
/* h_debug.c: only with debug_routes = yes */
void	h_debug_sleep(struct request *, struct response *);
void	h_debug_echo(struct request *, struct response *);
void	h_debug_echo_json(struct request *, struct response *);
void	h_debug_forbidden(struct request *, struct response *);

/* h_auth.c: sign-in, sign-out, one's own account */
void	h_login_form(struct request *, struct response *);
void	h_login(struct request *, struct response *);
void	h_logout(struct request *, struct response *);
void	h_account(struct request *, struct response *);
void	h_account_password(struct request *, struct response *);
void	h_api_me(struct request *, struct response *);
/* h_users.c */
void	h_users(struct request *, struct response *);
void	h_users_create(struct request *, struct response *);
void	h_user(struct request *, struct response *);
void	h_user_update(struct request *, struct response *);
void	h_user_password(struct request *, struct response *);
void	h_api_users(struct request *, struct response *);
/* h_tokens.c */
void	h_tokens(struct request *, struct response *);
void	h_tokens_create(struct request *, struct response *);
void	h_tokens_revoke(struct request *, struct response *);
/* h_audit.c */
void	h_audit(struct request *, struct response *);
void	h_api_audit(struct request *, struct response *);

/* h_stock.c */
void	h_api_stock(struct request *, struct response *);
void	h_api_movements(struct request *, struct response *);
void	h_api_movement_create(struct request *, struct response *);
/* h_products.c */
void	h_api_products(struct request *, struct response *);
void	h_api_product(struct request *, struct response *);
void	h_api_product_create(struct request *, struct response *);
void	h_api_product_update(struct request *, struct response *);
void	h_api_product_archive(struct request *, struct response *);
/* h_orders.c: sales and purchase orders, the kind named by the route's
 * action (ACT_SALES or ACT_PURCHASE) */
void	h_api_orders(struct request *, struct response *);
void	h_api_order(struct request *, struct response *);
void	h_api_order_create(struct request *, struct response *);
void	h_api_order_action(struct request *, struct response *);
/* h_catalog.c: suppliers and warehouses, named by the route's action
 * (ACT_SUPPLIERS or ACT_WAREHOUSES) */
void	h_api_catalog_list(struct request *, struct response *);
void	h_api_catalog_item(struct request *, struct response *);
void	h_api_catalog_create(struct request *, struct response *);
void	h_api_catalog_update(struct request *, struct response *);
/* h_reorder.c */
void	h_api_reorder(struct request *, struct response *);
void	h_api_reorder_create(struct request *, struct response *);
/* h_openapi.c */
void	h_api_openapi(struct request *, struct response *);

/* pages: h_products_html.c, h_stock_html.c, h_orders_html.c,
 * h_catalog_html.c, h_reorder_html.c, h_dashboard.c */
void	h_products_page(struct request *, struct response *);
void	h_product_new(struct request *, struct response *);
void	h_product_create_form(struct request *, struct response *);
void	h_product_page(struct request *, struct response *);
void	h_product_edit(struct request *, struct response *);
void	h_product_update_form(struct request *, struct response *);
void	h_product_archive_form(struct request *, struct response *);
void	h_stock_page(struct request *, struct response *);
void	h_stock_move_form(struct request *, struct response *);
void	h_movements_page(struct request *, struct response *);
void	h_orders_page(struct request *, struct response *);
void	h_order_new(struct request *, struct response *);
void	h_order_create_form(struct request *, struct response *);
void	h_order_page(struct request *, struct response *);
void	h_order_action_form(struct request *, struct response *);
void	h_catalog_page(struct request *, struct response *);
void	h_catalog_item(struct request *, struct response *);
void	h_catalog_create_form(struct request *, struct response *);
void	h_catalog_update_form(struct request *, struct response *);
void	h_reorder_page(struct request *, struct response *);
void	h_reorder_form(struct request *, struct response *);
void	h_dashboard(struct request *, struct response *);
/* h_catalog_html.c: active warehouses for a <select>, the chosen one
 * marked; *first is the first one's id (0: none).  A new page context
 * array in r's arena (tmpl.h). */
struct tval *h_warehouse_options(struct request *, int64_t chosen,
	    int64_t *first);

/*
 * Shapes shared by the API and the pages' handlers: per resource one
 * builder of its JSON (a new, unowned json-c object for the caller to add
 * to a tree) and one of its page context (h_*_tv(): the same keys, a
 * tmpl.h object in the arena a, whose strings it borrows from the struct;
 * NULL on ENOMEM, which a parent taking it turns into a broken context).
 */
struct arena;
struct product;
struct order;
struct db_rows;
struct tval;
struct json_object *h_product_json(const struct product *);
struct tval *h_product_tv(struct arena *, const struct product *);
struct json_object *h_order_json(const struct order *, int purchase);
struct tval *h_order_tv(struct arena *, const struct order *,
	    int purchase);
/*
 * Stock, ledger and reorder shapes (h_stock.c, h_stock_html.c,
 * h_reorder.c).  h_movement_rows() is the page rows of at most max ledger
 * rows: h_movement_tv() with the warehouse code, the user's email and
 * "at" beside it (the movements page, the dashboard, the product page).
 */
struct stock_level;
struct movement;
struct movement_list;
struct suggestion;
struct json_object *h_stock_json(const struct stock_level *);
struct tval *h_stock_tv(struct arena *, const struct stock_level *);
struct json_object *h_movement_json(const struct movement *);
struct tval *h_movement_tv(struct arena *, const struct movement *);
struct tval *h_movement_rows(struct arena *, const struct movement_list *,
	    size_t max);
struct json_object *h_suggestion_json(const struct suggestion *);
struct tval *h_suggestion_tv(struct arena *, const struct suggestion *);


#endif /* HANDLERS_H */
