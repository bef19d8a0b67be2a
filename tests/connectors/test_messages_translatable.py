"""Every message a connector raises must reach the catalogues, or a French-speaking community
manager reads it in English: the first argument of each ConnectorError(...) must be a literal
marked with `_()` (gettext_noop), the only form makemessages extracts and `translated()` finds."""

import ast
from pathlib import Path

import pytest

import liant.connectors

ROOT = Path(liant.connectors.__file__).parent
MODULES = sorted(p for p in ROOT.rglob("*.py") if "tests" not in p.parts)


def _is_marked_literal(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _unmarked_calls(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in ("ConnectorError", "Problem", "Malformed") and not (
            node.args and _is_marked_literal(node.args[0])
        ):
            lines.append(node.lineno)
    return lines


def _imports_gettext_noop_as_underscore(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "django.utils.translation"
        and any(a.name == "gettext_noop" and a.asname == "_" for a in node.names)
        for node in ast.walk(tree)
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_connector_message_is_a_marked_literal(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    unmarked = _unmarked_calls(tree)
    assert not unmarked, (
        f"{path.name}: ConnectorError/Problem on lines {unmarked} must take _('...') "
        "(an English template with %(name)s placeholders) as first argument"
    )
    if any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
        for n in ast.walk(tree)
    ):
        assert _imports_gettext_noop_as_underscore(tree), (
            f"{path.name}: `_` must be gettext_noop (translated when shown, not when raised)"
        )


def test_the_check_catches_an_unmarked_message() -> None:
    source = 'raise ConnectorError(f"{host} is down")\nraise ConnectorError(_("ok"))\n'
    assert _unmarked_calls(ast.parse(source)) == [1]
