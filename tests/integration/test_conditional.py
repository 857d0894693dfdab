"""Conditional GET (issue 11, item 3a): API reads carry a weak ETag built
from the rows they show; If-None-Match with it is a 304 without a body,
until anything the answer shows changes.  Answers still say no-store (they
carry account and stock data): the tags serve clients that keep their own
copy, such as an integration polling for changes."""
from inventory_util import mgr, product, receive, warehouse


def etag_of(r):
    tag = r.headers.get("ETag", "")
    assert tag.startswith('W/"') and tag.endswith('"'), r.headers
    return tag


def test_product_read_is_304_until_the_product_or_its_stock_changes():
    c = mgr()
    p = product()
    w = warehouse()
    path = "/products/%d" % p["id"]
    r = c.get(path)
    assert r.status_code == 200
    tag = etag_of(r)
    assert r.headers["Cache-Control"] == "no-store"

    r = c.get(path, headers={"If-None-Match": tag})
    assert r.status_code == 304, r.text
    assert r.content == b""
    assert r.headers["ETag"] == tag
    assert r.headers["Cache-Control"] == "no-store"
    # A list of tags, the strong form and "*" match as well.
    for inm in ('"nope", ' + tag, tag[2:], "*"):
        assert c.get(path, headers={"If-None-Match": inm}).status_code == 304
    assert c.get(path, headers={"If-None-Match": 'W/"0"'}).status_code == 200

    receive(p["id"], w["id"], 5)             # stock changes: a new tag
    r = c.get(path, headers={"If-None-Match": tag})
    assert r.status_code == 200
    assert r.json()["stock"][0]["on_hand"] == 5
    tag2 = etag_of(r)
    assert tag2 != tag

    body = dict(r.json())
    for k in ("id", "stock"):
        body.pop(k, None)
    body["name"] = body["name"] + " renamed"
    u = c.req("PUT", path, body)
    assert u.status_code == 200, u.text
    r = c.get(path, headers={"If-None-Match": tag2})
    assert r.status_code == 200
    assert r.json()["name"].endswith(" renamed")
    assert etag_of(r) != tag2


def test_product_list_is_304_until_a_listed_product_changes():
    c = mgr()
    a, b = product(), product()
    path = "/products?limit=2&cursor=%d" % (a["id"] - 1)
    r = c.get(path)
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["items"]] == [a["id"], b["id"]]
    tag = etag_of(r)
    assert c.get(path, headers={"If-None-Match": tag}).status_code == 304

    body = {k: v for k, v in b.items() if k != "id"}
    body["price_cents"] = b["price_cents"] + 1
    assert c.req("PUT", "/products/%d" % b["id"], body).status_code == 200
    r = c.get(path, headers={"If-None-Match": tag})
    assert r.status_code == 200
    assert etag_of(r) != tag


def test_a_tag_never_answers_another_resource_or_method():
    c = mgr()
    a, b = product(), product()
    tag = etag_of(c.get("/products/%d" % a["id"]))
    assert c.get("/products/%d" % b["id"],
                 headers={"If-None-Match": tag}).status_code == 200
    # Only GET and HEAD turn into 304.
    r = c.req("PUT", "/products/%d" % a["id"],
              {k: v for k, v in a.items() if k != "id"},
              headers={"If-None-Match": tag})
    assert r.status_code == 200, r.text
