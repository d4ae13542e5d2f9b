"""`journey explore`: the served web app over a store (issue 15).

app.py: the Starlette app, its routes and the JSON API; auth.py: the token and the security headers;
state.py: which file it reads (the store's snapshot, else the store read-only) and reopening it when a
load swaps in a new one; params.py: the view's query parameters; design_map.py: the designed journey's
map. The page and its assets are in static/ (vendored from frontend/ by `make explorer-assets`).
"""

from __future__ import annotations

from pathlib import Path

from eventlogs.errors import ConfigError

STATIC = Path(__file__).parent / "static"
# The files `make explorer-assets` copies from the npm packages into static/vendor/ (not committed).
VENDORED = ("vendor/svg-pan-zoom.min.js",)


def check_assets() -> None:
    """Refuses to serve a page without its vendored scripts, naming the target that provides them."""
    missing = [name for name in VENDORED if not (STATIC / name).is_file()]
    if missing:
        raise ConfigError(
            f"the explorer's page needs {', '.join(str(STATIC / name) for name in missing)}: run `make explorer-assets`"
        )


__all__ = ["STATIC", "VENDORED", "check_assets"]
