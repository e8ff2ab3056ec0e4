"""The Pagefind service client: pages sent ahead of their answers, with the real Pagefind."""

from __future__ import annotations

import pytest

from sitegen.render.pagefind_service import AHEAD, PagefindService
from sitegen.render.search import deterministic

PAGE = '<html lang="zh-CN"><body><main data-pagefind-body><h1>第{0:05d}号项目运行经费</h1><p>培训人次{0}</p></main></body></html>'


def pages(count: int):
    return [(f"/p{n:05d}/", PAGE.format(n)) for n in range(count)]


def bundle_one_by_one(count: int) -> dict[str, bytes]:
    with PagefindService() as service:
        for url, html in pages(count):
            service.send(service.add_file(url, html))
        return deterministic(service.files())


def test_pages_sent_ahead_make_the_index_of_pages_sent_one_by_one():
    count = AHEAD * 3 + 5  # more than can be in flight at once
    with PagefindService() as service:
        assert service.add_pages(iter(pages(count))) == count
        ahead = deterministic(service.files())
    assert ahead == bundle_one_by_one(count)


def test_an_error_while_reading_the_pages_stops_the_indexing_and_is_raised():
    def failing():
        yield from pages(3)
        raise OSError("磁盘读取失败")

    with PagefindService() as service:
        with pytest.raises(OSError, match="磁盘读取失败"):
            service.add_pages(failing())
        assert service.add_pages(iter(pages(2))) == 2  # the answers of the three were all read
