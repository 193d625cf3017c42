"""Contracts of the package as a whole: its public names, its CLI's help, and which way imports point.

The rules are data at the top of each section, so that reading them is reading the architecture
(STYLE.md). Modules that do not exist yet are simply absent from the checks; a new command or
module is covered as soon as it exists.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import pkgutil
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import click
import pytest
from click.testing import CliRunner

import catalog
from catalog.cli import main

PACKAGE = Path(catalog.__file__).resolve().parent


# --- public names -------------------------------------------------------------------------------


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], prefix="catalog."))


def test_package_all_is_its_own_names_sorted_then_the_error_tree() -> None:
    own = [name for name in catalog.__all__ if name not in catalog.errors.__all__]
    assert catalog.__all__ == [*sorted(own), *catalog.errors.__all__]
    assert catalog.errors.__all__ == sorted(catalog.errors.__all__)
    errors = {name for name, value in vars(catalog.errors).items() if isinstance(value, type)}
    assert errors == set(catalog.errors.__all__)


def test_package_all_is_what_init_imports_from_the_modules() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    imported = {
        (node.module, name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("catalog")
        for alias in node.names
        for name in (
            importlib.import_module(node.module).__all__
            if alias.name == "*"
            else [alias.asname or alias.name]
        )
        if not isinstance(getattr(catalog, name), ModuleType)  # `from catalog import errors`
    }
    assert sorted(name for _, name in imported) == sorted(catalog.__all__)
    # Only a module's own public names are re-exported.
    not_public = [
        f"{module}.{name}"
        for module, name in sorted(imported)
        if name not in getattr(importlib.import_module(module), "__all__", ())
    ]
    assert not_public == []


@pytest.mark.parametrize("module", ["catalog", *_modules()])
def test_every_name_in_a_modules_all_exists(module: str) -> None:
    imported = importlib.import_module(module)
    names = getattr(imported, "__all__", [])
    assert len(names) == len(set(names)), f"{module}.__all__ repeats a name"
    assert [name for name in names if not hasattr(imported, name)] == []


# --- the CLI ------------------------------------------------------------------------------------


def _commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(main))


def test_the_cli_tree_is_walked() -> None:
    # The store's own commands, as a floor: the walk finds commands added later too.
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "db", "db upgrade", "db downgrade", "db status", "sql"} <= paths


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) or "catalog" for p, _ in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...], command: click.Command) -> None:
    assert (command.help or "").strip(), f"`catalog {' '.join(path)}` has no help text"
    undocumented = [
        param.name
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden and not (param.help or "").strip()
    ]
    assert undocumented == [], f"options of `catalog {' '.join(path)}` without help"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")


#: The README section whose table lists every command, one row each (sqlite-utils'
#: ``test_commands_are_documented``, made two-way).
README = PACKAGE.parent / "README.md"
README_SECTION = "## Using it"


def _documented_commands(markdown: str) -> set[str]:
    """Return the command paths the README's table names: ``db upgrade\\|status`` is two of them."""
    section = markdown.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    paths = set()
    for cell in re.findall(r"^\| `catalog ([^`]*)`", section, flags=re.M):
        words = []
        for word in cell.replace("\\|", "|").split():
            if not re.fullmatch(r"[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*", word):
                break  # an option, an argument (MODEL, DIR) or a quoted value: the path has ended
            words.append(word)
        *group, last = words
        paths |= {" ".join([*group, alternative]) for alternative in last.split("|")}
    return paths


def test_the_readme_command_table_parses_rows_as_command_paths() -> None:
    table = "## Using it\n| `catalog db upgrade\\|status` | x |\n| `catalog lineage MODEL` | x |\n" + (
        '| `catalog crawl [--full]` | x |\n| `catalog sql "SELECT 1"` | x |\n## Next\n| `catalog gone` | x |\n'
    )
    assert _documented_commands(table) == {"db upgrade", "db status", "lineage", "crawl", "sql"}


def test_every_command_is_in_the_readme_table_and_every_row_is_a_command() -> None:
    commands = {" ".join(path) for path, command in COMMANDS if path and not isinstance(command, click.Group)}
    documented = _documented_commands(README.read_text(encoding="utf-8"))
    assert sorted(commands - documented) == [], (
        f"commands missing from README.md '{README_SECTION}': add a row "
        "| `catalog NAME [OPTIONS]` | what it does | to its table for each"
    )
    assert sorted(documented - commands) == [], (
        f"README.md '{README_SECTION}' lists commands that `catalog --help` does not have: "
        "rename or remove their rows"
    )


# --- import direction ---------------------------------------------------------------------------

#: Which parts of the package each part may import (besides itself), after STYLE.md:
#: cli -> {crawl, web, export, render, analytics} -> graph -> queries -> store -> schema -> records
#: -> errors; web -> render; crawl -> hub.
#: A part is a top-level module or subpackage of ``catalog``. Parts not listed here (new ones) are
#: held only by the rules below this table.
MAY_IMPORT: dict[str, set[str]] = {
    # graph: the crawl ranks the lineage's PageRank (numpy) as it finishes, with the faces summary.
    "crawl": {"hub", "normalize", "bulk", "apps", "facts", "graph", "store", "schema", "records", "errors"},
    "web": {"render", "graph", "queries", "store", "schema", "records", "errors"},
    "export": {"graph", "queries", "store", "schema", "records", "errors"},
    "render": {"graph", "queries", "store", "schema", "records", "errors"},
    "analytics": {"graph", "queries", "store", "schema", "records", "errors"},
    "graph": {"queries", "store", "schema", "records", "errors"},
    # facts: the hardware SKUs a fit is measured against are reference data, like the schema.
    "queries": {"facts", "store", "schema", "records", "errors"},
    "bulk": {"store", "schema", "records", "errors"},
    "normalize": {"apps", "facts", "records", "errors"},
    "store": {"schema", "records", "errors"},
    "schema": {"records", "errors"},
    "hub": {"records", "errors"},
    "records": {"errors"},
    "apps": set(),
    "facts": set(),
    "errors": set(),
}
#: Parts that nothing else imports.
IMPORTED_BY_NONE = {"cli"}
#: Third-party packages that one part of the package alone may import.
OWNED_BY = {
    "huggingface_hub": "hub",
    "httpx2": "hub",
    "pyvis": "render",
    "fastapi": "web",
    "pyarrow": "export",
    "numpy": "graph",
    "pglast": "store",
}
#: Breaches that exist today, each to be removed with its fix (the test fails once one is fixed,
#: so that this list only shrinks).
KNOWN_BREACHES: set[tuple[str, str]] = set()


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return "__init__" if relative == Path("__init__.py") else relative.parts[0].removesuffix(".py")


def _imports(path: Path, source: str) -> Iterator[str]:
    """Yield the absolute name of every module ``source`` (at ``path``) imports, lazy ones too."""
    package = ".".join(("catalog", *path.relative_to(PACKAGE).parent.parts))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module or ""
            if module == "catalog":  # `from catalog import store` imports a part by its name
                yield from (f"catalog.{alias.name}" for alias in node.names)
            else:
                yield module


def _breaches(path: Path, source: str) -> Iterator[tuple[str, str, str]]:
    """Yield (imported name, the rule it breaks, the part or package imported) for one module."""
    part = _part(path)
    for name in _imports(path, source):
        top, _, rest = name.partition(".")
        if top in OWNED_BY and part != OWNED_BY[top]:
            yield name, f"only catalog/{OWNED_BY[top]}/ imports {top}", top
        if top != "catalog" or not rest:
            continue
        target = rest.split(".")[0]
        if target == part:
            continue
        if target in IMPORTED_BY_NONE:
            yield name, f"nothing imports catalog.{target}", target
        elif part in MAY_IMPORT and target not in MAY_IMPORT[part]:
            yield name, f"catalog.{part} may import only {sorted(MAY_IMPORT[part])}", target


def test_imports_point_one_way() -> None:
    found = {
        (str(path.relative_to(PACKAGE.parent)), name, why)
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, why, _ in _breaches(path, path.read_text(encoding="utf-8"))
    }
    assert sorted((file, name) for file, name, _ in found if (file, name) not in KNOWN_BREACHES) == []
    assert sorted(KNOWN_BREACHES - {(file, name) for file, name, _ in found}) == [], "fixed: drop it"


def test_the_import_rules_catch_a_breach() -> None:
    # The checker itself, on a made-up module of catalog/hub/ that breaks each rule once.
    probe = PACKAGE / "hub" / "probe.py"
    source = (
        "import pyvis\nfrom catalog.store import Store\nfrom . import snapshot\nfrom .. import errors, schema\n"
        "def lazy():\n    from ..cli import main\n"
    )
    assert [(name, target) for name, _, target in _breaches(probe, source)] == [
        ("pyvis", "pyvis"),
        ("catalog.store", "store"),
        ("catalog.schema", "schema"),
        ("catalog.cli", "cli"),
    ]


# --- declared dependencies ----------------------------------------------------------------------

PYPROJECT = PACKAGE.parent / "pyproject.toml"


def _declared() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    names = re.compile(r"^[A-Za-z0-9._-]+")
    return {_normal(names.match(spec).group(0)) for spec in project["dependencies"]}  # type: ignore[union-attr]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_package_the_code_imports_is_declared() -> None:
    # A package that arrives only as another's dependency (numpy via pandas, tqdm via
    # huggingface_hub) can vanish with that package's next release.
    distributions = importlib.metadata.packages_distributions()
    imported = {
        name.partition(".")[0]
        for path in sorted(PACKAGE.rglob("*.py"))
        for name in _imports(path, path.read_text(encoding="utf-8"))
    }
    third_party = sorted(m for m in imported if m and m != "catalog" and m not in sys.stdlib_module_names)
    undeclared = {
        module: distributions.get(module, [module])
        for module in third_party
        if not {_normal(d) for d in distributions.get(module, [module])} & _declared()
    }
    assert undeclared == {}, "add them to pyproject.toml [project] dependencies"
