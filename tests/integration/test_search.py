"""Product search without reading every product (issue 13, "LIKE '%q%'
scans"): a name is found through the FULLTEXT index by the words of q (each
must start a word of the name, in any order), a SKU or a whole name by
prefix through their B-tree indexes; the search reads about as many rows
as it finds.  Every character of q is literal: LIKE wildcards and the
boolean-mode operators +-<>()~*"@ neither fail nor change the meaning;
words the index leaves out (shorter than 3 characters, stopwords) are
still required.  Keyset paging (cursor; sort=name/sku with after,
after_id) runs over the search's products."""
import html
import re
import uuid

import pytest

from inventory_util import mgr, product, sql, sql_int, sql_rows
from pages_util import browser


def handler_reads():
    rows = sql_rows("SHOW GLOBAL STATUS WHERE Variable_name IN "
                    "('Handler_read_next', 'Handler_read_prev', "
                    "'Handler_read_rnd_next')")
    return sum(int(v) for _, v in rows)


def reads_of(fn):
    a = handler_reads()
    b = handler_reads()
    out = fn()
    c = handler_reads()
    return (c - b) - (b - a), out


def found(q, **params):
    """The ids the API lists for q (every page)."""
    limit = params.pop("limit", 200)
    params["q"] = q
    return [x["id"] for x in mgr().items("/products", params, limit=limit)]


_VIEWER = []


def viewer():
    if not _VIEWER:
        _VIEWER.append(browser("viewer"))
    return _VIEWER[0]


@pytest.fixture(scope="module")
def filler():
    """At least 5,000 products, so a scan of them shows."""
    have = sql_int("SELECT COUNT(*) FROM products")
    if have < 5000:
        tag = uuid.uuid4().hex[:8]
        sql("INSERT INTO products (sku, name, description) SELECT "
            "CONCAT('SF%s-', seq), CONCAT('Filler item ', seq), '' "
            "FROM seq_1_to_%d" % (tag, 5000 - have))
        sql("ANALYZE TABLE products")
    return True


@pytest.fixture(scope="module")
def items():
    """Products with known names; w is a word no other product has."""
    w = "Qx" + uuid.uuid4().hex[:8]
    t = "S" + uuid.uuid4().hex[:6].upper()
    ps = {
        "clamp": product(sku=t + "-CL", name="Heavy-duty %s clamp 12mm" % w),
        "box": product(sku=t + "-BX", name="The %s box of screws" % w),
        "tv": product(sku=t + "-TV", name="TV stand %s" % w),
        "cafe": product(sku=t + "-CF", name="Caf\u00e9 %s cr\u00e8me" % w),
        "sym": product(sku=t + "-SY", name="%s 100%% c++ (x) a_b" % w),
    }
    return w, t, {k: v["id"] for k, v in ps.items()}


def test_the_name_index_exists():
    rows = sql_rows("SELECT index_name, index_type FROM information_schema."
                    "statistics WHERE table_schema = 'backroom' AND "
                    "table_name = 'products' AND index_type = 'FULLTEXT'")
    assert rows and rows[0][0] == "products_name_ft", rows


def test_a_search_reads_what_it_finds_not_every_product(filler, items):
    w, t, ids = items
    total = sql_int("SELECT COUNT(*) FROM products")
    assert total >= 5000
    for q in (w, w.lower() + " heavy", t + "-CL", "Filler item 4321",
              "nosuchword" + uuid.uuid4().hex[:6]):
        n, r = reads_of(lambda: mgr().get("/products", params={"q": q}))
        assert r.status_code == 200, r.text[:300]
        # A LIKE '%q%' read all of them (>= 5,000).
        assert n < 1000, (q, n, total)
    # The pages too, in each order.
    v = viewer()
    for sort in ("", "&sort=name", "&sort=sku"):
        n, r = reads_of(lambda: v.page("/products?q=%s%s" % (w, sort)))
        assert n < 1000, (sort, n)


def test_words_start_words_in_any_order(items):
    w, t, ids = items
    everything = set(ids.values())
    assert set(found(w)) == everything
    assert set(found(w.upper())) == everything
    assert set(found(w[:5])) == everything           # a word's prefix
    assert found("clamp heavy " + w) == [ids["clamp"]]
    assert found(w + " 12mm") == [ids["clamp"]]
    assert found(w + " duty") == [ids["clamp"]]      # after a '-'
    assert found(w + " cafe") == [ids["cafe"]]       # accents as MariaDB
    assert found(w + " cr\u00e8me") == [ids["cafe"]]
    # Not inside a word: "lamp" is in "clamp", "mm" in "12mm".
    assert found(w + " lamp") == []
    assert found(w[2:]) == []


def test_short_words_and_stopwords_still_count(items):
    w, t, ids = items
    assert found(w + " 12") == [ids["clamp"]]        # shorter than 3
    assert found(w + " tv") == [ids["tv"]]
    assert found(w + " of") == [ids["box"]]          # stopwords
    assert found(w + " the") == [ids["box"]]
    assert found("the " + w + " box") == [ids["box"]]
    assert found(w + " 13") == []
    assert found(w + " an") == []
    # With no word the index holds, a name or SKU prefix still matches.
    assert ids["tv"] in found("TV")
    assert ids["tv"] in found("tv st")
    assert found(t + "-T") == [ids["tv"]]


def test_sku_matches_by_prefix_only(items):
    w, t, ids = items
    assert set(found(t)) == set(ids.values())
    assert found(t + "-CL") == [ids["clamp"]]
    assert found(t[1:]) == []


@pytest.mark.parametrize("op", ['+', '-', '~', '<', '>', '*', '"', '(', ')',
                                '@', '+-<>()~*"@', '%', '\\', "'"])
def test_boolean_operators_and_wildcards_are_literal(items, op):
    w, t, ids = items
    everything = set(ids.values())
    # Around the word, before it, after it: never syntax, never a 500,
    # and the word still finds every product (an operator would exclude
    # "-w", make "w*"/"@2" something else or fail on '"' and '(').
    for q in (op + w, w + op, op + " " + w, '"%s"' % w, "(%s)" % w,
              w + " " + op, op + w + op):
        r = mgr().get("/products", params={"q": q})
        assert r.status_code == 200, (q, r.status_code, r.text[:300])
        assert set(found(q)) == everything, q
    # "-clamp" does not exclude the clamp, it requires it.
    assert found(w + " -clamp") == [ids["clamp"]]
    # Only operators: a prefix search for them, no error.
    for q in (op * 3, op + "@2 " + w, w + " @2", "_" + op):
        r = mgr().get("/products", params={"q": q})
        assert r.status_code == 200, (q, r.text[:300])


def test_symbols_in_names_are_literal(items):
    w, t, ids = items
    assert found(w + " 100%") == [ids["sym"]]
    # "c" starts "c++", "clamp", "Café" and "crème".
    assert set(found(w + " c++")) == {ids["sym"], ids["clamp"], ids["cafe"]}
    assert found(w + " 10%") == [ids["sym"]]
    assert found(w + " x)") == [ids["sym"]]
    assert found(w + " _") == []                    # a word of its own
    assert found(w + " a_b") == [ids["sym"]]
    assert found(w + " a_c") == []                  # '_' is no wildcard
    assert found(w + " 1%0") == []                  # '%' is none either


def test_cursor_paging_over_a_search(items):
    w, t, ids = items
    want = sorted(ids.values())
    seen, cursor = [], None
    while True:
        params = {"q": w, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        j = mgr().ok("GET", "/products", params=params)
        assert len(j["items"]) <= 2
        seen += [x["id"] for x in j["items"]]
        cursor = j["next_cursor"]
        if cursor is None:
            break
    assert seen == want


def listed(page):
    return [(int(a), html.unescape(b), html.unescape(c)) for a, b, c in re.findall(
        r'<tr>\s*<td><a href="/products/(\d+)">([^<]*)</a></td>\s*<td>([^<]*)</td>',
        page)]


def next_href(page):
    m = re.search(r'<a href="([^"]*)">Next →</a>', page)
    return html.unescape(m.group(1)) if m else None


@pytest.fixture(scope="module")
def many():
    """60 products with a shared word, SKUs and names in other orders
    than their ids (more than a page of 50)."""
    w = "Pk" + uuid.uuid4().hex[:8]
    t = "P" + uuid.uuid4().hex[:6].upper()
    sql("INSERT INTO products (sku, name, description) SELECT "
        "CONCAT('%s-', LPAD((seq * 7) %% 60, 2, '0')), "
        "CONCAT('Item %s ', LPAD((seq * 13) %% 60, 2, '0')), '' "
        "FROM seq_0_to_59" % (t, w))
    rows = sql_rows("SELECT id, sku, name FROM products WHERE sku LIKE '%s-%%'" % t)
    assert len(rows) == 60
    return w, t, {int(i): (s, n) for i, s, n in rows}


def test_api_cursor_pages_over_a_longer_search(many):
    w, t, rows = many
    assert found(w, limit=7) == sorted(rows)
    assert found(w.lower() + " item", limit=50) == sorted(rows)
    assert found(t, limit=9) == sorted(rows)


def test_keyset_pages_by_name_and_sku_over_a_search(many):
    w, t, rows = many
    v = viewer()
    for sort, q, key in (("name", w, lambda i: (rows[i][1], i)),
                         ("sku", t, lambda i: rows[i][0]),
                         ("sku", w + " item", lambda i: rows[i][0]),
                         ("", "item " + w, lambda i: i)):
        path = "/products?q=%s&sort=%s" % (q.replace(" ", "+"), sort)
        got, pages = [], 0
        while path:
            r = v.page(path)
            got += [x[0] for x in listed(r.text)]
            path = next_href(r.text)
            pages += 1
            if path:
                assert "sort=%s" % sort in path or not sort, path
        assert pages == 2, (sort, q, pages)
        assert got == sorted(rows, key=key), (sort, q)
