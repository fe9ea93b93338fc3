"""The in-memory render cache: found without a file-system call, confirmed by a worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ImageMaker
from portfolio_tui.ui.rendering import RenderCache, Rendered, render_key, render_photo


def test_peek_finds_the_newest_render_for_a_box_without_stat(
    tmp_path: Path, make_image: ImageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = make_image(tmp_path / "a.jpg")
    cache = RenderCache()
    rendered = Rendered(render_key(photo, 10, 5), width=10)
    cache.put(rendered)

    def no_stat(*args: object, **kwargs: object) -> None:
        raise AssertionError("peek must not touch the file system")

    monkeypatch.setattr("os.stat", no_stat)
    assert cache.peek(photo, 10, 5) is rendered
    assert cache.peek(photo, 11, 5) is None


def test_evicted_renders_are_not_peeked(tmp_path: Path, make_image: ImageMaker) -> None:
    first = make_image(tmp_path / "a.jpg")
    second = make_image(tmp_path / "b.jpg")
    cache = RenderCache(max_cells=1)
    cache.put(Rendered(render_key(first, 10, 5), width=10))
    cache.put(Rendered(render_key(second, 10, 5), width=10))
    assert cache.peek(first, 10, 5) is None
    assert cache.peek(second, 10, 5) is not None


def test_a_changed_file_is_drawn_again(tmp_path: Path, make_image: ImageMaker) -> None:
    photo = make_image(tmp_path / "a.jpg", size=(40, 50), color=(0, 200, 0))
    before = render_photo(photo, 10, 5)
    make_image(photo, size=(50, 40), color=(200, 0, 0))  # replaced: other size and shape
    after = render_photo(photo, 10, 5)
    assert after is not before
    assert after.key != before.key
