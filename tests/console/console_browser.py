#!/usr/bin/env python3
"""The web console (gateway/console/) in a real headless Chromium, against the real stack.

Run by Console.BrowserChecks (tests/integration/console_test.cpp), which starts the projectors and
workers of a private test stack and hands their environment to this script. The script runs its
own gateway (development sign-in on, loopback) so it can kill and restart it under the page.

Checks, each failing the run: sign-in (one-click development sign-in, then registration); a chat
message with markup shown as text; "remind me to stretch in 2 minutes" sent with the keyboard and
the assistant's reply appearing without a reload; a gateway killed and restarted under the page,
the conversation then matching the API exactly (no gap, no duplicate); the reminder on this
week's timeline; a three-goal chain drawn with the blocked goals marked, a title with markup drawn
as text, a click showing prerequisites and impact; a memory search; the operations view refused
to a user and shown to an operator; every input labelled; the state colours' contrast; and no
console error at all (except the connection failures logged while the gateway is down on purpose).
Screenshots of each view go to --screenshots.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 30
# What Chromium logs when the page's WebSocket or a fetch finds no server: expected only while the
# test has stopped the gateway on purpose.
CONNECTION_FAILURES = ("WebSocket connection to", "ERR_CONNECTION_REFUSED", "ERR_CONNECTION_RESET")


def log(message):
    print(f"[console] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    """An aimi-gateway child on a fixed port, so the page can reconnect to it after a restart."""

    def __init__(self, binary, log_path):
        self.binary = binary
        self.log_path = log_path
        self.port = free_port()
        self.process = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        env = dict(os.environ, AIMI_HTTP_ADDRESS="127.0.0.1", AIMI_HTTP_PORT=str(self.port), AIMI_DEV_SIGN_IN="1")
        env.pop("AIMI_HTTP_PORT_FILE", None)
        with open(self.log_path, "a") as out:
            self.process = subprocess.Popen([self.binary], env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + WAIT_S
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gateway exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gateway did not answer /health")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class Api:
    def __init__(self, base, token):
        self.base = base
        self.token = token

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=WAIT_S) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def ok(self, method, path, body=None):
        status, answer = self.call(method, path, body)
        if status >= 300:
            raise AssertionError(f"{method} {path}: {status} {answer}")
        return answer


def relative_luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def parse_colour(text):
    named = {"white": (255, 255, 255), "black": (0, 0, 0)}
    text = text.strip().lower()
    if text in named:
        return named[text]
    if text.startswith("#") and len(text) == 7:
        return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))
    if text.startswith("rgb"):
        return tuple(int(float(v)) for v in text[text.index("(") + 1:text.index(")")].split(",")[:3])
    raise ValueError(f"colour {text!r}")


class Console:
    def __init__(self, args):
        self.args = args
        self.gateway = Gateway(args.gateway, args.gateway_log)
        self.driver = None
        self.failures = []
        os.makedirs(args.screenshots, exist_ok=True)

    # --- plumbing -------------------------------------------------------------------------------

    def browser(self):
        options = webdriver.ChromeOptions()
        options.binary_location = self.args.chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--force-device-scale-factor=1", "--lang=en-GB"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        return webdriver.Chrome(service=Service(self.args.chromedriver), options=options)

    def wait(self, condition, what, timeout=WAIT_S):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(lambda d: condition())
        except TimeoutException:
            self.screenshot(f"failed-{what.replace(' ', '-')[:40]}")
            raise AssertionError(f"timed out waiting for: {what}") from None

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def visible(self, element_id):
        return self.js("const e = document.getElementById(arguments[0]); return !!e && !e.closest('[hidden]');",
                       element_id)

    def screenshot(self, name):
        """The whole page, not only the window: the window grows to the page's height for the shot."""
        path = os.path.join(self.args.screenshots, f"{name}.png")
        height = self.js("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(900, min(height, 4000)))
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1280, 900)
        log(f"screenshot {path}")

    def check(self, condition, message):
        if not condition:
            self.failures.append(message)
            log(f"FAIL: {message}")

    def console_errors(self, allow_connection_failures=False):
        errors = []
        for entry in self.driver.get_log("browser"):
            if entry["level"] != "SEVERE":
                continue
            if allow_connection_failures and any(p in entry["message"] for p in CONNECTION_FAILURES):
                continue
            errors.append(entry["message"])
        return errors

    def expect_no_console_errors(self, step, allow_connection_failures=False):
        errors = self.console_errors(allow_connection_failures)
        self.check(not errors, f"console errors after {step}: {errors}")

    def token(self):
        return self.js("return sessionStorage.getItem('aimi.console.token')")

    def open_tab(self, name):
        self.find(f"#tab-{name}").click()
        self.wait(lambda: self.visible(f"view-{name}"), f"the {name} view")

    # --- steps ----------------------------------------------------------------------------------

    def page_headers(self):
        with urllib.request.urlopen(f"{self.gateway.base}/console", timeout=WAIT_S) as r:
            csp = r.headers["Content-Security-Policy"] or ""
            self.check(r.headers["Content-Type"].startswith("text/html"), "the page is text/html")
        self.check("script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp,
                   f"a strict Content-Security-Policy: {csp!r}")

    def labels(self, where):
        unlabelled = self.js("""
            return [...document.querySelectorAll('input, textarea, select')]
              .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))
              .map(e => e.id || e.outerHTML);""")
        self.check(not unlabelled, f"inputs without a label ({where}): {unlabelled}")

    def sign_in(self, button, name):
        self.wait(lambda: self.visible("dev-sign-in"), "the development sign-in")
        self.find(f"#{button}").click()
        self.wait(lambda: self.visible("register-form") or self.visible("app"), "registration or the app")
        if self.visible("register-form"):
            self.find("#register-name").send_keys(name, Keys.ENTER)
        self.wait(lambda: self.visible("app"), "the signed-in app")

    def chat_seqs(self):
        return [int(s) for s in self.js(
            "return [...document.querySelectorAll('#messages li.message')].map(li => li.dataset.seq)")]

    def message_texts(self, role):
        return [e.text for e in self.find_all(f"#messages li.message.{role} .content")]

    def type_message(self, text):
        box = self.find("#message-input")
        box.click()
        box.send_keys(text)
        box.send_keys(Keys.ENTER)  # Enter sends; no click on the button

    def wait_for_replies(self):
        """The assistant answers every message: wait until each has its reply on the page (live)."""
        self.wait(lambda: self.message_texts("user") and
                  len(self.message_texts("assistant")) == len(self.message_texts("user")),
                  "the assistant's replies, live")

    def chat(self):
        self.wait(lambda: self.find("#live-status").text == "connected", "the live connection")
        self.wait(lambda: len(self.find_all("#chat-list li")) >= 1, "a chat")
        markup = '<script>window.__aimiXss = 1</script><img src="x" id="xss-img">'
        self.type_message(markup)
        self.wait(lambda: markup in self.message_texts("user"), "the message with markup, as text")
        self.check(self.js("return window.__aimiXss") is None, "a message's markup never runs")
        self.check(not self.find_all("#messages img, #messages script"), "a message's markup is never parsed")
        self.wait_for_replies()

        self.type_message("remind me to stretch in 2 minutes")
        self.wait_for_replies()
        reply = self.message_texts("assistant")[-1]
        log(f"assistant replied: {reply!r}")
        self.check("stretch" in reply.lower(), f"the reply names the reminder: {reply!r}")
        self.expect_no_console_errors("chatting")
        self.screenshot("chat")

    def conversation_matches_api(self, api, chat_id, what):
        answer = api.ok("GET", f"/v1/chats/{chat_id}/messages?limit=500")
        expected = [m["seq"] for m in answer["items"]]
        self.wait(lambda: self.chat_seqs() == expected, f"the page showing seqs {expected} ({what})")

    def reconnect(self):
        api = Api(self.gateway.base, self.token())
        chat_id = api.ok("GET", "/v1/chats?limit=1")["items"][0]["id"]  # newest first, as the page picks
        before = len(self.message_texts("assistant"))
        # A question the assistant answers while the gateway is down: its reply reaches the page
        # only through the resumed stream and the by-seq catch-up.
        api.ok("POST", f"/v1/chats/{chat_id}/messages", {"content": "what is on my schedule?"})
        self.gateway.kill()
        self.wait(lambda: self.find("#live-status").text == "reconnecting", "the page noticing the gateway is gone")
        time.sleep(2)
        self.gateway.start()
        self.wait(lambda: self.find("#live-status").text == "connected", "the page reconnecting")
        self.wait(lambda: len(self.message_texts("assistant")) > before, "the reply posted while disconnected")
        self.conversation_matches_api(api, chat_id, "after a gateway restart")
        seqs = self.chat_seqs()
        self.check(len(seqs) == len(set(seqs)) and seqs == sorted(seqs), f"no duplicates, in order: {seqs}")
        self.expect_no_console_errors("the gateway restart", allow_connection_failures=True)

    def claims(self):
        payload = self.token().split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    def reminder_state(self, title):
        for row in self.find_all("#timeline li.entry.reminder"):
            if title in row.text:
                return row.find_element(By.CSS_SELECTOR, ".badge").text
        return None

    def wait_for_reminder(self, title, state):
        """Opens the schedule until the reminder shows `state` (the queue is a projection: it may lag)."""
        deadline = time.time() + WAIT_S
        while True:
            self.open_tab("schedule")
            time.sleep(0.3)
            shown = self.reminder_state(title)
            if shown == state:
                return
            if time.time() > deadline:
                self.screenshot("failed-reminder")
                raise AssertionError(f"the reminder {title!r} shows {shown!r}, not {state!r}")
            time.sleep(0.5)

    def schedule(self):
        self.open_tab("schedule")
        self.wait(lambda: any("stretch" in e.text.lower() for e in self.find_all("#timeline li.entry.reminder")),
                  "the stretch reminder on the timeline")
        reminder = [e for e in self.find_all("#timeline li.entry.reminder") if "stretch" in e.text.lower()][0]
        self.check("planned" in reminder.text, f"the reminder is planned: {reminder.text!r}")
        self.check(any("stretch" in e.text.lower() for e in self.find_all("#timeline li.entry.event")),
                   "the stretch event on the timeline")
        self.expect_no_console_errors("the schedule")

        # A reminder that fires now: delivered by the dispatcher into the chat (live) and shown
        # as sent; then one that falls into quiet hours and is skipped.
        api = Api(self.gateway.base, self.token())
        now = datetime.datetime.now(datetime.timezone.utc)
        wall = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S")
        api.ok("POST", "/v1/calendar-events", {"title": "Drink water", "due": wall(now + datetime.timedelta(seconds=6)),
                                               "time_zone": "UTC", "reminder_offsets_minutes": [0]})
        self.open_tab("chat")
        self.wait(lambda: any("Drink water" in t for t in self.message_texts("assistant")),
                  "the reminder delivered into the chat, live", timeout=60)
        quiet = {"start": (now - datetime.timedelta(hours=1)).strftime("%H:%M"),
                 "end": (now + datetime.timedelta(hours=2)).strftime("%H:%M")}
        api.ok("PATCH", f"/v1/users/{self.claims()['sub']}", {"settings": {"reminders": {"quiet_hours": quiet}}})
        api.ok("POST", "/v1/calendar-events", {"title": "Call the physio", "due": wall(now + datetime.timedelta(minutes=30)),
                                               "time_zone": "UTC", "reminder_offsets_minutes": [0]})
        self.wait_for_reminder("Drink water", "sent")
        self.wait_for_reminder("Call the physio", "skipped for quiet hours")
        badges = self.js("""
            return [...document.querySelectorAll('#timeline .badge')].map(b => {
              const style = getComputedStyle(b);
              return {text: b.textContent, color: style.color, background: style.backgroundColor};
            });""")
        for badge in badges:
            ratio = contrast(parse_colour(badge["color"]), parse_colour(badge["background"]))
            self.check(ratio >= 4.5, f"contrast of the state {badge['text']!r}: {ratio:.2f} < 4.5")
        self.expect_no_console_errors("reminders delivered and skipped")
        self.screenshot("schedule")

    def goals(self):
        api = Api(self.gateway.base, self.token())
        shoes = api.ok("POST", "/v1/goals", {"title": "Buy running shoes", "estimated_days": 2})["id"]
        train = api.ok("POST", "/v1/goals", {"title": "Train three times a week", "estimated_days": 30})["id"]
        race = api.ok("POST", "/v1/goals", {"title": "<b>Run</b> a 5k <script>alert(1)</script>",
                                            "estimated_days": 1})["id"]
        api.ok("POST", f"/v1/goals/{train}/dependencies", {"parent_goal_id": shoes, "type": "requires"})
        api.ok("POST", f"/v1/goals/{race}/dependencies", {"parent_goal_id": train, "type": "requires"})
        self.open_tab("goals")
        self.wait(lambda: len(self.find_all("#goal-graph svg g.node")) == 3, "three goals drawn")
        nodes = self.js("""
            return [...document.querySelectorAll('#goal-graph svg g.node')].map(g => ({
              id: g.id,
              fill: g.querySelector('path, polygon').getAttribute('fill'),
              stroke: g.querySelector('path, polygon').getAttribute('stroke'),
              text: g.querySelector('text').textContent,
              textFill: g.querySelector('text').getAttribute('fill') || 'black'}));""")
        by_id = {n["id"].removeprefix("goal-"): n for n in nodes}
        self.check(by_id[train]["fill"] == "#b3261e" and by_id[race]["fill"] == "#b3261e",
                   f"the goals waiting for others are marked blocked: {nodes}")
        self.check(by_id[shoes]["fill"] == "white", f"the first goal is open: {by_id[shoes]}")
        self.check(all(by_id[g]["stroke"] == "#0b57d0" for g in (shoes, train, race)),
                   f"the chain is the critical path: {nodes}")
        self.check(by_id[race]["text"] == "<b>Run</b> a 5k <script>alert(1)</script>",
                   f"a title with markup is drawn as text: {by_id[race]['text']!r}")
        self.check(not self.find_all("#goal-graph svg script, #goal-graph svg b"), "no markup from a title in the SVG")
        for node in nodes:
            ratio = contrast(parse_colour(node["fill"]), parse_colour(node["textFill"]))
            self.check(ratio >= 4.5, f"contrast of {node['text']!r}: {ratio:.2f} < 4.5")
        self.find(f"#goal-graph g.node[id='goal-{race}']").click()
        self.wait(lambda: "Prerequisites (2)" in self.find("#goal-details").text, "the goal's prerequisites")
        details = self.find("#goal-details").text
        self.check("Buy running shoes" in details and "Train three times a week" in details,
                   f"prerequisites by title: {details!r}")
        # Keyboard: focus the first goal and press Enter.
        first = self.find(f"#goal-graph g.node[id='goal-{shoes}']")
        self.js("arguments[0].focus()", first)
        first.send_keys(Keys.ENTER)
        self.wait(lambda: "Impact: what it unblocks (2)" in self.find("#goal-details").text,
                  "the first goal's impact, opened with the keyboard")
        self.expect_no_console_errors("the goals graph")
        self.screenshot("goals")

    def memory(self):
        self.open_tab("memory")
        deadline = time.time() + WAIT_S
        while True:
            box = self.find("#memory-query")
            box.clear()
            box.send_keys("stretch", Keys.ENTER)
            try:
                self.wait(lambda: self.find_all("#memory-results tbody tr.hit"), "memory hits", timeout=3)
                break
            except AssertionError:
                if time.time() > deadline:
                    raise
        snippets = [e.text for e in self.find_all("#memory-results tbody tr.hit td.snippet")]
        self.check(any("stretch" in s.lower() for s in snippets), f"a snippet about stretching: {snippets}")
        self.expect_no_console_errors("a memory search")
        self.screenshot("memory")

    def operations_refused_to_a_user(self):
        self.check(not self.visible("tab-operations"), "no operations tab for a user")
        self.driver.get(f"{self.gateway.base}/console#operations")
        self.wait(lambda: self.visible("app"), "the app after a reload")
        self.check(not self.visible("view-operations"), "the operations view is refused to a user")
        api = Api(self.gateway.base, self.token())
        for path in ("/v1/admin/dead-letters", "/v1/admin/prompt-runs"):
            status, answer = api.call("GET", path)
            self.check(status == 403 and answer["error"]["code"] == "forbidden", f"{path} as a user: {status}")
        self.expect_no_console_errors("the refused operations view")

    def operations(self):
        self.find("#sign-out").click()
        self.sign_in("dev-admin", "Operator")
        self.check(self.visible("tab-operations"), "an operator sees the operations tab")
        self.open_tab("operations")
        self.wait(lambda: len(self.find_all("#projections tbody tr")) >= 5, "projection lag rows")
        self.wait(lambda: len(self.find_all("#prompt-runs tbody tr")) >= 1, "recent prompt runs")
        self.wait(lambda: len(self.find_all("#dead-letters tbody tr")) >= 1, "the dead letters table")
        self.wait(lambda: any("projection entity_store" in row.text and "Stable" in row.text
                              for row in self.find_all("#workers tbody tr")), "the entity store's worker instance")
        time.sleep(2.5)  # a second refresh: throughput needs two scrapes
        self.expect_no_console_errors("the operations view")
        self.screenshot("operations")

    def expired_session(self):
        """A token that expired while the tab was closed: the page returns to the sign-in, saying so."""
        claims = self.claims()
        claims["exp"] = int(time.time()) - 60
        encode = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=")
        signing_input = encode(b'{"alg":"HS256","typ":"JWT"}') + b"." + encode(json.dumps(claims).encode())
        signature = hmac.new(os.environ["AIMI_JWT_SECRET"].encode(), signing_input, hashlib.sha256).digest()
        expired = (signing_input + b"." + encode(signature)).decode()
        self.js("sessionStorage.setItem('aimi.console.token', arguments[0])", expired)
        self.driver.refresh()
        self.wait(lambda: self.visible("sign-in") and "session ended" in self.find("#sign-in-error").text,
                  "the sign-in after an expired token")
        errors = [e for e in self.console_errors() if "401" not in e]
        self.check(not errors, f"console errors besides the expected 401: {errors}")

    def run(self):
        self.gateway.start()
        self.page_headers()
        self.driver = self.browser()
        try:
            self.driver.get(f"{self.gateway.base}/console")
            self.labels("sign-in")
            self.expect_no_console_errors("loading the page")
            self.screenshot("sign-in")
            self.sign_in("dev-user", "Dana")
            self.labels("app")
            self.chat()
            self.reconnect()
            self.schedule()
            self.goals()
            self.memory()
            self.operations_refused_to_a_user()
            self.operations()
            self.expired_session()
        finally:
            self.driver.quit()
            self.gateway.stop()
        for failure in self.failures:
            print(f"FAILED: {failure}", file=sys.stderr)
        return 1 if self.failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", required=True, help="the aimi-gateway binary")
    parser.add_argument("--gateway-log", required=True)
    parser.add_argument("--screenshots", required=True, help="folder for the views' PNGs")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    sys.exit(Console(parser.parse_args()).run())


if __name__ == "__main__":
    main()
