"""Choose the fix for each flagged `mktemp()` call from what the code does with the name.

Four kinds of fix exist:

- `mkstemp` (safe): `name = mktemp(...)` whose first use creates the file by opening
  it for writing or appending becomes `fd, name = mkstemp(...)` plus `os.close(fd)`.
- `named-temporary-file` (safe): `open(mktemp(...), "w")` becomes
  `NamedTemporaryFile("w", ..., delete=False)`.
- `mkdtemp` (safe): `name = mktemp(...)` whose first use creates a directory becomes
  `name = mkdtemp(...)`, and the `os.mkdir(name)` statement goes.
- `private-folder` (unsafe): anything else becomes a name inside a new folder from
  `mkdtemp()`, so the name still does not exist yet. The folder is left behind.

The planner works within one function and follows the variable that the name is
bound to. It gives up on the safe fixes, and states why, when the variable is bound
twice, used in a nested scope, or first used somewhere that may not run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tmpguard.findings import Fix
from tmpguard.nameflow import ModuleIndex, NameUses, name_uses, position
from tmpguard.private_folder import flagged_call
from tmpguard.source import SourceText

MKSTEMP = "mkstemp"
NAMED_TEMPORARY_FILE = "named-temporary-file"
MKDTEMP = "mkdtemp"
PRIVATE_FOLDER = "private-folder"

SAFE = "safe"
UNSAFE = "unsafe"

MKTEMP_PARAMETERS = ("suffix", "prefix", "dir")
OPEN_FUNCTIONS = frozenset({"builtins.open", "io.open"})
# open(file, mode, buffering, encoding, errors, newline): the parameters that
# NamedTemporaryFile also accepts. The first three keep their positions there.
OPEN_PARAMETERS = ("mode", "buffering", "encoding", "errors", "newline")
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"})
PATH_WRITERS = frozenset({"write_text", "write_bytes"})

# Nodes through which a creating call still runs whenever its statement runs.
_UNCONDITIONAL = (
    ast.Call, ast.keyword, ast.Attribute, ast.withitem, ast.With, ast.AsyncWith,
    ast.Assign, ast.AnnAssign, ast.Expr, ast.Return, ast.Await,
)
_SIMPLE_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Pass, ast.Import, ast.ImportFrom)

DESCRIPTIONS = {
    MKSTEMP: "create the file with `{function}()` and close its descriptor, so it exists "
    "before the code opens it for writing (the file starts with mode 0600)",
    NAMED_TEMPORARY_FILE: "open the file with `{function}(..., delete=False)`, which creates "
    "it and opens it in one step (the file starts with mode 0600)",
    MKDTEMP: "create the folder with `{function}()` and drop the call that created it "
    "later (the folder gets mode 0700)",
    PRIVATE_FOLDER: "put the name inside a new private folder from `{function}()`; unsafe "
    "because the folder is left behind and the path is one level deeper; "
    "no safe fix because {reason}",
}


class _NoFix(Exception):
    """Raised with the reason why a call gets no fix of some kind."""


@dataclass(frozen=True)
class Edit:
    """The data the rewriter needs beyond the finding's position.

    Names are source text valid at the call: `function` names the `tempfile` function
    that replaces `mktemp`, `close` and `join` name `os.close` and `os.path.join`.
    `imports` lists the (module, member) pairs to import at the top of the module.
    `removed_statement` is the 1-based (line, code-point column) of the statement that
    a `mkdtemp` fix deletes.
    """

    kind: str
    function: str
    imports: tuple[tuple[str, str | None], ...] = ()
    descriptor: str | None = None
    close: str | None = None
    join: str | None = None
    file_name: str | None = None
    removed_statement: tuple[int, int] | None = None


def plan_fixes(index: ModuleIndex, qualified_names: dict, nodes: list, source: SourceText) -> list[tuple[Fix | None, str | None]]:
    """Return (fix, reason when there is none) for each flagged expression in `nodes`."""
    planner = _Planner(index, qualified_names, source)
    return [planner.plan(node) for node in nodes]


class _Planner:
    def __init__(self, index: ModuleIndex, qualified_names: dict, source: SourceText) -> None:
        self.tree = index.tree
        self.names = qualified_names
        self.source = source
        self.index = index
        self._bindings: dict[str, list[ast.AST]] = {}
        self._module_aliases: dict[str, str | None] = {}

    def plan(self, node: ast.expr) -> tuple[Fix | None, str | None]:
        try:
            call = self._call(node)
            arguments = _mktemp_arguments(call)
        except _NoFix as reason:
            return None, str(reason)

        try:
            return self._safe_fix(node, call, arguments), None
        except _NoFix as reason:
            unsafe_reason = str(reason)

        try:
            return self._private_folder(node, call, arguments, unsafe_reason), None
        except _NoFix as reason:
            return None, f"{reason}; and no safe fix because {unsafe_reason}"

    def _call(self, node: ast.expr) -> ast.Call:
        call = flagged_call(self.index, node)
        if not _is_dotted_name(node):
            raise _NoFix("mktemp is looked up dynamically here; rewrite the lookup by hand")
        if call is None:
            raise _NoFix("mktemp is referenced here, not called; fix the code that calls it")
        return call

    # The safe kinds

    def _safe_fix(self, node: ast.expr, call: ast.Call, arguments: dict[str, ast.expr]) -> Fix:
        opener = self._writing_open(call)
        if opener is not None:
            function, imports = self._tempfile_reference(node, "NamedTemporaryFile")
            return _fix(NAMED_TEMPORARY_FILE, SAFE, Edit(NAMED_TEMPORARY_FILE, function, imports))

        assignment = self.index.parent(call)
        if not (isinstance(assignment, ast.Assign) and len(assignment.targets) == 1
                and isinstance(assignment.targets[0], ast.Name)):
            raise _NoFix("the name is not stored in a variable, so its use cannot be followed")

        created, use = self._first_use(assignment)
        if created == "file":
            function, imports = self._tempfile_reference(node, "mkstemp")
            close, close_imports = self._os_reference("close")
            descriptor = self._fresh_name("fd")
            edit = Edit(MKSTEMP, function, imports + close_imports, descriptor=descriptor, close=close)
            return _fix(MKSTEMP, SAFE, edit)

        if "dir" in arguments and created == "folder with parents":
            raise _NoFix("`os.makedirs` would also create missing parent folders of `dir`, which `mkdtemp()` does not")
        function, imports = self._tempfile_reference(node, "mkdtemp")
        line, column = use.lineno, self.source.column(use.lineno, use.col_offset)
        return _fix(MKDTEMP, SAFE, Edit(MKDTEMP, function, imports, removed_statement=(line, column)))

    def _writing_open(self, call: ast.Call) -> ast.Call | None:
        """Return the `open()` call that opens the flagged call's name for writing, if any."""
        parent = self.index.parent(call)
        if isinstance(parent, ast.keyword) and parent.arg == "file":
            parent = self.index.parent(parent)
        elif not (isinstance(parent, ast.Call) and parent.args and parent.args[0] is call):
            return None
        called = self.names.get(parent.func) if isinstance(parent, ast.Call) else None
        if not called or not called <= OPEN_FUNCTIONS:
            return None
        if _open_mode(parent) is not True or not _fits_named_temporary_file(parent):
            return None
        return parent

    def _first_use(self, assignment: ast.Assign) -> tuple[str, ast.stmt]:
        """Return what the first use of the assigned variable creates, and its statement.

        Raises _NoFix with the reason when the first use is not a plain creation that
        runs right after the assignment on every path.
        """
        name = assignment.targets[0].id
        scope = self.index.scope_of(assignment)
        if isinstance(scope, ast.ClassDef):
            raise _NoFix(f"`{name}` is a class attribute, which other code can read before the file exists")
        uses = name_uses(scope, name)
        _check_single_binding(name, uses)

        first = uses.loads[0]
        if position(first) < (assignment.end_lineno, assignment.end_col_offset):
            raise _NoFix(f"`{name}` is used before this assignment, for example in an earlier loop iteration")
        created, creating_call = self._creation(first, name)
        statement = self.index.statement_of(first)
        self._check_straight_line(assignment, statement, name)
        self._check_unconditional(creating_call, statement, name)
        if created != "file" and not (isinstance(statement, ast.Expr) and statement.value is creating_call):
            raise _NoFix(f"the result of the call that creates the folder `{name}` is used")
        return created, statement

    def _check_straight_line(self, assignment: ast.stmt, statement: ast.stmt | None, name: str) -> None:
        """Check that `statement` runs whenever `assignment` has run, barring exceptions.

        It must follow in the same block, or at the start of the body of a `try` or
        `with` statement that follows, with only simple statements in between.
        """
        block = self.index.body_containing(assignment)
        current = statement
        while current is not None and block is not None:
            inner = self.index.body_containing(current)
            if inner is None:
                break
            if inner is block:
                start = _index_in(block, assignment) + 1
                self._check_simple(block[start : _index_in(block, current)], name)
                return
            parent = self.index.parent(current)
            if not (isinstance(parent, (ast.Try, ast.TryStar, ast.With, ast.AsyncWith)) and inner is parent.body):
                break
            self._check_simple(inner[: _index_in(inner, current)], name)
            current = parent
        raise _NoFix(f"`{name}` is first used inside a nested block, which may not run")

    @staticmethod
    def _check_simple(statements: list[ast.stmt], name: str) -> None:
        for between in statements:
            if not isinstance(between, _SIMPLE_STATEMENTS) or _suspends(between):
                raise _NoFix(f"a statement between the assignment and the first use of `{name}` can leave the block")

    def _creation(self, load: ast.Name, name: str) -> tuple[str, ast.Call]:
        """Return what the call that receives `load` as its path creates, and that call.

        The kind is "file", "folder" or "folder with parents". Raises _NoFix for any
        other first use.
        """
        parent = self.index.parent(load)
        if isinstance(parent, ast.keyword) and parent.arg == "file":
            parent = self.index.parent(parent)
        elif not (isinstance(parent, ast.Call) and parent.args and parent.args[0] is load):
            raise _NoFix(f"`{name}` is first used {_describe_use(parent, load)}")

        called = self.names.get(parent.func, frozenset())
        if called and called <= OPEN_FUNCTIONS:
            return self._opened_for_writing(parent, name), parent
        if called == {"os.mkdir"} and len(parent.args) == 1 and not parent.keywords:
            return "folder", parent
        if called == {"os.makedirs"} and len(parent.args) == 1 and not parent.keywords:
            return "folder with parents", parent
        if called and called <= PATH_CLASSES and len(parent.args) == 1 and not parent.keywords:
            return self._path_method(parent, name)
        if called and called <= {"os.mkdir", "os.makedirs"}:
            raise _NoFix(f"`{name}` is passed to `{_dotted(parent.func)}` with more arguments (a mode), "
                         "which `mkdtemp()` cannot honour")
        raise _NoFix(f"`{name}` is first passed to `{_dotted(parent.func) or 'a call'}`, not to a call that creates it")

    def _opened_for_writing(self, opener: ast.Call, name: str) -> str:
        writes = _open_mode(opener)
        if writes is None:
            raise _NoFix(f"`{name}` is opened with a mode that is not a constant string")
        if not writes:
            raise _NoFix(f"`{name}` is opened with a mode that does not create a file it may find existing ('x', 'r')")
        return "file"

    def _path_method(self, path_call: ast.Call, name: str) -> tuple[str, ast.Call]:
        attribute = self.index.parent(path_call)
        method_call = self.index.parent(attribute)
        if not (isinstance(attribute, ast.Attribute) and isinstance(method_call, ast.Call)
                and method_call.func is attribute):
            raise _NoFix(f"`{name}` is wrapped in a `Path` that is used further")
        method = attribute.attr
        if method in PATH_WRITERS:
            return "file", method_call
        if method == "open" and _open_mode(method_call, mode_index=0) is True:
            return "file", method_call
        if method == "mkdir" and not method_call.args and {k.arg for k in method_call.keywords} <= {"exist_ok"}:
            return "folder", method_call
        raise _NoFix(f"`{name}` is first used by `Path.{method}()`, which the fixer does not rewrite")

    def _check_unconditional(self, creating_call: ast.Call, statement: ast.stmt, name: str) -> None:
        for ancestor in self.index.ancestors(creating_call):
            if ancestor is statement:
                return
            if not isinstance(ancestor, _UNCONDITIONAL):
                raise _NoFix(f"`{name}` is created inside an expression that may not run it")
        raise _NoFix(f"`{name}` is created outside the statement that uses it")

    # The unsafe kind

    def _private_folder(self, node: ast.expr, call: ast.Call, arguments: dict[str, ast.expr], reason: str) -> Fix:
        quote = self._quote(call)
        file_name = _file_name(arguments, quote)
        function, imports = self._tempfile_reference(node, "mkdtemp")
        join, join_imports = self._os_reference("path.join")
        edit = Edit(PRIVATE_FOLDER, function, imports + join_imports, join=join, file_name=file_name)
        return _fix(PRIVATE_FOLDER, UNSAFE, edit, reason)

    def _quote(self, call: ast.Call) -> str:
        """Return the quote character for a new string literal at `call`.

        Inside an f-string it must differ from the f-string's own quote, because Python
        before 3.12 rejects a reused quote. Elsewhere it follows the call's own string
        arguments.
        """
        for ancestor in self.index.ancestors(call):
            if isinstance(ancestor, ast.JoinedStr):
                return "'" if _opening_quote(self.source, ancestor) == '"' else '"'
        for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                return _opening_quote(self.source, argument) or '"'
        return '"'

    # Names for the replacement functions

    def _tempfile_reference(self, node: ast.expr, function: str) -> tuple[str, tuple]:
        """Return how to name `tempfile.<function>` at `node`, and the imports that needs."""
        if isinstance(node, ast.Attribute):
            return f"{_dotted(node.value)}.{function}", ()
        alias = self._module_alias("tempfile")
        if alias:
            return f"{alias}.{function}", ()
        if self._star_imports_tempfile() and not self.bindings(function):
            return function, ()
        if self._free_for(function, "tempfile", function):
            return function, (("tempfile", function),)
        if self._free_for("tempfile", "tempfile", None):
            return f"tempfile.{function}", (("tempfile", None),)
        raise _NoFix(f"the names `{function}` and `tempfile` are both taken in this module")

    def _os_reference(self, member: str) -> tuple[str, tuple]:
        alias = self._module_alias("os")
        if alias:
            return f"{alias}.{member}", ()
        if self._free_for("os", "os", None):
            return f"os.{member}", (("os", None),)
        raise _NoFix("the name `os` is taken in this module")

    def _module_alias(self, module: str) -> str | None:
        """Return the name a top-level `import module [as alias]` binds, if nothing rebinds it."""
        if module not in self._module_aliases:
            self._module_aliases[module] = self._find_module_alias(module)
        return self._module_aliases[module]

    def _find_module_alias(self, module: str) -> str | None:
        for statement in self.tree.body:
            if not isinstance(statement, ast.Import):
                continue
            for alias in statement.names:
                if alias.asname and alias.name == module:
                    bound = alias.asname
                elif not alias.asname and (alias.name == module or alias.name.startswith(module + ".")):
                    bound = module
                else:
                    continue
                if all(_imports_module(binding, self.index, module) for binding in self.bindings(bound)):
                    return bound
        return None

    def _star_imports_tempfile(self) -> bool:
        return any(
            isinstance(statement, ast.ImportFrom) and statement.module == "tempfile" and not statement.level
            and any(alias.name == "*" for alias in statement.names)
            for statement in self.tree.body
        )

    def _free_for(self, name: str, module: str, member: str | None) -> bool:
        """Return True when importing `module` (or `member` from it) as `name` clashes with nothing."""
        for binding in self.bindings(name):
            if member is None and _imports_module(binding, self.index, module):
                continue
            if member is not None and _imports_member(binding, self.index, module, member):
                continue
            return False
        return True

    def _fresh_name(self, base: str) -> str:
        candidate, number = base, 1
        while self.bindings(candidate) or self._loaded(candidate):
            number += 1
            candidate = f"{base}_{number}"
        return candidate

    def _loaded(self, name: str) -> bool:
        return any(isinstance(node, ast.Name) and node.id == name for node in self.index.nodes_naming(name))

    def bindings(self, name: str) -> list[ast.AST]:
        """Return the nodes that bind `name` anywhere in the module."""
        found = self._bindings.get(name)
        if found is None:
            found = self._bindings[name] = [node for node in self.index.binding_candidates(name) if _bound_name(node) == name]
        return found


def _fix(kind: str, safety: str, edit: Edit, reason: str = "") -> Fix:
    description = DESCRIPTIONS[kind].format(function=edit.function, reason=reason)
    return Fix(kind, safety, description[0].upper() + description[1:], edit)


def _check_single_binding(name: str, uses: NameUses) -> None:
    if uses.escapes:
        raise _NoFix(f"`{name}` is also used in a nested function, class, lambda or comprehension")
    if len(uses.bindings) != 1:
        raise _NoFix(f"`{name}` is bound more than once in this scope")
    if not uses.loads:
        raise _NoFix(f"`{name}` is never used in this scope, so nothing shows what it is for")


def _mktemp_arguments(call: ast.Call) -> dict[str, ast.expr]:
    """Map the call's arguments to mktemp's parameters (suffix, prefix, dir)."""
    if any(isinstance(argument, ast.Starred) for argument in call.args) or any(k.arg is None for k in call.keywords):
        raise _NoFix("the arguments are passed with * or **, so their meaning is unknown")
    if len(call.args) > len(MKTEMP_PARAMETERS):
        raise _NoFix("the call passes more positional arguments than mktemp() accepts")
    arguments = dict(zip(MKTEMP_PARAMETERS, call.args))
    for keyword in call.keywords:
        if keyword.arg not in MKTEMP_PARAMETERS or keyword.arg in arguments:
            raise _NoFix(f"the call passes an argument mktemp() does not accept: {keyword.arg}")
        arguments[keyword.arg] = keyword.value
    return arguments


def _open_mode(call: ast.Call, mode_index: int = 1) -> bool | None:
    """Return whether an open() call's mode creates or truncates a file, or None if unknown."""
    mode: ast.expr | None = call.args[mode_index] if len(call.args) > mode_index else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if mode is None:
        return False
    if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)):
        return None
    letters = set(mode.value)
    return bool(letters & {"w", "a"}) and not letters & {"x", "r"}


def _fits_named_temporary_file(opener: ast.Call) -> bool:
    if any(isinstance(argument, ast.Starred) for argument in opener.args):
        return False
    if len(opener.args) > 1 + len(OPEN_PARAMETERS):
        return False
    return all(keyword.arg in OPEN_PARAMETERS + ("file",) for keyword in opener.keywords)


def _index_in(block: list[ast.stmt], statement: ast.stmt) -> int:
    return next(number for number, item in enumerate(block) if item is statement)


def _suspends(statement: ast.stmt) -> bool:
    return any(isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)) for node in ast.walk(statement))


def _file_name(arguments: dict[str, ast.expr], quote: str) -> str:
    """Return the source of the file name inside the private folder: prefix and suffix.

    A constant prefix loses trailing separators ("report_" + ".html" gives
    "report.html"). An empty or missing prefix becomes "tmp", as in mktemp().
    """
    parts = []
    for parameter, default in (("prefix", "tmp"), ("suffix", "")):
        value = arguments.get(parameter)
        if value is None:
            parts.append(default)
        elif isinstance(value, ast.Constant) and isinstance(value.value, str):
            text = value.value.rstrip("-_.") if parameter == "prefix" else value.value
            parts.append(text or default)
        elif _is_dotted_name(value):
            parts.append(value)
        else:
            raise _NoFix(f"the {parameter} is computed by an expression that the fix would have to evaluate twice")

    if all(isinstance(part, str) for part in parts):
        return _literal("".join(parts), quote)
    pieces = [_literal(part, quote) if isinstance(part, str) else _dotted(part) for part in parts if part != ""]
    return " + ".join(pieces)


def _literal(text: str, quote: str) -> str:
    if quote in text or "\\" in text or not text.isprintable():
        raise _NoFix("the prefix or suffix contains quotes, backslashes or control characters")
    return f"{quote}{text}{quote}"


def _opening_quote(source: SourceText, node: ast.expr) -> str:
    # The rest of the line is enough: the literal's prefix and opening quote start it.
    text = source.line(node.lineno)[source.column(node.lineno, node.col_offset) - 1 :]
    quote = text.lstrip("fFrRbBuU")[:1]
    return quote if quote in ("'", '"') else ""


def _is_dotted_name(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _describe_use(parent: ast.AST | None, load: ast.Name) -> str:
    if isinstance(parent, ast.Return):
        return "as the function's return value"
    if isinstance(parent, ast.Call):
        return f"as an argument of `{_dotted(parent.func) or 'a call'}`"
    if isinstance(parent, (ast.Compare, ast.BoolOp, ast.UnaryOp)):
        return "in a test"
    if isinstance(parent, ast.keyword):
        return f"as the keyword argument `{parent.arg}`"
    if isinstance(parent, (ast.Yield, ast.YieldFrom)):
        return "in a `yield` expression"
    if isinstance(parent, ast.FormattedValue):
        return "in an f-string"
    return _EXPRESSION_KINDS.get(type(parent), "in another expression")


# The wording, in a reason for no safe fix, of a use inside each kind of expression.
_EXPRESSION_KINDS = {
    ast.BinOp: "in an arithmetic or string operation",
    ast.Subscript: "in a subscript",
    ast.Attribute: "through an attribute",
    ast.Tuple: "in a tuple",
    ast.List: "in a list",
    ast.Set: "in a set",
    ast.Dict: "in a dictionary",
    ast.IfExp: "in a conditional expression",
    ast.Starred: "in a starred expression",
    ast.Await: "in an `await` expression",
    ast.Lambda: "in a lambda",
}


def _bound_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return node.id
    if isinstance(node, ast.arg):
        return node.arg
    if isinstance(node, ast.alias) and node.name != "*":
        return node.asname or node.name.split(".")[0]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return node.name
    if isinstance(node, ast.MatchMapping):
        return node.rest
    return None


def _imports_module(binding: ast.AST, index: ModuleIndex, module: str) -> bool:
    statement = index.parent(binding)
    if not (isinstance(binding, ast.alias) and isinstance(statement, ast.Import)):
        return False
    if binding.asname:
        return binding.name == module
    return binding.name == module or binding.name.startswith(module + ".")


def _imports_member(binding: ast.AST, index: ModuleIndex, module: str, member: str) -> bool:
    statement = index.parent(binding)
    return (
        isinstance(binding, ast.alias) and isinstance(statement, ast.ImportFrom)
        and statement.module == module and not statement.level
        and binding.name == member and binding.asname in (None, member)
    )
