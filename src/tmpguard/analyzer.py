"""Find expressions that evaluate to `tempfile.mktemp` in a parsed module.

The analyser walks the AST once, keeping a scope stack (see `scopes`). Module and
class bodies are analysed in order. Function and lambda bodies are deferred to the
end of the module, as pyflakes does, because they run later and see the final
bindings of the scopes around them. The arms of a branch start from the same bindings
and their results merge, so a name rebound in one arm is rebound there only.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tmpguard.ast_children import child_fields
from tmpguard.local_names import local_names
from tmpguard.quiet_bodies import QuietBodies, leads_to_target
from tmpguard.word_lines import WordLines
from tmpguard.scopes import Binding, Scope, ScopeStack, State

TARGET = "tempfile.mktemp"

_NO_NAMES: frozenset[str] = frozenset()

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


@dataclass(frozen=True)
class Match:
    """An expression that names the target, with the lines of its smallest statement.

    `statement_lines` is the range of physical lines on which a suppression comment
    applies: the whole simple statement, or the header of a compound one. Columns are
    UTF-8 byte offsets, as the `ast` module gives them.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    statement_lines: tuple[int, int]
    node: ast.expr | None = field(default=None, compare=False, repr=False)


@dataclass
class Analysis:
    """The matches in one module, and what each resolved expression names.

    `qualified_names` maps every name, attribute, call and subscript load that
    resolved to something known (`builtins.open`, `os.mkdir`, `tempfile.mkdtemp`) to
    its qualified names, as resolved at that point of the program.
    """

    matches: list[Match]
    qualified_names: dict[ast.expr, frozenset[str]]
    words: WordLines | None = None
    """Line numbers of each looked-up identifier in the source text, shared with later steps."""


def analyse(tree: ast.Module, lines: list[str], skip_quiet_bodies: bool = True) -> Analysis:
    """Find the matches in `tree` and record the qualified names of resolved expressions.

    `lines` are the source lines of `tree`, used to find where statement headers end.
    A function body that binds a name through `global` or `nonlocal` affects code
    analysed before it, so then the module is analysed a second time, with those
    bindings made where the function is defined.

    With `skip_quiet_bodies`, function and lambda bodies that cannot contain a match
    (see `quiet_bodies`) are not analysed, so their expressions get no qualified names.
    """
    words = WordLines(lines)
    quiet = QuietBodies(words) if skip_quiet_bodies else None
    analyser = _Analyser(lines, quiet=quiet)
    analyser.run(tree)
    if analyser.declared_bindings:
        analyser = _Analyser(lines, analyser.declared_bindings, quiet)
        analyser.run(tree)
    matches = sorted(analyser.matches, key=lambda match: (match.line, match.column))
    return Analysis(matches, analyser.resolved, words)


def find_matches(tree: ast.Module, lines: list[str]) -> list[Match]:
    """Return every expression in `tree` that evaluates to `tempfile.mktemp`, in order."""
    return analyse(tree, lines).matches


# `__import__` returns the top package unless a fromlist is given, but these return the module.
_IMPORT_FUNCTIONS = frozenset({"builtins.__import__", "importlib.__import__"})
_IMPORT_MODULE_FUNCTIONS = frozenset({"importlib.import_module", "sys.modules.get"})


def _keyword_string(node: ast.Call, keyword: str) -> str | None:
    for argument in node.keywords:
        if argument.arg == keyword:
            return _constant_string(argument.value)
    return None


def _constant_string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None) or []
    return min([statement.lineno] + [decorator.lineno for decorator in decorators])


def _header_lines(node: ast.stmt | ast.excepthandler | ast.match_case, lines: list[str]) -> tuple[int, int]:
    """Return the lines on which a suppression comment applies to `node`.

    A simple statement spans all its lines. A compound statement, an `except` clause
    or a `case` clause spans its header: from its first decorator to the line of the
    colon, which is the last line before the body that is not blank or a comment.
    """
    if isinstance(node, ast.match_case):
        start = line = node.pattern.lineno
    else:
        start, line = _first_line(node), node.lineno

    if isinstance(node, ast.Match) and node.cases:
        body_line = node.cases[0].pattern.lineno
    elif isinstance(getattr(node, "body", None), list) and node.body:
        body_line = _first_line(node.body[0])
    else:
        return start, node.end_lineno or node.lineno

    end = max(line, body_line - 1)
    while end > line and _is_blank_or_comment(lines, end):
        end -= 1
    return start, end


def _is_blank_or_comment(lines: list[str], number: int) -> bool:
    text = lines[number - 1].strip() if number <= len(lines) else ""
    return not text or text.startswith("#")


_HEADED = (ast.stmt, ast.excepthandler, ast.match_case)


def _qualified_names_of(bindings: tuple[Binding, ...]) -> frozenset[str]:
    if len(bindings) == 1:
        # Most names have one binding, and most bindings are not to a qualified name.
        qualified_name = bindings[0].qualified_name
        return frozenset((qualified_name,)) if qualified_name else _NO_NAMES
    return frozenset(binding.qualified_name for binding in bindings if binding.qualified_name)


def _handler(kind: type) -> tuple:
    """Find and store the `_Analyser` method that visits nodes of class `kind`, and whether they are headed.

    A headed node (a statement, an `except` clause or a `case` clause) is one whose
    header lines a suppression comment can be on.
    """
    method = getattr(_Analyser, f"visit_{kind.__name__}", _Analyser.generic_visit)
    found = _HANDLERS[kind] = (method, issubclass(kind, _HEADED))
    return found


_HANDLERS: dict[type, tuple] = {}


# The bindings a function body makes through `global` or `nonlocal`, by function:
# the name, its qualified names and the declaration.
DeclaredBindings = dict[ast.AST, list[tuple[str, frozenset[str], str]]]


class _Analyser(ast.NodeVisitor):
    def __init__(self, lines: list[str], declared: DeclaredBindings | None = None, quiet: QuietBodies | None = None) -> None:
        self.lines = lines
        self.quiet = quiet
        # Every name bound so far, in any scope, to a qualified name that leads to the target.
        self.leading_names: set[str] = set()
        # Joining the lines cannot make a ":=" that no line has, and one search is faster.
        self.has_walrus = ":=" in "\n".join(lines)
        self.stack = ScopeStack([Scope("module")])
        self.matches: list[Match] = []
        # The statements, `except` clauses and `case` clauses around the node being
        # visited, innermost last. Their suppression lines are computed only for matches.
        self.statements: list[ast.AST] = []
        self.resolved: dict[ast.expr, frozenset[str]] = {}
        self.deferred: list[tuple[list[Scope], Scope, ast.AST, ast.AST | None]] = []
        self.function: tuple[ast.AST, Scope] | None = None
        self.seed_bindings = declared or {}
        self.declared_bindings: DeclaredBindings = {}

    def run(self, tree: ast.Module) -> None:
        for statement in tree.body:
            self.visit(statement)

        while self.deferred:
            self._visit_deferred(*self.deferred.pop(0))

    def visit(self, node: ast.AST) -> None:
        """Call the visit_ method for `node`, looked up once per node class.

        `ast.NodeVisitor.visit` builds the method's name and calls getattr for every
        node, which costs more than most visit_ methods themselves.
        """
        method, headed = _HANDLERS.get(type(node)) or _handler(type(node))
        if not headed:
            method(self, node)
            return
        self.statements.append(node)
        try:
            method(self, node)
        finally:
            self.statements.pop()

    def generic_visit(self, node: ast.AST) -> None:
        """Visit the child nodes of `node` in field order, as `ast.NodeVisitor` does.

        Expression contexts and operators are skipped: they have no visit_ method.
        """
        for name in child_fields(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_Constant(self, node: ast.Constant) -> None:
        """Do nothing, because a constant has no child nodes.

        This replaces `ast.NodeVisitor.visit_Constant`, which looks for the visit_Num,
        visit_Str and other methods of Python 3.7 and earlier on every constant.
        """

    # Resolution: which qualified names can an expression evaluate to?

    def qualified_names(self, node: ast.AST) -> frozenset[str]:
        if isinstance(node, ast.Name):
            return _qualified_names_of(self.stack.lookup(node.id))
        if isinstance(node, ast.Attribute):
            names = self.qualified_names(node.value)
            if not names:
                return _NO_NAMES
            return frozenset(f"{name}.{node.attr}" for name in names)
        if isinstance(node, ast.Call):
            return self._call_names(node)
        if isinstance(node, ast.Subscript):
            return self._subscript_names(node)
        if isinstance(node, ast.NamedExpr):
            return self.qualified_names(node.value)
        if isinstance(node, ast.IfExp):
            return self.qualified_names(node.body) | self.qualified_names(node.orelse)
        if isinstance(node, ast.BoolOp):
            return frozenset().union(*(self.qualified_names(value) for value in node.values))
        return frozenset()

    def _call_names(self, node: ast.Call) -> frozenset[str]:
        """Resolve constant-string dynamic lookups: getattr, __import__, import_module, vars."""
        functions = self.qualified_names(node.func)
        if not functions:
            return _NO_NAMES
        first = _constant_string(node.args[0]) if node.args else _keyword_string(node, "name")

        if "builtins.getattr" in functions and len(node.args) >= 2:
            attribute = _constant_string(node.args[1])
            if attribute is not None:
                return frozenset(f"{name}.{attribute}" for name in self.qualified_names(node.args[0]))
        if not functions.isdisjoint(_IMPORT_FUNCTIONS) and first:
            return frozenset({first if self._has_fromlist(node) else first.split(".")[0]})
        if not functions.isdisjoint(_IMPORT_MODULE_FUNCTIONS) and first and not first.startswith("."):
            return frozenset({first})
        if "builtins.vars" in functions and len(node.args) == 1:
            return frozenset(f"{name}.__dict__" for name in self.qualified_names(node.args[0]))
        return frozenset()

    @staticmethod
    def _has_fromlist(node: ast.Call) -> bool:
        fromlist = node.args[3] if len(node.args) >= 4 else None
        for keyword in node.keywords:
            if keyword.arg == "fromlist":
                fromlist = keyword.value
        if fromlist is None:
            return False
        if isinstance(fromlist, ast.Constant):
            return bool(fromlist.value)
        return not (isinstance(fromlist, (ast.List, ast.Tuple)) and not fromlist.elts)

    def _subscript_names(self, node: ast.Subscript) -> frozenset[str]:
        """Resolve `sys.modules["tempfile"]` and `module.__dict__["mktemp"]`."""
        key = _constant_string(node.slice)
        if key is None:
            return frozenset()
        names = set()
        for name in self.qualified_names(node.value):
            if name == "sys.modules":
                names.add(key)
            elif name.endswith(".__dict__"):
                names.add(f"{name.removesuffix('.__dict__')}.{key}")
        return frozenset(names)

    def _check(self, node: ast.expr) -> bool:
        names = self.qualified_names(node)
        if names:
            self.resolved[node] = names
        if TARGET not in names:
            return False
        self.matches.append(
            Match(
                node.lineno,
                node.col_offset,
                node.end_lineno or node.lineno,
                node.end_col_offset if node.end_col_offset is not None else node.col_offset,
                self._statement_lines(node),
                node,
            )
        )
        return True

    def _statement_lines(self, node: ast.expr) -> tuple[int, int]:
        """Return the lines on which a suppression comment applies to `node`."""
        if not self.statements:
            return node.lineno, node.lineno
        return _header_lines(self.statements[-1], self.lines)

    # Expressions

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._check(node)
        else:
            self._bind(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load):
            self._check(node)
        self.visit(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        self._check(node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load):
            self._check(node)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._bind(node.target.id, self._alias_of(node.value), from_comprehension=True)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_defaults(node.args)
        self._defer(Scope("lambda"), node)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._visit_comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._visit_comprehension(node, [node.key, node.value])

    def _visit_comprehension(self, node: ast.AST, elements: list[ast.expr]) -> None:
        generators = node.generators
        self.visit(generators[0].iter)
        self.stack.push(Scope("comprehension"))
        for index, generator in enumerate(generators):
            if index:
                self.visit(generator.iter)
            self.visit(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        for element in elements:
            self.visit(element)
        self.stack.pop()

    # Bindings

    def _bind(self, name: str, qualified_names: frozenset[str] = frozenset(), from_comprehension: bool = False) -> None:
        scope = self.stack.bind(name, qualified_names, from_comprehension)
        if not qualified_names:
            return
        if any(leads_to_target(qualified_name) for qualified_name in qualified_names):
            self.leading_names.add(name)
        if self.function is None:
            return

        # Record a binding this function body makes in a scope around it, for the
        # second analysis that makes it where the function is defined.
        node, function_scope = self.function
        scopes = self.stack.scopes
        if scopes.index(scope) < scopes.index(function_scope):
            declaration = "global" if scope is scopes[0] else "nonlocal"
            self.declared_bindings.setdefault(node, []).append((name, qualified_names, declaration))

    def _alias_of(self, value: ast.expr) -> frozenset[str]:
        """Return the qualified names an alias of `value` should carry.

        A reference to the target itself was already reported where it was assigned,
        so its alias does not carry that name and uses of the alias are not reported
        again.
        """
        return self.qualified_names(value) - {TARGET}

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._visit_target(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
            self._visit_target(node.target, node.value)
        elif not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def _visit_target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, self._alias_of(value))
        else:
            self.visit(target)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, frozenset({alias.name}))
            else:
                top = alias.name.split(".")[0]
                self._bind(top, frozenset({top}))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module if not node.level else None
        for alias in node.names:
            if alias.name == "*":
                if module == "tempfile":
                    self._bind("mktemp", frozenset({TARGET}))
                continue
            qualified = frozenset({f"{module}.{alias.name}"}) if module else frozenset()
            self._bind(alias.asname or alias.name, qualified)

    def visit_Global(self, node: ast.Global) -> None:
        self.stack.current.global_names.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.stack.current.nonlocal_names.update(node.names)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        self.generic_visit(node)
        if node.name:
            self._bind(node.name)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.generic_visit(node)
        if node.rest:
            self._bind(node.rest)

    # Definitions

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._visit_defaults(node.args)
        self._visit_annotations(node)
        self._bind(node.name)
        for name, qualified_names, declaration in self.seed_bindings.get(node, ()):
            self.stack.bind_declared(name, qualified_names, declaration)
            if any(leads_to_target(qualified_name) for qualified_name in qualified_names):
                self.leading_names.add(name)
        self._defer(Scope("function", node.name), node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _defer(self, scope: Scope, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        """Queue a function or lambda body, with the scopes and statement around it."""
        statement = self.statements[-1] if self.statements else None
        self.deferred.append((self.stack.snapshot(), scope, node, statement))

    def _visit_defaults(self, arguments: ast.arguments) -> None:
        for default in arguments.defaults + arguments.kw_defaults:
            if default is not None:
                self.visit(default)

    def _visit_annotations(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = node.args
        every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        every += [argument for argument in (arguments.vararg, arguments.kwarg) if argument]
        for argument in every:
            if argument.annotation is not None:
                self.visit(argument.annotation)
        if node.returns is not None:
            self.visit(node.returns)

    def _visit_deferred(self, scopes: list[Scope], scope: Scope, node: ast.AST, statement: ast.AST | None) -> None:
        # The bindings around the body are final now, so the names that lead to the
        # target are known. A skipped body defers no nested body either.
        if self.quiet is not None and self.quiet.can_skip(node.lineno, node.end_lineno, self.leading_names):
            return
        scope.local_names = local_names(node, self.has_walrus)
        self.stack = ScopeStack(scopes + [scope])
        self.function = (node, scope)
        self.statements = [statement] if statement is not None else []
        arguments = node.args
        every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        every += [argument for argument in (arguments.vararg, arguments.kwarg) if argument]
        for argument in every:
            self._bind(argument.arg)

        if isinstance(node, ast.Lambda):
            self.visit(node.body)
            return
        for statement in node.body:
            self.visit(statement)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(expression)

        self.stack.push(Scope("class", node.name))
        for statement in node.body:
            self.visit(statement)
        self.stack.pop()

        self._bind(node.name)

    # Control flow: each arm of a branch starts from the bindings before the branch,
    # and afterwards every binding live at the end of some arm may be in effect.

    def _visit_arm(self, start: State, nodes: list[ast.AST]) -> State:
        self.stack.restore(start)
        for node in nodes:
            self.visit(node)
        return self.stack.save(like=start)

    def _visit_optional(self, nodes: list[ast.AST]) -> None:
        """Visit code that may run or not, such as a loop body."""
        start = self.stack.save()
        self.stack.merge([start, self._visit_arm(start, nodes)])

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        start = self.stack.save()
        self.stack.merge([self._visit_arm(start, node.body), self._visit_arm(start, node.orelse)])

    # NOTE: a loop body is analysed once, so a binding made late in the body is not
    # seen by the statements before it on the next iteration.

    def visit_While(self, node: ast.While) -> None:
        self.visit(node.test)
        self._visit_optional(node.body)
        self._visit_optional(node.orelse)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._visit_optional([node.target] + node.body)
        self._visit_optional(node.orelse)

    visit_AsyncFor = visit_For

    def visit_Try(self, node: ast.Try) -> None:
        start = self.stack.save()
        body = self._visit_arm(start, node.body)

        # An exception may leave the body at any statement. A handler starts from the
        # bindings before and after the body, not from those only live in between.
        self.stack.merge([start, body])
        raised = self.stack.save(like=start)
        handlers = [self._visit_arm(raised, [handler]) for handler in node.handlers]

        self.stack.merge([self._visit_arm(body, node.orelse)] + handlers)
        for statement in node.finalbody:
            self.visit(statement)

    visit_TryStar = visit_Try

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self._bind(node.name)
        for statement in node.body:
            self.visit(statement)

    def visit_Match(self, node: ast.Match) -> None:
        self.visit(node.subject)
        start = self.stack.save()
        cases = [self._visit_arm(start, [case]) for case in node.cases]
        self.stack.merge([start] + cases)
