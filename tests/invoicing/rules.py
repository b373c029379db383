"""CEN's EN 16931 rules and OpenPEPPOL's BIS Billing 3.0 rules, run with Saxon.

CEN publishes its rules compiled to XSLT; OpenPEPPOL publishes Schematron source. The
Schematron is turned into an XSLT 2.0 stylesheet here by a small compiler for the subset
it uses (patterns of rules with ``let``, ``assert`` and XSLT functions), then run like
CEN's: every ``failed-assert`` with flag ``fatal`` (or no flag) is a broken rule.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

from saxonche import PySaxonProcessor

from tests.conftest import fixture_path

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"


@cache
def _processor() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@cache
def _executable(path: str) -> object:
    compiler = _processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=path)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


@cache
def compile_schematron(sch: Path, out: Path) -> Path:
    """Write an XSLT 2.0 stylesheet that reports each failed assert of ``sch``."""
    tree = ET.parse(sch)
    root = tree.getroot()
    namespaces = {ns.get("prefix", ""): ns.get("uri", "") for ns in root.iter(f"{{{SCH}}}ns")}
    ns_attrs = " ".join(f'xmlns:{p}="{u}"' for p, u in namespaces.items() if p and p != "xs")
    parts = [f'<xsl:stylesheet version="2.0" xmlns:xsl="{XSL}" xmlns:svrl="{SVRL}" '
             f'xmlns:xs="http://www.w3.org/2001/XMLSchema" {ns_attrs}>']
    for function in root.findall(f"{{{XSL}}}function"):
        parts.append(ET.tostring(function, encoding="unicode"))
    lets = [*root.findall(f"{{{SCH}}}let"), *root.findall(f"{{{SCH}}}pattern/{{{SCH}}}let")]
    for let in lets:  # pattern variables are global too: their names do not clash
        parts.append(f'<xsl:variable name="{let.get("name")}" '
                     f'select="{_escape(let.get("value", ""))}"/>')
    modes = []
    for number, pattern in enumerate(root.iter(f"{{{SCH}}}pattern")):
        mode = f"p{number}"
        modes.append(mode)
        rules = pattern.findall(f"{{{SCH}}}rule")
        for order, rule in enumerate(rules):
            priority = 1000 + len(rules) - order
            body = []
            for let in rule.findall(f"{{{SCH}}}let"):
                body.append(f'<xsl:variable name="{let.get("name")}" '
                            f'select="{_escape(let.get("value", ""))}"/>')
            for check in rule.findall(f"{{{SCH}}}assert"):
                text = _escape("".join(check.itertext()).strip())
                body.append(
                    f'<xsl:if test="not({_escape(check.get("test", ""))})">'
                    f'<svrl:failed-assert id="{check.get("id", "")}" '
                    f'flag="{check.get("flag", "fatal")}"><svrl:text>{text}</svrl:text>'
                    "</svrl:failed-assert></xsl:if>")
            parts.append(
                f'<xsl:template match="{_escape(rule.get("context", ""))}" mode="{mode}" '
                f'priority="{priority}">{"".join(body)}'
                f'<xsl:apply-templates select="@*|*" mode="{mode}"/></xsl:template>')
        parts.append(f'<xsl:template match="text()" mode="{mode}" priority="-1"/>'
                     f'<xsl:template match="@*|*" mode="{mode}" priority="-2">'
                     f'<xsl:apply-templates select="@*|*" mode="{mode}"/></xsl:template>')
    calls = "".join(f'<xsl:apply-templates select="/" mode="{m}"/>' for m in modes)
    parts.append(f'<xsl:template match="/"><svrl:schematron-output>{calls}'
                 "</svrl:schematron-output></xsl:template></xsl:stylesheet>")
    out.write_text("".join(parts), encoding="utf-8")
    return out


def failed_asserts(document: bytes, stylesheet: Path) -> list[str]:
    """Each broken fatal rule of ``document`` under ``stylesheet``: ``id: text``."""
    executable = _executable(str(stylesheet))
    node = _processor().parse_xml(xml_text=document.decode("utf-8"))
    svrl = executable.transform_to_string(xdm_node=node)  # type: ignore[attr-defined]
    report = ET.fromstring(svrl)
    broken = []
    for failed in report.iter(f"{{{SVRL}}}failed-assert"):
        if failed.get("flag", "fatal") not in ("fatal", "error"):
            continue
        text = " ".join("".join(failed.itertext()).split())
        broken.append(f"{failed.get('id')}: {text[:160]}")
    return broken


def en16931() -> Path:
    """CEN's compiled EN 16931 UBL rules (skips when the fixtures are absent)."""
    return fixture_path("einvoice", "EN16931-UBL-validation.xslt")


def peppol(tmp: Path) -> Path:
    """OpenPEPPOL's rules compiled to XSLT under ``tmp`` (skips when absent)."""
    return compile_schematron(fixture_path("einvoice", "PEPPOL-EN16931-UBL.sch"),
                              tmp / "peppol.xslt")
