"""The rule "no unscoped lookups outside the selectors" (issue 10, item 7; the
reliability plan's row A6), written as an AST scan instead of a semgrep rule.

Registrations, assessments, their evidence and report jobs are read for a user
only through the selectors of their room (``…_for_user``), which scope every
row to what the user may see. Anywhere else, a lookup that starts from the
model itself — ``Registration.objects``, ``Assessment._default_manager``,
``Evidence._base_manager``, ``ReportJob.history``, ``get_object_or_404(Model,
…)``, ``get_list_or_404(Model, …)`` or ``apps.get_model(…, "Registration")`` —
is a finding, unless the place is in ``ALLOWED`` with its reason.

Out of scope (said so that nobody relies on it): lookups through related
managers (``committee.registrations.all()``: they start from an object that was
itself read through a scope), raw SQL, the Django admin (superusers only), and
migrations (historical models through ``apps.get_model``, run by the operator
with no user).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
# The app's own code: what runs in the web processes and the worker.
SCANNED_PACKAGES = ("config", "units", "campaign", "reporting")
SKIPPED_DIRECTORIES = {"migrations", "__pycache__"}

# The guarded models, by the module that defines them.
GUARDED_MODELS: dict[str, frozenset[str]] = {
    "campaign.registrations.models": frozenset({"Registration"}),
    "campaign.assessments.models": frozenset({"Assessment", "Evidence"}),
    "reporting.models": frozenset({"ReportJob"}),
}
GUARDED_NAMES = frozenset().union(*GUARDED_MODELS.values())
# Managers reached from the model class (``history`` is simple_history's).
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager", "history"})
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404"})

# Where an unscoped lookup is the right thing, each with its reason. A key is
# (file, function): the function's qualified name ("Class.method"; a nested
# function counts as its outer one) or "*" for the whole module. Selector
# modules (``<room>/selectors/*.py``, ``<room>/selectors.py``) are allowed as a
# rule: they are the layer that scopes, and the access-matrix and scope tests
# check what they return. An entry that no longer matches anything fails
# ``test_every_allowed_entry_is_still_needed``, so the list stays honest.
ALLOWED: dict[tuple[str, str], str] = {
    (
        "campaign/registrations/services/registrations.py",
        "_live_duplicate_exists",
    ): "one live registration per unit and year whoever registered it: the check "
    "sees every committee's rows of the unit (itself read through the actor's "
    "scope) and only a yes/no leaves it",
    (
        "campaign/registrations/services/registrations.py",
        "registrations_close_year",
    ): "the year-end close withdraws every draft of the year in the province; "
    "access.require(REVIEW_REGISTRATIONS) first (provincial staff or the system)",
    (
        "campaign/assessments/services/assessments.py",
        "assessment_create",
    ): "one assessment per unit and year: the duplicate check after the unit was "
    "re-read through the actor's scope; only exists() leaves it",
    (
        "reporting/services/jobs.py",
        "report_request",
    ): "creates the actor's job; after a race it re-reads the actor's own "
    "unfinished job (requested_by=by)",
    (
        "reporting/services/jobs.py",
        "report_delete",
    ): "locks again, by pk, the job report_job_get_for_user returned for the actor",
    (
        "reporting/services/jobs.py",
        "report_job_run",
    ): "the worker: a task passes the job id (no user); the document is built "
    "through the requester's scope (render_job_html(job, job.requested_by))",
    (
        "reporting/services/jobs.py",
        "_claim",
    ): "the worker claims a job by id with a conditional UPDATE (no user, no rows out)",
    (
        "reporting/services/jobs.py",
        "_renew",
    ): "the worker's heartbeat: a conditional UPDATE of its own lease",
    (
        "reporting/services/jobs.py",
        "_discard_unreferenced_file",
    ): "the worker checks whether its own job points at a file before deleting it",
    (
        "reporting/services/jobs.py",
        "_write_failure",
    ): "the worker records the failure of the job it holds (conditional UPDATE)",
    (
        "reporting/services/jobs.py",
        "report_jobs_reconcile",
    ): "the reconciler (beat, every minute): re-sends or fails jobs by status and "
    "lease; no user, nothing shown",
    (
        "reporting/phase_data.py",
        "ReportScope.unit_q",
    ): "a subquery filtered by registration_q(), which starts from "
    "registration_scope_q(the requesting user)",
    (
        "reporting/phase_data.py",
        "_exemplary",
    ): "a subquery filtered by scope.registration_q() (the requesting user's scope "
    "and the report's committee)",
    (
        "campaign/demo/registrations.py",
        "*",
    ): "the demo seed (manage.py seed_demo): runs as the system on a demo "
    "database, no request and no user",
    (
        "campaign/demo/assessments.py",
        "*",
    ): "the demo seed (manage.py seed_demo): runs as the system on a demo "
    "database, no request and no user",
}


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the project, with "/"
    line: int
    function: str  # qualified name, or "<module>"
    code: str  # the source line, stripped

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}: {self.code}"


def is_selector_module(path: str) -> bool:
    parts = path.split("/")
    return "selectors" in parts[:-1] or parts[-1] == "selectors.py"


def allowed_key(finding: Finding) -> tuple[str, str] | None:
    """The ``ALLOWED`` entry that covers ``finding``, if any."""
    if (finding.path, "*") in ALLOWED:
        return (finding.path, "*")
    name = finding.function
    while name:
        if (finding.path, name) in ALLOWED:
            return (finding.path, name)
        name = name.rpartition(".")[0]
    return None


def is_allowed(finding: Finding) -> bool:
    return is_selector_module(finding.path) or allowed_key(finding) is not None


def _module_name(path: str) -> str:
    dotted = path.removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def _absolute(module: str | None, level: int, current: str, is_package: bool) -> str:
    """The absolute name of ``from <level dots><module> import …`` in ``current``."""
    if level == 0:
        return module or ""
    parts = current.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: -(level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    return f"{base}.{module}" if module and base else (module or base)


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, source: str):
        self.path = path
        self.lines = source.splitlines()
        self.module = _module_name(path)
        self.is_package = path.endswith("__init__.py")
        self.model_names: dict[str, str] = {}  # local name -> guarded model
        self.module_aliases: dict[str, str] = {}  # local name -> models module
        self.shortcut_names: set[str] = set(SHORTCUTS)
        self.stack: list[str] = []
        self.findings: list[Finding] = []
        # Inside a guarded models module its classes are local names.
        for name in GUARDED_MODELS.get(self.module, ()):
            self.model_names[name] = name

    # --- What the names in this module stand for ---------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name in GUARDED_MODELS and alias.asname:
                self.module_aliases[alias.asname] = alias.name
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = _absolute(node.module, node.level, self.module, self.is_package)
        for alias in node.names:
            local = alias.asname or alias.name
            if source in GUARDED_MODELS and alias.name in GUARDED_MODELS[source]:
                self.model_names[local] = alias.name
            elif f"{source}.{alias.name}" in GUARDED_MODELS:
                self.module_aliases[local] = f"{source}.{alias.name}"
            elif alias.name in SHORTCUTS:
                self.shortcut_names.add(local)
        self.generic_visit(node)

    def _model(self, node: ast.AST) -> str | None:
        """The guarded model ``node`` names (``Registration``, ``models.Evidence``,
        ``campaign.registrations.models.Registration``), if any."""
        if isinstance(node, ast.Name):
            return self.model_names.get(node.id)
        if isinstance(node, ast.Attribute) and node.attr in GUARDED_NAMES:
            owner = _dotted(node.value)
            if owner is None:
                return None
            head, _, rest = owner.partition(".")
            module = self.module_aliases.get(head, head)
            if rest:
                module = f"{module}.{rest}"
            if node.attr in GUARDED_MODELS.get(module, ()):
                return node.attr
        return None

    # --- Where we are --------------------------------------------------------------

    def _scoped(self, node: ast.AST, name: str) -> None:
        self.stack.append(name)
        self.generic_visit(node)
        self.stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        # A nested function counts as the function it is defined in.
        if self.stack and self.stack[-1].startswith("def:"):
            self.generic_visit(node)
        else:
            self._scoped(node, f"def:{node.name}")

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.stack and self.stack[-1].startswith("def:"):
            self.generic_visit(node)
        else:
            self._scoped(node, f"class:{node.name}")

    def _where(self) -> str:
        names = [entry.split(":", 1)[1] for entry in self.stack]
        return ".".join(names) or "<module>"

    def _report(self, node: ast.AST) -> None:
        line = getattr(node, "lineno", 0)
        code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        self.findings.append(Finding(self.path, line, self._where(), code))

    # --- The lookups -----------------------------------------------------------------

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MANAGERS and self._model(node.value) is not None:
            self._report(node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = (
            function.id
            if isinstance(function, ast.Name)
            else function.attr
            if isinstance(function, ast.Attribute)
            else None
        )
        if (
            (name in self.shortcut_names or name in SHORTCUTS)
            and node.args
            and self._model(node.args[0]) is not None
        ):
            self._report(node)
        elif name == "get_model" and any(
            isinstance(arg, ast.Constant)
            and isinstance(arg.value, str)
            and arg.value.rpartition(".")[2] in GUARDED_NAMES
            for arg in node.args
        ):
            self._report(node)
        self.generic_visit(node)


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return None


def scan_source(path: str, source: str) -> list[Finding]:
    """Every lookup of a guarded model in ``source`` (allowed or not)."""
    scanner = _Scanner(path, source)
    scanner.visit(ast.parse(source, filename=path))
    return scanner.findings


def project_modules(root: Path = PROJECT) -> Iterator[Path]:
    for package in SCANNED_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if SKIPPED_DIRECTORIES.isdisjoint(path.relative_to(root).parts):
                yield path


def scan_project(root: Path = PROJECT) -> list[Finding]:
    findings: list[Finding] = []
    for path in project_modules(root):
        relative = path.relative_to(root).as_posix()
        findings.extend(scan_source(relative, path.read_text(encoding="utf-8")))
    return findings


def violations(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if not is_allowed(finding)]
