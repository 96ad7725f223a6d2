"""The pairs the Datasette benchmark asks: each page as the project asks it and as Datasette does,
with the same rows in the same order, and the parameter sets each is asked with, read from the
SQLite file. Every parameter set is a distinct real query, so that no request is a cache hit."""

import sqlite3
from base64 import b64encode
from urllib.parse import quote, urlencode

TABLE = "contributions_contribution"
PAGE = 50
# A filter set asked in each of these orders is a distinct query with a distinct answer on both sides.
# Only orders without ties: Datasette sorts by the column alone, with no tie-break, so rows that tie
# could come in any order there.
ORDERINGS = {"id": "_sort=id", "-id": "_sort_desc=id"}
MIN_ROWS = 10


def queries(path, limit=4000):
    """(slug, nation id, category, status, ordering) of the filter sets with most rows, each in every
    ORDERINGS: distinct real queries, enough that no path is asked twice in one run."""
    rows = read_only(
        path,
        f"SELECT n.slug, c.nation_id, c.category, c.status, count(*) FROM {TABLE} c "
        "JOIN contributions_nation n ON n.id = c.nation_id GROUP BY 1, 2, 3, 4 "
        f"HAVING count(*) >= {MIN_ROWS} ORDER BY 5 DESC LIMIT {limit}",
    )
    return [
        {"slug": slug, "nation": nation, "category": category, "status": status, "ordering": o, "sort": ORDERINGS[o]}
        for o in ORDERINGS
        for slug, nation, category, status, _ in rows
    ]


def deep_pages(path, nations=60, pages=100):
    """Pages around the middle of the partners with most rows, in id order, both sides paging by
    keyset: the id of the row before the page, as Datasette's `_next` and inside the project's cursor,
    which is the one its next links carry (DRF's: base64 of `p=<id>`)."""
    heaviest = read_only(path, f"SELECT nation_id FROM {TABLE} GROUP BY 1 ORDER BY count(*) DESC LIMIT {nations}")
    found = []
    for (nation,) in heaviest:
        slug = read_only(path, f"SELECT slug FROM contributions_nation WHERE id = {int(nation)}")[0][0]
        ids = [pk for (pk,) in read_only(path, f"SELECT id FROM {TABLE} WHERE nation_id = {int(nation)} ORDER BY id")]
        middle = len(ids) // PAGE // 2
        for page in range(max(2, middle - pages // 2), min(len(ids) // PAGE, middle + pages // 2)):
            after = ids[(page - 1) * PAGE - 1]
            cursor = quote(b64encode(urlencode({"p": after}).encode()).decode())
            found.append({"slug": slug, "nation": nation, "after": after, "cursor": cursor})
    return found


def searches(path):
    """A word of the synthetic descriptions within each partner with most rows, in each ORDERINGS."""
    heaviest = read_only(
        path,
        f"SELECT n.slug, n.id FROM {TABLE} c JOIN contributions_nation n ON n.id = c.nation_id "
        "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 200",
    )
    return [
        {"slug": slug, "nation": nation, "word": word, "ordering": o, "sort": ORDERINGS[o]}
        for o in ORDERINGS
        for word in SEARCH_WORDS
        for slug, nation in heaviest
    ]


def read_only(path, sql):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


SEARCH_WORDS = ["carrier", "police", "trainers", "medical", "reconnaissance"]

# Each page as the project asks it and as Datasette does, the same rows in the same order, and the
# parameter sets it is asked with (from the SQLite file). The JSON pairs are checked row for row.
PAGES = {
    "api filtered page": (
        "/api/v1/contributions/?nation={slug}&category={category}&status={status}&ordering={ordering}&page_size=50",
        "/{db}/contributions_contribution.json?nation_id={nation}&category={category}&status={status}"
        "&{sort}&_size=50&_shape=objects&_nosuggest=1",
        queries,
    ),
    "api deep page": (
        "/api/v1/contributions/?nation={slug}&cursor={cursor}&page_size=50",
        "/{db}/contributions_contribution.json?nation_id={nation}&_next={after}&_size=50&_shape=objects&_nosuggest=1",
        deep_pages,
    ),
    "api search": (
        "/api/v1/contributions/?nation={slug}&q={word}&ordering={ordering}&page_size=50",
        "/{db}/contributions_contribution.json?nation_id={nation}&search_text__contains={word}"
        "&{sort}&_size=50&_shape=objects&_nosuggest=1",
        searches,
    ),
    "html list with facets": (
        "/contributions/?nation={slug}&category={category}&status={status}&ordering={ordering}",
        "/{db}/contributions_contribution?nation_id={nation}&category={category}&status={status}"
        "&{sort}&_size=50&_facet=category&_facet=status&_nosuggest=1",
        queries,
    ),
}
