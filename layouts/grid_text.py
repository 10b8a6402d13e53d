"""AG Grid's own words on the History page's grids (paging, loading, no rows, page buttons) in
the UI language, as the grid's localeText."""

from __future__ import annotations

from i18n import t

# AG Grid's localeText keys that the paged grids show.
_KEYS = ("page", "to", "of", "more", "firstPage", "previousPage", "nextPage", "lastPage", "loadingOoo")


def locale_text(no_rows: str) -> dict[str, str]:
    """`no_rows`: what an empty grid says."""
    return {key: t(f"history.grid.{key}") for key in _KEYS} | {"noRowsToShow": no_rows}
