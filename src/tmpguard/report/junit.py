"""JUnit XML report: one failing test case per finding, for CI test-report views.

Files that could not be scanned become test cases with an `error` element, so a
gate that did not look shows up as broken rather than green.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from tmpguard.findings import FileResult, Finding, ScanResult, ScanStatus

# Characters XML 1.0 does not allow even as character references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Replace characters XML 1.0 forbids with a visible escape such as `\\x1b`."""
    return _NOT_XML.sub(lambda match: match.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def _finding_case(suite: ElementTree.Element, finding: Finding) -> None:
    where = f"{finding.path}:{finding.start_line}:{finding.start_column}"
    case = ElementTree.SubElement(suite, "testcase", {
        "classname": xml_text(finding.path),
        "name": f"{finding.rule_id} at line {finding.start_line}, column {finding.start_column}",
        "file": xml_text(finding.path),
        "line": str(finding.start_line),
    })
    failure = ElementTree.SubElement(case, "failure", {"type": finding.rule_id, "message": xml_text(finding.message)})
    failure.text = xml_text(f"{where}: {finding.rule_id} {finding.message}\n    {finding.snippet.strip()}\n")


def _not_scanned_case(suite: ElementTree.Element, item: FileResult) -> None:
    case = ElementTree.SubElement(suite, "testcase", {
        "classname": xml_text(item.path), "name": "file not scanned", "file": xml_text(item.path),
    })
    ElementTree.SubElement(case, "error", {"type": "not-scanned", "message": xml_text(item.reason or "not scanned")})


def render(result: ScanResult) -> str:
    findings = result.active_findings
    not_scanned = result.files_with(ScanStatus.NOT_SCANNED)
    counts = {
        "tests": str(len(findings) + len(not_scanned)),
        "failures": str(len(findings)),
        "errors": str(len(not_scanned)),
    }

    root = ElementTree.Element("testsuites", {"name": "tmpguard", **counts})
    suite = ElementTree.SubElement(root, "testsuite", {"name": "tmpguard", **counts, "skipped": "0"})
    for finding in findings:
        _finding_case(suite, finding)
    for item in not_scanned:
        _not_scanned_case(suite, item)

    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
