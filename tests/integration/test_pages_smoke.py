"""Every page and every list variant renders for a signed-in admin (no 5xx,
no worker exit), and keyset "Next" links lead somewhere valid."""
import re

import pytest

from conftest import admin_cookies, get, log_since, log_size

PAGES = ["/", "/products", "/products?page=2", "/products?page=999999",
         "/products?sort=sku", "/products?sort=name", "/products?q=a",
         "/products?q=%25_%5C&sort=name", "/products?sort=name&after=M&after_id=3",
         "/products?sort=sku&after=Z", "/products/new", "/stock", "/stock?after=5",
         "/movements", "/movements?kind=receipt", "/movements?sku=nope",
         "/movements?before=10", "/orders", "/orders?status=draft", "/orders/new",
         "/purchase-orders", "/purchase-orders?status=ordered",
         "/purchase-orders/new", "/suppliers", "/warehouses", "/reorder",
         "/reorder?page=2", "/account", "/admin/users", "/admin/tokens",
         "/admin/audit", "/admin/audit?action=login.success&page=2"]


@pytest.mark.parametrize("path", PAGES)
def test_page_renders(path):
    off = log_size()
    r = get(path, cookies=admin_cookies(), allow_redirects=False)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    assert "exited with status" not in log_since(off)


@pytest.mark.parametrize("sort", ["sku", "name", "id"])
def test_keyset_next_links_work(sort):
    r = get("/products?sort=%s&q=" % sort, cookies=admin_cookies())
    assert r.status_code == 200
    m = re.search(r'href="(/products\?q=[^"]*after_id=\d+)"', r.text)
    if m:
        nxt = get(m.group(1).replace("&amp;", "&"), cookies=admin_cookies())
        assert nxt.status_code == 200


@pytest.mark.parametrize("path", ["/products?page=0", "/products?page=x",
                                  "/products?after_id=-1", "/movements?kind=bogus",
                                  "/orders?status=bogus", "/movements?before=x"])
def test_bad_list_parameters_are_400(path):
    r = get(path, cookies=admin_cookies(), allow_redirects=False)
    assert r.status_code == 400, (path, r.status_code)
