"""Deny by default: the routes of Fava a member's board may use, and nothing else.

A member's Fava serves the member's own books (:mod:`coopledger.plugins.member`), so a
route that answers from the loaded entries shows only the member's data. Routes that
read the ledger's *files* (the source editor, an entry's context, documents, statements,
imports) would show the group's, and queries and downloads are not needed by a board;
they are refused. So is every route not judged here: :func:`guard_member_app` answers 403
for any endpoint of Fava's URL map that is not in :data:`ALLOWED`, and a test fails when
Fava gains a route that is in neither :data:`ALLOWED` nor :data:`REFUSED`.

Links to refused pages are hidden from the sidebar and menus by a style sheet added to
every HTML page (:data:`HIDE_REFUSED_CSS`).
"""

from __future__ import annotations

from typing import Any

#: Fava endpoints (GET) that answer from the loaded entries only.
ALLOWED_ENDPOINTS = frozenset({
    "index", "account", "report", "holdings_by", "help_page", "jump", "static",
    "extension_report", "extension_js_module", "extension_endpoint",
    "json_api.get_account_report", "json_api.get_balance_sheet", "json_api.get_changed",
    "json_api.get_commodities", "json_api.get_errors", "json_api.get_events",
    "json_api.get_help", "json_api.get_income_statement", "json_api.get_journal",
    "json_api.get_journal_page", "json_api.get_ledger_data", "json_api.get_narrations",
    "json_api.get_narration_transaction", "json_api.get_payee_accounts",
    "json_api.get_payee_transaction", "json_api.get_statistics",
    "json_api.get_trial_balance",
})
#: Fava endpoints refused (403) in a member's view, and why.
REFUSED_ENDPOINTS = {
    "json_api.get_source": "the ledger's files", "json_api.get_source_slice": "the files",
    "json_api.get_context": "the entry's lines in the files",
    "json_api.put_source": "writes", "json_api.put_source_slice": "writes",
    "json_api.delete_source_slice": "writes", "json_api.put_format_source": "writes",
    "json_api.put_add_entries": "writes", "json_api.put_move": "moves files",
    "json_api.get_documents": "documents on disk", "document": "documents on disk",
    "statement": "documents on disk", "json_api.put_add_document": "writes",
    "json_api.put_attach_document": "writes", "json_api.delete_document": "deletes files",
    "json_api.get_imports": "import folders", "json_api.get_extract": "import files",
    "json_api.put_upload_import_file": "writes",
    "json_api.get_query": "queries", "download_query": "queries",
    "download_journal": "downloads", "json_api.get_options": "the group's file list",
}
#: Reports (``/<bfile>/<report_name>/``) a member's board may open.
ALLOWED_REPORTS = frozenset({"income_statement", "balance_sheet", "trial_balance", "journal",
                             "errors", "commodities", "events", "statistics", "holdings"})
#: Endpoints of coopledger's extension a member's board may call.
ALLOWED_EXTENSION_ENDPOINTS = frozenset({("CoopClose", "board_pack")})
#: Links to refused pages, hidden from the sidebar and the menus.
HIDE_REFUSED_CSS = (
    '<style id="coopledger-member-view">'
    + ",".join(f'a[href*="/{page}"]' for page in (
        "editor/", "import/", "query/", "options/", "documents/", "download-journal",
        "download-query"))
    + "{display:none !important}</style>")


def refusal(endpoint: str | None, method: str, view_args: dict[str, Any]) -> str | None:
    """Why a request is refused in a member's view, or None when it may go through.

    Args:
        endpoint: Flask's endpoint of the request (None: no route matched, a 404).
        method: The HTTP method.
        view_args: The route's arguments.

    Returns:
        A one-line reason, or None.
    """
    if endpoint is None:
        return None
    if method not in ("GET", "HEAD"):
        return f"{method} is refused in a member's view (read-only)"
    if endpoint not in ALLOWED_ENDPOINTS:
        why = REFUSED_ENDPOINTS.get(endpoint, "not judged safe")
        return f"{endpoint} is refused in a member's view ({why})"
    if endpoint == "report" and view_args.get("report_name") not in ALLOWED_REPORTS:
        return f"the report {view_args.get('report_name')!r} is refused in a member's view"
    if endpoint == "extension_endpoint" and (
            view_args.get("extension_name"), view_args.get("endpoint")) \
            not in ALLOWED_EXTENSION_ENDPOINTS:
        return "this extension endpoint is refused in a member's view"
    return None


def guard_member_app(app: Any) -> Any:
    """Refuse every request :func:`refusal` refuses (403), and hide refused links.

    Args:
        app: Fava's Flask application (:func:`fava.application.create_app`).

    Returns:
        The same application, guarded.
    """
    from flask import Response, request

    def _deny_by_default() -> Response | None:
        why = refusal(request.endpoint, request.method, dict(request.view_args or {}))
        if why is None:
            return None
        return Response(f"403: {why}\n", status=403, mimetype="text/plain")

    # First of the application's hooks (Flask's documented registry), so that a refusal
    # is always this one, before Fava's own read-only hook or its ledger lookup.
    app.before_request_funcs.setdefault(None, []).insert(0, _deny_by_default)

    def _hide_refused(response: Response) -> Response:
        if response.mimetype == "text/html" and not response.direct_passthrough:
            page = response.get_data(as_text=True)
            if "</head>" in page:
                response.set_data(page.replace("</head>", HIDE_REFUSED_CSS + "</head>", 1))
        return response

    app.after_request(_hide_refused)
    return app
