"""Issue 21, item 4: markup in a file name never reaches a notice as markup.

A photo named ``19-[@click=app.screenshot("pwn.svg","..")]CLICK.jpg`` made the "Cover of ..."
notice a link that wrote an SVG outside the portfolio, and ``18-[a=b=c]crash.jpg`` crashed the
app. Every notice shows outside text literally, whoever calls ``notify``; and a scan of the UI
source fails on any ``notify(`` whose message is built from values with markup left on.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets._toast import Toast
from ui_support import screen_lines, settle

import portfolio_tui
from conftest import ImageMaker
from portfolio_tui.portfolio import open_portfolio
from portfolio_tui.ui.app import PortfolioApp

SIZE = (120, 34)
LINK_NAME = '19-[@click=app.screenshot("pwn.svg","..")]CLICK.jpg'
CRASH_NAME = "18-[a=b=c]crash.jpg"


def portfolio_with(tmp_path: Path, make_image: ImageMaker, name: str, folder: str = "g") -> Path:
    root = tmp_path / "p"
    make_image(root / folder / name)
    return root


def toasts(app: PortfolioApp) -> list[Toast]:
    return list(app.screen.query(Toast))


def toast_content(toast: Toast) -> Content:
    content = toast.render()
    assert isinstance(content, Content)
    return content


def actions_in(content: Content) -> list[object]:
    """Every click action or link a piece of content carries."""
    found: list[object] = []
    for span in content.spans:
        style = span.style
        if isinstance(style, str):
            if "@click" in style or "link" in style:
                found.append(style)
            continue
        meta = getattr(style, "meta", None) or {}
        if "@click" in meta:
            found.append(meta["@click"])
        link = getattr(style, "link", None)
        if link:
            found.append(link)
    return found


async def test_a_link_in_a_file_name_is_text_in_the_cover_notice_and_clicking_writes_nothing(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = portfolio_with(tmp_path, make_image, LINK_NAME)
    # The link's ".." is relative to the working folder: put that inside tmp_path.
    cwd = tmp_path / "work" / "here"
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g", watch_curation=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        shown = [toast_content(t) for t in toasts(app)]
        covers = [c for c in shown if "Cover of" in c.plain]
        assert covers, [c.plain for c in shown]
        assert f"Cover of G: {LINK_NAME}" in covers[0].plain
        assert actions_in(covers[0]) == []
        # Click where the name is drawn (the link's text), as a user would.
        lines = screen_lines(app)
        row = max(y for y, line in enumerate(lines) if "CLICK.jpg" in line)
        column = lines[row].index("CLICK.jpg")
        assert await pilot.click(offset=(column + 1, row))
        await settle(pilot)
        assert app.is_running
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.svg")) == []


async def test_a_tag_like_file_name_in_the_cover_notice_does_not_crash(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    root = portfolio_with(tmp_path, make_image, CRASH_NAME)
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g", watch_curation=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert app.is_running
        plain = [toast_content(t).plain for t in toasts(app)]
        assert any(f"Cover of G: {CRASH_NAME}" in text for text in plain), plain
    assert app.return_code in (None, 0)


async def test_a_gallery_title_with_markup_is_text_in_the_cover_notice(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    """The gallery's title (from config, or its folder) is outside text too."""
    root = tmp_path / "p"
    make_image(root / "shots" / "a.jpg")
    (root / "config.toml").write_text(
        '[portfolio]\ntitle = "t"\n[[galleries]]\nid = "g"\nfolder = "shots"\n'
        'title = "[@click=app.quit]Studio [b]x"\n',
        encoding="utf-8",
    )
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g", watch_curation=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        covers = [c for c in map(toast_content, toasts(app)) if "Cover of" in c.plain]
        assert covers
        assert "Cover of [@click=app.quit]Studio [b]x: a.jpg" in covers[0].plain
        assert actions_in(covers[0]) == []


async def test_no_notice_parses_markup_whoever_sends_it(
    tmp_path: Path, make_image: ImageMaker
) -> None:
    """Screens call ``self.notify`` (markup on by Textual's default): the app turns it off."""
    root = portfolio_with(tmp_path, make_image, "a.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g", watch_curation=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.screen.notify("[@click=app.quit]screen [b]x")
        app.notify("[@click=app.quit]app [b]y", markup=True)
        await pilot.pause(0.1)
        shown = [toast_content(t) for t in toasts(app)]
        plains = [c.plain for c in shown]
        assert "[@click=app.quit]screen [b]x" in plains
        assert "[@click=app.quit]app [b]y" in plains
        assert all(actions_in(c) == [] for c in shown)


async def test_ctrl_c_still_says_how_to_quit(tmp_path: Path, make_image: ImageMaker) -> None:
    """Textual's own hint was markup ("Press [b]q[/b]"): it reads as plain words here."""
    root = portfolio_with(tmp_path, make_image, "a.jpg")
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g", watch_curation=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause(0.1)
        plains = [toast_content(t).plain for t in toasts(app)]
        assert any("to quit" in p for p in plains), plains
        assert not any("[b]" in p for p in plains), plains


async def test_no_link_can_make_the_app_write_a_screenshot(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second line of defence: Textual's screenshot action itself writes nothing here."""
    root = portfolio_with(tmp_path, make_image, "a.jpg")
    monkeypatch.chdir(tmp_path)
    app = PortfolioApp(open_portfolio(root), open_target="gallery:g", watch_curation=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.run_action(f'app.screenshot("pwn.svg", "{tmp_path}")')
        await app.run_action("app.screenshot()")
        await pilot.pause(0.1)
        assert app.is_running
    assert list(tmp_path.rglob("*.svg")) == []


# -- the source scan -------------------------------------------------------------------------

TEXT_WIDGETS = {"Static", "Label"}
"""Textual widgets that read a ``str`` (at construction or in ``update``) as markup by default."""
TITLES = {"border_title", "border_subtitle", "tooltip"}
"""Attributes Textual reads as markup when given a ``str``."""
SAFE_MAKERS = {"plain", "plain_block", "Content"}
"""Calls that make ``Content`` from outside text, which is never parsed (ui/safe.py)."""


def _markup_off(call: ast.Call) -> bool:
    return any(
        keyword.arg == "markup"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is False
        for keyword in call.keywords
    )


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _literal(node: ast.expr) -> bool:
    """A string fixed in the source: the same on every run, so never outside text."""
    if isinstance(node, ast.IfExp):
        return _literal(node.body) and _literal(node.orelse)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _content(node: ast.expr) -> bool:
    """``plain(...)``, ``Content(...)``, ``Content.styled(...)``: text that is never markup."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return _name(func) in SAFE_MAKERS


def text_widgets(sources: list[str]) -> set[str]:
    """Static, Label, and classes in ``sources`` built on them that do not turn markup off."""
    widgets = set(TEXT_WIDGETS)
    classes = [
        node
        for source in sources
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef)
    ]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            if cls.name in widgets or not any(_name(b) in widgets for b in cls.bases):
                continue
            own_off = any(
                isinstance(node, ast.Call) and _name(node.func) == "__init__" and _markup_off(node)
                for node in ast.walk(cls)
            )
            if not own_off:
                widgets.add(cls.name)
                grew = True
    return widgets


def unsafe_sinks(source: str, widgets: set[str] = TEXT_WIDGETS) -> list[int]:
    """Lines where text made at run time can reach Textual as markup.

    - ``notify(message, ...)``: a message that is not a string literal (an f-string, a
      variable, a call) may hold a file name, a title or an error text, so the call must say
      ``markup=False`` (the app's ``notify`` ignores markup anyway; this keeps every call
      explicit, so a screen that bypasses the app is safe too);
    - ``Static(...)``, ``Label(...)`` and widgets built on them: ``markup=False`` always, since
      a later ``update(str)`` is read with the markup setting given here;
    - ``border_title``, ``border_subtitle``, ``tooltip`` and an ``OptionList``'s ``Option``
      prompt: a literal or ``Content`` only.
    """
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                titled = isinstance(target, ast.Attribute) and target.attr in TITLES
                if titled and not (_literal(node.value) or _content(node.value)):
                    found.append(node.lineno)
            continue
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in widgets and not _markup_off(node):
            found.append(node.lineno)
        if (
            name == "Option"
            and node.args
            and not (_literal(node.args[0]) or _content(node.args[0]))
        ):
            found.append(node.lineno)
        if name != "notify":
            continue
        message: ast.expr | None = node.args[0] if node.args else None
        for keyword in node.keywords:
            if keyword.arg == "message":
                message = keyword.value
        if message is None:
            continue  # e.g. a Condition's notify()
        literal = isinstance(message, ast.Constant) and isinstance(message.value, str)
        if not literal and not _markup_off(node):
            found.append(node.lineno)
    return found


def test_the_scan_finds_what_it_looks_for() -> None:
    unsafe = (
        'self.notify(f"Cover of {clean(title)}: {clean(photo.name)}", timeout=2)',
        "self.app.notify(message)",
        'self.notify("Undone: " + label, markup=True)',
        'self.portfolio_app.notify(f"x {y}" if y else "z", timeout=2)',
        "self.notify(message=text, severity='error')",
        "self.notify(text, markup=flag)",
        'yield Static("Galleries", classes="section")',
        "yield Static(plain(title))",
        "yield Label(name)",
        "self.border_title = title",
        'self.border_subtitle = f"{n} photos"',
        "widget.tooltip = photo.name",
        "Option(clean(c.title), id=c.id)",
    )
    safe = (
        'self.notify("Reorder with no filter", timeout=3)',
        'self.notify(f"Cover of {clean(title)}", markup=False, timeout=2)',
        "self.app.notify(clean(message), severity='error', markup=False)",
        "self._lock.notify()",
        "yield Static(plain(title), markup=False)",
        'yield Label("Tags", markup=False)',
        'self.border_title = "Notes (view only)" if read_only else "Notes"',
        "self.border_title = plain(gallery.title)",
        'widget.tooltip = Content.styled(clean(name), "bold")',
        'Option(Content.assemble((clean(c.title), "bold")), id=c.id)',
    )
    for line in unsafe:
        assert unsafe_sinks(line) == [1], line
    for line in safe:
        assert unsafe_sinks(line) == [], line
    # The line item 4 of issue 21 found, as it was in gallery.py.
    old = (
        "def action_set_cover(self):\n"
        '    self.notify(f"Cover of {clean(self.gallery.title)}: {clean(photo.name)}", timeout=2)\n'
    )
    assert unsafe_sinks(old) == [2]
    # A widget built on Static is a text widget too, unless it turns markup off itself.
    panel = "class Panel(Static):\n    pass\n"
    off = "class Table(Static):\n    def __init__(self):\n        super().__init__(markup=False)\n"
    widgets = text_widgets([panel, off])
    assert "Panel" in widgets and "Table" not in widgets
    assert unsafe_sinks('yield Panel(id="info")', widgets) == [1]
    assert unsafe_sinks('yield Table(id="diff")', widgets) == []


def test_no_outside_text_reaches_textual_as_markup_anywhere_in_the_source() -> None:
    """Every notice, text widget and border title in the app is plain text (docs/ssh.md)."""
    folder = Path(portfolio_tui.__file__).parent
    paths = sorted(folder.rglob("*.py"))
    assert len(paths) > 20
    sources = {path: path.read_text(encoding="utf-8") for path in paths}
    widgets = text_widgets(list(sources.values()))
    assert len(widgets) > len(TEXT_WIDGETS)  # the app's own widgets built on Static count too
    found = [
        f"{path.relative_to(folder)}:{line}"
        for path, source in sources.items()
        for line in unsafe_sinks(source, widgets)
    ]
    assert found == []
