"""Swedish number formatting and the board pages' labels in Swedish and English.

Board members read amounts the Swedish way: a space between thousands, a decimal comma
and a true minus sign (``−1 234 567,89``). The labels follow Fava's own language setting
(``custom "fava-option" "language" "en"``): English when it says so, Swedish otherwise.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: Unicode minus sign: it does not wrap and lines up with the digits.
MINUS = "\u2212"
#: Narrow no-break space, the Swedish thousands separator that never breaks a number.
THOUSANDS = "\u202f"


def format_amount(value: Decimal | None, decimals: int = 0) -> str:
    """Format an amount Swedish style: ``1 234 567,89``.

    Args:
        value: The amount (None gives an empty string).
        decimals: Decimals to show; rounded half up.

    Returns:
        The amount with a narrow no-break space between thousands, a decimal comma and
        a minus sign for negative amounts (never ``-0``).
    """
    if value is None:
        return ""
    exponent = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(exponent, rounding=ROUND_HALF_UP)
    negative = rounded < 0
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = THOUSANDS.join(groups)
    if decimals > 0:
        text += "," + fraction
    return (MINUS + text) if negative else text


def format_sek(value: Decimal | None, decimals: int = 0) -> str:
    """An amount followed by ``kr`` (``12 500 kr``); empty for None."""
    return "" if value is None else f"{format_amount(value, decimals)}\u00a0kr"


def format_percent(value: Decimal | None, decimals: int = 1) -> str:
    """A ratio (0.125) as a Swedish percentage (``12,5 %``); empty for None."""
    if value is None:
        return ""
    return f"{format_amount(value * 100, decimals)}\u00a0%"


LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "group": "Grupp",
        "cooperative": "Kooperativ",
        "fund": "Fonden",
        "close": "Bokslut",
        "period": "Period",
        "entity": "Enhet",
        "turnover": "Omsättning",
        "costs": "Kostnader",
        "result": "Resultat",
        "margin": "Marginal",
        "headcount": "Anställda",
        "equity": "Eget kapital",
        "cash": "Kassa och bank",
        "fund_loans": "Lån från fonden",
        "consolidated": "Koncernen (internt eliminerat)",
        "elimination_difference": "Elimineringsdifferens",
        "monthly_result": "Resultat per månad",
        "month": "Månad",
        "income_statement": "Resultaträkning",
        "balance_sheet": "Balansräkning",
        "assets": "Tillgångar",
        "equity_and_liabilities": "Eget kapital och skulder",
        "total": "Summa",
        "total_assets": "Summa tillgångar",
        "total_equity_and_liabilities": "Summa eget kapital och skulder",
        "fees": "Tjänsteavgift (6550)",
        "allocated": "Fördelade kostnader (6590)",
        "subsidies": "Lönebidrag (3988)",
        "loan_balance": "Lån från fonden (2390)",
        "by_month": "Månad för månad",
        "chart_result": "Resultat",
        "chart_loan": "Lån från fonden",
        "members": "Kooperativ",
        "errors": "Böckerna har {n} fel; siffrorna kan vara fel. Se sidan Fel.",
        "no_data": "Inga uppgifter för perioden.",
        "choose_entity": "Välj kooperativ",
        "at": "per",
        "capital": "Kapital",
        "capital_base": "Kapitalbas",
        "contributions": "Medlemsinsatser",
        "income_kept": "Behållna intäkter",
        "losses": "Kreditförluster",
        "fund_cash": "Kassa",
        "committed": "Beviljat, ej utbetalt",
        "available": "Tillgängligt för nya lån",
        "portfolio": "Portfölj",
        "gross_portfolio": "Bruttoportfölj",
        "at_risk_30": "Risk > 30 dagar",
        "par_ratio": "Andel",
        "interest_earned": "Upplupen ränta totalt",
        "provision_required": "Reservbehov",
        "written_off": "Avskrivet",
        "recovered": "Återvunnet",
        "loan_book": "Lånebok",
        "loan": "Lån",
        "borrower": "Låntagare",
        "principal": "Belopp",
        "rate": "Ränta",
        "outstanding": "Utestående",
        "accrued": "Upplupen ränta",
        "overdue": "Förfallet",
        "days_past_due": "Dagar sen",
        "status": "Status",
        "provision": "Reserv",
        "next_due": "Nästa förfallodag",
        "count": "Antal",
        "amount": "Belopp",
        "members_capital": "Medlemmarnas insatser",
        "share": "Andel",
        "portfolio_over_time": "Portfölj över tid",
        "par_over_time": "PAR över tid",
        "status_committed": "beviljat",
        "status_current": "i fas",
        "status_delinquent": "försenat",
        "status_default": "fallerat",
        "status_repaid": "återbetalt",
        "status_written-off": "avskrivet",
        "my_loans": "Våra lån från fonden per",
        "no_loans": "Inga lån från fonden.",
        "lender": "Långivare",
        "schedule_of": "Amorteringsplan för {loan}",
        "instalment": "Nr",
        "due": "Förfallodag",
        "payment": "Att betala",
        "interest": "Ränta",
        "amortisation": "Amortering",
        "remaining": "Kvar att betala",
        "state_open": "öppen",
        "state_closed": "stängd",
        "state_sealed": "förseglad",
        "state_seal broken": "förseglingen bruten",
        "transactions": "Verifikationer",
        "checks": "Kontroller",
        "board_pack": "Styrelsepaket",
        "open_pack": "öppna",
        "checks_for": "Kontroller för {month}",
        "passed": "godkänd",
        "failed": "underkänd",
        "all_passed": "alla godkända",
        "n_failed": "{n} underkända",
        "accepted": "accepterad",
        "n_accepted": "{n} accepterade vid förseglingen",
        "accepted_by": "Accepterad av {who}",
        "no_close": "Inga månader i perioden.",
    },
    "en": {
        "group": "Group",
        "cooperative": "Cooperative",
        "fund": "Fund",
        "close": "Close",
        "period": "Period",
        "entity": "Entity",
        "turnover": "Turnover",
        "costs": "Costs",
        "result": "Result",
        "margin": "Margin",
        "headcount": "Employees",
        "equity": "Equity",
        "cash": "Cash and bank",
        "fund_loans": "Loans from the fund",
        "consolidated": "Group (intra-group eliminated)",
        "elimination_difference": "Elimination difference",
        "monthly_result": "Result by month",
        "month": "Month",
        "income_statement": "Income statement",
        "balance_sheet": "Balance sheet",
        "assets": "Assets",
        "equity_and_liabilities": "Equity and liabilities",
        "total": "Total",
        "total_assets": "Total assets",
        "total_equity_and_liabilities": "Total equity and liabilities",
        "fees": "Service fee (6550)",
        "allocated": "Allocated costs (6590)",
        "subsidies": "Wage subsidies (3988)",
        "loan_balance": "Loans from the fund (2390)",
        "by_month": "Month by month",
        "chart_result": "Result",
        "chart_loan": "Fund loan",
        "members": "Cooperatives",
        "errors": "The books have {n} error(s); the figures may be wrong. See the Errors page.",
        "no_data": "No figures for the period.",
        "choose_entity": "Choose a cooperative",
        "at": "at",
        "capital": "Capital",
        "capital_base": "Capital base",
        "contributions": "Members' contributions",
        "income_kept": "Income kept",
        "losses": "Credit losses",
        "fund_cash": "Cash",
        "committed": "Committed, not disbursed",
        "available": "Available for new loans",
        "portfolio": "Portfolio",
        "gross_portfolio": "Gross portfolio",
        "at_risk_30": "At risk > 30 days",
        "par_ratio": "Ratio",
        "interest_earned": "Interest earned to date",
        "provision_required": "Provision required",
        "written_off": "Written off",
        "recovered": "Recovered",
        "loan_book": "Loan book",
        "loan": "Loan",
        "borrower": "Borrower",
        "principal": "Principal",
        "rate": "Rate",
        "outstanding": "Outstanding",
        "accrued": "Accrued interest",
        "overdue": "Overdue",
        "days_past_due": "Days past due",
        "status": "Status",
        "provision": "Provision",
        "next_due": "Next due",
        "count": "Count",
        "amount": "Amount",
        "members_capital": "Members' capital",
        "share": "Share",
        "portfolio_over_time": "Portfolio over time",
        "par_over_time": "PAR over time",
        "status_committed": "committed",
        "status_current": "current",
        "status_delinquent": "delinquent",
        "status_default": "default",
        "status_repaid": "repaid",
        "status_written-off": "written off",
        "my_loans": "Our loans from the fund at",
        "no_loans": "No loans from the fund.",
        "lender": "Lender",
        "schedule_of": "Repayment schedule of {loan}",
        "instalment": "No.",
        "due": "Due",
        "payment": "Payment",
        "interest": "Interest",
        "amortisation": "Principal",
        "remaining": "Remaining",
        "state_open": "open",
        "state_closed": "closed",
        "state_sealed": "sealed",
        "state_seal broken": "seal broken",
        "transactions": "Transactions",
        "checks": "Checks",
        "board_pack": "Board pack",
        "open_pack": "open",
        "checks_for": "Checks for {month}",
        "passed": "passed",
        "failed": "failed",
        "all_passed": "all passed",
        "n_failed": "{n} failed",
        "accepted": "accepted",
        "n_accepted": "{n} accepted at sealing",
        "accepted_by": "Accepted by {who}",
        "no_close": "No months in the period.",
    },
}


#: English for the statements' Swedish section titles (and the unclosed-result line).
STATEMENT_TITLES_EN: dict[str, str] = {
    "Rörelsens intäkter": "Operating income",
    "Varor och material": "Goods and materials",
    "Övriga externa kostnader": "Other external costs",
    "Personalkostnader": "Personnel costs",
    "Avskrivningar": "Depreciation",
    "Övriga rörelsekostnader": "Other operating costs",
    "Finansiella poster": "Financial items",
    "Bokslutsdispositioner och skatt": "Appropriations and tax",
    "Övrigt": "Other",
    "Anläggningstillgångar": "Fixed assets",
    "Omsättningstillgångar": "Current assets",
    "Eget kapital": "Equity",
    "Obeskattade reserver och avsättningar": "Untaxed reserves and provisions",
    "Långfristiga skulder": "Long-term liabilities",
    "Kortfristiga skulder": "Current liabilities",
    "Övriga tillgångar": "Other assets",
    "Övriga skulder": "Other liabilities",
    "Resultat som inte förts till eget kapital": "Result not yet moved to equity",
}


def language_of(fava_language: str | None) -> str:
    """The labels' language for Fava's ``language`` option: ``en`` or ``sv`` (default)."""
    if fava_language and fava_language.lower().startswith("en"):
        return "en"
    return "sv"


def labels(language: str) -> dict[str, str]:
    """The labels in ``language`` (Swedish for any language without its own table)."""
    if language == "en":
        return {**STATEMENT_TITLES_EN, **LABELS["en"]}
    return LABELS["sv"]
