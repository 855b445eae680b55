"""Remove what exports add to notes but the student never wrote.

Cleaning blanks lines rather than deleting them, so every line that remains
keeps its number in the original file and citations stay true.
"""

from __future__ import annotations

import re

# Notion exports start with the page's property names, bare or as "key: value".
_NOTION_PROPERTIES = frozenset(
    [
        "type",
        "status",
        "date",
        "slug",
        "summary",
        "tags",
        "tag",
        "category",
        "icon",
        "password",
        "title",
        "created",
        "updated",
        "author",
        "cover",
    ]
)
_PROPERTY_LINE = re.compile(r"^\s*([A-Za-z_]+)\s*(?:[:：].*)?$")

# WordPress's sample post and page, left in many blog exports.
_WORDPRESS = re.compile(
    r"^\s*[•*-]?\s*(世界[,，]\s*您好[!！]?|Hello world!?|"
    r"欢迎使用\s*WordPress.*|Welcome to WordPress\..*|这是示范页面.*)\s*$",
    re.IGNORECASE,
)

# Blog footers: author / link / licence lines, reposting disclaimers.
_FOOTER = re.compile(
    r"^\s*[-•*]?\s*(作者|链接|声明|原文链接|版权声明|本文链接)\s*[:：]|"
    r"本文来自互联网用户投稿|转载请注明出处|本站仅提供信息存储空间"
)

# A scraped list of unrelated articles that many blog pages end with.
_RELATED_HEADER = re.compile(
    r"^\s*(相关文章|相关推荐|推荐阅读|猜你喜欢|Related posts?)\s*[:：]?\s*$", re.I
)


def clean_lines(lines: list[str]) -> list[str]:
    """``lines`` with export boilerplate blanked (same length, same order)."""
    cleaned = list(lines)
    _blank_notion_header(cleaned)
    _blank_related_tail(cleaned)
    for i, line in enumerate(cleaned):
        if _WORDPRESS.match(line) or _FOOTER.search(line):
            cleaned[i] = ""
    return cleaned


def _blank_notion_header(lines: list[str]) -> None:
    """Blank the leading run of property lines, if it looks like a property
    block: at least three of them, before any other text."""
    run: list[int] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        match = _PROPERTY_LINE.match(line)
        if not match or match.group(1).lower() not in _NOTION_PROPERTIES:
            break
        run.append(i)
    if len(run) >= 3:
        for i in run:
            lines[i] = ""


def _blank_related_tail(lines: list[str]) -> None:
    """Blank a "related articles" list, but only in the last third of the
    file, where scrapers put it; earlier, such a header is the author's."""
    start = len(lines) * 2 // 3
    for i in range(start, len(lines)):
        if _RELATED_HEADER.match(lines[i]):
            for j in range(i, len(lines)):
                lines[j] = ""
            return
