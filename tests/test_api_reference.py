"""The API reference a physicist reads and the typed top-level API: the stub of the lazy
package equals ``__all__`` and ``_LAZY``, mypy sees real signatures through it, Sphinx
roles in docstrings become links (docs/griffe_roles.py), the top-level functions have
numpydoc sections, and CITATION.cff parses with the package's version."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import griffe
import pytest
import yaml

import spinpair

ROOT = Path(__file__).resolve().parents[1]
STUB = ROOT / "src" / "spinpair" / "__init__.pyi"
sys.path.insert(0, str(ROOT / "docs"))
import griffe_roles  # noqa: E402  (docs/griffe_roles.py, the mkdocs extension)


def _stub_imports() -> dict[str, str]:
    """Public name → the module the stub imports it from (absolute)."""
    tree = ast.parse(STUB.read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = "spinpair" + ("." + node.module if node.module else "")
            for a in node.names:
                assert a.asname == a.name, "re-export as itself (PEP 484 stub rule)"
                out[a.name] = module
    return out


def test_stub_names_equal_all_and_point_where_the_runtime_gets_them():
    tree = ast.parse(STUB.read_text())
    stub_all = next(
        ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and n.targets[0].id == "__all__"  # type: ignore[attr-defined]
    )
    assert stub_all == spinpair.__all__
    imports = _stub_imports()
    assert set(imports) | {"__version__"} == set(spinpair.__all__)
    for name, module in imports.items():
        # the object the stub names is the object `spinpair.<name>` gives at run time
        assert getattr(importlib.import_module(module), name) is getattr(spinpair, name), name
        if name in spinpair._LAZY:
            lazy = spinpair._LAZY[name]
            assert getattr(importlib.import_module(lazy), name) is getattr(spinpair, name)


def test_mypy_sees_real_signatures_through_the_stub(tmp_path, monkeypatch):
    """Without the stub, the lazy ``__getattr__`` makes every name ``Any``; with it,
    ``reveal_type`` shows the signature and a misspelt name is an error."""
    mypy_api = pytest.importorskip("mypy.api")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import spinpair\n"
        "reveal_type(spinpair.evolve)\n"
        "reveal_type(spinpair.MeasurementSequence.from_params)\n"
        "spinpair.evolv\n"
    )
    monkeypatch.setenv("MYPYPATH", str(ROOT / "src"))  # this tree, not an installed copy
    limit = sys.getrecursionlimit()  # mypy raises it for the whole process: restore it
    try:
        out, _, _ = mypy_api.run(
            [str(probe), "--follow-imports=silent", "--ignore-missing-imports",
             "--cache-dir", str(tmp_path / "cache"), "--no-error-summary"]
        )  # fmt: skip
    finally:
        sys.setrecursionlimit(limit)
    lines = out.splitlines()
    evolve = next(line for line in lines if "probe.py:2" in line)
    assert "def (model: str, setup: spinpair.dynamics.setup.CollisionSetup" in evolve
    assert "-> spinpair.dynamics.DynamicsResult" in evolve
    assert "Any" not in evolve.split("**options")[0].split("times_s")[0]
    seq = next(line for line in lines if "probe.py:3" in line)
    assert "-> spinpair.sequence.core.MeasurementSequence" in seq
    assert any("probe.py:4" in line and 'has no attribute "evolv"' in line for line in lines)


# ------------------------------------------------------------------ docstrings

#: The main public functions: numpydoc Parameters, Returns and a runnable example.
DOCUMENTED = [
    "evolve", "evolve_params", "simulate_counts", "fidelity_likelihood", "fidelity_scan",
    "chi2_table", "read_csv", "negativity", "fidelity", "purity", "concurrence_pm1",
    "named_state", "named_ket", "rho_family", "total_spin_projector", "symmetric_sector",
    "get_species", "zeeman_energy_hz", "pair_zeeman_shift_hz", "ideal_counts",
    "raman_unitary", "entangled_vs_unentangled", "ramsey_signals", "plan_runs", "fringe_fits",
]  # fmt: skip


@pytest.mark.parametrize("name", DOCUMENTED)
def test_top_level_functions_have_numpydoc_sections(name):
    doc = inspect.getdoc(getattr(spinpair, name)) or ""
    for section in ("Parameters", "Returns", "Examples"):
        assert f"\n{section}\n{'-' * len(section)}\n" in doc, (name, section)
    params = [p for p in inspect.signature(getattr(spinpair, name)).parameters if p != "options"]
    section = doc.split("Parameters\n----------\n", 1)[1].split("\nReturns\n", 1)[0]
    documented = {w.strip() for line in section.splitlines() if line and not line[0].isspace()
                  for w in line.split(":")[0].replace("*", "").split(",")}  # fmt: skip
    assert set(params) <= documented, (name, set(params) - documented)


def test_measurement_sequence_documents_its_fields_and_run():
    doc = inspect.getdoc(spinpair.MeasurementSequence) or ""
    assert "Parameters\n----------" in doc and "Examples\n--------" in doc
    for method in ("run", "from_params"):
        d = inspect.getdoc(getattr(spinpair.MeasurementSequence, method)) or ""
        assert "Parameters\n----------" in d and "Returns\n-------" in d, method


# ------------------------------------------------------------------ Sphinx roles → links


@pytest.fixture(scope="module")
def package() -> griffe.Module:
    ext = griffe.load_extensions(str(ROOT / "docs" / "griffe_roles.py"))
    return griffe.load("spinpair", search_paths=[str(ROOT / "src")], extensions=ext)


def test_no_sphinx_role_survives_in_the_rendered_docstrings(package):
    """What mkdocstrings renders holds no literal ``:class:`` / ``:func:`` / ``:mod:``."""
    left = [
        o.path
        for o in griffe_roles._objects(package)
        if o.docstring is not None and re.search(r":(py:)?[a-z]+:`", o.docstring.value)
    ]
    assert not left, left[:10]
    links = sum(
        o.docstring.value.count("<autoref ")
        for o in griffe_roles._objects(package)
        if o.docstring is not None
    )
    assert links > 300  # the package's docstrings hold ~400 roles, nearly all internal


def test_roles_resolve_like_python_name_lookup():
    pkg = griffe.load("spinpair", search_paths=[str(ROOT / "src")])
    params = pkg["params"]
    conv = griffe_roles.convert
    # a name of the same module, a qualified name, a ~short form, a module, a method
    assert 'identifier="spinpair.params.Params"' in conv(pkg, params, ":class:`Params`")
    out = conv(pkg, params, ":func:`~spinpair.dynamics.evolve`")
    assert 'identifier="spinpair.dynamics.evolve"' in out and "<code>evolve()</code>" in out
    out = conv(pkg, pkg["spin"], ":mod:`spinpair.sequence`")
    assert 'identifier="spinpair.sequence"' in out and "<code>spinpair.sequence</code>" in out
    out = conv(pkg, pkg["params.Params"], ":meth:`from_toml`")
    assert 'identifier="spinpair.params.Params.from_toml"' in out
    # an imported name resolves to where it is defined
    out = conv(pkg, params, ":class:`InputError`")
    assert 'identifier="spinpair.errors.InputError"' in out
    # outside the package: plain code, no link
    assert conv(pkg, params, ":class:`~matplotlib.figure.Figure`") == "`Figure`"
    assert conv(pkg, params, ":func:`no_such_function`") == "`no_such_function()`"


@pytest.mark.slow
def test_built_site_has_no_literal_roles(tmp_path):
    """The whole docs build (mkdocs --strict) and a grep of the site."""
    site = tmp_path / "site"
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    hits = [
        str(p.relative_to(site))
        for p in site.rglob("*.html")
        if re.search(r":(class|func|mod|meth|data|attr|exc):`?", p.read_text(errors="replace"))
    ]
    assert not hits, hits
    api = (site / "reference" / "io" / "index.html").read_text()
    assert "spinpair.errors.InputError" in api and "spinpair.schemas" in api


# ------------------------------------------------------------------ citation


def test_citation_cff_parses_and_carries_the_package_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert cff["cff-version"] == "1.2.0"
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    assert cff["type"] == "software" and cff["license"] == project["license"]
    assert cff["version"] == project["version"]
    assert cff["authors"] == [{"name": "spinpair developers"}]
    paper = cff["references"][0]
    assert paper["type"] == "article" and paper["year"] == 2026
    assert paper["authors"][0]["family-names"] == "Ruksasakchai"
