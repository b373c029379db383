"""The boxes of the VAT return (SKV 4700) and which accounts feed them.

Every box has its number on the form and its element in the eSKDUpload 6.0 file; they
are listed in the order of the DTD's ``Moms`` element, which is the order the file must
follow. An account feeds a box by its BAS number (:func:`box_of`) unless its ``open``
directive says otherwise with ``vat-box`` metadata (``vat-box: "05"``, or ``"none"``)::

    2025-01-01 open Income:Kafe:3590-Vidarefakturerat SEK
      bas: "3590"
      vat-box: "05"
"""

from __future__ import annotations

from dataclasses import dataclass

SETTLEMENT_BAS = "2650"
BOX_KEY = "vat-box"
NO_BOX = "none"


@dataclass(frozen=True)
class Box:
    """One box of SKV 4700: its number, its eSKD element and what it holds."""

    number: str
    element: str
    sv: str
    en: str


#: Every box, in the order of the eSKDUpload 6.0 DTD's ``Moms`` element (49 is computed).
BOXES: tuple[Box, ...] = (
    Box("05", "ForsMomsEjAnnan", "Momspliktig försäljning", "VAT-able sales"),
    Box("06", "UttagMoms", "Momspliktiga uttag", "VAT-able self-supply"),
    Box("07", "UlagMargbesk", "Beskattningsunderlag vid vinstmarginalbeskattning",
        "Profit margin scheme base"),
    Box("08", "HyrinkomstFriv", "Hyresinkomster vid frivillig skattskyldighet",
        "Rent under voluntary tax liability"),
    Box("20", "InkopVaruAnnatEg", "Inköp av varor från annat EU-land",
        "Goods bought from another EU country"),
    Box("21", "InkopTjanstAnnatEg", "Inköp av tjänster från annat EU-land",
        "Services bought from another EU country"),
    Box("22", "InkopTjanstUtomEg", "Inköp av tjänster från land utanför EU",
        "Services bought from outside the EU"),
    Box("23", "InkopVaruSverige", "Inköp av varor i Sverige, köparen skattskyldig",
        "Goods bought in Sweden, buyer liable"),
    Box("24", "InkopTjanstSverige", "Övriga inköp av tjänster", "Other services bought"),
    Box("50", "MomsUlagImport", "Beskattningsunderlag vid import", "Import tax base"),
    Box("35", "ForsVaruAnnatEg", "Försäljning av varor till annat EU-land",
        "Goods sold to another EU country"),
    Box("36", "ForsVaruUtomEg", "Försäljning av varor utanför EU", "Goods exported"),
    Box("37", "InkopVaruMellan3p", "Mellanmans inköp vid trepartshandel",
        "Intermediary purchases, triangulation"),
    Box("38", "ForsVaruMellan3p", "Mellanmans försäljning vid trepartshandel",
        "Intermediary sales, triangulation"),
    Box("39", "ForsTjSkskAnnatEg", "Försäljning av tjänster till annat EU-land",
        "Services sold to EU businesses"),
    Box("40", "ForsTjOvrUtomEg", "Övrig försäljning av tjänster utomlands",
        "Other services sold abroad"),
    Box("41", "ForsKopareSkskSverige", "Försäljning där köparen är skattskyldig i Sverige",
        "Sales with the buyer liable in Sweden"),
    Box("42", "ForsOvrigt", "Övrig försäljning m.m. (momsfri)", "Other (exempt) sales"),
    Box("10", "MomsUtgHog", "Utgående moms 25 %", "Output VAT 25 %"),
    Box("11", "MomsUtgMedel", "Utgående moms 12 %", "Output VAT 12 %"),
    Box("12", "MomsUtgLag", "Utgående moms 6 %", "Output VAT 6 %"),
    Box("30", "MomsInkopUtgHog", "Utgående moms 25 % på inköp", "Output VAT 25 % on purchases"),
    Box("31", "MomsInkopUtgMedel", "Utgående moms 12 % på inköp",
        "Output VAT 12 % on purchases"),
    Box("32", "MomsInkopUtgLag", "Utgående moms 6 % på inköp", "Output VAT 6 % on purchases"),
    Box("60", "MomsImportUtgHog", "Utgående moms 25 % på import", "Output VAT 25 % on imports"),
    Box("61", "MomsImportUtgMedel", "Utgående moms 12 % på import",
        "Output VAT 12 % on imports"),
    Box("62", "MomsImportUtgLag", "Utgående moms 6 % på import", "Output VAT 6 % on imports"),
    Box("48", "MomsIngAvdr", "Ingående moms att dra av", "Input VAT to deduct"),
    Box("49", "MomsBetala", "Moms att betala eller få tillbaka", "VAT to pay or get back"),
)
BOX_BY_NUMBER = {b.number: b for b in BOXES}
OUTPUT_BOXES = ("10", "11", "12", "30", "31", "32", "60", "61", "62")
INPUT_BOX = "48"
PAYABLE_BOX = "49"
SALES_BOXES = tuple(b.number for b in BOXES if b.number not in (*OUTPUT_BOXES, "48", "49"))

#: BAS numbers of the VAT accounts and the box each feeds (DOMAIN.md sections 3 and 7).
_VAT_ACCOUNTS: dict[str, str] = {
    **dict.fromkeys(("2610", "2611", "2612", "2613", "2616"), "10"),
    **dict.fromkeys(("2620", "2621", "2622", "2623", "2626"), "11"),
    **dict.fromkeys(("2630", "2631", "2632", "2633", "2636"), "12"),
    "2614": "30", "2624": "31", "2634": "32",
    "2615": "60", "2625": "61", "2635": "62",
    **dict.fromkeys(("2640", "2641", "2642", "2645", "2646", "2647", "2649"), "48"),
}
#: Income accounts with a box of their own; others in the ranges of :func:`box_of` take 05.
_SALES_ACCOUNTS: dict[str, str] = {
    "3004": "42", "3910": "42", "3911": "42", "3912": "42", "3913": "08",
    "3105": "36", "3106": "35", "3108": "39", "3305": "40", "3308": "39",
    "3740": NO_BOX,
}


def box_of(bas: str | None, override: object = None) -> str | None:
    """The box an account feeds, from its BAS number or its ``vat-box`` metadata.

    Args:
        bas: The account's BAS number.
        override: The ``vat-box`` metadata of its ``open`` directive, if any.

    Returns:
        The box number, or None when the account feeds no box.
    """
    if override is not None:
        text = str(override)
        return None if text == NO_BOX else text
    if bas is None or not bas.isdigit():
        return None
    if bas in _VAT_ACCOUNTS:
        return _VAT_ACCOUNTS[bas]
    if bas in _SALES_ACCOUNTS:
        found = _SALES_ACCOUNTS[bas]
        return None if found == NO_BOX else found
    number = int(bas)
    if 3000 <= number <= 3799 or 3920 <= number <= 3939:
        return "05"
    return None


def is_vat_account(bas: str | None) -> bool:
    """Whether an account is a VAT account (BAS 2600-2699) other than the settlement's."""
    return bas is not None and bas.isdigit() and 2600 <= int(bas) <= 2699 \
        and bas != SETTLEMENT_BAS
