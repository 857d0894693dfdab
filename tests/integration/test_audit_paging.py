"""The audit trail pages by id (issue 13, "deep audit OFFSET pages"): GET
/api/v1/audit takes ?cursor= and answers next_cursor, /admin/audit takes
?before= in its "Older" link, and a page 150,000 rows deep makes MariaDB
read about as many rows as the first (LIMIT ... OFFSET read every row it
skipped).  ?page= still works for old links but only BR_MAX_PAGE_DEPTH
(10,000) rows deep; a bad cursor or too deep a page is a 400 naming the
parameter."""
import html
import os
import re
import subprocess

import pytest

from conftest import PREFIX
from accounts_util import admin, new_user, signed_in
from inventory_util import client, problem, sql, sql_int, sql_rows, sql_val
from test_hardening import _audit_canonical, _chain_hash

DEEP = 150000


def handler_reads():
    """MariaDB's row reads so far (all sessions): index and table scans."""
    rows = sql_rows("SHOW GLOBAL STATUS WHERE Variable_name IN "
                    "('Handler_read_next', 'Handler_read_prev', "
                    "'Handler_read_rnd_next')")
    return sum(int(v) for _, v in rows)


def reads_of(fn):
    """(rows MariaDB read while fn() ran, fn's result), less what reading
    the counters costs."""
    a = handler_reads()
    b = handler_reads()
    out = fn()
    c = handler_reads()
    return (c - b) - (b - a), out


def append_rows(n):
    """n valid rows at the end of the chain (as test_hardening does)."""
    last_id, last_hash = sql_rows("SELECT last_id, last_hash FROM audit_chain "
                                  "WHERE id = 1")[0]
    row_id, prev = int(last_id), last_hash
    at = sql_val("SELECT DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f')")
    values = []
    for _ in range(n):
        row_id += 1
        h = _chain_hash(prev, _audit_canonical(row_id, at, "test.paging"))
        values.append("(%d,'%s','test.paging','%s','%s')" % (row_id, at, prev, h))
        prev = h
    script = ["START TRANSACTION;",
              "SELECT last_id FROM audit_chain WHERE id = 1 FOR UPDATE;"]
    for i in range(0, n, 5000):
        script.append("INSERT INTO audit_log (id, at, action, prev_hash, hash) "
                      "VALUES " + ",".join(values[i:i + 5000]) + ";")
    script.append("UPDATE audit_chain SET last_id = %d, last_hash = '%s' "
                  "WHERE id = 1 AND last_id = %s;" % (row_id, prev, last_id))
    script.append("COMMIT;")
    subprocess.run(["mariadb", "-S", os.path.join(PREFIX, "mysqld.sock"),
                    "-u", "root", "backroom"], input="\n".join(script),
                   text=True, check=True, capture_output=True, timeout=300)
    assert sql_int("SELECT last_id FROM audit_chain WHERE id = 1") == row_id


@pytest.fixture(scope="module")
def deep_trail():
    """At least 200,000 rows in the trail; the id DEEP rows below the
    newest."""
    have = sql_int("SELECT COUNT(*) FROM audit_log")
    if have < 200000:
        append_rows(200000 - have)
    sql("ANALYZE TABLE audit_log")
    return sql_int("SELECT MAX(id) FROM audit_log") - DEEP


def api():
    return client("admin")


def ids(items):
    return [it["id"] for it in items]


def test_a_deep_cursor_reads_one_page_of_rows(deep_trail):
    cursor = deep_trail
    want = [int(r[0]) for r in sql_rows(
        "SELECT id FROM audit_log WHERE id < %d ORDER BY id DESC LIMIT 50" % cursor)]
    n, r = reads_of(lambda: api().get("/audit", params={"cursor": cursor,
                                                        "limit": 50}))
    assert r.status_code == 200, r.text[:300]
    j = r.json()
    assert ids(j["items"]) == want
    assert j["next_cursor"] == str(want[-1]) and j["has_more"] is True
    # One page and the look-ahead row, not the DEEP rows above it.
    assert n < 2000, n
    # The same on the page, through its ?before=.
    a = admin()
    n, r = reads_of(lambda: a.get("/admin/audit?before=%d" % cursor))
    assert r.status_code == 200
    assert [int(x) for x in re.findall(r'<td class="num">(\d+)</td>', r.text)] == want
    assert n < 2000, n


def test_the_first_page_reads_as_few(deep_trail):
    n, r = reads_of(lambda: api().get("/audit", params={"limit": 50}))
    assert r.status_code == 200 and len(r.json()["items"]) == 50
    assert n < 2000, n


def test_page_is_bounded_and_points_to_the_cursor(deep_trail):
    # 200 x 50 = 10,000 rows deep: still served, and page stays in the answer.
    r = api().get("/audit", params={"page": 200, "limit": 50})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["page"] == 200 and len(r.json()["items"]) == 50
    for page, limit in ((201, 50), (3001, 50), (51, 200), (10001, 1), (1000000, 1)):
        n, r = reads_of(lambda: api().get("/audit", params={"page": page,
                                                            "limit": limit}))
        p = problem(r, 400, "page")
        assert "cursor" in p["detail"] and "cursor" in p["errors"]["page"], p
        assert n < 2000, (page, n)      # refused before any query
    r = admin().get("/admin/audit?page=201")
    assert r.status_code == 400
    assert "page" in r.text and "before" in r.text


@pytest.mark.parametrize("value", ["x", "0", "-1", "1.5", "12a", " 5",
                                   "99999999999999999999999", "\u00e9"])
def test_a_bad_cursor_is_a_400_naming_it(value):
    problem(api().get("/audit", params={"cursor": value}), 400, "cursor")
    r = admin().get("/admin/audit", params={"before": value})
    assert r.status_code == 400, (value, r.status_code)
    assert "before" in r.text


def test_cursor_and_page_together_are_refused():
    problem(api().get("/audit", params={"cursor": 5, "page": 2}), 400, "page")
    r = admin().get("/admin/audit", params={"before": 5, "page": 2})
    assert r.status_code == 400 and "before" in r.text


@pytest.fixture(scope="module")
def history():
    """A viewer with eleven denied pages: a known little history."""
    u = new_user("viewer", "paging")
    c = signed_in(u)
    for _ in range(11):
        assert c.get("/admin/audit").status_code == 403
    rows = [int(r[0]) for r in sql_rows(
        "SELECT id FROM audit_log WHERE actor_id = %d ORDER BY id DESC" % u.id)]
    assert len(rows) >= 12     # the sign-in and the denials
    return u, rows


def test_a_cursor_walk_visits_each_entry_once_in_order(history):
    u, want = history
    seen, cursor, pages = [], None, 0
    while True:
        params = {"actor": u.email, "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        j = api().ok("GET", "/audit", params=params)
        pages += 1
        assert len(j["items"]) <= 2
        assert j["page"] == (1 if cursor is None else None)
        seen += ids(j["items"])
        assert j["has_more"] is (j["next_cursor"] is not None)
        cursor = j["next_cursor"]
        if cursor is None:
            break
        assert cursor == str(seen[-1])
        assert pages < 50
    assert seen == want
    # The shared list helper (next_cursor into cursor) walks it the same.
    assert ids(api().items("/audit", {"actor": u.email}, limit=3)) == want


def older_link(page):
    m = re.search(r'<a href="([^"]*)">Older →</a>', page)
    return html.unescape(m.group(1)) if m else None


def newest_link(page):
    m = re.search(r'<a href="([^"]*)">← Newest</a>', page)
    return html.unescape(m.group(1)) if m else None


def test_the_page_walks_older_by_before_and_back_to_the_newest(history):
    u, want = history
    a = admin()
    path = "/admin/audit?actor=%s&limit=5" % u.email.replace("+", "%2B")
    seen, pages = [], 0
    while path:
        r = a.get(path)
        assert r.status_code == 200, r.text[:300]
        got = [int(x) for x in re.findall(r'<td class="num">(\d+)</td>', r.text)]
        assert len(got) <= 5
        seen += got
        if pages == 0:
            assert newest_link(r.text) is None
        else:
            # Back to the top, the filters kept, no cursor.
            top = newest_link(r.text)
            assert top and "before=" not in top and "limit=5" in top, top
        path = older_link(r.text)
        if path:
            assert path.startswith("/admin/audit?") and "before=%d" % got[-1] in path
        pages += 1
        assert pages < 20
    assert seen == want


def test_page_links_are_url_encoded(history):
    u, _ = history
    # An actor with characters a query string must escape: no rows, and
    # the form shows it back; the links of a listing with rows carry the
    # escaped values (h_link()).
    r = admin().get("/admin/audit", params={"actor": "a+b&c=d@example.com"})
    assert r.status_code == 200
    r = admin().get("/admin/audit", params={"actor": u.email, "limit": 2,
                                            "action": "permission.denied"})
    link = re.search(r'<a href="([^"]*)">Older →</a>', r.text).group(1)
    raw = html.unescape(link)
    assert "actor=" + u.email.replace("@", "%40") in raw, raw
    assert "action=permission.denied" in raw and "&before=" in raw, raw
