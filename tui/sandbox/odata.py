"""The OData query options the sandbox understands: `$filter`, `$search`, `$top`, `$select`,
`$skiptoken`.

`$filter` is parsed into a small expression tree (eq/ne/gt/ge/lt/le, and/or/not,
startswith/endswith/contains, isof, `any` lambdas) and evaluated against plain dicts.
String comparisons ignore case, as directory queries do.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.sandbox.errors import GraphError, bad_request

# A filter node evaluates against (object, lambda variables, isof checker).
IsOf = Callable[[dict[str, Any], str], bool]


class Node:
    def eval(self, obj: dict[str, Any], env: dict[str, Any], isof: IsOf) -> Any:
        raise NotImplementedError


@dataclass
class Literal(Node):
    value: Any

    def eval(self, _obj: dict[str, Any], _env: dict[str, Any], _isof: IsOf) -> Any:
        return self.value


@dataclass
class PropertyPath(Node):
    parts: tuple[str, ...]

    def eval(self, obj: dict[str, Any], env: dict[str, Any], _isof: IsOf) -> Any:
        head, *rest = self.parts
        current: Any = env[head] if head in env else obj.get(head)
        for part in rest:
            current = current.get(part) if isinstance(current, dict) else None
        return current


@dataclass
class Lambda(Node):
    collection: PropertyPath
    kind: str  # any | all
    variable: str
    body: Node | None

    def eval(self, obj: dict[str, Any], env: dict[str, Any], isof: IsOf) -> Any:
        items = self.collection.eval(obj, env, isof) or []
        if self.body is None:
            return bool(items)
        results = (bool(self.body.eval(obj, {**env, self.variable: i}, isof)) for i in items)
        return any(results) if self.kind == "any" else all(results)


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


@dataclass
class Compare(Node):
    op: str
    left: Node
    right: Node

    def eval(self, obj: dict[str, Any], env: dict[str, Any], isof: IsOf) -> Any:
        a = _fold(self.left.eval(obj, env, isof))
        b = _fold(self.right.eval(obj, env, isof))
        if self.op == "eq":
            return a == b
        if self.op == "ne":
            return a != b
        if a is None or b is None:
            return False
        try:
            return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[self.op]
        except TypeError:
            return False


@dataclass
class Logical(Node):
    op: str
    left: Node
    right: Node

    def eval(self, obj: dict[str, Any], env: dict[str, Any], isof: IsOf) -> Any:
        if self.op == "and":
            return bool(self.left.eval(obj, env, isof)) and bool(self.right.eval(obj, env, isof))
        return bool(self.left.eval(obj, env, isof)) or bool(self.right.eval(obj, env, isof))


@dataclass
class Not(Node):
    operand: Node

    def eval(self, obj: dict[str, Any], env: dict[str, Any], isof: IsOf) -> Any:
        return not self.operand.eval(obj, env, isof)


@dataclass
class Call(Node):
    name: str
    args: list[Node]

    def eval(self, obj: dict[str, Any], env: dict[str, Any], isof: IsOf) -> Any:
        if self.name == "isof":
            type_name = self.args[-1].eval(obj, env, isof)
            target = self.args[0].eval(obj, env, isof) if len(self.args) == 2 else obj
            return isinstance(target, dict) and isof(target, str(type_name))
        values = [_fold(a.eval(obj, env, isof)) for a in self.args]
        if any(not isinstance(v, str) for v in values):
            return False
        haystack, needle = values
        if self.name == "startswith":
            return haystack.startswith(needle)
        if self.name == "endswith":
            return haystack.endswith(needle)
        return needle in haystack  # contains


_FUNCTIONS = {"startswith": 2, "endswith": 2, "contains": 2, "isof": (1, 2)}
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)(?![\w-])"
    r"|(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?P<name>[A-Za-z_@][\w.@]*(?:/[A-Za-z_@][\w.@]*)*)|(?P<punct>[(),:/]))"
)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise self.error(f"unexpected character at position {pos}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.index = 0

    def error(self, detail: str) -> GraphError:
        return bad_request(f"Invalid filter clause: {detail} in '{self.text}'.")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.error("unexpected end of expression")
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        _, text = self.take()
        if text != value:
            raise self.error(f"expected '{value}' but found '{text}'")

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "name" and token[1] == word:
            self.index += 1
            return True
        return False

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise self.error(f"unexpected '{self.peek()[1]}'")  # type: ignore[index]
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.keyword("or"):
            node = Logical("or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.keyword("and"):
            node = Logical("and", node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        if self.keyword("not"):
            return Not(self.parse_not())
        return self.parse_compare()

    def parse_compare(self) -> Node:
        left = self.parse_primary()
        token = self.peek()
        if token and token[0] == "name" and token[1] in ("eq", "ne", "gt", "ge", "lt", "le"):
            self.index += 1
            return Compare(token[1], left, self.parse_primary())
        return left

    def parse_primary(self) -> Node:
        kind, text = self.take()
        if text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        literal = self.literal(kind, text)
        if literal is not None:
            return literal
        parts = tuple(text.split("/"))
        if parts[-1] in ("any", "all") and len(parts) > 1:
            return self.parse_lambda(PropertyPath(parts[:-1]), parts[-1])
        nxt = self.peek()
        if nxt and nxt[1] == "(":
            return self.parse_call(text)
        return PropertyPath(parts)

    def literal(self, kind: str, text: str) -> Literal | None:
        """A string, number, GUID, true, false or null token's value; None for a name."""
        if kind == "str":
            return Literal(text[1:-1].replace("''", "'"))
        if kind == "num":
            return Literal(float(text) if "." in text else int(text))
        if kind == "guid":
            return Literal(text)
        if kind != "name":
            raise self.error(f"unexpected '{text}'")
        if text in ("true", "false"):
            return Literal(text == "true")
        if text == "null":
            return Literal(None)
        return None

    def parse_call(self, name: str) -> Node:
        if name not in _FUNCTIONS:
            raise bad_request(f"Unsupported or invalid query filter clause specified: '{name}'.")
        self.expect("(")
        args: list[Node] = []
        if self.peek() and self.peek()[1] != ")":  # type: ignore[index]
            args.append(self.parse_or())
            while self.peek() and self.peek()[1] == ",":  # type: ignore[index]
                self.take()
                args.append(self.parse_or())
        self.expect(")")
        arity = _FUNCTIONS[name]
        if len(args) not in (arity if isinstance(arity, tuple) else (arity,)):
            raise self.error(f"wrong number of arguments for {name}")
        return Call(name, args)

    def parse_lambda(self, collection: PropertyPath, kind: str) -> Node:
        self.expect("(")
        if self.peek() and self.peek()[1] == ")":  # type: ignore[index]
            self.take()
            return Lambda(collection, kind, "", None)
        _, variable = self.take()
        self.expect(":")
        body = self.parse_or()
        self.expect(")")
        return Lambda(collection, kind, variable, body)


def parse_filter(text: str) -> Node:
    return _Parser(text).parse()


def simple_display_name_filter(node: Node) -> tuple[str, str] | None:
    """("eq"|"startswith", value) when the filter is exactly one indexable displayName test."""
    if isinstance(node, Compare) and node.op == "eq":
        left, right = node.left, node.right
    elif isinstance(node, Call) and node.name == "startswith" and len(node.args) == 2:
        left, right = node.args
    else:
        return None
    if (
        isinstance(left, PropertyPath)
        and left.parts == ("displayName",)
        and isinstance(right, Literal)
        and isinstance(right.value, str)
    ):
        return ("eq" if isinstance(node, Compare) else "startswith", right.value)
    return None


# ---- $search --------------------------------------------------------------------------

WORD_PATTERN = re.compile(r"[0-9a-z]+")


def words(text: str) -> list[str]:
    """The search tokens of a text: lower-cased alphanumeric runs."""
    return WORD_PATTERN.findall(text.casefold())


@dataclass(frozen=True)
class SearchClause:
    prop: str  # "" = displayName or description
    terms: tuple[str, ...]


@dataclass(frozen=True)
class SearchQuery:
    clauses: tuple[SearchClause, ...]
    combine: str  # "or" | "and"


def parse_search(text: str) -> SearchQuery:
    """`"displayName:fin"`, `"displayName:all ios" OR "description:ios"` and bare `"fin"`."""
    parts = re.findall(r'"([^"]*)"|\b(AND|OR)\b', text)
    if not parts or not any(quoted for quoted, _ in parts):
        raise bad_request(
            f"Syntax error: the $search value {text!r} must be in double quotes, "
            'e.g. $search="displayName:finance".',
            code="Request_UnsupportedQuery",
        )
    clauses: list[SearchClause] = []
    combine = "or"
    for quoted, operator in parts:
        if operator:
            combine = operator.lower()
            continue
        prop, sep, term = quoted.partition(":")
        if not sep:
            prop, term = "", quoted
        clauses.append(SearchClause(prop.strip(), tuple(words(term))))
    return SearchQuery(tuple(clauses), combine)


def search_matches(obj: dict[str, Any], query: SearchQuery) -> bool:
    def clause_ok(clause: SearchClause) -> bool:
        props = [clause.prop] if clause.prop else ["displayName", "description"]
        for prop in props:
            tokens = words(str(obj.get(prop) or ""))
            if all(any(t.startswith(term) for t in tokens) for term in clause.terms):
                return True
        return False

    results = (clause_ok(c) for c in query.clauses)
    return all(results) if query.combine == "and" else any(results)


# ---- paging and shaping ---------------------------------------------------------------


def encode_skiptoken(offset: int) -> str:
    raw = json.dumps({"o": offset}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_skiptoken(token: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        offset = int(json.loads(base64.urlsafe_b64decode(padded))["o"])
    except (ValueError, KeyError, TypeError):
        raise bad_request(f"The $skiptoken '{token}' is not valid.") from None
    if offset < 0:
        raise bad_request(f"The $skiptoken '{token}' is not valid.")
    return offset


def parse_top(value: str | None, *, maximum: int) -> int | None:
    if value is None:
        return None
    try:
        top = int(value)
    except ValueError:
        raise bad_request(f"Invalid value '{value}' for $top query option.") from None
    if top < 1 or top > maximum:
        raise bad_request(
            f"Invalid page size specified: '{top}'. Must be between 1 and {maximum} inclusive.",
            code="Request_UnsupportedQuery" if maximum == 999 else "BadRequest",
        )
    return top


def parse_select(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [field.strip() for field in value.split(",") if field.strip()]


def apply_select(obj: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    if select is None:
        return obj
    shaped = {k: obj[k] for k in select if k in obj}
    if "@odata.type" in obj:
        shaped = {"@odata.type": obj["@odata.type"], **shaped}
    return shaped
