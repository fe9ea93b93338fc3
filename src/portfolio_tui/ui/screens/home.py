"""Home: the portfolio's title, its galleries with covers, and its comparisons."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...portfolio import Portfolio, not_shown_note
from ...text import clean, count
from ..commands import HOME, bindings
from ..messages import ComparisonChosen, GalleryChosen
from ..navigation import navigation
from ..safe import plain
from ..widgets.bars import KeysFooter, TitleBar
from ..widgets.gallery_card import GalleryCard

CARD_WIDTH = 30


class HomeScreen(Screen[None]):
    """The first screen: pick a gallery or a comparison."""

    BINDINGS = bindings(HOME)

    def __init__(self, portfolio: Portfolio) -> None:
        super().__init__()
        self.portfolio = portfolio

    def compose(self) -> ComposeResult:
        p = self.portfolio
        galleries = len(p.galleries)
        photos = sum(len(g) for g in p.galleries)
        hidden = len(p.not_shown)
        unshown = f" · {not_shown_note(hidden)}" if hidden else ""
        yield TitleBar(
            plain(p.title),
            f"{count(galleries, 'gallery', 'galleries')} · {count(photos, 'photo')} · "
            f"{count(len(p.comparisons), 'comparison')}{unshown}",
        )
        with VerticalScroll(id="home"):
            yield Static(plain(p.title), id="portfolio-title", markup=False)
            if p.photographer:
                yield Static(plain(f"by {p.photographer}"), id="photographer", markup=False)
            yield Static("Galleries", classes="section", markup=False)
            if p.galleries:
                with Grid(id="galleries"):
                    for gallery in p.galleries:
                        yield GalleryCard(gallery)
            elif hidden:
                yield Static(
                    f"No photos shown here: {count(hidden, 'file')} "
                    f"{'is' if hidden == 1 else 'are'} not shown (videos, editors' files "
                    "or another format the app does not show). Run `portfolio-tui check` to "
                    "see each one and what to do.",
                    classes="empty",
                    markup=False,
                )
            else:
                yield Static(
                    "No photos found here. Put photos in folders inside the portfolio "
                    "(one folder per gallery) or list galleries in config.toml.",
                    classes="empty",
                    markup=False,
                )
            if p.comparisons:
                yield Static("Comparisons", classes="section", markup=False)
                yield OptionList(
                    *(
                        Option(
                            Content.assemble(
                                (clean(c.title), "bold"),
                                ("  " + " vs ".join(clean(s.label) for s in c.sides), "dim"),
                            ),
                            id=c.id,
                        )
                        for c in p.comparisons
                    ),
                    id="comparisons",
                )
            if p.config.credits:
                yield Static(
                    Content("\n").join(plain(line) for line in p.config.credits),
                    id="credits",
                    markup=False,
                )
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fit_columns()
        cards = self.query(GalleryCard)
        if cards:
            cards.first().focus()

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        grids = self.query("#galleries")
        if grids:
            width = self.size.width - 4
            columns = max(1, min(len(self.portfolio.galleries), width // CARD_WIDTH))
            grid = grids.first(Grid)
            grid.styles.grid_size_columns = columns
            rows = -(-len(self.portfolio.galleries) // columns)
            grid.styles.height = rows * 18

    @on(OptionList.OptionSelected, "#comparisons")
    def _comparison_selected(self, event: OptionList.OptionSelected) -> None:
        comparison = self.portfolio.comparison(event.option.id or "")
        if comparison is not None:
            self.post_message(ComparisonChosen(comparison))

    def on_gallery_chosen(self, message: GalleryChosen) -> None:
        message.stop()
        navigation(self.app).open_gallery(message.gallery)

    def on_comparison_chosen(self, message: ComparisonChosen) -> None:
        message.stop()
        navigation(self.app).open_comparison(message.comparison)
