"""Helpers for test_inventory_pages.py: a signed-in browser-like client
that reads the forms of a page (hidden csrf and form_token included) and
submits them with what a user would type, the per-field error shown beside
a control, and snapshots of the database to prove that a refused form
changed nothing (and a successful one exactly what it should)."""
import html
import re
import secrets
from html.parser import HTMLParser
from urllib.parse import urlsplit

from conftest import BASE
from accounts_util import Client, location, new_user
from inventory_util import sql_int, sql_rows

# --- parsing ------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every <form> of a page: its action, method and controls in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""),
                          "method": a.get("method", "get").lower(),
                          "controls": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form["controls"].append({
                "tag": "input", "name": a.get("name"),
                "type": a.get("type", "text").lower(),
                "value": a.get("value", ""), "checked": "checked" in a,
                "disabled": "disabled" in a, "attrs": a})
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "name": a.get("name"),
                              "type": "textarea", "value": "",
                              "disabled": "disabled" in a, "attrs": a}
            self._form["controls"].append(self._textarea)
        elif tag == "select":
            self._select = {"tag": "select", "name": a.get("name"),
                            "type": "select", "options": [],
                            "disabled": "disabled" in a, "attrs": a}
            self._form["controls"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a,
                            "text": ""}
            self._select["options"].append(self._option)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
            self._option = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        elif self._option is not None:
            self._option["text"] += data


class Form:
    def __init__(self, d):
        self.action = d["action"]
        self.method = d["method"]
        self.controls = d["controls"]
        for o in (c for c in self.controls if c["tag"] == "select"):
            for opt in o["options"]:
                if opt["value"] is None:
                    opt["value"] = opt["text"]

    def names(self):
        return [c["name"] for c in self.controls if c.get("name")]

    def control(self, name):
        for c in self.controls:
            if c.get("name") == name:
                return c
        raise AssertionError("no control %r in the form to %s (has %s)"
                             % (name, self.action, self.names()))

    def value(self, name):
        """What the browser would send for this control (None: nothing)."""
        c = self.control(name)
        if c["tag"] == "select":
            sel = [o for o in c["options"] if o["selected"]]
            if sel:
                return sel[0]["value"]
            return c["options"][0]["value"] if c["options"] else None
        if c["type"] in ("checkbox", "radio"):
            return (c["value"] or "on") if c["checked"] else None
        return c["value"]

    def options(self, name):
        return [(o["value"], html.unescape(o["text"]).strip())
                for o in self.control(name)["options"]]

    def data(self):
        """The form's fields as a browser submits them untouched."""
        out = []
        for c in self.controls:
            n = c.get("name")
            if not n or c.get("disabled") or c["type"] in ("submit", "button"):
                continue
            v = None
            if c["tag"] == "select":
                v = self.value(n) if c["options"] else None
            elif c["type"] in ("checkbox", "radio"):
                v = (c["value"] or "on") if c["checked"] else None
            else:
                v = c["value"]
            if v is not None:
                out.append((n, v))
        return out


def forms_of(page):
    p = _Forms()
    p.feed(page)
    p.close()
    return [Form(f) for f in p.forms]


def form_to(page, action, method="post"):
    """The form of a page that posts to `action`."""
    fs = [f for f in forms_of(page) if f.action == action and f.method == method]
    assert fs, ("no %s form to %s; forms: %s" % (method, action,
                [(f.method, f.action) for f in forms_of(page)]))
    return fs[0]


def body_text(page):
    """The page's <main> as text (tags dropped, entities decoded, spaces
    squeezed)."""
    m = re.search(r"<main>(.*)</main>", page, re.S)
    seg = m.group(1) if m else page
    seg = re.sub(r"<[^>]*>", " ", seg)
    return re.sub(r"\s+", " ", html.unescape(seg)).strip()


def main_html(page):
    m = re.search(r"<main>(.*)</main>", page, re.S)
    return m.group(1) if m else page


def err_beside(page, field):
    """The text of the <span class="err"> right after the control named
    `field` (before the next label, control or button): None if there is
    none."""
    m = re.search(r'<(input|select|textarea)\b[^>]*\bname="%s"[^>]*>' % re.escape(field),
                  page)
    assert m, "no control named %s in the page" % field
    rest = page[m.end():]
    if m.group(1) in ("select", "textarea"):
        close = rest.find("</%s>" % m.group(1))
        rest = rest[close:] if close >= 0 else rest
    end = re.search(r"<(label|input|select|textarea|button)\b|</form>", rest)
    seg = rest[:end.start()] if end else rest
    e = re.search(r'<span class="err">(.*?)</span>', seg, re.S)
    return html.unescape(e.group(1)).strip() if e else None


def errors_on(page):
    """Every error text of a page: spans and paragraphs of class err and
    the alerts."""
    out = [html.unescape(re.sub(r"<[^>]*>", "", t)).strip() for t in
           re.findall(r'<(?:span|p) class="(?:err|alert)"[^>]*>(.*?)</(?:span|p)>',
                      page, re.S)]
    return out


def flash(page):
    m = re.search(r'<p class="flash"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(m.group(1)).strip() if m else None


def new_token():
    return secrets.token_hex(32)


# --- the browser ----------------------------------------------------------------


def path_of(url):
    if url.startswith(BASE):
        url = url[len(BASE):]
    return url


class Browser(Client):
    """accounts_util.Client (cookies, CSRF) plus form handling."""

    def page(self, path, status=200):
        r = self.get(path)
        assert r.status_code == status, (path, r.status_code, location(r), r.text[:500])
        return r

    def submit(self, path, action, fields=(), drop=(), page=None, expect=None):
        """GETs `path` (or uses the response `page`), takes its form to
        `action` as a browser would send it, replaces/adds `fields`
        (a dict or (name, value) pairs; a value of None removes the
        field), drops the names in `drop`, and POSTs it.  The response
        carries the form's data as .sent and the form as .form."""
        if page is None:
            page = self.page(path)
        f = form_to(page.text, action)
        data = [(n, v) for n, v in f.data() if n not in drop]
        items = list(fields.items() if isinstance(fields, dict) else fields)
        names = {n for n, _ in items}
        data = [(k, x) for k, x in data if k not in names]
        data += [(n, v) for n, v in items if v is not None]
        r = self.post(action, data=data, csrf=False)
        r.sent = dict(data)
        r.sent_list = data
        r.form = f
        if expect is not None:
            assert r.status_code == expect, (action, dict(data), r.status_code,
                                             location(r), r.text[:1500])
        return r

    def resend(self, action, data):
        """POSTs exactly these fields again (a double submission)."""
        return self.post(action, data=list(data), csrf=False)

    def follow(self, r, status=200):
        assert r.status_code == 303, (r.status_code, r.text[:500])
        return self.page(path_of(location(r)), status)


def browser(role):
    u = new_user(role, "pages-" + role)
    b = Browser(u)
    b.login()
    b.refresh_csrf()
    return b


# --- the database ------------------------------------------------------------------

COUNTED = ("products", "stock", "stock_movements", "sales_orders", "sales_order_lines",
           "purchase_orders", "purchase_order_lines", "suppliers", "warehouses")


def counts():
    row = sql_rows("SELECT " + ", ".join("(SELECT COUNT(*) FROM %s)" % t
                                         for t in COUNTED))[0]
    return dict(zip(COUNTED, (int(x) for x in row)))


def stock_of(pid, wid):
    rows = sql_rows("SELECT on_hand, reserved FROM stock WHERE product_id = %d AND "
                    "warehouse_id = %d" % (pid, wid))
    return (int(rows[0][0]), int(rows[0][1])) if rows else (None, None)


class Frozen:
    """with Frozen(queries...): the row counts of the inventory tables and
    the results of the given SELECTs (e.g. a stock row, an order's status)
    are the same afterwards."""

    def __init__(self, *queries):
        self.queries = queries

    def _take(self):
        return counts(), [sql_rows(q) for q in self.queries]

    def __enter__(self):
        self.before = self._take()
        return self

    def __exit__(self, et, ev, tb):
        if et is None:
            after = self._take()
            assert after[0] == self.before[0], ("row counts changed", self.before[0], after[0])
            for q, b, a in zip(self.queries, self.before[1], after[1]):
                assert a == b, ("changed", q, b, a)
        return False


def stock_q(pid, wid):
    return ("SELECT on_hand, reserved FROM stock WHERE product_id = %d AND warehouse_id = %d"
            % (pid, wid))


def product_q(pid):
    return ("SELECT sku, name, MD5(description), unit, price_cents, cost_cents, reorder_point, "
            "reorder_qty, supplier_id, active, version FROM products WHERE id = %d" % pid)


def product_row(pid):
    r = sql_rows(product_q(pid))[0]
    keys = ("sku", "name", "description_md5", "unit", "price_cents", "cost_cents",
            "reorder_point", "reorder_qty", "supplier_id", "active", "version")
    d = dict(zip(keys, r))
    for k in ("price_cents", "cost_cents", "reorder_point", "reorder_qty", "active",
              "version"):
        d[k] = int(d[k])
    d["supplier_id"] = None if d["supplier_id"] == "NULL" else int(d["supplier_id"])
    return d


def id_from(r, prefix):
    """The id at the end of a 303's Location /prefix/{id}."""
    loc = path_of(location(r))
    m = re.fullmatch(re.escape(prefix) + r"/(\d+)", urlsplit(loc).path)
    assert m, (loc, prefix)
    return int(m.group(1))


def max_id(table):
    return sql_int("SELECT COALESCE(MAX(id), 0) FROM %s" % table)
