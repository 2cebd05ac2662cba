"""Apply planned fixes to one module's source with LibCST, keeping comments and layout.

The planner (`fixes.plan`) decided each fix on the `ast` tree. This module finds the
same nodes in the concrete syntax tree by their positions and rewrites them. The
rewrite changes the flagged call, the statement that binds its name, the statement
that created the folder (for `mkdtemp`) and the imports. Comments of a removed
statement move to the next statement of its block. Every other byte stays as it was.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from tmpguard.findings import Finding
from tmpguard.fixes.plan import MKDTEMP, MKSTEMP, MKTEMP_PARAMETERS, NAMED_TEMPORARY_FILE, PRIVATE_FOLDER, Edit

# open()'s parameters after `file`, in order. NamedTemporaryFile takes the first three
# at the same positions, so the others are passed by keyword.
_OPEN_PARAMETERS = ("mode", "buffering", "encoding", "errors", "newline")
_SAME_POSITION = 3


class RewriteError(Exception):
    """Raised when LibCST cannot parse the module or the rewrite does not compile."""


@dataclass
class Rewrite:
    """The rewritten source, the findings whose fix was applied, and the ones skipped."""

    text: str
    applied: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)


def rewrite(text: str, findings: list[Finding]) -> Rewrite:
    """Apply the fix of each finding in `findings` to the module source `text`.

    Raises RewriteError when LibCST cannot parse `text` or the result does not compile.
    """
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise RewriteError(f"LibCST cannot parse the file: {error.message} (line {error.raw_line})") from None

    wrapper = MetadataWrapper(module)
    plan = _Plan(wrapper)
    result = Rewrite(text)
    for finding in findings:
        reason = plan.add(finding)
        if reason is None:
            result.applied.append(finding)
        else:
            result.skipped.append((finding, reason))
    if not result.applied:
        return result

    rewritten = wrapper.module.visit(_Transformer(plan))
    rewritten = _update_imports(rewritten, plan)
    result.text = rewritten.code
    try:
        ast.parse(result.text)
    except SyntaxError as error:
        raise RewriteError(f"the rewritten file does not compile: {error.msg} on line {error.lineno}") from None
    return result


class _Plan:
    """The CST nodes each planned fix changes, found by the findings' positions."""

    def __init__(self, wrapper: MetadataWrapper) -> None:
        self.positions = wrapper.resolve(PositionProvider)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self.names = {}
        self.statements = {}
        for node, span in self.positions.items():
            if isinstance(node, (cst.Name, cst.Attribute)):
                self.names[(span.start.line, span.start.column, span.end.line, span.end.column)] = node
            elif isinstance(node, cst.BaseSmallStatement):
                self.statements[(span.start.line, span.start.column)] = node

        self.renamed: dict[cst.Call, str] = {}
        self.wrapped: dict[cst.Call, Edit] = {}
        self.opened: dict[cst.Call, Edit] = {}
        self.unpacked: dict[cst.Assign, Edit] = {}
        self.removed: set[cst.BaseSmallStatement] = set()
        self.imports: set[tuple[str, str | None]] = set()
        self.replaced_names: set[str] = set()

    def add(self, finding: Finding) -> str | None:
        """Record the changes for `finding`'s fix, or return the reason it cannot be applied."""
        edit = finding.fix.edit if finding.fix else None
        if not isinstance(edit, Edit):
            return "no fix is planned"
        key = (finding.start_line, finding.start_column - 1, finding.end_line, finding.end_column - 1)
        node = self.names.get(key)
        call = self.parents.get(node) if node is not None else None
        if not (isinstance(call, cst.Call) and call.func is node):
            return "the flagged call was not found in the syntax tree"

        reason = self._add_kind(edit, call)
        if reason is None:
            self.imports.update(edit.imports)
            if isinstance(node, cst.Name):
                self.replaced_names.add(node.value)
        return reason

    def _add_kind(self, edit: Edit, call: cst.Call) -> str | None:
        if edit.kind == NAMED_TEMPORARY_FILE:
            argument = self.parents.get(call)
            opener = self.parents.get(argument)
            if not (isinstance(argument, cst.Arg) and isinstance(opener, cst.Call)):
                return "the open() call around the flagged call was not found"
            self.opened[opener] = edit
            return None

        if edit.kind == PRIVATE_FOLDER:
            self.wrapped[call] = edit
            return None

        assignment = self.parents.get(call)
        if not isinstance(assignment, cst.Assign):
            return "the assignment of the flagged call was not found"
        self.renamed[call] = edit.function
        if edit.kind == MKSTEMP:
            self.unpacked[assignment] = edit
            return None
        if edit.kind == MKDTEMP:
            line, column = edit.removed_statement
            statement = self.statements.get((line, column - 1))
            if statement is None:
                return "the statement that creates the folder was not found"
            self.removed.add(statement)
            return None
        return f"unknown fix kind {edit.kind}"


class _Transformer(cst.CSTTransformer):
    def __init__(self, plan: _Plan) -> None:
        super().__init__()
        self.plan = plan
        self.depth = 0
        self.carried: list[cst.EmptyLine] = []
        self.carried_depth = -1

    # Expressions

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        plan = self.plan
        if original in plan.renamed:
            return updated.with_changes(func=cst.parse_expression(plan.renamed[original]))
        if original in plan.wrapped:
            return _private_folder(updated, plan.wrapped[original])
        if original in plan.opened:
            return _named_temporary_file(updated, plan.opened[original])
        return updated

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        edit = self.plan.unpacked.get(original)
        if edit is None:
            return updated
        target = updated.targets[0]
        pair = cst.Tuple(
            [cst.Element(cst.Name(edit.descriptor), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
             cst.Element(target.target)],
            lpar=[], rpar=[],
        )
        return updated.with_changes(targets=[target.with_changes(target=pair)])

    # Statements: insert `os.close(fd)`, drop the statement that created a folder

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        updated = self._release_into_footer(updated)
        self.depth -= 1
        return updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return self._release_into_footer(updated)

    def on_leave(self, original, updated):
        updated = super().on_leave(original, updated)
        if self.carried and self.carried_depth == self.depth and isinstance(updated, cst.BaseStatement) \
                and not isinstance(original, cst.SimpleStatementLine):
            return self._release_into(updated)
        return updated

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        body = self._statements(original.body, updated.body)
        if not body:
            self._carry_comments(updated)
            return cst.RemovalSentinel.REMOVE
        if len(original.body) == 1 and len(body) == 2:
            close_line = cst.SimpleStatementLine([body[1]])
            return cst.FlattenSentinel([self._release_into(updated.with_changes(body=[body[0]])), close_line])
        return self._release_into(updated.with_changes(body=body))

    def leave_SimpleStatementSuite(self, original: cst.SimpleStatementSuite, updated: cst.SimpleStatementSuite):
        body = self._statements(original.body, updated.body)
        return updated.with_changes(body=body or [cst.Pass()])

    def _statements(self, originals, updates) -> list[cst.BaseSmallStatement]:
        body = []
        for original, updated in zip(originals, updates):
            if original in self.plan.removed:
                continue
            body.append(updated)
            edit = self.plan.unpacked.get(original) if isinstance(original, cst.Assign) else None
            if edit is not None:
                close = cst.parse_expression(f"{edit.close}({edit.descriptor})")
                body.append(cst.Expr(close))
        return body

    # Comments of a removed statement move to the next statement of the same block

    def _carry_comments(self, line: cst.SimpleStatementLine) -> None:
        comments = list(line.leading_lines)
        trailing = line.trailing_whitespace.comment
        if trailing is not None:
            comments.append(cst.EmptyLine(indent=True, comment=trailing))
        if any(empty.comment is not None for empty in comments):
            self.carried.extend(comments)
            self.carried_depth = self.depth

    def _release_into(self, statement):
        if not self.carried or self.carried_depth != self.depth:
            return statement
        lines, self.carried = self.carried, []
        return statement.with_changes(leading_lines=[*lines, *statement.leading_lines])

    def _release_into_footer(self, block):
        if not self.carried or self.carried_depth != self.depth:
            return block
        lines, self.carried = self.carried, []
        return block.with_changes(footer=[*lines, *block.footer])


def _private_folder(call: cst.Call, edit: Edit) -> cst.Call:
    """Return `join(mkdtemp(<the same arguments>), "<name>")` for a mktemp() call."""
    folder = call.with_changes(func=cst.parse_expression(edit.function))
    return cst.Call(
        func=cst.parse_expression(edit.join),
        args=[cst.Arg(folder), cst.Arg(cst.parse_expression(edit.file_name))],
    )


def _named_temporary_file(opener: cst.Call, edit: Edit) -> cst.Call:
    """Return `NamedTemporaryFile(<open's arguments>, <mktemp's as keywords>, delete=False)`."""
    remaining: list[cst.Arg] = []
    name_call = None
    removed_comma = None
    position = 0
    for argument in opener.args:
        if name_call is None and (argument.keyword is None or argument.keyword.value == "file"):
            name_call, removed_comma = argument.value, argument.comma
            continue
        if argument.keyword is None:
            if position >= _SAME_POSITION:
                argument = _as_keyword(argument, _OPEN_PARAMETERS[position])
            position += 1
        remaining.append(argument)
    remaining = _keep_comment(remaining, removed_comma)

    # NOTE: the mktemp() arguments move over without the white space around them, so a
    # comment written inside the mktemp(...) parentheses is lost.
    added = []
    if isinstance(name_call, cst.Call):
        for index, argument in enumerate(name_call.args):
            keyword = argument.keyword.value if argument.keyword else MKTEMP_PARAMETERS[index]
            added.append(cst.Arg(argument.value, keyword=cst.Name(keyword), equal=_equal()))
    added.append(cst.Arg(cst.Name("False"), keyword=cst.Name("delete"), equal=_equal()))
    return opener.with_changes(func=cst.parse_expression(edit.function), args=_append(opener, remaining, added))


def _keep_comment(arguments: list[cst.Arg], removed_comma) -> list[cst.Arg]:
    """Give the comma (and the comment after it) of the removed first argument to the next one."""
    if not arguments or not _has_comment(removed_comma) or _has_comment(arguments[0].comma):
        return arguments
    return [arguments[0].with_changes(comma=removed_comma), *arguments[1:]]


def _has_comment(comma) -> bool:
    whitespace = getattr(comma, "whitespace_after", None)
    return isinstance(whitespace, cst.ParenthesizedWhitespace) and whitespace.first_line.comment is not None


def _append(call: cst.Call, arguments: list[cst.Arg], added: list[cst.Arg]) -> list[cst.Arg]:
    """Append `added` to a call's `arguments` in the call's layout: one line, or one per line.

    The separator between arguments is copied from an existing one, and the comma and
    white space before the closing parenthesis move to the new last argument.
    """
    if not arguments:
        return [*(_with_comma(argument, _comma(", ")) for argument in added[:-1]), added[-1]]
    last = arguments[-1]
    separator = next(
        (argument.comma for argument in arguments[:-1]
         if isinstance(argument.comma, cst.Comma) and not _has_comment(argument.comma)),
        None,
    )
    if separator is None:
        opening = call.whitespace_before_args
        separator = cst.Comma(whitespace_after=opening) if isinstance(opening, cst.ParenthesizedWhitespace) else _comma(", ")
    closing_comma, closing_space = last.comma, last.whitespace_after_arg

    middle = [*arguments[:-1], _with_comma(last.with_changes(whitespace_after_arg=cst.SimpleWhitespace("")), separator)]
    middle += [_with_comma(argument, separator) for argument in added[:-1]]
    final = added[-1].with_changes(comma=closing_comma, whitespace_after_arg=closing_space)
    return [*middle, final]


def _with_comma(argument: cst.Arg, comma: cst.Comma) -> cst.Arg:
    if _has_comment(argument.comma):
        return argument
    return argument.with_changes(comma=comma)


def _comma(text: str) -> cst.Comma:
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(text[1:]))


def _equal() -> cst.AssignEqual:
    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _as_keyword(argument: cst.Arg, keyword: str) -> cst.Arg:
    if argument.keyword is not None:
        return argument
    return argument.with_changes(keyword=cst.Name(keyword), equal=_equal())


def _update_imports(module: cst.Module, plan: _Plan) -> cst.Module:
    """Add the imports the fixes need, once, and drop `mktemp` imports left unused."""
    context = CodemodContext()
    for module_name, member in sorted(plan.imports, key=lambda pair: (pair[0], pair[1] or "")):
        AddImportsVisitor.add_needed_import(context, module_name, member)
    module = AddImportsVisitor(context).transform_module(module)

    if not plan.replaced_names:
        return module
    context = CodemodContext()
    for statement in _tempfile_imports(module):
        for alias in statement.names:
            bound = alias.evaluated_alias or alias.evaluated_name
            if alias.evaluated_name == "mktemp" and bound in plan.replaced_names:
                RemoveImportsVisitor.remove_unused_import(context, "tempfile", "mktemp", alias.evaluated_alias)
    return RemoveImportsVisitor(context).transform_module(module)


def _tempfile_imports(module: cst.Module) -> list[cst.ImportFrom]:
    """Return the `from tempfile import ...` statements anywhere in `module`."""
    found = []

    class _Collector(cst.CSTVisitor):
        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if not node.relative and isinstance(node.module, cst.Name) and node.module.value == "tempfile" \
                    and not isinstance(node.names, cst.ImportStar):
                found.append(node)

    module.visit(_Collector())
    return found
