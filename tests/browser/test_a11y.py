"""Checks beyond axe: what a BITV test finds and automated rules do not see.

- **Focus visible** (WCAG 2.4.7): on every page of the access matrix and on the learner's page states,
  Tab walks through every focus stop (header, navigation and footer once per role, then the ``main``
  of each page). Each stop must show an indicator: a computed outline of at least
  2 px or a focus shadow, and every *kind* of stop (tag, classes, type, role, landmark; every scroll
  region) is also measured by pixels: a screenshot around it with focus and one without, and enough
  changed pixels with a contrast of at least 3:1 between the two states (WCAG 1.4.11).
- **Text spacing** (WCAG 1.4.12): on the same pages, with the spacing a user may set, no text is cut off
  by a box that hides overflow, and the page does not scroll sideways.
- **Reflow** (WCAG 1.4.10): every module of every course at 320 CSS px (= 400 % zoom of 1280 px),
  without sideways scrolling; content tables in a focusable scroll region with a name, caption and scope.
  (Every page of the access matrix is opened at 320 px by test_pages.py.)
- **Language of parts** (WCAG 3.1.2): on English pages, course content carries ``lang="de"``; English
  phrases inside German modules carry ``lang="en"``.
- **Timing adjustable** (WCAG 2.2.1): the idle-timeout warning comes at least 20 s before the end, takes
  the focus, is an alert dialog, and "stay logged in" works with the keyboard; the quiz states the limit.
- **Errors**: the error summary takes focus; a checkbox with an error is ``aria-invalid``; quiz hints are
  tied to their question.

Counts go to the terminal summary ("beyond axe: …").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import MANDATORY_COURSE, LiveServer, count, login
from tests.browser.test_pages import PAGES

# --------------------------------------------------------------------------------------------------
# focus visibility by pixel comparison

#: pixels around an element's box that an indicator (outline, offset, shadow) may occupy
PAD = 8
#: band inside the box also looked at (a border or background change shows there)
INNER = 6
#: an indicator must change at least this share of the box's visible perimeter, each pixel by >= 3:1
MIN_PERIMETER_SHARE = 0.5
#: most focus stops walked on one page (a long list is sampled by its kind anyway)
MAX_STOPS = 120

_LINEAR = [((c / 255) / 12.92) if c / 255 <= 0.04045 else (((c / 255) + 0.055) / 1.055) ** 2.4 for c in range(256)]


def _luminance(rgb: tuple[int, ...]) -> float:
    r, g, b = rgb[:3]
    return 0.2126 * _LINEAR[r] + 0.7152 * _LINEAR[g] + 0.0722 * _LINEAR[b]


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG contrast ratio of two colours (1.0 … 21.0)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


_DESCRIBE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  window.__seen = window.__seen || new WeakSet();
  const again = window.__seen.has(el);
  window.__seen.add(el);
  window.__current = el;
  el.scrollIntoView({block: 'nearest', inline: 'nearest', behavior: 'instant'});  // KERN scrolls smoothly
  const r = el.getBoundingClientRect();
  const cs = getComputedStyle(el);
  const landmark = el.closest('header, nav, main, footer, dialog');
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
  const shadow = !!cs.boxShadow && cs.boxShadow !== 'none';
  const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\\s+/g, ' ');
  return {
    again: again, inMain: !!el.closest("main"),
    kind: [el.tagName, [...el.classList].sort().join('.'), el.getAttribute('type') || '',
           el.getAttribute('role') || '', el.hasAttribute('tabindex') ? 'tabindex' : '',
           landmark ? landmark.tagName : ''].join('|'),
    region: el.getAttribute('role') === 'region',
    styled: outline || shadow,
    x: r.x, y: r.y, w: r.width, h: r.height, vw: window.innerWidth, vh: window.innerHeight,
    name: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + text.slice(0, 40) + '"',
  };
}"""


def _box(page: Page) -> tuple[float, float, float, float]:
    """The focused element's box now (after the page has settled)."""
    r = page.evaluate("() => { const r = window.__current.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }")
    return (r[0], r[1], r[2], r[3])


@dataclass
class Stop:
    name: str
    kind: str
    region: bool
    styled: bool
    box: tuple[float, float, float, float]
    viewport: tuple[int, int]


def _ring(width: int, height: int, box: tuple[int, int, int, int]):
    """Pixel coordinates of the clip outside the box shrunk by INNER (the indicator's band)."""
    left, top, right, bottom = box[0] + INNER, box[1] + INNER, box[2] - INNER, box[3] - INNER
    for y in range(height):
        if y < top or y >= bottom or right <= left:
            yield from ((x, y) for x in range(width))
        else:
            yield from ((x, y) for x in range(0, min(left, width)))
            yield from ((x, y) for x in range(max(right, 0), width))


def measure(page: Page, stop: Stop) -> tuple[int, int, float]:
    """(pixels changed by >= 3:1, pixels needed, best contrast) for the focused element ``stop``."""
    x, y, w, h = stop.box
    vw, vh = stop.viewport
    x0, y0 = max(0, math.floor(x - PAD)), max(0, math.floor(y - PAD))
    x1, y1 = min(vw, math.ceil(x + w + PAD)), min(vh, math.ceil(y + h + PAD))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return 0, 1, 1.0  # not on screen: reported as a failure
    clip = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
    focused = Image.open(BytesIO(page.screenshot(clip=clip, animations="disabled"))).convert("RGB")
    page.evaluate("() => window.__current.blur()")
    plain = Image.open(BytesIO(page.screenshot(clip=clip, animations="disabled"))).convert("RGB")
    page.evaluate("() => window.__current.focus()")
    a, b = focused.load(), plain.load()
    box = (round(x - x0), round(y - y0), round(x + w - x0), round(y + h - y0))
    changed, best = 0, 1.0
    for px in _ring(x1 - x0, y1 - y0, box):
        if a[px] != b[px]:
            ratio = contrast(a[px], b[px])
            best = max(best, ratio)
            if ratio >= 3:
                changed += 1
    visible_w, visible_h = min(w, x1 - x0), min(h, y1 - y0)
    needed = max(8, int(MIN_PERIMETER_SHARE * 2 * (visible_w + visible_h)))
    return changed, needed, best


@pytest.fixture(scope="module")
def measured_kinds() -> set[str]:
    """Kinds of focus stops already measured by pixels in this run (each kind once; regions always)."""
    return set()


@pytest.fixture
def check_focus(measured_kinds: set[str]) -> Callable[..., list[str]]:
    """``check_focus(page, label)``: Tab through the page from where focus is; every stop visible."""

    def run(page: Page, label: str, *, start_at_top: bool = True, main_only: bool = False) -> list[str]:
        """``main_only``: from the start of ``main`` to its end (header, navigation and footer are the
        same on every page of a role: walked once per role)."""
        if main_only:
            page.evaluate("() => { window.scrollTo(0, 0); document.querySelector('main').focus({preventScroll: true}); }")
        elif start_at_top:
            page.evaluate("() => { window.scrollTo(0, 0); document.activeElement && document.activeElement.blur(); }")
        problems: list[str] = []
        stops = 0
        for _ in range(MAX_STOPS):
            page.keyboard.press("Tab")
            info: dict[str, Any] | None = page.evaluate(_DESCRIBE)
            if info is None or info["again"] or (main_only and not info["inMain"]):
                break
            stops += 1
            stop = Stop(info["name"], info["kind"], info["region"], info["styled"],
                        (info["x"], info["y"], info["w"], info["h"]), (info["vw"], info["vh"]))
            if stop.region or stop.kind not in measured_kinds or not stop.styled:
                measured_kinds.add(stop.kind)
                changed, needed, best = measure(page, stop)
                if changed < needed:
                    # a loaded machine may shoot while the page still scrolls (KERN scrolls smoothly):
                    # settle, take the box again and measure once more; a missing indicator fails twice
                    page.wait_for_timeout(300)
                    stop.box = _box(page)
                    changed, needed, best = measure(page, stop)
                count("focus stops measured by pixels")
                if changed < needed:
                    problems.append(f"{label}: {stop.name} ({stop.kind}): {changed} px changed by >= 3:1 "
                                    f"around it, {needed} needed (best contrast {best:.1f}:1)")
        count("focus stops walked", stops)
        count("page states tabbed")
        assert stops > 0 or main_only, f"{label}: no focus stop at all on {page.url}"
        return problems

    return run


#: WCAG 1.4.12: the text spacing a user may set (line height 1.5, paragraphs 2, letters .12, words .16 em)
_TEXT_SPACING = """() => {
  const style = document.createElement('style');
  style.textContent = '* { line-height: 1.5 !important; letter-spacing: .12em !important; '
    + 'word-spacing: .16em !important; } p { margin-bottom: 2em !important; }';
  document.head.appendChild(style);
  const cut = [];
  // form fields scroll their own text (a select is as wide as its longest option): not layout boxes
  for (const el of document.querySelectorAll('body *:not(select, input, textarea, option)')) {
    const cs = getComputedStyle(el);
    if (!/hidden|clip/.test(cs.overflowX + cs.overflowY) || el.closest('.kern-sr-only')) continue;
    if (el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2) {
      cut.push(el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' "' + el.textContent.trim().slice(0, 40) + '"');
    }
  }
  const page = [document.documentElement.scrollWidth, document.documentElement.clientWidth];
  style.remove();
  return {cut: cut.slice(0, 5), wide: page[0] > page[1] ? page : null};
}"""


def _html_pages() -> list[tuple[str, str]]:
    return [(path, role) for path, role in PAGES if not path.split("?")[0].endswith((".json", ".csv", ".pdf", ".xlsx"))]


def test_focus_is_visible_on_every_page_of_the_matrix(page, page_as, check_focus) -> None:
    by_role: dict[str, Page] = {"anonymous": page}
    walked: set[str] = set()
    problems: list[str] = []
    for path, role in _html_pages():
        target = by_role.get(role) or by_role.setdefault(role, page_as(role))
        response = target.goto(path)
        assert response is not None and response.status < 500, (path, response and response.status)
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue  # a download: no page to tab through
        problems += check_focus(target, f"{role} {path}", main_only=role in walked)
        walked.add(role)
        spacing = target.evaluate(_TEXT_SPACING)
        count("page states with text spacing (1.4.12)")
        if spacing["cut"] or spacing["wide"]:
            problems.append(f"{role} {path}: with more text spacing, text is cut {spacing['cut']} "
                            f"or the page scrolls sideways {spacing['wide']}")
    assert not problems, "focus not visible or text spacing breaks:\n" + "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# every module of every course at 320 px; content tables as named, focusable regions

@dataclass
class CourseModules:
    slug: str
    title: str
    modules: list[str]


def _courses(server: LiveServer) -> list[CourseModules]:
    from sqlalchemy import select

    from lms import db
    from lms.catalog.models import Course

    with server.app_context():
        courses = db.session.scalars(select(Course).where(Course.current_version_id.is_not(None))
                                     .order_by(Course.slug)).all()
        return [CourseModules(c.slug, c.current_version.title, [m.title for m in c.current_version.modules])
                for c in courses]


#: the innermost elements reaching past the right edge (for the failure message)
_TOO_WIDE = """() => {
  const w = document.documentElement.clientWidth;
  const wide = e => e.getBoundingClientRect().right > w + 1;
  return [...document.querySelectorAll('main *')].filter(e => wide(e) && ![...e.children].some(wide))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + ' "' + e.textContent.trim().slice(0, 60) + '"');
}"""

_TABLE_REGIONS = """() => [...document.querySelectorAll('.module-content table')].map(t => {
  const box = t.closest('.kern-table-responsive');
  const labelled = box && document.getElementById(box.getAttribute('aria-labelledby') || '');
  return {
    boxed: !!box, tabindex: box && box.getAttribute('tabindex'), role: box && box.getAttribute('role'),
    name: labelled ? labelled.textContent.trim() : '', caption: !!t.querySelector('caption'),
    unscoped: t.querySelectorAll('th:not([scope])').length,
    scrolls: box ? box.scrollWidth > box.clientWidth : false,
  };
})"""


def test_every_module_of_every_course_reflows_at_320_px(live_server: LiveServer, new_context, fresh_account,
                                                        check_focus, axe) -> None:
    courses = _courses(live_server)
    assert len(courses) >= 7 and sum(len(c.modules) for c in courses) >= 30  # every course imported
    page = new_context(viewport={"width": 320, "height": 720}).new_page()
    login(page, fresh_account("author"))
    tables = scrolling = 0
    problems: list[str] = []
    for course in courses:
        for position in range(1, len(course.modules) + 1):
            response = page.goto(f"/schulungen/{course.slug}/module/{position}")
            assert response is not None and response.ok, (course.slug, position)
            count("module pages at 320 px")
            sizes = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if sizes[0] > sizes[1]:
                problems.append(f"{course.slug} module {position}: content {sizes[0]} px in {sizes[1]} px: "
                                f"{page.evaluate(_TOO_WIDE)}")
            for table in page.evaluate(_TABLE_REGIONS):
                tables += 1
                scrolling += table["scrolls"]
                if not (table["boxed"] and table["tabindex"] == "0" and table["role"] == "region"
                        and table["name"] and table["caption"] and not table["unscoped"]):
                    problems.append(f"{course.slug} module {position}: table not in a named region: {table}")
            if page.locator(".module-content table").count() and tables <= 1:
                axe(page, f"{course.slug} module {position} at 320 px")
                problems += check_focus(page, f"{course.slug} module {position} at 320 px")
    count("content tables in a region", tables)
    assert not problems, "\n".join(problems)
    assert tables >= 8 and scrolling >= 1, (tables, scrolling)


# --------------------------------------------------------------------------------------------------
# the learner's states: module with table, acknowledgement error, quiz (radios), English pages

def _start_quiz(page: Page, slug: str = MANDATORY_COURSE) -> None:
    page.goto(f"/schulungen/{slug}")
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/schulungen/versuch/\d+$"))


def test_learner_states_focus_errors_and_quiz(live_server: LiveServer, new_context, fresh_account, check_focus,
                                              axe) -> None:
    page = new_context().new_page()
    login(page, fresh_account("author"))
    problems: list[str] = []

    page.goto("/schulungen/rechtsrahmen-ki-verordnung/module/1")  # a table and an English phrase
    problems += check_focus(page, "module with a table")
    page.goto(f"/schulungen/{MANDATORY_COURSE}")
    problems += check_focus(page, "course page")

    # the guideline's acknowledgement, sent without the box: the summary takes focus, the box is invalid
    page.goto(f"/schulungen/{MANDATORY_COURSE}/module/6")
    page.get_by_role("button", name="Bestätigen und weiter").click()
    expect(page.locator("#error-summary")).to_be_focused()
    box = page.locator("main input[type=checkbox]")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_attribute("aria-describedby", re.compile("error"))
    problems += check_focus(page, "acknowledgement missing", start_at_top=False)

    _start_quiz(page)
    expect(page.locator("main")).to_contain_text("Nach 30 Minuten ohne Aktivität werden Sie")
    fieldsets = page.locator("main fieldset")
    for i in range(fieldsets.count()):
        hint_id = fieldsets.nth(i).get_attribute("aria-describedby")
        assert hint_id, "quiz question without a described-by hint"
        expect(page.locator(f"#{hint_id}")).to_have_text(re.compile("richtig"))
    problems += check_focus(page, "quiz")
    assert not problems, "focus not visible:\n" + "\n".join(problems)


_LANG_OF = "(el) => (el.closest('[lang]') || document.documentElement).getAttribute('lang')"

_CONTENT_LANGS = """(titles) => {
  const wanted = new Set(titles);
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    const text = el.textContent.trim().replace(/\\s+/g, ' ');
    if (!wanted.has(text)) continue;
    if ([...el.children].some(c => c.textContent.trim().replace(/\\s+/g, ' ') === text)) continue;
    out.push([text, (el.closest('[lang]') || document.documentElement).getAttribute('lang')]);
  }
  return out;
}"""


def test_course_content_is_marked_german_on_english_pages(live_server: LiveServer, new_context, fresh_account,
                                                          axe) -> None:
    courses = {c.slug: c for c in _courses(live_server)}
    page = new_context().new_page()
    login(page, fresh_account("author"))
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    titles = [c.title for c in courses.values()] + [m for c in courses.values() for m in c.modules]
    checked = 0
    for path in ("/schulungen", f"/schulungen/{MANDATORY_COURSE}", "/schulungen/rechtsrahmen-ki-verordnung",
                 "/schulungen/rechtsrahmen-ki-verordnung/module/1"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        found = page.evaluate(_CONTENT_LANGS, titles)
        assert found, f"no course title found on {path}"
        wrong = [text for text, lang in found if lang != "de"]
        assert not wrong, f"{path}: course text without lang=de on an English page: {wrong}"
        checked += len(found)
    # the module text is German, its English phrases English
    article = page.locator("article.module-content")
    assert article.evaluate(_LANG_OF) == "de"
    omnibus = article.locator('span[lang="en"]', has_text="Digital Omnibus").first
    expect(omnibus).to_be_visible()
    axe(page, "module in the English UI")

    _start_quiz(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    prompts = page.locator(".quiz-question__prompt")
    labels = page.locator("main .kern-form-check label")
    for locator in (prompts, labels):
        assert locator.count() > 0
        langs = set(locator.evaluate_all(f"els => els.map({_LANG_OF})"))
        assert langs == {"de"}, langs
        checked += locator.count()
    assert page.locator(".quiz-question__number").first.evaluate(_LANG_OF) == "en"
    axe(page, "quiz in the English UI")
    count("content elements with lang checked on English pages", checked)


# --------------------------------------------------------------------------------------------------
# the idle-timeout warning (WCAG 2.2.1)

def test_timeout_warning_in_time_announced_and_extendable_by_keyboard(new_context, fresh_account, axe,
                                                                     check_focus) -> None:
    context = new_context()
    page = context.new_page()
    page.clock.install()
    login(page, fresh_account("author"))
    page.goto(f"/schulungen/{MANDATORY_COURSE}")
    body = page.locator("body")
    idle = int(body.get_attribute("data-session-idle") or 0)
    warn = int(body.get_attribute("data-session-warn") or 0)
    assert idle == 30 * 60 and 20 <= warn < idle, (idle, warn)
    dialog = page.locator("#session-warning")
    expect(dialog).to_have_attribute("role", "alertdialog")

    page.clock.fast_forward((idle - warn - 5) * 1000)
    expect(dialog).to_be_hidden()
    page.clock.fast_forward(10_000)
    expect(dialog).to_be_visible()
    stay = page.get_by_role("button", name="Angemeldet bleiben")
    expect(stay).to_be_focused()  # announced: focus moves into the alert dialog, named and described
    expect(page.get_by_role("alertdialog", name="Ihre Sitzung läuft bald ab")).to_be_visible()
    expect(dialog).to_contain_text(re.compile(r"um \d{1,2}:\d{2} Uhr abgemeldet"))
    axe(page, "session timeout warning")
    problems = check_focus(page, "timeout warning", start_at_top=False)
    stay.focus()
    # (expect_response and response bodies never arrive while the fake clock is installed: status only)
    extended: list[Any] = []
    page.on("response", lambda r: extended.append(r) if r.url.endswith("/sitzung/verlaengern") else None)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert [r.status for r in extended] == [200]

    # the next warning can be dismissed with Escape; without extending, the session then ends
    page.clock.fast_forward((idle - warn + 2) * 1000)
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward(warn * 1000)
    expect(page.get_by_role("alertdialog")).to_contain_text("Ihre Sitzung ist abgelaufen")
    expect(page.get_by_role("button", name="Erneut anmelden")).to_be_focused()
    assert not problems, "\n".join(problems)
