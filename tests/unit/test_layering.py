"""The layers stay apart: the core knows nothing of Streamlit, the pages know nothing of SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = sorted((ROOT / "intervision").rglob("*.py"))
# The screens and the interface helpers they are drawn with (ui/, the console's screens among them).
PAGES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")])
# SQL keywords in capitals, as the store writes them: a sentence such as "Select a group from the list"
# in an interface text is not SQL.
SQL = re.compile(r"\bSELECT\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bCREATE\s+TABLE\b")


def _imported_modules(file: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def _relative(file: Path) -> str:
    return str(file.relative_to(ROOT))


def test_there_is_something_to_check():
    assert len(CORE) >= 10 and len(PAGES) >= 5


@pytest.mark.parametrize("file", CORE, ids=_relative)
def test_the_core_never_imports_streamlit_or_the_interface(file):
    modules = _imported_modules(file)
    assert sorted(m for m in modules if _within(m, ("streamlit", "ui", "pages"))) == []


@pytest.mark.parametrize("file", PAGES, ids=_relative)
def test_pages_hold_no_sql(file):
    tree = ast.parse(file.read_text(encoding="utf-8"))
    texts = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert [text for text in texts if SQL.search(text)] == []


@pytest.mark.parametrize("file", PAGES, ids=_relative)
def test_pages_reach_the_database_only_through_the_core(file):
    forbidden = ("sqlite3", "sqlite_utils", "intervision.store", "intervision.db")
    assert sorted(m for m in _imported_modules(file) if _within(m, forbidden)) == []


def test_the_import_scan_sees_imports():
    # Guards the scan itself: the router imports streamlit, so the scan must say so.
    assert "streamlit" in _imported_modules(ROOT / "app.py")
    assert "intervision.store" in _imported_modules(ROOT / "intervision" / "groups.py")


def test_the_sql_pattern_recognises_sql():
    assert SQL.search("SELECT id FROM people")
    assert SQL.search("UPDATE people SET role = ? WHERE id = ?")
    assert SQL.search("INSERT INTO memberships (group_id) VALUES (?)")
    assert SQL.search("DELETE FROM groups WHERE id = ?")
    assert not SQL.search("Select a group from the list, then delete from it whoever left.")


STORE_OUTSIDE = [
    file
    for file in CORE
    if "store" not in file.relative_to(ROOT / "intervision").parts
    and "migrations" not in file.parts
    # backup.py copies and checks the SQLite file or the PostgreSQL dump itself, below the store.
    and file.name not in {"database.py", "db.py", "backup.py"}
]


@pytest.mark.parametrize("file", STORE_OUTSIDE, ids=_relative)
def test_the_core_holds_sql_only_in_the_store_and_reaches_it_through_a_database(file):
    """SQL sits beside its feature in intervision/store/; the rest of the core never opens a file by its path
    (intervision/db.py's helpers are for tests and benchmarks) nor talks to a driver itself."""
    modules = _imported_modules(file)
    assert sorted(m for m in modules if _within(m, ("intervision.db", "sqlite3", "psycopg", "sqlalchemy"))) == []
    tree = ast.parse(file.read_text(encoding="utf-8"))
    texts = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert [text for text in texts if SQL.search(text)] == []
