"""Headless Chromium against the real stack (nginx + backroomd + MariaDB):
sign in through the form, open /account, change the password with its
form and see the flash, sign out with the navigation's button, go back, and
find nothing usable: the stale page leads to /login, or a form sent from it
is refused; no signed-in content is shown again.

Runs against the stack the integration suite left running (the same
BR_PREFIX / BR_BASE_URL / BR_CERT variables as tests/integration)."""
import os
import shutil
import sys
import uuid
from urllib.parse import urlsplit

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from accounts_util import new_user, session_row_exists, sql  # noqa: E402
from conftest import BASE  # noqa: E402  (tests/integration/conftest.py)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
OPTIONS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           "--ignore-certificate-errors", "--disable-dev-shm-usage",
           "--disable-features=PasswordLeakDetection", "--window-size=1200,900"]


@pytest.fixture
def driver():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.skip("not installed: %s (Debian packages chromium, chromium-driver; "
                    "`make deps` installs them)" % ", ".join(missing))
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("python3-selenium is not installed (`make deps` installs it)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for o in OPTIONS:
        opts.add_argument(o)
    opts.add_experimental_option("prefs", {"credentials_enable_service": False,
                                           "profile.password_manager_enabled": False})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    d.set_page_load_timeout(30)
    try:
        yield d
    finally:
        d.quit()


def path_of(d):
    return urlsplit(d.current_url).path


def wait_path(d, path, timeout=15):
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(d, timeout).until(lambda x: path_of(x) == path)


def by_css(d, sel):
    from selenium.webdriver.common.by import By
    return d.find_element(By.CSS_SELECTOR, sel)


def all_css(d, sel):
    from selenium.webdriver.common.by import By
    return d.find_elements(By.CSS_SELECTOR, sel)


def fill(form, name, value):
    from selenium.webdriver.common.by import By
    el = form.find_element(By.NAME, name)
    el.clear()
    el.send_keys(value)


def _gone(old):
    """A wait condition: the element's document has been replaced.
    chromedriver reports a node of a navigated-away document either as
    stale or as an inspector error ("Node with given id does not belong to
    the document"); both mean the page went away."""
    from selenium.common.exceptions import WebDriverException

    def check(_):
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True
    return check


def click_and_load(d, element, timeout=15):
    """Clicks and waits until the browser has left the current page (a
    form posted to the page it is on keeps the same URL)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from selenium.common.exceptions import WebDriverException
    old = d.find_element(By.TAG_NAME, "html")
    try:
        element.click()
    except WebDriverException:
        # chromedriver may report the click's own navigation as an
        # inspector error; it is harmless when the page did go away.
        pass
    WebDriverWait(d, timeout).until(_gone(old))
    WebDriverWait(d, timeout).until(
        lambda x: x.execute_script("return document.readyState") == "complete")


def submit(d, form):
    from selenium.webdriver.common.by import By
    click_and_load(d, form.find_element(By.CSS_SELECTOR,
                                        "button[type=submit], input[type=submit]"))


def signed_in_content(d, email):
    """True when the page shows the user's signed-in view (their email in
    the page, or a sign-out button)."""
    src = d.page_source
    return email in src or bool(all_css(d, 'form[action="/logout"]'))


def test_sign_in_change_password_sign_out_and_back(driver):
    d = driver
    u = new_user("viewer", "browser")
    new_pw = "Browser-" + uuid.uuid4().hex[:14]

    # Sign in through the form.
    d.get(BASE + "/login")
    assert path_of(d) == "/login"
    form = by_css(d, 'form[action="/login"]')
    fill(form, "email", u.email)
    fill(form, "password", u.password)
    submit(d, form)
    wait_path(d, "/")
    assert signed_in_content(d, u.email)
    # The session cookie is out of the page's reach (HttpOnly).
    assert "br_session" not in d.execute_script("return document.cookie")
    cookies = {c["name"]: c for c in d.get_cookies()}
    sid = cookies["__Host-br_session"]["value"]
    assert cookies["__Host-br_session"]["secure"] and cookies["__Host-br_session"]["httpOnly"]
    assert session_row_exists(sid)

    # The account page and its password form.
    d.get(BASE + "/account")
    assert path_of(d) == "/account"
    assert u.email in d.page_source and "viewer" in d.page_source
    form = by_css(d, 'form[action="/account/password"]')
    fill(form, "current_password", u.password)
    fill(form, "new_password", new_pw)
    fill(form, "confirm_password", new_pw)
    submit(d, form)
    wait_path(d, "/account")
    flash = [e.text for e in all_css(d, '[role="status"], .flash') if e.text.strip()]
    assert flash and any("password" in t.lower() for t in flash), d.page_source[:3000]
    assert sql("SELECT must_change_password FROM users WHERE id = %d" % u.id) == "0"
    # The password changed: the cookie id was replaced as well.
    sid2 = {c["name"]: c for c in d.get_cookies()}["__Host-br_session"]["value"]
    assert sid2 != sid and not session_row_exists(sid) and session_row_exists(sid2)

    # Sign out with the navigation's button.
    click_and_load(d, by_css(d, 'form[action="/logout"] button[type=submit], '
                                'form[action="/logout"] input[type=submit]'))
    wait_path(d, "/login")
    assert not signed_in_content(d, u.email)
    assert not session_row_exists(sid2)
    assert "__Host-br_session" not in {c["name"] for c in d.get_cookies()} or \
        {c["name"]: c for c in d.get_cookies()}["__Host-br_session"]["value"] == ""

    # Back: the signed-in page must not come back to life.
    d.back()
    if path_of(d) != "/login":
        # A page kept by the browser: whatever it shows, a form sent from
        # it must not work any more.
        forms = all_css(d, 'form[action="/account/password"]')
        assert forms, "neither /login nor the stale account page: %s" % d.current_url
        fill(forms[0], "current_password", new_pw)
        fill(forms[0], "new_password", "Other-" + uuid.uuid4().hex[:14])
        fill(forms[0], "confirm_password", "x")
        submit(d, forms[0])
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(d, 15).until(lambda x: path_of(x) == "/login" or "CSRF" in x.page_source
                                   or "403" in x.title)
    assert not signed_in_content(d, u.email), d.current_url
    # Reloading a page that needs a session leads to the sign-in form.
    d.get(BASE + "/account")
    assert path_of(d) == "/login"
    assert not signed_in_content(d, u.email)
