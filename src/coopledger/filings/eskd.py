"""The eSKDUpload 6.0 file of a VAT return, for Skatteverket's file upload.

The file is ISO-8859-1 XML under Skatteverket's DTD, kept byte for byte beside this
module (:data:`DTD_PATH`; its source and checksum are in ``PROVENANCE.md`` there):
the orgnr, then a ``Moms`` element with the period (the last month of the VAT period,
``YYYYMM``) and one element per box with an amount, in whole kronor, in the DTD's
order; empty boxes are left out and box 49 (``MomsBetala``) is always written::

    <?xml version="1.0" encoding="ISO-8859-1"?>
    <!DOCTYPE eSKDUpload PUBLIC "-//Skatteverket, ...//SV" "https://.../eSKDUpload_6p0.dtd">
    <eSKDUpload Version="6.0">
      <OrgNr>769634-5672</OrgNr>
      <Moms>
        <Period>202609</Period>
        <ForsMomsEjAnnan>412300</ForsMomsEjAnnan>
        ...
        <MomsBetala>38515</MomsBetala>
      </Moms>
    </eSKDUpload>
"""

from __future__ import annotations

from pathlib import Path

from coopledger.errors import CoopException
from coopledger.filings.boxes import BOXES, PAYABLE_BOX
from coopledger.filings.vat import VatReturn

DTD_PATH = Path(__file__).with_name("eSKDUpload_6p0.dtd")
PUBLIC_ID = "-//Skatteverket, Sweden//DTD Skatteverket eSKDUpload-DTD Version 6.0//SV"
SYSTEM_ID = "https://www1.skatteverket.se/demoeskd/eSKDUpload_6p0.dtd"
ENCODING = "ISO-8859-1"


def eskd_text(vat_return: VatReturn) -> str:
    """The eSKDUpload 6.0 document of a return, as text (encode it as ISO-8859-1).

    Raises:
        CoopException: The taxable person has no orgnr.
    """
    orgnr = vat_return.person.orgnr
    if orgnr is None:
        raise CoopException(f"{vat_return.person.code} has no orgnr: declare it on its "
                            "coop-entity before filing")
    lines = [f'<?xml version="1.0" encoding="{ENCODING}"?>',
             f'<!DOCTYPE eSKDUpload PUBLIC "{PUBLIC_ID}" "{SYSTEM_ID}">',
             '<eSKDUpload Version="6.0">',
             f"  <OrgNr>{orgnr}</OrgNr>",
             "  <Moms>",
             f"    <Period>{vat_return.eskd_period}</Period>"]
    for box in BOXES:
        value = vat_return.boxes.get(box.number)
        if value is None or (value.kronor == 0 and box.number != PAYABLE_BOX):
            continue
        lines.append(f"    <{box.element}>{value.kronor:f}</{box.element}>")
    lines += ["  </Moms>", "</eSKDUpload>", ""]
    return "\n".join(lines)


def eskd_bytes(vat_return: VatReturn) -> bytes:
    """The eSKDUpload 6.0 file of a return, encoded as the format requires."""
    return eskd_text(vat_return).encode(ENCODING)
