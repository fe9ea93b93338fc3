"""lru.LRU: the one bounded cache every in-memory picture cache is built on."""

from __future__ import annotations

from portfolio_tui.lru import LRU


def test_least_recently_used_goes_first_past_the_bound() -> None:
    cache: LRU[str, str] = LRU(10, cost=len)
    cache.put("a", "aaaa")
    cache.put("b", "bbbb")
    assert cache.get("a") == "aaaa"  # now b is the oldest
    cache.put("c", "cccc")
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == ("aaaa", "cccc")
    assert cache.total == 8


def test_one_entry_bigger_than_the_bound_is_still_kept() -> None:
    cache: LRU[str, str] = LRU(2, cost=len)
    cache.put("x", "xxxxx")
    assert cache.get("x") == "xxxxx" and len(cache) == 1


def test_newest_per_box_is_found_and_forgotten_with_its_entry() -> None:
    cache: LRU[tuple[str, int], str] = LRU(2, box=lambda key: key[0])
    cache.put(("p", 1), "old")
    cache.put(("p", 2), "new")
    assert cache.newest("p") == "new"
    cache.put(("q", 1), "q")  # evicts ("p", 1), not the newest of p
    assert cache.newest("p") == "new"
    cache.put(("r", 1), "r")  # evicts ("p", 2): p has nothing left
    assert cache.newest("p") is None


def test_matching_finds_every_entry_a_predicate_accepts() -> None:
    cache: LRU[tuple[str, int], int] = LRU(10)
    for i in range(3):
        cache.put(("a", i), i)
    cache.put(("b", 0), 9)
    assert cache.matching(lambda key: key[0] == "a") == [0, 1, 2]
    cache.clear()
    assert len(cache) == 0 and cache.total == 0
