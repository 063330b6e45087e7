#!/usr/bin/python3
"""The wijkdashboard in a real browser (Debian's chromium + chromium-driver,
headless, through python3-selenium), against the real collector fed by a
real kiosk, on either backend (tests/collector/testdb.py).

Residents tap through the demo survey at a kiosk (a replay): five in
Dorst, among them hostile free text (markup, script, formula-like text),
and four in Centrum; the kiosk syncs. Then: a wijkmakelaar logs in, sees
Dorst's charts drawn, filters, reads the ideas (nothing of the hostile text
runs; it shows as typed), hides one, exports CSV and XLSX (Excel shows the
text, never a formula; the hidden idea is gone), is refused Centrum (403,
also by URL), a request without its CSRF token is refused, and logs out
(the old cookie is dead). The small-group rule at 4 and 5 responses, the
English switch, the login's lock, an API key made and revoked, and a
survey upload the validator refuses. Screenshots go to SCREENSHOT_DIR.

Usage: dashboard.py COLLECTOR KIOSK SOURCE_DIR SCREENSHOT_DIR
"""
import csv
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
from xml.etree import ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testdb import Database  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

PIN_HASH = ("$argon2id$v=19$m=65536,t=2,p=1$EFiTTSN9Rp4YLX6hQD1ZIw$"
            "OtEThA7ym+BeRy9WXJ+1PjXsiJhlXOI+v3rtn4zMk6k")
PASSWORD = {"anna": "Anna-wachtwoord-42", "bob": "Bob-wachtwoord-42",
            "vera": "Vera-wachtwoord-42", "beheer": "Beheer-wachtwoord-42"}
HOSTILE = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=2\">",
    "=HYPERLINK(\"http://evil.example\",\"klik\")",
    "@SUM(A1:A9)",
    "Meer bankjes bij de vijver",
]
failures = 0


def check(ok, what):
    global failures
    print("%s %s" % ("ok:  " if ok else "FAIL:", what), flush=True)
    failures += not ok


def resident(area, answers, text):
    """One resident's replay lines: the area, q1..q4 (scale labels), q5
    (smiley label), q6 (one choice, then Volgende), q7, q8 typed."""
    lines = ['tap-text "Doe mee"', "wait 2000", 'expect-text "Vraag 1 van 9"',
             'tap-text "%s"' % area, "wait 2000"]
    for label in answers:
        lines += ['tap-text "%s"' % label, "wait 2000"]
    lines += ['tap-text "Buren helpen"', "wait 800", 'tap-text "Volgende"', "wait 2000",
              'tap-text "Ja"', "wait 2000", 'expect-text "Vraag 9 van 9"']
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    lines += ['type "%s"' % escaped, "wait 1000", 'tap-text "Klaar"', 'expect-text "Bedankt!"',
              "wait 8000", 'expect-text "Doe mee"', "wait 1000"]
    return lines


class Collector:
    def __init__(self, binary, d, db, source):
        self.binary, self.d, self.db = binary, d, db
        self.ini = os.path.join(d, "collector.ini")
        demo = open(os.path.join(source, "config", "collector.ini")).read()
        extra = demo[demo.index("[dashboard]"):]
        with open(self.ini, "w") as f:
            f.write("[server]\nlisten = 127.0.0.1\nport = 0\n\n[storage]\ndatabase = %s\n\n%s"
                    % (db.name, extra))

    def run(self, *args, stdin=None):
        p = subprocess.run([self.binary] + list(args) + ["--config", self.ini], input=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise SystemExit("collector %s failed: %s" % (" ".join(args), p.stderr))
        return p.stdout

    def serve(self):
        self.proc = subprocess.Popen([self.binary, "serve", "--config", self.ini],
                                     stdout=subprocess.PIPE, stderr=open(
                                         os.path.join(self.d, "serve.log"), "w"), text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not m:
            raise SystemExit("serve did not start: %r" % line)
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        """Stops serve; its exit status (a sanitizer's report included) is
        checked, with its log shown when it is not 0."""
        self.proc.terminate()
        rc = self.proc.wait(timeout=30)
        log = open(os.path.join(self.d, "serve.log")).read()
        check(rc == 0, "serve stopped cleanly (exit status %d)" % rc)
        if rc != 0:
            print(log[-6000:])


def request(port, method, path, body=None, cookie=None, ctype=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    if ctype:
        headers["Content-Type"] = ctype
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), data)
    c.close()
    return out


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1366,900", "--lang=nl"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def login(drv, url, name, password=None):
    drv.get(url + "/login")
    drv.find_element(By.NAME, "username").send_keys(name)
    drv.find_element(By.NAME, "password").send_keys(password or PASSWORD[name])
    submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))


def submit_and_wait(drv, button):
    """Clicks button and waits until the next page has replaced this one."""
    old = drv.find_element(By.TAG_NAME, "html")
    # A button with data-confirm asks first; the user says yes.
    drv.execute_script("window.confirm = function () { return true; }")
    try:
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
    except WebDriverException:
        # The click went through and the page is already being replaced
        # (chromedriver then loses the node): fine if the page changes.
        pass
    WebDriverWait(drv, 30).until(lambda d: page_replaced(old))


def page_replaced(old):
    """True once old (the previous page's root) is gone. chromedriver says
    so as a stale element, or, when asked in the middle of the change, as
    an inspector error about a node that left the document."""
    try:
        old.is_enabled()
        return False
    except WebDriverException:
        return True


def wait_url(drv, suffix, seconds=10):
    """True once the browser's address ends with suffix (a click's page
    load may still be on its way)."""
    end = time.time() + seconds
    while time.time() < end:
        if drv.current_url.endswith(suffix):
            return True
        time.sleep(0.05)
    return False


def no_alert(drv):
    try:
        drv.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def session_cookie(drv):
    c = drv.get_cookie("bk_session")
    return "bk_session=%s" % c["value"] if c else None


def csrf_of(drv):
    return drv.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    binary, kiosk, source, shots = sys.argv[1:]
    os.makedirs(shots, exist_ok=True)
    d = tempfile.mkdtemp(prefix="bk-dashboard-")
    db = Database(d)
    col = Collector(binary, d, db, source)
    drv = None
    try:
        for s in ("symposium.json", "buurtpeiling.json"):  # the last is active
            col.run("survey", "publish", os.path.join(source, "config", "surveys", s), "--all")
        token = col.run("kiosk", "add", "k-dorst", "--area", "dorst").strip().splitlines()[-1]
        for name, role, areas in (("anna", "wijkmakelaar", "dorst"),
                                  ("bob", "wijkmakelaar", "centrum"), ("vera", "viewer", None),
                                  ("beheer", "admin", None)):
            args = ["user", "add", name, "--role", role] + (["--areas", areas] if areas else [])
            col.run(*args, stdin=PASSWORD[name] + "\n")
        col.serve()

        # A real kiosk: residents tap through, then it syncs.
        demo = open(os.path.join(source, "config", "buurtkiosk.ini")).read()
        areas = demo[demo.index("\n[areas]\n"):]
        kini = os.path.join(d, "kiosk.ini")
        with open(kini, "w") as f:
            f.write("[kiosk]\nid = k-dorst\nlanguages = nl, en\n\n[storage]\ndatabase = kiosk.db"
                    "\n\n[survey]\ndirectory = %s/config/surveys\nactive = buurtpeiling\n\n"
                    "[sync]\nbase_url = %s/buurtkiosk\ntoken_file = token\n\n"
                    "[staff]\npin_hash = %s\n%s" % (source, col.url, PIN_HASH, areas))
        fd = os.open(os.path.join(d, "token"), os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, (token + "\n").encode())
        os.close(fd)
        agree = ["Mee eens", "Mee eens", "Helemaal mee eens", "Mee eens", "Goed"]
        lines = []
        for text in HOSTILE:
            lines += resident("Dorst", agree, text)
        for i in range(4):
            lines += resident("Oosterhout-Centrum", agree, "centrum idee %d" % i)
        replay = os.path.join(d, "residents.replay")
        open(replay, "w").write("\n".join(lines) + "\n")
        # The build's own driver: dummy under the sanitizers (the offscreen
        # driver's EGL leaks inside Mesa), offscreen otherwise.
        env = dict(os.environ, SDL_AUDIODRIVER="dummy",
                   SDL_VIDEODRIVER=os.environ.get("BK_TEST_VIDEODRIVER", "offscreen"))
        for cmd in (["run", "--config", kini, "--replay", replay], ["sync", "--config", kini]):
            p = subprocess.run([kiosk] + cmd, cwd=d, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=600)
            if p.returncode != 0:
                raise SystemExit("kiosk %s failed: %s %s" % (cmd[0], p.stdout, p.stderr))
        check(db.value("SELECT count(*) FROM responses") == "9",
              "the kiosk's 9 responses are at the collector")
        check(db.value("SELECT count(*) FROM answers WHERE question_id = 'q8' AND value_json = "
                       "'%s'" % json.dumps(HOSTILE[0]).replace("'", "''")) == "1",
              "the hostile text is stored exactly as typed")

        drv = browser()
        url = col.url
        drv.get(url + "/")
        check(drv.current_url.endswith("/login"), "not logged in: / leads to /login")
        check(drv.find_element(By.NAME, "username") and drv.find_element(By.NAME, "password"),
              "the login form's fields are named username and password")
        login(drv, url, "anna")
        check(wait_url(drv, url + "/"), "anna logs in and lands on the overview")
        rows = drv.find_elements(By.CSS_SELECTOR, "table#overview tbody tr")
        names = [r.find_element(By.TAG_NAME, "th").text for r in rows]
        check("Dorst" in names and not any("Centrum" in n for n in names),
              "the wijkmakelaar's overview shows Dorst, not Centrum: %s" % names)
        check(any("Gemeente" in n for n in names), "the municipality is beside it")
        dorst = [r for r in rows if r.find_element(By.TAG_NAME, "th").text == "Dorst"][0]
        cells = [c.text for c in dorst.find_elements(By.TAG_NAME, "td")]
        # Every resident answered q1..q4 with 4, 4, 5, 4 (q1 reversed: 2):
        # mean (2+4+5+4)/4 = 3.75, score (3.75-1)*2.5 = 6.875 -> "6,9".
        check(cells[0] == "5" and "6,9" in cells, "Dorst: 5 this month, cohesion 6,9: %s" % cells)
        gem = [r for r in rows if "Gemeente" in r.text][0]
        check(gem.find_elements(By.TAG_NAME, "td")[0].text == "9",
              "the municipality counts all 9: %s" % gem.text)
        # Its score (9 respondents) minus Dorst's (5) would give away
        # Centrum's 4: so it is not shown either.
        check("–" in [c.text for c in gem.find_elements(By.TAG_NAME, "td")] and
              "6,9" not in gem.text, "no municipality score that reveals a small group by "
              "difference: %s" % gem.text)
        check("(gemiddelde − 1) × 2,5" in drv.find_element(By.ID, "formula").text,
              "the formula is on the page")
        drv.save_screenshot(os.path.join(shots, "dashboard-overview.png"))

        submit_and_wait(drv, drv.find_element(By.LINK_TEXT, "Dorst"))
        time.sleep(0.5)
        q7 = drv.find_element(By.CSS_SELECTOR, "section.question[data-question=q7]")
        ja = [r for r in q7.find_elements(By.CSS_SELECTOR, "tbody tr") if
              r.find_element(By.TAG_NAME, "th").text == "Ja"][0]
        check(ja.find_elements(By.TAG_NAME, "td")[0].text == "5", "q7: 5 times Ja in the table")
        drawn = drv.execute_script(
            "return Array.from(document.querySelectorAll('section.question canvas'))"
            ".filter(function (c) { return window.Chart && Chart.getChart(c); }).length")
        check(drawn >= 7, "the area's charts are drawn by Chart.js (%s canvases)" % drawn)
        check("0 snel doorgeklikt" in drv.find_element(By.ID, "excluded").text,
              "the left-out flagged responses are counted on the page")
        drv.save_screenshot(os.path.join(shots, "dashboard-area.png"))
        height = drv.execute_script("return document.documentElement.scrollHeight")
        drv.set_window_size(1366, min(height + 100, 8000))
        time.sleep(0.3)
        drv.save_screenshot(os.path.join(shots, "dashboard-area-full.png"))
        drv.set_window_size(1366, 900)
        errors = [e for e in drv.get_log("browser") if e["level"] == "SEVERE"]
        check(not errors, "no errors in the browser's console (CSP included): %s" % errors)

        # A filter: partial only: none, so no figures.
        Select(drv.find_element(By.ID, "f-status")).select_by_value("partial")
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form#filters button[type=submit]"))
        check(drv.find_element(By.ID, "summary").text.startswith("0 "),
              "filtered on partial: 0 responses")
        check("Te weinig antwoorden om te tonen" in drv.page_source,
              "and no figures: Te weinig antwoorden om te tonen")

        # The ideas: hostile text shown as text, nothing ran.
        drv.get(url + "/area/dorst/ideas")
        quotes = [q.text for q in drv.find_elements(By.CSS_SELECTOR, "article.idea blockquote")]
        check(all(h in quotes for h in HOSTILE), "every idea is shown as typed")
        check(drv.execute_script("return window.__pwned === undefined") and no_alert(drv),
              "nothing of the residents' text ran")
        check(len(drv.find_elements(By.CSS_SELECTOR, "article.idea img, article.idea script"))
              == 0, "no element came from a resident's text")
        drv.save_screenshot(os.path.join(shots, "dashboard-ideas.png"))
        drv.find_element(By.ID, "q").send_keys("bankjes")
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form.search button"))
        check(drv.find_element(By.ID, "count").text.startswith("1 "), "search finds 1 idea")

        # Hide one with a reason.
        drv.get(url + "/area/dorst/ideas")
        art = [a for a in drv.find_elements(By.CSS_SELECTOR, "article.idea")
               if a.find_element(By.TAG_NAME, "blockquote").text == HOSTILE[3]][0]
        art.find_element(By.NAME, "reason").send_keys("geen idee")
        submit_and_wait(drv, art.find_element(By.CSS_SELECTOR, "form.moderate button"))
        hidden = drv.find_elements(By.CSS_SELECTOR, "article.idea.hidden-idea blockquote")
        check([h.text for h in hidden] == [HOSTILE[3]], "the idea is hidden (kept, dimmed)")
        check(db.value("SELECT count(*) FROM audit_log WHERE action = 'moderate hide' AND "
                       "actor = 'anna' AND detail = 'geen idee'") == "1",
              "the hiding is in the audit log")

        # Exports, with the browser's own session and the page's token.
        drv.get(url + "/area/dorst")
        cookie, token_ = session_cookie(drv), csrf_of(drv)
        form = urllib.parse.urlencode({"area": "dorst", "from": "", "to": "", "format": "csv",
                                       "csrf": token_})
        st, hd, body = request(col.port, "POST", "/export", form, cookie,
                            "application/x-www-form-urlencoded")
        text = body.decode("utf-8")
        check(st == 200 and text.startswith("\ufeff") and "attachment" in
              hd.get("content-disposition", ""), "CSV export: 200, a BOM, a download")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
        cells = [c for r in rows for c in r]
        check("'=HYPERLINK(\"http://evil.example\",\"klik\")" in cells,
              "the formula-like text is exported with a ' in front (Excel shows it as text)")
        check(HOSTILE[0] in cells and not any(c.startswith("@SUM") or c == "'@SUM(A1:A9)"
                                              for c in cells),
              "the markup is exported as typed; the hidden idea is not exported")
        check(len(rows) == 6, "5 responses and the header (%d rows)" % len(rows))
        form = form.replace("format=csv", "format=xlsx")
        st, hd, body = request(col.port, "POST", "/export", form, cookie,
                            "application/x-www-form-urlencoded")
        check(st == 200 and body[:2] == b"PK", "XLSX export: a zip workbook")
        z = zipfile.ZipFile(io.BytesIO(body))
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets"))
        ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        strings = [t.text for t in ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
                   .iter(ns + "t")]
        check("<f>" not in sheets and HOSTILE[2] in strings and HOSTILE[0] in strings,
              "in the workbook the texts are strings as typed, never a formula")
        check(HOSTILE[3] not in strings, "the hidden idea is not in the workbook")
        check(db.value("SELECT count(*) FROM audit_log WHERE action = 'export' AND actor = "
                       "'anna'") == "2", "both exports are in the audit log")

        # Another area: 403 in the browser and by URL; a POST without CSRF.
        drv.get(url + "/area/centrum")
        check("hoort niet bij uw account" in drv.page_source, "Centrum is refused to anna")
        check(request(col.port, "GET", "/area/centrum", cookie=cookie)[0] == 403,
              "also by URL: 403")
        check(request(col.port, "GET", "/area/centrum/ideas", cookie=cookie)[0] == 403,
              "and its ideas: 403")
        form = urllib.parse.urlencode({"area": "centrum", "format": "csv", "csrf": token_})
        check(request(col.port, "POST", "/export", form, cookie,
                   "application/x-www-form-urlencoded")[0] == 403,
              "exporting Centrum: 403")
        st = request(col.port, "POST", "/logout", "", cookie, "application/x-www-form-urlencoded")[0]
        check(st == 403, "a POST without its CSRF token is refused (403)")
        st = request(col.port, "POST", "/export", "area=dorst&format=csv&csrf=" + "0" * 64, cookie,
                  "application/x-www-form-urlencoded")[0]
        check(st == 403, "a POST with a wrong CSRF token is refused (403)")

        check(request(col.port, "GET", "/users", cookie=cookie)[0] == 403,
              "a wijkmakelaar cannot manage accounts (403)")
        form = urllib.parse.urlencode({"kiosk_id": "k-x", "csrf": token_})
        check(request(col.port, "POST", "/kiosks", form, cookie,
                      "application/x-www-form-urlencoded")[0] == 403,
              "nor add kiosks (403)")

        # English.
        drv.get(url + "/?lang=en")
        check("Overview by area" in drv.page_source, "the English switch")
        drv.get(url + "/area/dorst?status=partial")
        check("Too few responses to show" in drv.page_source, "and stays English")
        drv.get(url + "/?lang=nl")

        # Logout: the old cookie is dead.
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form.logout button"))
        check(wait_url(drv, "/login"), "logout leads to the login page")
        st, hd, _ = request(col.port, "GET", "/", cookie=cookie)
        check(st == 303 and hd.get("location") == "/login", "the old session is ended")
        drv.save_screenshot(os.path.join(shots, "dashboard-login.png"))

        # The small-group rule: Centrum has 4 respondents, Dorst 5.
        login(drv, url, "beheer")
        rows = drv.find_elements(By.CSS_SELECTOR, "table#overview tbody tr")
        cen = [r for r in rows if r.find_element(By.TAG_NAME, "th").text == "Oosterhout-Centrum"][0]
        check("–" in [c.text for c in cen.find_elements(By.TAG_NAME, "td")],
              "Centrum (4 respondents): no cohesion score")
        drv.get(url + "/area/centrum")
        sections = drv.find_elements(By.CSS_SELECTOR, "section.question")
        too_few = [s for s in sections if "Te weinig antwoorden om te tonen" in s.text]
        check(len(too_few) >= 7, "Centrum (4): every figure says Te weinig antwoorden om te tonen")
        check(not drv.find_elements(By.CSS_SELECTOR, "section.question[data-question=q7] "
                                                     "table.figures"),
              "and has no table of counts")
        drv.save_screenshot(os.path.join(shots, "dashboard-too-few.png"))
        drv.get(url + "/kiosks")
        krow = drv.find_element(By.CSS_SELECTOR, "table#kiosks tbody tr")
        check("k-dorst" in krow.text, "the kiosk is listed: %s" % krow.text)
        drv.save_screenshot(os.path.join(shots, "dashboard-kiosks.png"))

        # An API key for Excel's refresh: made, used, revoked.
        drv.get(url + "/account")
        drv.find_element(By.ID, "label").send_keys("Excel")
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form#add-key button"))
        key = drv.find_element(By.CSS_SELECTOR, "#new-key code").text
        check(re.fullmatch(r"[0-9a-f]{64}", key) is not None, "a new key is shown once")
        check(not db.holds_text(key), "the key is kept nowhere in plain text")
        st, hd, body = request(col.port, "GET", "/api/export.csv?key=%s&area=dorst" % key)
        check(st == 200 and body.decode().count("\r\n") == 6,
              "Excel's refresh gets the CSV with the key (%d)" % st)
        drv.get(url + "/account")
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "table#keys form button"))
        st = request(col.port, "GET", "/api/export.csv?key=%s" % key)[0]
        check(st == 401, "a revoked key is refused (%d)" % st)

        # Accounts and kiosks managed in the interface.
        drv.get(url + "/users")
        drv.find_element(By.ID, "u-name").send_keys("wim")
        Select(drv.find_element(By.ID, "u-role")).select_by_value("wijkmakelaar")
        drv.find_element(By.ID, "u-areas").send_keys("dorst")
        drv.find_element(By.ID, "u-password").send_keys("Wim-wachtwoord-42")
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form#add-user button"))
        check("wim" in drv.find_element(By.ID, "users").text and
              db.value("SELECT areas FROM users WHERE name = 'wim'") == "dorst",
              "an admin adds an account in the interface")
        check(not db.holds_text("Wim-wachtwoord-42"), "its password is kept nowhere in plain text")
        row = [t for t in drv.find_elements(By.CSS_SELECTOR, "table#users tbody tr")
               if t.find_element(By.TAG_NAME, "th").text == "wim"][0]
        submit_and_wait(drv, row.find_element(By.CSS_SELECTOR, "button"))
        check(db.value("SELECT count(*) FROM users WHERE name = 'wim'") == "0" and
              db.value("SELECT count(*) FROM audit_log WHERE subject = 'wim' AND actor = "
                       "'beheer'") == "2", "and removes it; both in the audit log")
        drv.get(url + "/kiosks")
        drv.find_element(By.ID, "k-id").send_keys("k-test")
        Select(drv.find_element(By.ID, "k-area")).select_by_value("dorst")
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form#add-kiosk button"))
        ktoken = drv.find_element(By.CSS_SELECTOR, "#new-token code").text
        check(db.value("SELECT token_sha256 FROM kiosks WHERE id = 'k-test'") ==
              hashlib.sha256(ktoken.encode()).hexdigest() and not db.holds_text(ktoken),
              "an admin adds a kiosk; its token is shown once, only its hash kept")
        krow = [t for t in drv.find_elements(By.CSS_SELECTOR, "table#kiosks tbody tr")
                if "k-test" in t.text][0]
        submit_and_wait(drv, krow.find_element(By.CSS_SELECTOR, "button"))
        check(db.value("SELECT revoked_ms IS NOT NULL FROM kiosks WHERE id = 'k-test'") in
              ("1", "t"), "and revokes it")
        check(db.value("SELECT count(*) FROM audit_log WHERE action LIKE 'kiosk %' AND "
                       "subject = 'k-test'") == "2", "both in the audit log")
        drv.get(url + "/users")
        drv.save_screenshot(os.path.join(shots, "dashboard-users.png"))
        bob_cookie = None
        st = request(col.port, "GET", "/users", cookie=bob_cookie)[0]
        check(st == 303, "not logged in: /users leads to the login")

        # A survey upload the validator refuses, with its message.
        drv.get(url + "/surveys")
        bad = os.path.join(d, "bad.json")
        open(bad, "w").write('{"id": "kapot", "version": 1, "languages": ["nl"], '
                             '"questions": [{"id": "q1", "type": "slider"}]}')
        drv.find_element(By.ID, "definition").send_keys(bad)
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form#publish button"))
        refused = drv.find_elements(By.ID, "refused")
        check(refused and "slider" in refused[0].text,
              "the refused survey's problem is on the page: %s" %
              (refused[0].text if refused else drv.page_source[:300]))
        drv.save_screenshot(os.path.join(shots, "dashboard-survey-refused.png"))
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form.logout button"))

        # The lock: five wrong passwords, then even the right one waits.
        for i in range(5):
            login(drv, url, "vera", "fout")
        login(drv, url, "vera")
        check("vergrendeld" in drv.find_element(By.CSS_SELECTOR, "p.error").text,
              "after 5 wrong passwords the account is locked")
        check(db.value("SELECT failures FROM users WHERE name = 'vera'") == "5",
              "5 failures counted")
    finally:
        if drv:
            drv.quit()
        if getattr(col, "proc", None):
            col.stop()
        shutil.rmtree(d, ignore_errors=True)
    print("%d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
