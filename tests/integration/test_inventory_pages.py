"""The server-rendered inventory pages, driven like a browser: every page
renders for a viewer and escapes what users typed; every form is read from
its page (hidden csrf, one-time form_token, version) and submitted with
what a user would type.  A success is a 303 (Post/Redirect/Get) with a
flash message on the next page and exactly the expected change in MariaDB;
bad input re-renders the form (422, or 409 for stale versions and short
stock) with the error beside the field and the typed values kept, and
changes nothing (row counts of the inventory tables and the rows
concerned, read directly from the database).  A re-submitted form_token
replays the first answer and changes nothing; a viewer gets 403 on every
form POST; a POST without a form_token gets 400.

Each test makes its own warehouses, suppliers and products (unique codes
and SKUs, through the JSON API or the pages), so the tests are independent
of each other and of what the database already holds."""
import html
import math
import re
import threading
import time
import uuid
from urllib.parse import quote

import pytest

from accounts_util import location
from inventory_util import (assert_check, ledger, mgr, order, product, purchase_order,
                            receive, sql, sql_int, sql_rows, supplier, uniq, warehouse)
from pages_util import (Frozen, body_text, browser, counts, err_beside, errors_on, flash,
                        form_to, forms_of, id_from, main_html, max_id, new_token, path_of,
                        product_q, product_row, stock_of, stock_q)


# == fixtures ===================================================================

@pytest.fixture(scope="module")
def M():
    """A signed-in manager (may do everything the inventory pages offer)."""
    return browser("manager")


@pytest.fixture(scope="module")
def V():
    """A signed-in viewer (read only)."""
    return browser("viewer")


@pytest.fixture(scope="module")
def C():
    """A signed-in clerk (moves stock, drafts orders)."""
    return browser("clerk")


@pytest.fixture(scope="module")
def env():
    """Two warehouses and a supplier of this module."""
    return {"w1": warehouse(code=uniq("PA")[:20]), "w2": warehouse(code=uniq("PB")[:20]),
            "sup": supplier()}


def sku(tag="PG"):
    return "%s-%s" % (tag, uuid.uuid4().hex[:12])


def desc_stamp():
    """A number that gets smaller with time: names built with it sort the
    newest first (runs on a database that keeps earlier runs' rows)."""
    return "%013d" % (10 ** 13 - int(time.time() * 1000))


def move(pid, wid, kind, qty, **kw):
    body = {"kind": kind, "product_id": pid, "warehouse_id": wid, "qty": qty}
    body.update(kw)
    return mgr().ok("POST", "/movements", body, 201)


def status_of(table, oid):
    return sql_rows("SELECT status FROM %s WHERE id = %d" % (table, oid))[0][0]


def replayed(r):
    return r.headers.get("Idempotent-Replayed", "").lower() == "true"


def product_form_fields(**over):
    f = {"sku": sku(), "name": "Widget " + uniq(""), "description": "A widget",
         "unit": "pcs", "price": "12.50", "cost": "7.5", "reorder_point": "3",
         "reorder_qty": "20", "supplier_id": ""}
    f.update(over)
    return f


def input_value(page, name):
    f = [x for x in forms_of(page) if name in x.names()]
    assert f, ("no control", name)
    return f[0].value(name)


# == rendering ===================================================================

def test_every_page_renders_for_a_viewer(V, env):
    w1, sup = env["w1"], env["sup"]
    p = product(supplier_id=sup["id"])
    receive(p["id"], w1["id"], 4, reference="R-" + uniq(""))
    so = order(w1["id"], [(p["id"], 1)])
    po = purchase_order(sup["id"], w1["id"], [(p["id"], 2)])
    pages = ["/", "/products", "/products?q=" + p["sku"], "/products/%d" % p["id"],
             "/stock", "/stock?warehouse_id=%d" % w1["id"], "/movements",
             "/movements?sku=" + p["sku"], "/orders", "/orders/%d" % so["id"],
             "/purchase-orders", "/purchase-orders/%d" % po["id"], "/suppliers",
             "/suppliers/%d" % sup["id"], "/warehouses", "/warehouses/%d" % w1["id"],
             "/reorder"]
    for path in pages:
        r = V.page(path)
        assert r.headers["Content-Type"].startswith("text/html"), path
        assert re.search(r'<meta name="csrf-token" content="[0-9a-f]{64}">', r.text), path
        assert "<main>" in r.text and "</html>" in r.text, path
    # What it should show.
    t = body_text(V.page("/products/%d" % p["id"]).text)
    assert p["sku"] in t and "12.50" in t and "7.00" in t
    assert re.search(r"%s 4 0 4" % re.escape(w1["code"]), t), t     # on hand, reserved, available
    assert "receipt 4 4" in t
    t = body_text(V.page("/stock?warehouse_id=%d" % w1["id"]).text)
    assert re.search(r"%s .* 4 pcs 0 4" % re.escape(p["sku"]), t), t
    t = body_text(V.page("/orders/%d" % so["id"]).text)
    assert "draft" in t and p["sku"] in t and "12.50" in t
    t = body_text(V.page("/purchase-orders/%d" % po["id"]).text)
    assert "draft" in t and "14.00" in t                             # 2 x 7.00
    assert sup["name"] in body_text(V.page("/suppliers").text)
    assert w1["code"] in body_text(V.page("/warehouses").text)
    # The forms that change data are for other roles.
    for path in ("/products/new", "/products/%d/edit" % p["id"], "/orders/new",
                 "/purchase-orders/new"):
        assert V.get(path).status_code == 403, path


def test_a_viewer_is_offered_no_control_that_changes_data(V, env):
    """A viewer's pages have no submit button except "Sign out" (the
    create forms, the movement form and the order actions are hidden by
    role; every other page must do the same)."""
    w1, sup = env["w1"], env["sup"]
    p = product(supplier_id=sup["id"])
    so = order(w1["id"], [(p["id"], 1)])
    po = purchase_order(sup["id"], w1["id"], [(p["id"], 2)])
    mgr().ok("POST", "/purchase-orders/%d/order" % po["id"], {}, 200)
    offered = {}
    for path in ("/", "/products", "/products/%d" % p["id"], "/stock?warehouse_id=%d" % w1["id"],
                 "/orders/%d" % so["id"], "/purchase-orders/%d" % po["id"], "/suppliers",
                 "/warehouses", "/suppliers/%d" % sup["id"], "/warehouses/%d" % w1["id"],
                 "/reorder"):
        page = V.page(path).text
        for m in re.finditer(r'<form\b[^>]*method="post"[^>]*action="([^"]*)"[^>]*>(.*?)</form>',
                             page, re.S):
            if m.group(1) != "/logout" and "<button" in m.group(2):
                offered.setdefault(path, []).append(m.group(1))
    assert offered == {}, "a viewer is shown forms whose submit gets 403: %s" % offered


def test_every_form_carries_the_csrf_token_and_a_fresh_form_token(M, env):
    w1, sup = env["w1"], env["sup"]
    p = product(supplier_id=sup["id"])
    so = order(w1["id"], [(p["id"], 1)])
    po = purchase_order(sup["id"], w1["id"], [(p["id"], 2)])
    seen = {}
    for path in ("/products/new", "/products/%d" % p["id"], "/products/%d/edit" % p["id"],
                 "/stock?warehouse_id=%d" % w1["id"], "/orders/new", "/orders/%d" % so["id"],
                 "/purchase-orders/new", "/purchase-orders/%d" % po["id"], "/suppliers",
                 "/suppliers/%d" % sup["id"], "/warehouses", "/warehouses/%d" % w1["id"],
                 "/reorder"):
        tokens = []
        for _ in range(2):
            page = M.page(path).text
            meta = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', page).group(1)
            posts = [f for f in forms_of(page) if f.method == "post" and f.action != "/logout"]
            assert posts, path
            for f in posts:
                assert f.value("csrf") == meta, (path, f.action)
                assert f.control("csrf")["type"] == "hidden"
                assert f.control("form_token")["type"] == "hidden"
                assert re.fullmatch(r"[0-9a-f]{64}", f.value("form_token")), (path, f.action)
            tokens.append(posts[0].value("form_token"))
        assert tokens[0] != tokens[1], ("the same form_token twice", path)
        for t in tokens:
            assert t not in seen, ("a form_token seen before", path, seen.get(t))
            seen[t] = path


def test_what_users_typed_is_escaped_on_every_page(M, V):
    wh = warehouse(code=uniq("PE")[:20], name="<u>wh</u> " + uniq(""))
    sup = supplier(name="!%s <i>sup</i> %s" % (desc_stamp(), uniq("")))
    r = M.submit("/products/new", "/products", product_form_fields(
        name="<b>x</b>", description="<script>alert(1)</script>", unit="<p>",
        supplier_id=str(sup["id"]), reorder_point="5", reorder_qty="7"), expect=303)
    pid = id_from(r, "/products")
    s = product_row(pid)["sku"]
    move(pid, wh["id"], "receipt", 6, reference="<ref>", note="<em>n</em> & co")
    so = order(wh["id"], [(pid, 1)], customer="<s>cust</s>", note="<q>note</q>")
    mgr().ok("POST", "/orders/%d/confirm" % so["id"], {}, 200)
    raws = ["<b>x</b>", "<script>alert(1)</script>", "<em>n</em>", "<s>cust</s>",
            "<q>note</q>", "<i>sup</i>", "<u>wh</u>", "<ref>"]
    expect = {
        "/products?q=" + s: ["&lt;b&gt;x&lt;/b&gt;"],
        "/products/%d" % pid: ["&lt;b&gt;x&lt;/b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;",
                               "&lt;em&gt;n&lt;/em&gt; &amp; co", "&lt;ref&gt;"],
        "/products/%d/edit" % pid: ["&lt;b&gt;x&lt;/b&gt;", "&lt;script&gt;", "&lt;i&gt;sup"],
        "/stock?warehouse_id=%d" % wh["id"]: ["&lt;b&gt;x&lt;/b&gt;", "&lt;u&gt;wh&lt;/u&gt;"],
        "/movements?sku=" + s: ["&lt;em&gt;n&lt;/em&gt;", "&lt;ref&gt;"],
        "/orders?status=confirmed": ["&lt;s&gt;cust&lt;/s&gt;"],
        "/orders/%d" % so["id"]: ["&lt;s&gt;cust&lt;/s&gt;", "&lt;q&gt;note&lt;/q&gt;",
                                  "&lt;b&gt;x&lt;/b&gt;"],
        "/suppliers": ["&lt;i&gt;sup&lt;/i&gt;"],
        "/suppliers/%d" % sup["id"]: ["&lt;i&gt;sup&lt;/i&gt;"],
        "/warehouses": ["&lt;u&gt;wh&lt;/u&gt;"],
        "/warehouses/%d" % wh["id"]: ["&lt;u&gt;wh&lt;/u&gt;"],
        "/reorder": ["&lt;b&gt;x&lt;/b&gt;", "&lt;i&gt;sup&lt;/i&gt;"],
        "/": ["&lt;s&gt;cust&lt;/s&gt;"],
        "/orders/new": ["&lt;u&gt;wh&lt;/u&gt;"],
        "/purchase-orders/new": ["&lt;i&gt;sup&lt;/i&gt;", "&lt;u&gt;wh&lt;/u&gt;"],
    }
    for path, wanted in expect.items():
        page = (M if path.endswith(("/edit", "/new")) else V).page(path).text
        for w in wanted:
            assert w in page, (path, w)
        for raw in raws:
            assert raw not in page, (path, raw)


# == products =====================================================================

def test_product_create_redirects_to_the_product_with_a_flash(M, env):
    sup = env["sup"]
    page = M.page("/products/new")
    f = form_to(page.text, "/products")
    assert re.fullmatch(r"[0-9a-f]{64}", f.value("form_token"))
    assert f.value("csrf") == M.csrf
    assert (str(sup["id"]), sup["name"]) in f.options("supplier_id")
    fields = product_form_fields(price="12.5", cost="3", supplier_id=str(sup["id"]),
                                 description="line one\r\nline two")
    before = counts()
    r = M.submit(None, "/products", fields, page=page, expect=303)
    pid = id_from(r, "/products")
    assert counts()["products"] == before["products"] + 1
    row = product_row(pid)
    del row["description_md5"]
    assert row == {"sku": fields["sku"], "name": fields["name"], "unit": "pcs",
                   "price_cents": 1250, "cost_cents": 300, "reorder_point": 3,
                   "reorder_qty": 20, "supplier_id": sup["id"], "active": 1, "version": 1}
    assert sql_int("SELECT description = 'line one\\r\\nline two' FROM products "
                   "WHERE id = %d" % pid) == 1
    nxt = M.follow(r)
    assert flash(nxt.text) == "The product was created."
    t = body_text(nxt.text)
    assert fields["sku"] in t and "12.50" in t and "3.00" in t and "at 3, order 20" in t
    # The flash is shown once.
    assert flash(M.page("/products/%d" % pid).text) is None
    # The list shows it with its price in two decimals.
    t = body_text(M.page("/products?q=" + fields["sku"]).text)
    assert re.search(r"%s %s 12\.50 0 pcs 0" % (re.escape(fields["sku"]),
                                                re.escape(fields["name"])), t), t


BAD_PRODUCT = [
    ("sku", "", "Use 1 to 40 letters"),
    ("sku", "has space", "Use 1 to 40 letters"),
    ("sku", "x" * 41, "Use 1 to 40 letters"),
    ("name", "", "Enter a name of 1 to 200 characters."),
    ("name", "n" * 201, "Enter a name of 1 to 200 characters."),
    ("description", "d" * 4001, "Use at most 4000 characters."),
    ("unit", "", "Enter a unit of 1 to 20 characters"),
    ("price", "12.345", "Enter an amount like 12.50."),
    ("price", "-1.00", "Enter an amount like 12.50."),
    ("price", "abc", "Enter an amount like 12.50."),
    ("price", "10000000000.01", "Enter a price from 0.00."),
    ("cost", "1,50", "Enter an amount like 12.50."),
    ("reorder_point", "-1", "Enter a whole number from 0 to 1000000000."),
    ("reorder_qty", "ten", "Enter a whole number from 0 to 1000000000."),
    ("supplier_id", "999999999", "No such supplier."),
]


@pytest.mark.parametrize("field,value,message", BAD_PRODUCT,
                         ids=["%s=%s" % (f, v[:12]) for f, v, _ in BAD_PRODUCT])
def test_product_create_invalid_field_is_422_with_the_error_and_typed_values(M, field, value,
                                                                              message):
    fields = product_form_fields(description="typed <desc>", price="4.20", cost="1.10")
    fields[field] = value
    with Frozen("SELECT COUNT(*) FROM products WHERE sku = '%s'" % fields["sku"]):
        r = M.submit("/products/new", "/products", fields, expect=422)
    page = r.text
    assert message in (err_beside(page, field) or ""), (field, errors_on(page))
    # Only that field is in error.
    assert len(re.findall(r'<span class="err">', page)) == 1, errors_on(page)
    f = form_to(page, "/products")
    for k in ("sku", "name", "description", "unit", "price", "cost", "reorder_point",
              "reorder_qty"):
        assert f.value(k) == fields[k], (k, f.value(k), fields[k][:50])
    if field == "supplier_id":
        assert f.value("supplier_id") == ""      # an unknown id cannot be selected
    # A fresh one-time token for the next try.
    assert f.value("form_token") != r.sent["form_token"]


def test_product_duplicate_sku_is_422(M):
    first = product()
    fields = product_form_fields(sku=first["sku"], name="Another " + uniq(""))
    with Frozen(product_q(first["id"])):
        r = M.submit("/products/new", "/products", fields, expect=422)
    assert "A product with this SKU exists already." == err_beside(r.text, "sku")
    f = form_to(r.text, "/products")
    assert f.value("sku") == first["sku"] and f.value("name") == fields["name"]


def test_product_edit_with_version_and_a_stale_version_is_409_with_current_values(M, env):
    p = product(price_cents=1000)
    page = M.page("/products/%d/edit" % p["id"])
    f = form_to(page.text, "/products/%d" % p["id"])
    assert f.value("version") == "1" and f.value("active") == "1"
    assert f.value("price") == "10.00" and f.value("sku") == p["sku"]
    stale = f.data()
    r = M.submit(None, "/products/%d" % p["id"], {"name": "Renamed", "price": "11.05",
                                                  "supplier_id": str(env["sup"]["id"])},
                 page=page, expect=303)
    assert path_of(location(r)) == "/products/%d" % p["id"]
    row = product_row(p["id"])
    assert (row["name"], row["price_cents"], row["version"], row["supplier_id"]) == \
        ("Renamed", 1105, 2, env["sup"]["id"])
    assert flash(M.follow(r).text) == "The product was saved."
    # The same form again (version 1) with another token: stale.
    data = [(k, v) for k, v in stale if k not in ("form_token", "name")]
    data += [("form_token", new_token()), ("name", "Lost update")]
    with Frozen(product_q(p["id"])):
        r = M.resend("/products/%d" % p["id"], data)
    assert r.status_code == 409, (r.status_code, r.text[:500])
    assert "Someone else changed this product meanwhile" in body_text(r.text)
    f = form_to(r.text, "/products/%d" % p["id"])
    assert f.value("version") == "2"
    assert f.value("name") == "Renamed" and f.value("price") == "11.05"
    assert f.value("supplier_id") == str(env["sup"]["id"])
    # Saving the form shown with the 409 works.
    r = M.submit(None, "/products/%d" % p["id"], {"name": "Third", "supplier_id": ""}, page=r,
                 expect=303)
    row = product_row(p["id"])
    assert (row["name"], row["version"], row["supplier_id"], row["price_cents"]) == \
        ("Third", 3, None, 1105)


def test_product_edit_invalid_is_422_keeping_typed_values_and_version(M):
    p = product()
    with Frozen(product_q(p["id"])):
        r = M.submit("/products/%d/edit" % p["id"], "/products/%d" % p["id"],
                     {"name": "Typed name", "price": "9.999"}, expect=422)
    assert err_beside(r.text, "price") == "Enter an amount like 12.50."
    f = form_to(r.text, "/products/%d" % p["id"])
    assert (f.value("name"), f.value("price"), f.value("version")) == ("Typed name", "9.999", "1")
    # An edit to another product's SKU.
    other = product()
    with Frozen(product_q(p["id"])):
        r = M.submit("/products/%d/edit" % p["id"], "/products/%d" % p["id"],
                     {"sku": other["sku"]}, expect=422)
    assert err_beside(r.text, "sku") == "A product with this SKU exists already."


def test_product_archive_and_an_edit_keeps_it_archived(M, env):
    p = product()
    page = M.page("/products/%d" % p["id"])
    assert "/products/%d/archive" % p["id"] in [f.action for f in forms_of(page.text)]
    r = M.submit(None, "/products/%d/archive" % p["id"], page=page, expect=303)
    assert path_of(location(r)) == "/products/%d" % p["id"]
    row = product_row(p["id"])
    assert (row["active"], row["version"]) == (0, 2)
    nxt = M.follow(r)
    assert flash(nxt.text) == "The product was archived."
    assert "archived" in body_text(nxt.text)
    assert "/products/%d/archive" % p["id"] not in [f.action for f in forms_of(nxt.text)]
    # Editing the archived product keeps it archived.
    r = M.submit("/products/%d/edit" % p["id"], "/products/%d" % p["id"],
                 {"name": "Still archived"}, expect=303)
    row = product_row(p["id"])
    assert (row["active"], row["name"], row["version"]) == (0, "Still archived", 3)
    # No receipts of an archived product.
    w1 = env["w1"]
    with Frozen(stock_q(p["id"], w1["id"])):
        r = M.submit("/stock?warehouse_id=%d" % w1["id"], "/stock/movements",
                     {"kind": "receipt", "sku": p["sku"], "qty": "1"}, expect=422)
    assert "This product is archived." in errors_on(r.text)


# == stock movements ==================================================================

def stock_form(M, wid, expect, **fields):
    return M.submit("/stock?warehouse_id=%d" % wid, "/stock/movements", fields, expect=expect)


def test_receipt_then_the_stock_page_shows_it(M, env):
    w1 = env["w1"]
    p = product()
    page = M.page("/stock?warehouse_id=%d" % w1["id"])
    f = form_to(page.text, "/stock/movements")
    assert f.value("warehouse_id") == str(w1["id"])
    assert [v for v, _ in f.options("kind")] == ["receipt", "shipment", "adjustment", "transfer"]
    n0 = counts()["stock_movements"]
    r = M.submit(None, "/stock/movements", {"kind": "receipt", "sku": p["sku"], "qty": "10",
                                           "reference": "GRN-1", "note": "first"},
                 page=page, expect=303)
    assert path_of(location(r)) == "/stock?warehouse_id=%d" % w1["id"]
    assert stock_of(p["id"], w1["id"]) == (10, 0)
    assert counts()["stock_movements"] == n0 + 1
    assert [x[1:] for x in ledger(p["id"], w1["id"])] == [("receipt", 10, 10, "GRN-1")]
    uid = sql_int("SELECT user_id FROM stock_movements WHERE product_id = %d" % p["id"])
    assert uid == M.user.id
    nxt = M.follow(r)
    assert flash(nxt.text) == "The movement was recorded."
    assert re.search(r"%s .* 10 pcs 0 10" % re.escape(p["sku"]), body_text(nxt.text))


def test_shipment_beyond_available_is_409_and_changes_nothing(M, env):
    w1 = env["w1"]
    p = product()
    receive(p["id"], w1["id"], 10)
    so = order(w1["id"], [(p["id"], 4)])
    mgr().ok("POST", "/orders/%d/confirm" % so["id"], {}, 200)      # 6 available
    with Frozen(stock_q(p["id"], w1["id"])):
        r = stock_form(M, w1["id"], 409, kind="shipment", sku=p["sku"], qty="7",
                       reference="typed-ref")
    assert "Not enough stock available" in (err_beside(r.text, "qty") or "")
    f = form_to(r.text, "/stock/movements")
    assert (f.value("sku"), f.value("qty"), f.value("reference")) == (p["sku"], "7", "typed-ref")
    # What is available ships.
    stock_form(M, w1["id"], 303, kind="shipment", sku=p["sku"], qty="6")
    assert stock_of(p["id"], w1["id"]) == (4, 4)


def test_adjustment_needs_a_note(M, env):
    w1 = env["w1"]
    p = product()
    receive(p["id"], w1["id"], 5)
    with Frozen(stock_q(p["id"], w1["id"])):
        r = stock_form(M, w1["id"], 422, kind="adjustment", sku=p["sku"], qty="-2", note="")
    assert err_beside(r.text, "note") == "Give the reason for the adjustment."
    f = form_to(r.text, "/stock/movements")
    assert (f.value("sku"), f.value("qty")) == (p["sku"], "-2")
    stock_form(M, w1["id"], 303, kind="adjustment", sku=p["sku"], qty="-2", note="broken")
    assert stock_of(p["id"], w1["id"]) == (3, 0)
    assert [x[1:4] for x in ledger(p["id"], w1["id"])][-1] == ("adjustment", -2, 3)


def test_a_refused_movement_form_keeps_what_was_chosen(M, env):
    """The kind (and a transfer's target) the user chose are still chosen
    on the re-rendered form, like every typed value: a user who fixes the
    quantity or adds the reason must not record another kind of movement."""
    w1, w2 = env["w1"], env["w2"]
    p = product()
    receive(p["id"], w1["id"], 1)
    lost = []
    for kind, extra, status in (("shipment", {"qty": "5"}, 409),
                                ("adjustment", {"qty": "-1", "note": ""}, 422),
                                ("transfer", {"qty": "5", "to_warehouse_id": str(w2["id"])}, 409)):
        with Frozen(stock_q(p["id"], w1["id"])):
            r = stock_form(M, w1["id"], status, kind=kind, sku=p["sku"], **extra)
        f = form_to(r.text, "/stock/movements")
        if f.value("kind") != kind:
            lost.append("%s shown as %s" % (kind, f.value("kind")))
        if kind == "transfer" and f.value("to_warehouse_id") != str(w2["id"]):
            lost.append("transfer target %s shown as %r" % (w2["id"], f.value("to_warehouse_id")))
    assert not lost, "the refused movement form lost the user's choice: %s" % lost


def test_transfer_writes_two_ledger_rows(M, env):
    w1, w2 = env["w1"], env["w2"]
    p = product()
    receive(p["id"], w1["id"], 8)
    n0 = counts()["stock_movements"]
    r = stock_form(M, w1["id"], 303, kind="transfer", sku=p["sku"], qty="3",
                   to_warehouse_id=str(w2["id"]), reference="T-1")
    assert path_of(location(r)) == "/stock?warehouse_id=%d" % w1["id"]
    assert counts()["stock_movements"] == n0 + 2
    assert stock_of(p["id"], w1["id"]) == (5, 0)
    assert stock_of(p["id"], w2["id"]) == (3, 0)
    assert [x[1:] for x in ledger(p["id"], w1["id"])][-1] == ("transfer_out", -3, 5, "T-1")
    assert [x[1:] for x in ledger(p["id"], w2["id"])] == [("transfer_in", 3, 3, "T-1")]
    # To the same warehouse: refused.
    with Frozen(stock_q(p["id"], w1["id"])):
        r = stock_form(M, w1["id"], 422, kind="transfer", sku=p["sku"], qty="1",
                       to_warehouse_id=str(w1["id"]))
    assert err_beside(r.text, "to_warehouse_id") == \
        "Choose a different warehouse to transfer to."
    # More than available: 409.
    with Frozen(stock_q(p["id"], w1["id"]), stock_q(p["id"], w2["id"])):
        r = stock_form(M, w1["id"], 409, kind="transfer", sku=p["sku"], qty="6",
                       to_warehouse_id=str(w2["id"]))
    assert "Not enough stock available" in (err_beside(r.text, "qty") or "")


@pytest.mark.parametrize("fields,field,message", [
    ({"sku": "NOPE-%s" % uuid.uuid4().hex, "qty": "1"}, "sku", "No product has this SKU."),
    ({"sku": "", "qty": "1"}, "sku", "Enter the product's SKU."),
    ({"qty": "abc"}, "qty", "Enter a whole number"),
    ({"qty": ""}, "qty", "This field is required."),
    ({"qty": "0"}, "qty", "Enter a quantity from 1 to a billion."),
    ({"kind": "teleport"}, "kind", "Choose receipt, shipment, adjustment or transfer."),
    ({"kind": "transfer", "to_warehouse_id": ""}, "to_warehouse_id", "This field is required."),
    ({"reference": "r" * 65}, "reference", "Use at most 64 characters"),
], ids=["unknown-sku", "no-sku", "qty-abc", "qty-empty", "qty-0", "kind", "no-target",
        "long-ref"])
def test_movement_form_validation_is_422_and_changes_nothing(M, env, fields, field, message):
    w1 = env["w1"]
    p = product()
    receive(p["id"], w1["id"], 2)
    data = {"kind": "receipt", "sku": p["sku"], "qty": "5", "reference": "typed",
            "note": "typed note"}
    data.update(fields)
    with Frozen(stock_q(p["id"], w1["id"])):
        r = stock_form(M, w1["id"], 422, **data)
    assert message in (err_beside(r.text, field) or ""), (field, errors_on(r.text))
    f = form_to(r.text, "/stock/movements")
    for k in ("sku", "qty", "reference", "note"):
        assert f.value(k) == data[k], k
    assert f.value("warehouse_id") == str(w1["id"])


# == sales orders =====================================================================

def order_fields(wid, lines, customer="Customer", note=""):
    f = {"customer": customer, "warehouse_id": str(wid), "note": note}
    for n, s, q in lines:
        f["sku_%d" % n] = s
        f["qty_%d" % n] = str(q)
    return f


def test_new_order_with_several_lines_is_a_draft_with_those_lines(M, env):
    w2 = env["w2"]
    a, b, c = product(price_cents=250), product(price_cents=1000), product(price_cents=5)
    page = M.page("/orders/new")
    f = form_to(page.text, "/orders")
    assert {"customer", "warehouse_id", "note", "sku_1", "qty_1", "sku_10", "qty_10"} <= \
        set(f.names())
    assert str(w2["id"]) in [v for v, _ in f.options("warehouse_id")]
    n0 = counts()
    # Line 2 left blank: rows without a SKU are skipped.
    r = M.submit(None, "/orders", order_fields(w2["id"], [(1, a["sku"], 3), (3, b["sku"], 1),
                                                          (4, c["sku"], 10)],
                                               customer="ACME " + uniq(""), note="rush"),
                 page=page, expect=303)
    oid = id_from(r, "/orders")
    n1 = counts()
    assert (n1["sales_orders"], n1["sales_order_lines"]) == \
        (n0["sales_orders"] + 1, n0["sales_order_lines"] + 3)
    row = sql_rows("SELECT status, warehouse_id, note, created_by FROM sales_orders "
                   "WHERE id = %d" % oid)[0]
    assert row == ("draft", str(w2["id"]), "rush", str(M.user.id))
    lines = sql_rows("SELECT line_no, product_id, qty, price_cents FROM sales_order_lines "
                     "WHERE order_id = %d ORDER BY line_no" % oid)
    assert lines == [("1", str(a["id"]), "3", "250"), ("2", str(b["id"]), "1", "1000"),
                     ("3", str(c["id"]), "10", "5")]
    nxt = M.follow(r)
    assert flash(nxt.text) == "The order was created as a draft."
    t = body_text(nxt.text)
    assert "draft" in t and "Total 18.00" in t          # 7.50 + 10.00 + 0.50
    assert "Confirm (reserve stock)" in t and "Cancel order" in t
    assert "18.00" in body_text(M.page("/orders?status=draft").text)


def test_new_order_with_an_unknown_sku_is_422_and_creates_nothing(M, env):
    w1 = env["w1"]
    a = product()
    bad = "NOPE-" + uuid.uuid4().hex[:10]
    fields = order_fields(w1["id"], [(1, a["sku"], 2), (2, bad, 1)], customer="Typed cust",
                          note="typed note")
    with Frozen():
        r = M.submit("/orders/new", "/orders", fields, expect=422)
    assert "No product has this SKU." in " ".join(errors_on(r.text))
    assert re.search(r'class="err"[^>]*>[^<]*sku_2[^<]*No product has this SKU', r.text), \
        errors_on(r.text)
    f = form_to(r.text, "/orders")
    for k in ("customer", "note", "sku_1", "qty_1", "sku_2", "qty_2", "warehouse_id"):
        assert f.value(k) == fields[k], k


@pytest.mark.parametrize("case", ["no-lines", "qty-0", "qty-abc", "no-customer",
                                  "duplicate-product", "archived-product"])
def test_new_order_validation_creates_nothing(M, env, case):
    w1 = env["w1"]
    a, b = product(), product()
    lines = [(1, a["sku"], 2), (2, b["sku"], 1)]
    fields = order_fields(w1["id"], lines)
    want = None
    if case == "no-lines":
        fields = order_fields(w1["id"], [])
        want = "Enter at least one line (SKU and quantity)."
    elif case == "qty-0":
        fields["qty_2"] = "0"
        want = "Enter a whole number from 1 to 1000000."
    elif case == "qty-abc":
        fields["qty_1"] = "abc"
        want = "Enter a whole number from 1 to 1000000."
    elif case == "no-customer":
        fields["customer"] = ""
        want = "Enter the customer (1 to 200 characters)."
    elif case == "duplicate-product":
        fields["sku_2"] = a["sku"]
        want = "Each product may appear on one line only."
    elif case == "archived-product":
        mgr().ok("POST", "/products/%d/archive" % b["id"], {}, 200)
        want = "No such active product."
    with Frozen():
        r = M.submit("/orders/new", "/orders", fields, expect=422)
    assert any(want in e for e in errors_on(r.text)), errors_on(r.text)
    if case == "no-customer":
        assert err_beside(r.text, "customer") == want
    f = form_to(r.text, "/orders")
    assert f.value("sku_1") == fields.get("sku_1", "")


@pytest.mark.parametrize("case", ["unknown-sku", "archived-product", "duplicate-product",
                                  "po-archived-product"])
def test_an_error_on_an_order_line_names_the_row_it_was_typed_in(M, env, case):
    """Row 2 left blank, the bad line on row 3: its error must point at
    row 3 (sku_3), as the unknown-SKU error does -- not at an index into
    the non-blank rows."""
    w1, sup = env["w1"], env["sup"]
    a, b = product(), product()
    bad = {"unknown-sku": "NOPE-" + uuid.uuid4().hex[:10], "duplicate-product": a["sku"]} \
        .get(case, b["sku"])
    if "archived" in case:
        mgr().ok("POST", "/products/%d/archive" % b["id"], {}, 200)
    if case.startswith("po-"):
        fields, action = po_fields(sup["id"], w1["id"], [(1, a["sku"], 1, ""),
                                                          (3, bad, 1, "")]), "/purchase-orders"
    else:
        fields, action = order_fields(w1["id"], [(1, a["sku"], 1), (3, bad, 1)]), "/orders"
    with Frozen():
        r = M.submit(action + "/new", action, fields, expect=422)
    errs = [e for e in errors_on(r.text) if e.startswith("Line field")]
    assert len(errs) == 1, errors_on(r.text)
    assert errs[0].startswith("Line field sku_3:"), \
        "the error of form row 3 reads %r" % errs[0]


def test_confirm_short_is_409_listing_the_short_line_and_reserves_nothing(M, env):
    w1 = env["w1"]
    a, b = product(), product()
    receive(a["id"], w1["id"], 5)
    receive(b["id"], w1["id"], 1)
    so = order(w1["id"], [(a["id"], 5), (b["id"], 3)])
    page = M.page("/orders/%d" % so["id"])
    with Frozen(stock_q(a["id"], w1["id"]), stock_q(b["id"], w1["id"]),
                "SELECT status FROM sales_orders WHERE id = %d" % so["id"]):
        r = M.submit(None, "/orders/%d/confirm" % so["id"], page=page, expect=409)
    t = body_text(r.text)
    assert "Not enough stock for some lines; nothing was reserved." in t
    short = re.search(r'<table class="short">(.*?)</table>', r.text, re.S)
    assert short, r.text[:2000]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td class=\"num\">(\d+)</td>"
                      r"<td class=\"num\">(-?\d+)</td></tr>", short.group(1))
    assert rows == [("2", b["sku"], "3", "1")]
    assert "draft" in t and "Confirm (reserve stock)" in t
    # Enough stock: confirmed, reserved.
    receive(b["id"], w1["id"], 2)
    r = M.submit("/orders/%d" % so["id"], "/orders/%d/confirm" % so["id"], expect=303)
    assert path_of(location(r)) == "/orders/%d" % so["id"]
    assert status_of("sales_orders", so["id"]) == "confirmed"
    assert stock_of(a["id"], w1["id"]) == (5, 5) and stock_of(b["id"], w1["id"]) == (3, 3)
    nxt = M.follow(r)
    assert flash(nxt.text) == "The order was confirmed; its stock is reserved."
    assert "Ship" in body_text(nxt.text)


def test_ship_moves_the_stock_out_and_releases_the_reservation(M, env):
    w1 = env["w1"]
    a = product()
    receive(a["id"], w1["id"], 9)
    so = order(w1["id"], [(a["id"], 4)])
    M.submit("/orders/%d" % so["id"], "/orders/%d/confirm" % so["id"], expect=303)
    assert stock_of(a["id"], w1["id"]) == (9, 4)
    r = M.submit("/orders/%d" % so["id"], "/orders/%d/ship" % so["id"], expect=303)
    assert status_of("sales_orders", so["id"]) == "shipped"
    assert stock_of(a["id"], w1["id"]) == (5, 0)
    assert [x[1:] for x in ledger(a["id"], w1["id"])][-1] == \
        ("shipment", -4, 5, "SO-%d" % so["id"])
    nxt = M.follow(r)
    assert flash(nxt.text) == "The order was shipped."
    assert not [f for f in forms_of(nxt.text) if f.action.endswith(("/ship", "/cancel",
                                                                    "/confirm"))]
    # A shipped order cannot be cancelled (a token of an older page).
    with Frozen(stock_q(a["id"], w1["id"])):
        r = M.resend("/orders/%d/cancel" % so["id"], [("csrf", M.csrf),
                                                      ("form_token", new_token())])
    assert r.status_code == 409, (r.status_code, r.text[:300])
    assert "The order is shipped; it cannot go to cancelled." in body_text(r.text)


def test_cancel_releases_the_reservation(M, env):
    w1 = env["w1"]
    a, b = product(), product()
    receive(a["id"], w1["id"], 6)
    receive(b["id"], w1["id"], 6)
    so = order(w1["id"], [(a["id"], 2), (b["id"], 5)])
    M.submit("/orders/%d" % so["id"], "/orders/%d/confirm" % so["id"], expect=303)
    assert stock_of(a["id"], w1["id"]) == (6, 2) and stock_of(b["id"], w1["id"]) == (6, 5)
    n0 = counts()["stock_movements"]
    r = M.submit("/orders/%d" % so["id"], "/orders/%d/cancel" % so["id"], expect=303)
    assert status_of("sales_orders", so["id"]) == "cancelled"
    assert stock_of(a["id"], w1["id"]) == (6, 0) and stock_of(b["id"], w1["id"]) == (6, 0)
    assert counts()["stock_movements"] == n0
    assert flash(M.follow(r).text) == "The order was cancelled."
    # A draft is cancelled as well.
    so2 = order(w1["id"], [(a["id"], 1)])
    M.submit("/orders/%d" % so2["id"], "/orders/%d/cancel" % so2["id"], expect=303)
    assert status_of("sales_orders", so2["id"]) == "cancelled"


# == purchase orders ================================================================

def po_fields(sid, wid, lines, note=""):
    f = {"supplier_id": str(sid), "warehouse_id": str(wid), "note": note}
    for n, s, q, c in lines:
        f["sku_%d" % n] = s
        f["qty_%d" % n] = str(q)
        f["cost_%d" % n] = c
    return f


def test_purchase_order_create_order_receive_partially_and_over_receipt(M, env):
    w1, sup = env["w1"], env["sup"]
    a, b = product(cost_cents=700), product(cost_cents=150)
    page = M.page("/purchase-orders/new")
    f = form_to(page.text, "/purchase-orders")
    assert (str(sup["id"]), sup["name"]) in f.options("supplier_id")
    assert {"cost_1", "sku_1", "qty_1"} <= set(f.names())
    n0 = counts()
    r = M.submit(None, "/purchase-orders", po_fields(sup["id"], w1["id"],
                                                     [(1, a["sku"], 10, "3.25"),
                                                      (2, b["sku"], 4, "")], note="weekly"),
                 page=page, expect=303)
    po = id_from(r, "/purchase-orders")
    n1 = counts()
    assert (n1["purchase_orders"], n1["purchase_order_lines"]) == \
        (n0["purchase_orders"] + 1, n0["purchase_order_lines"] + 2)
    assert sql_rows("SELECT status, supplier_id, warehouse_id, note FROM purchase_orders "
                    "WHERE id = %d" % po) == [("draft", str(sup["id"]), str(w1["id"]), "weekly")]
    assert sql_rows("SELECT line_no, product_id, qty, cost_cents, received FROM "
                    "purchase_order_lines WHERE order_id = %d ORDER BY line_no" % po) == \
        [("1", str(a["id"]), "10", "325", "0"), ("2", str(b["id"]), "4", "150", "0")]
    nxt = M.follow(r)
    assert flash(nxt.text) == "The purchase order was created as a draft."
    assert "Total 38.50" in body_text(nxt.text)             # 32.50 + 6.00
    # Send it.
    r = M.submit(None, "/purchase-orders/%d/order" % po, page=nxt, expect=303)
    assert status_of("purchase_orders", po) == "ordered"
    nxt = M.follow(r)
    assert flash(nxt.text) == "The purchase order was sent."
    f = form_to(nxt.text, "/purchase-orders/%d/receive" % po)
    assert {"receive_1", "receive_2"} <= set(f.names())
    # Receive 4 of line 1, nothing of line 2.
    r = M.submit(None, "/purchase-orders/%d/receive" % po, {"receive_1": "4", "receive_2": ""},
                 page=nxt, expect=303)
    assert status_of("purchase_orders", po) == "partially_received"
    assert sql_rows("SELECT line_no, received FROM purchase_order_lines WHERE order_id = %d "
                    "ORDER BY line_no" % po) == [("1", "4"), ("2", "0")]
    assert stock_of(a["id"], w1["id"]) == (4, 0)
    assert stock_of(b["id"], w1["id"]) == (None, None)
    assert [x[1:] for x in ledger(a["id"], w1["id"])] == [("receipt", 4, 4, "PO-%d" % po)]
    nxt = M.follow(r)
    assert flash(nxt.text) == "The goods were received."
    assert "placeholder=\"up to 6\"" in nxt.text
    # Over-receipt on line 1 (6 open): 409, nothing changed, line 2 not received either.
    q_lines = "SELECT line_no, received FROM purchase_order_lines WHERE order_id = %d" % po
    with Frozen(q_lines, stock_q(a["id"], w1["id"]),
                "SELECT status FROM purchase_orders WHERE id = %d" % po):
        r = M.submit(None, "/purchase-orders/%d/receive" % po,
                     {"receive_1": "7", "receive_2": "4"}, page=nxt, expect=409)
    assert "Line 1 (%s) would receive more than ordered." % a["sku"] in body_text(r.text)
    assert stock_of(b["id"], w1["id"]) == (None, None)
    # Nothing to receive: 422.
    with Frozen(q_lines):
        r = M.submit("/purchase-orders/%d" % po, "/purchase-orders/%d/receive" % po,
                     {"receive_1": "", "receive_2": "0"}, expect=422)
    assert "Enter a quantity to receive on at least one line" in body_text(r.text)
    with Frozen(q_lines):
        r = M.submit("/purchase-orders/%d" % po, "/purchase-orders/%d/receive" % po,
                     {"receive_1": "-1"}, expect=422)
    # The rest: received.
    M.submit("/purchase-orders/%d" % po, "/purchase-orders/%d/receive" % po,
             {"receive_1": "6", "receive_2": "4"}, expect=303)
    assert status_of("purchase_orders", po) == "received"
    assert stock_of(a["id"], w1["id"]) == (10, 0) and stock_of(b["id"], w1["id"]) == (4, 0)
    # A received PO cannot be cancelled.
    with Frozen("SELECT status FROM purchase_orders WHERE id = %d" % po):
        r = M.resend("/purchase-orders/%d/cancel" % po, [("csrf", M.csrf),
                                                         ("form_token", new_token())])
    assert r.status_code == 409
    assert "The purchase order is received." in body_text(r.text)


def test_purchase_order_cancel(M, env):
    w1, sup = env["w1"], env["sup"]
    a = product()
    po = purchase_order(sup["id"], w1["id"], [(a["id"], 3)])
    r = M.submit("/purchase-orders/%d" % po["id"], "/purchase-orders/%d/cancel" % po["id"],
                 expect=303)
    assert status_of("purchase_orders", po["id"]) == "cancelled"
    assert flash(M.follow(r).text) == "The purchase order was cancelled."


@pytest.mark.parametrize("case", ["no-supplier", "bad-cost", "unknown-sku", "no-lines",
                                  "qty-abc"])
def test_purchase_order_form_validation_creates_nothing(M, env, case):
    w1, sup = env["w1"], env["sup"]
    a = product()
    fields = po_fields(sup["id"], w1["id"], [(1, a["sku"], 2, "1.00")], note="typed")
    if case == "no-supplier":
        fields["supplier_id"] = ""
        field, want = "supplier_id", "This field is required."
    elif case == "bad-cost":
        fields["cost_1"] = "1.234"
        field, want = None, "Enter an amount like 12.50."
    elif case == "unknown-sku":
        fields["sku_1"] = "NOPE-" + uuid.uuid4().hex[:10]
        field, want = None, "No product has this SKU."
    elif case == "no-lines":
        fields["sku_1"] = ""
        field, want = None, "Enter at least one line (SKU and quantity)."
    else:
        fields["qty_1"] = "abc"
        field, want = None, "Enter a whole number from 1 to 1000000."
    with Frozen():
        r = M.submit("/purchase-orders/new", "/purchase-orders", fields, expect=422)
    if field:
        assert err_beside(r.text, field) == want
    else:
        assert any(want in e for e in errors_on(r.text)), errors_on(r.text)
    f = form_to(r.text, "/purchase-orders")
    for k in ("note", "sku_1", "qty_1", "cost_1", "warehouse_id"):
        assert f.value(k) == fields[k], k
    if case != "no-supplier":
        assert f.value("supplier_id") == str(sup["id"])


# == suppliers and warehouses ===========================================================

def supplier_id_by_name(name):
    rows = sql_rows("SELECT id FROM suppliers WHERE name = '%s'" % name.replace("'", "''"))
    return int(rows[0][0]) if rows else None


def test_supplier_create_and_edit(M):
    name = "Supplier " + uniq("")
    n0 = counts()["suppliers"]
    r = M.submit("/suppliers", "/suppliers", {"name": name, "email": "s@example.com",
                                              "lead_time_days": "12"}, expect=303)
    assert path_of(location(r)) == "/suppliers"
    assert counts()["suppliers"] == n0 + 1
    sid = supplier_id_by_name(name)
    assert sql_rows("SELECT email, lead_time_days, active FROM suppliers WHERE id = %d" % sid) \
        == [("s@example.com", "12", "1")]
    nxt = M.follow(r)
    assert flash(nxt.text) == "The supplier was saved."
    assert re.search(r"%s s@example\.com 12 0" % re.escape(name), body_text(nxt.text))
    # Lead time left empty: 7 days.
    name2 = "Supplier " + uniq("")
    M.submit("/suppliers", "/suppliers", {"name": name2, "lead_time_days": ""}, expect=303)
    assert sql_int("SELECT lead_time_days FROM suppliers WHERE name = '%s'" % name2) == 7
    # Edit: the form shows the current values; unticking Active deactivates.
    page = M.page("/suppliers/%d" % sid)
    f = form_to(page.text, "/suppliers/%d" % sid)
    assert (f.value("name"), f.value("email"), f.value("lead_time_days"), f.value("active")) \
        == (name, "s@example.com", "12", "1")
    r = M.submit(None, "/suppliers/%d" % sid, {"name": name + " Ltd", "lead_time_days": "3",
                                               "active": None}, page=page, expect=303)
    assert sql_rows("SELECT name, email, lead_time_days, active FROM suppliers WHERE id = %d"
                    % sid) == [(name + " Ltd", "s@example.com", "3", "0")]
    assert flash(M.follow(r).text) == "The supplier was saved."
    f = form_to(M.page("/suppliers/%d" % sid).text, "/suppliers/%d" % sid)
    assert f.value("active") is None
    M.submit("/suppliers/%d" % sid, "/suppliers/%d" % sid, {"active": "1"}, expect=303)
    assert sql_int("SELECT active FROM suppliers WHERE id = %d" % sid) == 1


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "Enter a name of 1 to 100 characters."),
    ("name", "n" * 101, "Enter a name of 1 to 100 characters."),
    ("email", "not-an-email", "Enter an email address or leave it empty."),
    ("lead_time_days", "366", "Enter a whole number from 0 to 365."),
    ("lead_time_days", "soon", "Enter a whole number from 0 to 365."),
    ("name", "DUP", "A supplier with this name exists already."),
], ids=["no-name", "long-name", "email", "lead-366", "lead-soon", "duplicate-name"])
def test_supplier_create_and_edit_validation(M, env, field, value, message):
    if value == "DUP":
        value = env["sup"]["name"]
    data = {"name": "Supplier " + uniq(""), "email": "typed@example.com",
            "lead_time_days": "9"}
    data[field] = value
    with Frozen():
        r = M.submit("/suppliers", "/suppliers", data, expect=422)
    assert err_beside(r.text, field) == message
    f = form_to(r.text, "/suppliers")
    for k in data:
        assert f.value(k) == data[k], k
    # The same on the edit page.
    s = supplier()
    q = "SELECT name, email, lead_time_days, active FROM suppliers WHERE id = %d" % s["id"]
    edit = dict(data, active="1")
    with Frozen(q):
        r = M.submit("/suppliers/%d" % s["id"], "/suppliers/%d" % s["id"], edit, expect=422)
    assert err_beside(r.text, field) == message
    f = form_to(r.text, "/suppliers/%d" % s["id"])
    for k in data:
        assert f.value(k) == data[k], k


def test_warehouse_create_edit_and_validation(M, env):
    code = uniq("PW")[:20]
    n0 = counts()["warehouses"]
    r = M.submit("/warehouses", "/warehouses", {"code": code, "name": "North"}, expect=303)
    assert path_of(location(r)) == "/warehouses"
    assert counts()["warehouses"] == n0 + 1
    wid = sql_int("SELECT id FROM warehouses WHERE code = '%s'" % code)
    assert sql_rows("SELECT name, active FROM warehouses WHERE id = %d" % wid) == \
        [("North", "1")]
    nxt = M.follow(r)
    assert flash(nxt.text) == "The warehouse was saved."
    assert re.search(r"%s North 0 0" % code, body_text(nxt.text))
    # The new warehouse is offered on the stock page and the order forms.
    assert str(wid) in [v for v, _ in form_to(M.page("/orders/new").text, "/orders")
                        .options("warehouse_id")]
    for data, field, message in [
            ({"code": "bad code", "name": "X"}, "code", "Use 1 to 20 letters"),
            ({"code": "", "name": "X"}, "code", "Use 1 to 20 letters"),
            ({"code": "C" * 21, "name": "X"}, "code", "Use 1 to 20 letters"),
            ({"code": uniq("PW")[:20], "name": ""}, "name", "Enter a name of 1 to 100"),
            ({"code": env["w1"]["code"], "name": "X"}, "code",
             "A warehouse with this code exists already.")]:
        with Frozen():
            r = M.submit("/warehouses", "/warehouses", data, expect=422)
        assert message in (err_beside(r.text, field) or ""), (data, errors_on(r.text))
        f = form_to(r.text, "/warehouses")
        assert (f.value("code"), f.value("name")) == (data["code"], data["name"])
    # Edit: rename and deactivate.
    page = M.page("/warehouses/%d" % wid)
    f = form_to(page.text, "/warehouses/%d" % wid)
    assert (f.value("code"), f.value("name"), f.value("active")) == (code, "North", "1")
    q = "SELECT code, name, active FROM warehouses WHERE id = %d" % wid
    with Frozen(q):
        r = M.submit(None, "/warehouses/%d" % wid, {"code": env["w2"]["code"]}, page=page,
                     expect=422)
    assert err_beside(r.text, "code") == "A warehouse with this code exists already."
    assert form_to(r.text, "/warehouses/%d" % wid).value("name") == "North"
    r = M.submit("/warehouses/%d" % wid, "/warehouses/%d" % wid,
                 {"name": "North old", "active": None}, expect=303)
    assert sql_rows(q) == [(code, "North old", "0")]
    # An inactive warehouse is no longer offered for new orders.
    assert str(wid) not in [v for v, _ in form_to(M.page("/orders/new").text, "/orders")
                            .options("warehouse_id")]


# == reorder ========================================================================

def test_reorder_picks_become_draft_purchase_orders(M, env):
    w1 = env["w1"]
    sup = supplier(name="!%s reorder %s" % (desc_stamp(), uniq("")))
    a = product(supplier_id=sup["id"], reorder_point=5, reorder_qty=20, cost_cents=110)
    b = product(supplier_id=sup["id"], reorder_point=2, reorder_qty=8)
    nosup = product(reorder_point=5, reorder_qty=5)
    receive(a["id"], w1["id"], 2)
    page = M.page("/reorder")
    f = form_to(page.text, "/reorder")
    picks = [c["value"] for c in f.controls if c.get("name") == "pick"]
    pa, pb = "%d:%d" % (a["id"], w1["id"]), "%d:%d" % (b["id"], w1["id"])
    pn = "%d:%d" % (nosup["id"], w1["id"])
    assert pa in picks and pb in picks, picks[:20]
    row = re.search(r'value="%s"[^>]*>.*?</tr>' % pa, page.text, re.S).group(0)
    assert re.search(r"%s .* %s 2 0 0 2 5 20$" % (re.escape(a["sku"]), re.escape(w1["code"])),
                     body_text(row)), body_text(row)
    # A product without a preferred supplier cannot be picked.
    c = [c for c in f.controls if c.get("name") == "pick" and c["value"] == pn]
    assert not c or c[0]["disabled"]
    n0 = counts()
    r = M.submit(None, "/reorder", [("pick", pa), ("pick", pb)], page=page, expect=303)
    assert path_of(location(r)) == "/purchase-orders?status=draft"
    n1 = counts()
    assert n1["purchase_orders"] == n0["purchase_orders"] + 1      # one supplier x warehouse
    po = sql_int("SELECT MAX(id) FROM purchase_orders WHERE supplier_id = %d" % sup["id"])
    assert sql_rows("SELECT status, warehouse_id FROM purchase_orders WHERE id = %d" % po) == \
        [("draft", str(w1["id"]))]
    assert sorted(sql_rows("SELECT product_id, qty, cost_cents FROM purchase_order_lines "
                           "WHERE order_id = %d" % po)) == \
        sorted([(str(a["id"]), "20", "110"), (str(b["id"]), "8", "700")])
    nxt = M.follow(r)
    assert flash(nxt.text) == "Draft purchase orders were created from the suggestions."
    assert re.search(r'href="/purchase-orders/%d"' % po, nxt.text)
    # No longer suggested (on order now); picking it again changes nothing.
    page = M.page("/reorder")
    assert 'value="%s"' % pa not in page.text
    with Frozen():
        r = M.submit(None, "/reorder", [("pick", pa)], page=page, expect=422)
    assert "This is not a current reorder suggestion." in body_text(r.text)
    with Frozen():
        r = M.submit("/reorder", "/reorder", [("pick", pn)], expect=422)
    assert "This product has no preferred supplier." in body_text(r.text)
    with Frozen():
        r = M.submit("/reorder", "/reorder", [], expect=422)
    assert "Pick at least one suggestion." in body_text(r.text)
    with Frozen():
        r = M.submit("/reorder", "/reorder", [("pick", "x:y")], expect=422)


# == products list: search, sort, pages ==================================================

@pytest.fixture(scope="module")
def many():
    """55 products whose SKUs share a prefix and whose names sort in
    another order than their ids; and at least 101 products in all."""
    tag = "PL" + uuid.uuid4().hex[:8]
    ntag = "zq" + uuid.uuid4().hex[:8]
    out = []
    for i in range(55):
        k = (i * 23) % 55
        out.append(product(sku="%s-%02d" % (tag, i), name="%s name %02d" % (ntag, k)))
    while max_id("products") < 101:
        product()
    return tag, ntag, out


def listed(page):
    """(id, sku, name) of the product rows of /products."""
    return [(int(a), html.unescape(b), html.unescape(c)) for a, b, c in re.findall(
        r'<tr>\s*<td><a href="/products/(\d+)">([^<]*)</a></td>\s*<td>([^<]*)</td>', page)]


def next_href(page):
    m = re.search(r'<a href="([^"]*)">Next →</a>', page)
    return html.unescape(m.group(1)) if m else None


def test_products_search_by_sku_prefix_and_name(V, many):
    tag, ntag, ps = many
    r = V.page("/products?q=" + tag)
    rows = listed(r.text)
    assert len(rows) == 50
    assert [x[0] for x in rows] == sorted(p["id"] for p in ps)[:50]
    assert input_value(r.text, "q") == tag
    nxt = next_href(r.text)
    assert nxt and nxt.startswith("/products?")
    rest = listed(V.page(nxt).text)
    assert [x[0] for x in rest] == sorted(p["id"] for p in ps)[50:]
    assert next_href(V.page(nxt).text) is None
    # Name: a part of it; SKU: only its start.
    assert [x[1] for x in listed(V.page("/products?q=%s+name+07" % ntag).text)] == \
        [p["sku"] for p in ps if p["name"].endswith(" 07")]
    assert listed(V.page("/products?q=" + tag[2:]).text) == []
    t = body_text(V.page("/products?q=" + quote(tag + "%")).text)
    assert "No products match." in t


def test_products_sort_by_name_and_sku_with_next_pages(V, many):
    tag, ntag, ps = many
    for sort, key in (("name", "name"), ("sku", "sku")):
        r = V.page("/products?q=%s&sort=%s" % (ntag if sort == "name" else tag, sort))
        f = [x for x in forms_of(r.text) if x.action == "/products"][0]
        assert f.value("sort") == sort
        first = listed(r.text)
        nxt = next_href(r.text)
        assert nxt and "sort=%s" % sort in nxt
        second = listed(V.page(nxt).text)
        got = [x[2] if key == "name" else x[1] for x in first + second]
        assert got == sorted(p[key] for p in ps), sort
        assert len(first) == 50 and len(second) == 5


def test_products_pages_of_50_by_id(V, many):
    top = max_id("products")
    pages = math.ceil(top / 50)
    r = V.page("/products?page=2")
    ids = [x[0] for x in listed(r.text)]
    assert ids and ids == sorted(ids) and all(51 <= i <= 100 for i in ids), ids
    assert ids == [int(x) for x in sql("SELECT id FROM products WHERE id BETWEEN 51 AND 100 "
                                       "ORDER BY id").split()]
    t = body_text(r.text)
    assert "Page 2 of %d" % pages in t
    assert 'href="/products?page=1"' in r.text
    assert ('href="/products?page=3"' in r.text) == (pages > 2)
    ids1 = [x[0] for x in listed(V.page("/products").text)]
    assert ids1 and all(1 <= i <= 50 for i in ids1)
    assert "Page 1 of %d" % pages in body_text(V.page("/products?page=1").text)
    assert "No products match." in body_text(V.page("/products?page=%d" % (pages + 1)).text)


# == movements ========================================================================

def test_movements_filters_and_older_pages(V, env):
    w1, w2 = env["w1"], env["w2"]
    p = product()
    receive(p["id"], w1["id"], 10)
    move(p["id"], w1["id"], "shipment", 2)
    move(p["id"], w1["id"], "transfer", 3, to_warehouse_id=w2["id"])
    ids = {k: int(v) for v, k in sql_rows(
        "SELECT id, CONCAT(kind, '@', warehouse_id) FROM stock_movements WHERE product_id = %d"
        % p["id"])}

    def shown(path):
        r = V.page(path)
        return [int(x) for x in re.findall(r'<tr><td class="num">(\d+)</td>', r.text)], r

    got, r = shown("/movements?sku=" + p["sku"])
    assert got == sorted(ids.values(), reverse=True)
    assert input_value(r.text, "sku") == p["sku"]
    got, r = shown("/movements?sku=%s&kind=receipt" % p["sku"])
    assert got == [ids["receipt@%d" % w1["id"]]]
    assert input_value(r.text, "kind") == "receipt"
    got, r = shown("/movements?sku=%s&warehouse_id=%d" % (p["sku"], w2["id"]))
    assert got == [ids["transfer_in@%d" % w2["id"]]]
    assert input_value(r.text, "warehouse_id") == str(w2["id"])
    got, _ = shown("/movements?sku=%s&kind=transfer_out&warehouse_id=%d" % (p["sku"], w1["id"]))
    assert got == [ids["transfer_out@%d" % w1["id"]]]
    got, _ = shown("/movements?sku=%s&before=%d" % (p["sku"], ids["transfer_out@%d" % w1["id"]]))
    assert got == [ids["shipment@%d" % w1["id"]], ids["receipt@%d" % w1["id"]]]
    got, r = shown("/movements?sku=NOPE-" + uuid.uuid4().hex[:8])
    assert got == [] and "No movements match." in body_text(r.text)
    assert V.get("/movements?kind=bogus").status_code == 400
    # More than 50: "Older" leads to the rest.
    q = product()
    for i in range(52):
        receive(q["id"], w2["id"], 1)
    all_ids = [int(x) for x in sql("SELECT id FROM stock_movements WHERE product_id = %d "
                                   "ORDER BY id DESC" % q["id"]).split()]
    got, r = shown("/movements?sku=" + q["sku"])
    assert got == all_ids[:50]
    m = re.search(r'<a href="([^"]*)">Older →</a>', r.text)
    assert m, "no Older link"
    got, r = shown(html.unescape(m.group(1)))
    assert got == all_ids[50:]
    assert "Older →" not in r.text


# == one-time form tokens, permissions ==================================================

def test_a_double_submitted_form_applies_once(M, env):
    w1 = env["w1"]
    # A new product.
    r = M.submit("/products/new", "/products", product_form_fields(), expect=303)
    n = counts()
    again = M.resend("/products", r.sent_list)
    assert again.status_code == 303 and replayed(again)
    assert location(again) == location(r)
    assert counts() == n
    assert sql_int("SELECT COUNT(*) FROM products WHERE sku = '%s'" % r.sent["sku"]) == 1
    # A receipt.
    p = product()
    r = stock_form(M, w1["id"], 303, kind="receipt", sku=p["sku"], qty="5")
    with Frozen(stock_q(p["id"], w1["id"])):
        again = M.resend("/stock/movements", r.sent_list)
    assert again.status_code == 303 and replayed(again)
    assert location(again) == location(r)
    assert stock_of(p["id"], w1["id"]) == (5, 0) and len(ledger(p["id"], w1["id"])) == 1
    # The same token with other fields: refused, nothing changed.
    other = [(k, "6" if k == "qty" else v) for k, v in r.sent_list]
    with Frozen(stock_q(p["id"], w1["id"])):
        again = M.resend("/stock/movements", other)
    assert again.status_code == 422, again.status_code
    assert "This key was already used for a different request." in body_text(again.text)
    # A new sales order.
    r = M.submit("/orders/new", "/orders", order_fields(w1["id"], [(1, p["sku"], 1)],
                                                       customer="Twice " + uniq("")),
                 expect=303)
    n = counts()
    again = M.resend("/orders", r.sent_list)
    assert again.status_code == 303 and replayed(again)
    assert location(again) == location(r) and counts() == n
    assert sql_int("SELECT COUNT(*) FROM sales_orders WHERE customer = '%s'"
                   % r.sent["customer"]) == 1
    # A confirmation.
    so = order(w1["id"], [(p["id"], 2)])
    r = M.submit("/orders/%d" % so["id"], "/orders/%d/confirm" % so["id"], expect=303)
    with Frozen(stock_q(p["id"], w1["id"])):
        again = M.resend("/orders/%d/confirm" % so["id"], r.sent_list)
    assert again.status_code == 303 and replayed(again)
    assert stock_of(p["id"], w1["id"]) == (5, 2)
    # A refused form replays its refusal.
    r = stock_form(M, w1["id"], 422, kind="adjustment", sku=p["sku"], qty="1", note="")
    with Frozen(stock_q(p["id"], w1["id"])):
        again = M.resend("/stock/movements", r.sent_list)
    assert again.status_code == 422 and replayed(again)
    # A PO receipt.
    po = purchase_order(env["sup"]["id"], w1["id"], [(p["id"], 5)])
    mgr().ok("POST", "/purchase-orders/%d/order" % po["id"], {}, 200)
    r = M.submit("/purchase-orders/%d" % po["id"], "/purchase-orders/%d/receive" % po["id"],
                 {"receive_1": "2"}, expect=303)
    with Frozen(stock_q(p["id"], w1["id"]), "SELECT received FROM purchase_order_lines "
                "WHERE order_id = %d" % po["id"]):
        again = M.resend("/purchase-orders/%d/receive" % po["id"], r.sent_list)
    assert again.status_code == 303 and replayed(again)
    assert stock_of(p["id"], w1["id"]) == (7, 2)


def test_concurrent_duplicates_of_a_form_apply_once(M, env):
    """Three copies of one receipt form at once (a triple click): one is
    applied, the others wait for it and replay its answer."""
    w1 = env["w1"]
    p = product()
    page = M.page("/stock?warehouse_id=%d" % w1["id"])
    data = [(k, v) for k, v in form_to(page.text, "/stock/movements").data()
            if k not in ("kind", "sku", "qty")]
    data += [("kind", "receipt"), ("sku", p["sku"]), ("qty", "3")]
    out = []

    def go():
        r = M.resend("/stock/movements", data)
        out.append((r.status_code, replayed(r), path_of(location(r))))
    ts = [threading.Thread(target=go) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    want = "/stock?warehouse_id=%d" % w1["id"]
    assert sorted(out) == [(303, False, want), (303, True, want), (303, True, want)], out
    assert stock_of(p["id"], w1["id"]) == (3, 0) and len(ledger(p["id"], w1["id"])) == 1


def form_posts(env):
    """(path, fields) of every form POST of the inventory pages, naming
    real objects and carrying valid values."""
    w1, w2, sup = env["w1"], env["w2"], env["sup"]
    p = product(supplier_id=sup["id"], reorder_point=3, reorder_qty=4)
    receive(p["id"], w1["id"], 10)
    so = order(w1["id"], [(p["id"], 1)])
    so2 = order(w1["id"], [(p["id"], 1)])
    mgr().ok("POST", "/orders/%d/confirm" % so2["id"], {}, 200)
    po = purchase_order(sup["id"], w1["id"], [(p["id"], 2)])
    po2 = purchase_order(sup["id"], w1["id"], [(p["id"], 2)])
    mgr().ok("POST", "/purchase-orders/%d/order" % po2["id"], {}, 200)
    return [
        ("/products", product_form_fields()),
        ("/products/%d" % p["id"], dict(product_form_fields(sku=p["sku"]), version="1",
                                        active="1")),
        ("/products/%d/archive" % p["id"], {}),
        ("/stock/movements", {"kind": "receipt", "sku": p["sku"], "qty": "1",
                              "warehouse_id": str(w1["id"])}),
        ("/orders", order_fields(w1["id"], [(1, p["sku"], 1)])),
        ("/orders/%d/confirm" % so["id"], {}),
        ("/orders/%d/ship" % so2["id"], {}),
        ("/orders/%d/cancel" % so["id"], {}),
        ("/purchase-orders", po_fields(sup["id"], w1["id"], [(1, p["sku"], 1, "")])),
        ("/purchase-orders/%d/order" % po["id"], {}),
        ("/purchase-orders/%d/receive" % po2["id"], {"receive_1": "1"}),
        ("/purchase-orders/%d/cancel" % po["id"], {}),
        ("/suppliers", {"name": "S " + uniq(""), "lead_time_days": "3"}),
        ("/suppliers/%d" % sup["id"], {"name": "S " + uniq(""), "lead_time_days": "3",
                                       "active": "1"}),
        ("/warehouses", {"code": uniq("PX")[:20], "name": "X"}),
        ("/warehouses/%d" % w2["id"], {"code": uniq("PX")[:20], "name": "X", "active": "1"}),
        ("/reorder", [("pick", "%d:%d" % (p["id"], w2["id"]))]),
    ], p


def frozen_all(p, env, so_po=()):
    return Frozen(product_q(p["id"]), stock_q(p["id"], env["w1"]["id"]),
                  "SELECT id, status FROM sales_orders ORDER BY id DESC LIMIT 5",
                  "SELECT id, status FROM purchase_orders ORDER BY id DESC LIMIT 5",
                  "SELECT name, lead_time_days, active FROM suppliers WHERE id = %d"
                  % env["sup"]["id"],
                  "SELECT code, name, active FROM warehouses WHERE id = %d" % env["w2"]["id"],
                  "SELECT COUNT(*) FROM idempotency_keys")


def test_a_viewer_gets_403_on_every_form_post(V, C, env):
    posts, p = form_posts(env)
    V.refresh_csrf()
    with frozen_all(p, env):
        for path, fields in posts:
            data = list(fields.items()) if isinstance(fields, dict) else list(fields)
            data += [("csrf", V.csrf), ("form_token", new_token())]
            r = V.resend(path, data)
            assert r.status_code == 403, (path, r.status_code, r.text[:300])
            assert "Your role does not allow this." in body_text(r.text), path
    # A clerk may record movements and draft orders, nothing else.
    C.refresh_csrf()
    allowed = {"/stock/movements", "/orders"}
    with Frozen(product_q(p["id"])):
        for path, fields in posts:
            if path in allowed:
                continue
            data = list(fields.items()) if isinstance(fields, dict) else list(fields)
            data += [("csrf", C.csrf), ("form_token", new_token())]
            assert C.resend(path, data).status_code == 403, path


def test_a_post_without_form_token_is_400_and_changes_nothing(M, env):
    posts, p = form_posts(env)
    M.refresh_csrf()
    with frozen_all(p, env):
        for path, fields in posts:
            data = list(fields.items()) if isinstance(fields, dict) else list(fields)
            for extra in ([], [("form_token", "")], [("form_token", "abc123")],
                          [("form_token", "0" * 63)]):
                r = M.resend(path, data + [("csrf", M.csrf)] + extra)
                assert r.status_code == 400, (path, extra, r.status_code, r.text[:300])
                assert "one-time token" in body_text(r.text), path
    # Without the CSRF token (and a fine form_token): 403.
    with frozen_all(p, env):
        for path, fields in posts[:4]:
            data = list(fields.items()) if isinstance(fields, dict) else list(fields)
            r = M.resend(path, data + [("form_token", new_token())])
            assert r.status_code == 403, (path, r.status_code)


@pytest.mark.parametrize("path", ["/products/999999999", "/products/999999999/archive",
                                  "/orders/999999999/confirm", "/orders/999999999/ship",
                                  "/orders/999999999/cancel", "/purchase-orders/999999999/order",
                                  "/purchase-orders/999999999/receive",
                                  "/purchase-orders/999999999/cancel", "/suppliers/999999999",
                                  "/warehouses/999999999"])
def test_a_form_post_for_an_unknown_id_is_404(M, path):
    data = [("csrf", M.csrf or M.refresh_csrf()), ("form_token", new_token()),
            ("sku", sku()), ("name", "N"), ("unit", "pcs"), ("version", "1"),
            ("code", uniq("PZ")[:20]), ("receive_1", "1")]
    with Frozen():
        r = M.resend(path, data)
    assert r.status_code == 404, (path, r.status_code, r.text[:300])


# == dashboard ======================================================================

def test_dashboard_shows_low_stock_recent_movements_and_open_orders(V, env):
    stamp = desc_stamp()
    sup = supplier(name="!%s dash %s" % (stamp, uniq("")))
    wh = warehouse(code=("0" + stamp)[:20], name="Dash " + uniq(""))
    p = product(supplier_id=sup["id"], reorder_point=5, reorder_qty=10)
    ok = product(supplier_id=sup["id"], reorder_point=5, reorder_qty=10)
    receive(p["id"], wh["id"], 3)
    move(ok["id"], wh["id"], "receipt", 50)
    so = order(wh["id"], [(p["id"], 1)], customer="Dash cust " + uniq(""))
    mgr().ok("POST", "/orders/%d/confirm" % so["id"], {}, 200)
    r = V.page("/")
    page = main_html(r.text)
    low = re.search(r"<h2>Low stock <small[^>]*>(\d+)</small></h2>(.*?)</section>", page, re.S)
    assert low, page[:1500]
    assert int(low.group(1)) >= 1
    rows = re.findall(r'<tr><td><a href="/products/(\d+)">([^<]*)</a></td><td>([^<]*)</td>'
                      r'<td class="num">(-?\d+) / (\d+)</td></tr>', low.group(2))
    assert (str(p["id"]), p["sku"], wh["code"], "2", "5") in rows, rows   # 3 on hand - 1 reserved
    assert str(ok["id"]) not in [x[0] for x in rows if x[2] == wh["code"]]
    recent = re.search(r"<h2>Recent movements</h2>(.*?)</section>", page, re.S).group(1)
    assert re.search(r'href="/products/%d">%s</a></td><td>%s</td><td>receipt</td>'
                     r'<td class="num">50</td>' % (ok["id"], re.escape(ok["sku"]),
                                                    re.escape(wh["code"])), recent)
    open_ = re.search(r"<h2>Open orders.*?</h2>(.*?)</section>", page, re.S).group(1)
    assert 'href="/orders/%d"' % so["id"] in open_ and so["customer"] in open_


# == the invariants ====================================================================

def test_zz_backroomd_check_passes():
    assert_check()
