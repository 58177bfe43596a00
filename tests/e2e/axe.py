"""The axe-core accessibility check in a Playwright page: axe is loaded from the test server's own static files
(static/vendor/axe-core, vendored from npm), never from a CDN.

    from tests.e2e.axe import serious_violations, describe
    violations = serious_violations(browser_page)
    assert violations == [], describe(violations)
"""

from __future__ import annotations

from urllib.parse import urlsplit

AXE_PATH = "/static/vendor/axe-core/axe.min.js"
SERIOUS = ("serious", "critical")


def axe_inject(page) -> None:
    """Load axe into the page from the server that served the page (once per page load)."""
    if page.evaluate("() => typeof window.axe !== 'undefined'"):
        return
    parts = urlsplit(page.url)
    page.add_script_tag(url=f"{parts.scheme}://{parts.netloc}{AXE_PATH}")
    page.wait_for_function("() => typeof window.axe !== 'undefined'")


def axe_run(page, *, include: str | None = None, exclude: list[str] | None = None) -> list[dict]:
    """All of axe's violations on the page as it is now (the WCAG 2.x A/AA rules and axe's best practices).
    `include`: a CSS selector to check only that part; `exclude`: selectors to leave out."""
    axe_inject(page)
    context = {"include": [[include]] if include else [["html"]], "exclude": [[s] for s in exclude or []]}
    return page.evaluate(
        """async (context) => {
            const result = await axe.run(context, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 300),
                                            summary: n.failureSummary || ""})),
            }));
        }""",
        context,
    )


def serious_violations(page, *, include: str | None = None, exclude: list[str] | None = None) -> list[dict]:
    """The violations axe rates serious or critical (the ones the portal must not have)."""
    return [v for v in axe_run(page, include=include, exclude=exclude) if v["impact"] in SERIOUS]


def describe(violations: list[dict]) -> str:
    """A readable assertion message: each rule, its impact, and the elements that break it."""
    out = []
    for v in violations:
        out.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            out.append(f"    {node['target']}: {node['html'][:160]}")
            if node["summary"]:
                out.append("      " + node["summary"].replace("\n", "\n      ")[:400])
    return "\n".join(out)
