"""Griffe extension for the API reference: Sphinx roles in docstrings become links.

The docstrings keep the roles that read well in ``help()`` and IDEs (``:class:`Params```,
``:func:`~spinpair.dynamics.evolve```); mkdocstrings renders Markdown, where those would
show as literal ``:class:`` text. This extension rewrites each role, when the docs are
built, into an mkdocs-autorefs cross-reference to the object's full path, resolved the way
Python would look the name up from the documented object (its class, its module, then the
package). References that resolve to no object of the package (``matplotlib.figure.Figure``)
become plain code. The link is "optional": an object that no reference page renders stays
code instead of breaking the strict build.

No library does this (griffe-sphinx reads ``#:`` attribute comments, not roles; griffe
issue 200 asks for it), so it is written here; it is used by ``mkdocs.yml`` and
tested in tests/test_api_reference.py.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

#: ``:class:`X```, ``:py:func:`~a.b```, … (the roles used in the package's docstrings).
ROLE = re.compile(
    r":(?:py:)?(?P<role>class|func|meth|mod|data|attr|exc|obj|const):`(?P<target>[^`]+)`"
)


def _objects(obj: griffe.Object) -> list[griffe.Object]:
    """``obj`` and every object defined under it (aliases are skipped)."""
    out = [obj]
    for member in obj.members.values():
        if not member.is_alias:
            out.extend(_objects(member))  # type: ignore[arg-type]
    return out


def _lookup(root: griffe.Object, path: str) -> str | None:
    """The canonical path of ``path`` in the package, following aliases, or None."""
    if path == root.path:
        return path
    if not path.startswith(root.path + "."):
        return None
    try:
        found = root[path[len(root.path) + 1 :]]
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    if found.is_alias:
        try:
            return found.final_target.path
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return found.target_path
    return found.path


def resolve(root: griffe.Object, where: griffe.Object, target: str) -> str | None:
    """Full path of role target ``target`` seen from object ``where``, or None."""
    name = "".join(target.split()).removesuffix("()").lstrip("~.")
    if name.startswith(root.path + ".") or name == root.path:
        return _lookup(root, name)
    scope: griffe.Object | None = where
    while scope is not None:
        if (found := _lookup(root, f"{scope.path}.{name}")) is not None:
            return found
        scope = scope.parent
    return None


def convert(root: griffe.Object, where: griffe.Object, text: str) -> str:
    """``text`` with every role replaced by a link (or code where it resolves nowhere)."""

    def sub(m: re.Match[str]) -> str:
        target = "".join(m["target"].split())
        shown = target.removesuffix("()").lstrip("~")
        if target.startswith("~"):
            shown = shown.rsplit(".", 1)[-1]
        if m["role"] in ("func", "meth") or target.endswith("()"):
            shown += "()"
        path = resolve(root, where, target)
        if path is None:
            return f"`{shown}`"
        return f'<autoref identifier="{path}" optional><code>{shown}</code></autoref>'

    return ROLE.sub(sub, text)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx cross-reference roles in every docstring of a loaded package."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Griffe 2 hook: the package is loaded."""
        for obj in _objects(pkg):
            if obj.docstring is not None and ROLE.search(obj.docstring.value):
                obj.docstring.value = convert(pkg, obj, obj.docstring.value)

    def on_package_loaded(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """The same hook under its Griffe 1 name (converting twice changes nothing)."""
        self.on_package(pkg=pkg, **kwargs)
