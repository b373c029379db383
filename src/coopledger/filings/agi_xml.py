"""The AGI as Skatteverket's XML file (schema version 1.1).

The file has a sender block (``Avsandare``), the employer's common block
(``Blankettgemensamt``), then one ``Blankett`` for the main return (HU) and one per
individual return (IU)::

    <Skatteverket omrade="Arbetsgivardeklaration"
        xmlns="http://xmls.skatteverket.se/se/skatteverket/da/instans/schema/1.1"
        xmlns:agd="http://xmls.skatteverket.se/se/skatteverket/da/komponent/schema/1.1">
      <agd:Avsandare>...</agd:Avsandare>
      <agd:Blankettgemensamt>...</agd:Blankettgemensamt>
      <agd:Blankett>
        <agd:Arendeinformation>
          <agd:Arendeagare>165556677889</agd:Arendeagare><agd:Period>202610</agd:Period>
        </agd:Arendeinformation>
        <agd:Blankettinnehall><agd:HU>...</agd:HU></agd:Blankettinnehall>
      </agd:Blankett>
      ...
    </Skatteverket>

Organisation numbers are written with twelve digits (``16`` and the ten), personnummer
with twelve. The creation time (``Skapad``) is the first moment after the month, so the
same books always give the same bytes. :func:`schema_paths` names the schema files kept
with the package, which the tests validate every written file against.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

from coopledger.filings.agi import EmployerDeclaration, IndividualReturn, whole_kronor
from coopledger.filings.employees import Contact

INSTANCE_NS = "http://xmls.skatteverket.se/se/skatteverket/da/instans/schema/1.1"
COMPONENT_NS = "http://xmls.skatteverket.se/se/skatteverket/da/komponent/schema/1.1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (f"{INSTANCE_NS} http://xmls.skatteverket.se/se/skatteverket/da/"
                   "arbetsgivardeklaration/arbetsgivardeklaration_1.1.xsd")
PROGRAM = "coopledger"
_SCHEMAS = Path(__file__).parent / "schemas"


def schema_paths() -> tuple[Path, Path]:
    """The instance and component schema files kept with the package."""
    return (_SCHEMAS / "arbetsgivardeklaration_1.1_coopledger.xsd",
            _SCHEMAS / "arbetsgivardeklaration_component_1.1_coopledger.xsd")


def employer_identity(orgnr: str) -> str:
    """An organisation number as the AGI writes it: ``16`` and the ten digits."""
    return "16" + "".join(char for char in orgnr if char.isdigit())


def _agd(parent: ET.Element, tag: str, text: str | None = None,
         faltkod: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{COMPONENT_NS}}}{tag}")
    if faltkod is not None:
        element.set("faltkod", faltkod)
    if text is not None:
        element.text = text
    return element


def _contact(parent: ET.Element, tag: str, contact: Contact) -> None:
    person = _agd(parent, tag)
    _agd(person, "Namn", contact.name)
    _agd(person, "Telefon", contact.phone)
    _agd(person, "Epostadress", contact.email)


def _blankett(root: ET.Element, employer: str, period: str) -> ET.Element:
    blankett = _agd(root, "Blankett")
    case = _agd(blankett, "Arendeinformation")
    _agd(case, "Arendeagare", employer)
    _agd(case, "Period", period)
    return _agd(blankett, "Blankettinnehall")


def _individual(content: ET.Element, employer: str, period: str,
                iu: IndividualReturn) -> None:
    form = _agd(content, "IU")
    _agd(_agd(form, "ArbetsgivareIUGROUP"), "AgRegistreradId", employer, "201")
    payee = _agd(_agd(form, "BetalningsmottagareIUGROUP"), "BetalningsmottagareIDChoice")
    _agd(payee, "BetalningsmottagarId", iu.employee.identity, "215")
    _agd(form, "RedovisningsPeriod", period, "006")
    _agd(form, "Specifikationsnummer", str(iu.employee.specification_number), "570")
    _agd(form, "AvdrPrelSkatt", str(whole_kronor(iu.tax)), "001")
    if iu.employee.workplace and iu.employee.workplace_city:
        _agd(form, "ArbetsplatsensGatuadress", iu.employee.workplace, "245")
        _agd(form, "ArbetsplatsensOrt", iu.employee.workplace_city, "246")
    if iu.contribution_free:
        _agd(form, "KontantErsattningEjUlagSA", str(whole_kronor(iu.gross)), "131")
        if iu.benefits:
            _agd(form, "SkatteplOvrigaFormanerEjUlagSA", str(whole_kronor(iu.benefits)), "132")
    else:
        _agd(form, "KontantErsattningUlagAG", str(whole_kronor(iu.gross)), "011")
        if iu.benefits:
            _agd(form, "SkatteplOvrigaFormanerUlagAG", str(whole_kronor(iu.benefits)), "012")


def agi_xml(declaration: EmployerDeclaration, contact: Contact,
            sender_orgnr: str | None = None) -> bytes:
    """The declaration as an AGI file (UTF-8 XML).

    Args:
        declaration: The month's declaration, without differences.
        contact: Who answers for the filing (sender and employer contact).
        sender_orgnr: The organisation that sends the file (the umbrella that runs the
            administration); the employer's own when not given.

    Returns:
        The file's bytes.
    """
    orgnr = declaration.person.orgnr or ""
    employer = employer_identity(orgnr)
    period = declaration.period
    created = datetime.datetime.combine(declaration.month.end, datetime.time())
    ET.register_namespace("", INSTANCE_NS)
    ET.register_namespace("agd", COMPONENT_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(f"{{{INSTANCE_NS}}}Skatteverket", {
        "omrade": "Arbetsgivardeklaration", f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION})
    sender = _agd(root, "Avsandare")
    _agd(sender, "Programnamn", PROGRAM)
    _agd(sender, "Organisationsnummer", employer_identity(sender_orgnr or orgnr))
    _contact(sender, "TekniskKontaktperson", contact)
    _agd(sender, "Skapad", created.isoformat())
    common = _agd(_agd(root, "Blankettgemensamt"), "Arbetsgivare")
    _agd(common, "AgRegistreradId", employer)
    _contact(common, "Kontaktperson", contact)
    main = _agd(_blankett(root, employer, period), "HU")
    _agd(_agd(main, "ArbetsgivareHUGROUP"), "AgRegistreradId", employer, "201")
    _agd(main, "RedovisningsPeriod", period, "006")
    _agd(main, "SummaArbAvgSlf", str(declaration.total_contributions), "487")
    _agd(main, "SummaSkatteavdr", str(declaration.total_tax), "497")
    for iu in declaration.individuals:
        _individual(_blankett(root, employer, period), employer, period, iu)
    ET.indent(root, space="  ")
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            + ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n")
