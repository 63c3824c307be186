"""Confirmatory factor analysis and measurement invariance by maximum likelihood.

`fit_cfa` reads a measurement model in lavaan's syntax (``visual =~ x1 + x2 + x3``)
and returns the fit measures and parameter estimates that lavaan 0.6 prints for
``cfa(model, data, group = ..., group.equal = ...)`` with its defaults: the first
loading of each factor fixed to 1, free residual and factor variances, free factor
covariances, listwise deletion, and a mean structure when there are groups.
`fit_invariance` fits the configural, metric and scalar models across groups and
tests each against the previous one, as semTools' ``measurementInvariance`` does.

This module computes the estimates, standard errors and fit measures itself, and
calls semopy 2.3.11 only for a second set of starting values when a fit from the
sample moments does not converge. semopy alone does not give lavaan's numbers
(checked against lavaan 0.6-14 on the Holzinger-Swineford data):

- semopy's ``calc_likelihood`` returns its fit function value (0.283), not the
  log-likelihood (its source marks it ``TODO``), so its AIC and BIC are wrong too.
- semopy's RMSEA divides by N - 1, and lavaan's by N.
- semopy stops scipy's SLSQP at its default ``ftol`` of 1e-6 on the fit function,
  which leaves a loading wrong in the third decimal (x3: 0.731 against 0.729). The
  same fit with ``ftol=1e-12`` gives lavaan's 0.72937.
- semopy's ``multigroup`` fits each group separately and cannot hold loadings or
  intercepts equal across groups, which invariance needs.
- Its fit takes about a second for this model, against 0.05 s here, so it is not
  worth running for starting values that converge anyway.

Nothing is rounded here: round only when displaying.
"""

import logging
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

logger = logging.getLogger(__name__)

ESTIMATORS = ("ML",)
# lavaan's `group.equal` vocabulary, for the parameters this module estimates.
EQUALITY_KINDS = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
)
INVARIANCE_LEVELS: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}
# Cells that mean "no value" in a researcher's CSV: empty, R's and pandas' spellings.
MISSING_MARKERS = frozenset({"", "na", "nan", "n/a", "."})

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")
_START = re.compile(r"start\(\s*([^()]*?)\s*\)\Z")
_OPERATOR = re.compile(r"=~|~~|<~|:=|==|~\*~|~|<|>|\|")
_SUPPORTED_OPERATORS = ("=~", "~~", "~")
# The optimiser stops when the gradient norm of the fit function F falls below
# this. In a CFA F and the parameters are of order 1, so the estimates are then
# exact to about 1e-7, far beyond the 3 decimals lavaan prints; a tighter target
# asks for decreases of F below its rounding error.
_GRADIENT_TOLERANCE = 1e-7
_ACCEPTED_GRADIENT = 1e-6
_MAX_ITERATIONS = 500


class CfaError(ValueError):
    """A model or data set that `fit_cfa` cannot fit.

    Attributes
    ----------
    code : str
        Stable reason, for callers that word their own message.
    details : dict
        The values involved (column, row, group, statement...), by name.
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


class ModelSyntaxError(CfaError):
    """A model description that is not valid lavaan measurement syntax.

    ``details`` holds ``line`` (1-based line of the model text) and ``statement``.
    """


@dataclass(frozen=True)
class Term:
    """One parameter the model text specifies, with its modifiers."""

    lhs: str
    op: str  # "=~", "~~" or "~1"
    rhs: str  # empty for an intercept
    line: int
    fixed: float | None = None
    freed: bool = False  # lavaan's NA* modifier
    label: str | None = None
    start: float | None = None


@dataclass(frozen=True)
class MeasurementModel:
    """A parsed measurement model: factors, their indicators and the terms given."""

    factors: tuple[str, ...]
    indicators: tuple[str, ...]
    terms: tuple[Term, ...]

    @property
    def has_intercepts(self) -> bool:
        return any(term.op == "~1" for term in self.terms)


# Model syntax


def _statements(syntax: str) -> list[tuple[int, str]]:
    """Split model text into statements with the line where each starts.

    Statements end at a newline or ``;``. A statement that ends with ``+``
    continues on the next line, and so does one whose next line starts with ``+``,
    so a long list of indicators can wrap.
    """
    statements: list[tuple[int, str]] = []
    for number, raw in enumerate(syntax.splitlines(), start=1):
        text = re.split(r"[#!]", raw, maxsplit=1)[0]
        for part in text.split(";"):
            part = part.strip()
            if not part:
                continue
            continues = statements and (
                statements[-1][1].endswith("+") or part.startswith("+")
            )
            if continues:
                line, previous = statements[-1]
                statements[-1] = (line, f"{previous} {part}")
            else:
                statements.append((number, part))
    return statements


def _syntax_error(code: str, message: str, line: int, statement: str) -> None:
    raise ModelSyntaxError(
        code, f"line {line}: {message}: {statement!r}", line=line, statement=statement
    )


def _parse_term(text: str, line: int, statement: str) -> tuple[dict[str, Any], str]:
    """Split ``mod*mod*name`` into its modifiers and the variable name."""
    parts = [part.strip() for part in text.split("*")]
    name = parts[-1]
    modifiers: dict[str, Any] = {}
    if not name or not (_NAME.match(name) or name == "1"):
        _syntax_error(
            "invalid_term", f"{text.strip()!r} is not a variable", line, statement
        )
    for modifier in parts[:-1]:
        start = _START.match(modifier)
        if _NUMBER.match(modifier):
            modifiers["fixed"] = float(modifier)
        elif modifier in ("NA", "na"):
            modifiers["freed"] = True
        elif start and _NUMBER.match(start.group(1)):
            modifiers["start"] = float(start.group(1))
        elif "(" in modifier:
            _syntax_error(
                "unsupported_modifier",
                f"modifier {modifier!r} is not supported (use a label or a number)",
                line,
                statement,
            )
        elif _NAME.match(modifier):
            modifiers["label"] = modifier
        else:
            _syntax_error(
                "invalid_term", f"invalid modifier {modifier!r}", line, statement
            )
    if "fixed" in modifiers and modifiers.get("freed"):
        _syntax_error(
            "invalid_term", "a parameter cannot be both fixed and NA", line, statement
        )
    return modifiers, name


def _parse_statement(line: int, statement: str) -> list[Term]:
    match = _OPERATOR.search(statement)
    if match is None:
        _syntax_error("no_operator", "no operator (=~ or ~~) found", line, statement)
    assert match is not None  # for mypy: _syntax_error raises
    op = match.group(0)
    lhs = statement[: match.start()].strip()
    rhs = statement[match.end() :].strip()
    if op not in _SUPPORTED_OPERATORS:
        _syntax_error(
            "unsupported_operator",
            f"operator {op!r} is not supported in a measurement model",
            line,
            statement,
        )
    if not _NAME.match(lhs):
        _syntax_error(
            "invalid_term", f"{lhs!r} is not a variable name", line, statement
        )
    if not rhs or rhs.endswith("+"):
        _syntax_error("invalid_term", "the right-hand side is empty", line, statement)
    terms = []
    for text in rhs.split("+"):
        modifiers, name = _parse_term(text, line, statement)
        if op == "~" and name != "1":
            _syntax_error(
                "unsupported_operator",
                "regressions (~) are not supported: fit_cfa fits measurement models",
                line,
                statement,
            )
        if name == "1" and op != "~":
            _syntax_error("invalid_term", "1 is only valid in 'x ~ 1'", line, statement)
        if op == "~":
            terms.append(Term(lhs, "~1", "", line, **modifiers))
        else:
            terms.append(Term(lhs, op, name, line, **modifiers))
    return terms


def parse_model(syntax: str) -> MeasurementModel:
    """Parse lavaan measurement syntax into factors, indicators and terms.

    Supported: ``f =~ x1 + x2`` (loadings), ``a ~~ b`` (variances and covariances of
    factors or residuals), ``x ~ 1`` (intercepts), and the modifiers ``0.5*x``
    (fixed), ``NA*x`` (free), ``label*x`` (equal to every parameter with the same
    label) and ``start(0.5)*x``. Comments start with ``#`` or ``!``.

    Raises
    ------
    ModelSyntaxError
        With the line and statement at fault.
    """
    terms: list[Term] = []
    for line, statement in _statements(syntax):
        terms.extend(_parse_statement(line, statement))
    if not terms:
        raise ModelSyntaxError(
            "empty_model", "the model has no statement", line=0, statement=""
        )
    factors = list(dict.fromkeys(term.lhs for term in terms if term.op == "=~"))
    if not factors:
        raise ModelSyntaxError(
            "no_factor",
            "the model defines no factor (f =~ x1 + x2)",
            line=0,
            statement="",
        )
    indicators: list[str] = []
    seen: dict[tuple[str, str, str], Term] = {}
    for term in terms:
        key = (term.lhs, term.op, term.rhs)
        if term.op == "~~":
            key = (min(term.lhs, term.rhs), "~~", max(term.lhs, term.rhs))
        if key in seen:
            _syntax_error(
                "duplicate",
                "this parameter is specified twice",
                term.line,
                f"{term.lhs} {term.op} {term.rhs}".strip(),
            )
        seen[key] = term
        if term.op != "=~":
            continue
        if term.rhs in factors:
            _syntax_error(
                "higher_order",
                f"factor {term.rhs!r} is used as an indicator; higher-order models "
                "are not supported",
                term.line,
                f"{term.lhs} =~ {term.rhs}",
            )
        if term.rhs not in indicators:
            indicators.append(term.rhs)
    known = set(factors) | set(indicators)
    for term in terms:
        mixed = (term.lhs in factors) != (term.rhs in factors)
        if term.op == "~~" and mixed and {term.lhs, term.rhs} <= known:
            _syntax_error(
                "unsupported_operator",
                "a covariance between a factor and an indicator is not supported",
                term.line,
                f"{term.lhs} ~~ {term.rhs}",
            )
        for name in (term.lhs, term.rhs):
            if term.op != "=~" and name and name not in known:
                _syntax_error(
                    "unknown_variable",
                    f"{name!r} is neither a factor nor an indicator of the model",
                    term.line,
                    f"{term.lhs} {term.op} {term.rhs}".strip(),
                )
    return MeasurementModel(tuple(factors), tuple(indicators), tuple(terms))


# Parameter table


@dataclass
class _Row:
    """One parameter of one group, where it sits in the model matrices."""

    lhs: str
    op: str
    rhs: str
    group: int
    matrix: str  # lambda, psi, theta, nu or alpha
    row: int
    col: int
    kind: str  # its lavaan group.equal word
    value: float = math.nan  # the fixed value, or the user's start
    label: str = ""
    # "fixed", "free", or "mean" for a latent mean: 0 unless the constraints free it.
    status: str = "free"
    free: int = -1  # index in the parameter vector, -1 unless free


def _kind(model: MeasurementModel, lhs: str, op: str, rhs: str) -> str:
    if op == "=~":
        return "loadings"
    if op == "~1":
        return "means" if lhs in model.factors else "intercepts"
    if lhs in model.factors:
        return "lv.variances" if lhs == rhs else "lv.covariances"
    return "residuals" if lhs == rhs else "residual.covariances"


def _group_rows(model: MeasurementModel, group: int, meanstructure: bool) -> list[_Row]:
    """List every parameter of one group with lavaan's `cfa()` defaults."""
    factor_index = {name: i for i, name in enumerate(model.factors)}
    indicator_index = {name: i for i, name in enumerate(model.indicators)}
    given: dict[tuple[str, str, str], Term] = {}
    for term in model.terms:
        if term.op == "~~":
            given[(term.lhs, "~~", term.rhs)] = term
            given[(term.rhs, "~~", term.lhs)] = term
        else:
            given[(term.lhs, term.op, term.rhs)] = term

    specs: list[tuple[str, str, str]] = []
    for term in model.terms:
        if term.op == "=~":
            specs.append((term.lhs, "=~", term.rhs))
    for name in model.indicators:
        specs.append((name, "~~", name))
    for term in model.terms:
        if term.op == "~~" and term.lhs in indicator_index and term.lhs != term.rhs:
            specs.append((term.lhs, "~~", term.rhs))
    for i, first in enumerate(model.factors):
        for second in model.factors[i:]:
            specs.append((first, "~~", second))
    if meanstructure:
        specs.extend((name, "~1", "") for name in model.indicators)
        specs.extend((name, "~1", "") for name in model.factors)

    first_indicator: dict[str, str] = {}
    for term in model.terms:
        if term.op == "=~":
            first_indicator.setdefault(term.lhs, term.rhs)
    rows = []
    for lhs, op, rhs in specs:
        if op == "=~":
            place = ("lambda", indicator_index[rhs], factor_index[lhs])
        elif op == "~1":
            place = (
                ("alpha", factor_index[lhs], 0)
                if lhs in factor_index
                else ("nu", indicator_index[lhs], 0)
            )
        elif lhs in factor_index:
            place = ("psi", factor_index[lhs], factor_index[rhs])
        else:
            place = ("theta", indicator_index[lhs], indicator_index[rhs])
        row = _Row(lhs, op, rhs, group, *place, kind=_kind(model, lhs, op, rhs))
        spec = given.get((lhs, op, rhs))
        if spec is None:
            if op == "=~" and first_indicator[lhs] == rhs:
                row.value, row.status = 1.0, "fixed"  # lavaan's auto.fix.first
            elif op == "~1" and lhs in factor_index:
                row.value, row.status = 0.0, "mean"
        else:
            row.label = spec.label or ""
            if spec.fixed is not None:
                row.value, row.status = spec.fixed, "fixed"
            elif spec.start is not None:
                row.value = spec.start
            marker = op == "=~" and first_indicator[lhs] == rhs
            if marker and spec.fixed is None and not spec.freed:
                # A label or start alone leaves the marker fixed, as in lavaan.
                row.value, row.status = 1.0, "fixed"
        rows.append(row)
    return rows


def _number_parameters(
    rows: list[_Row], n_groups: int, group_equal: Sequence[str]
) -> int:
    """Give each free row its index in the parameter vector; return their count.

    Rows with the same user label share one parameter, and so do the rows of every
    group whose kind is in `group_equal`. As in lavaan, equal intercepts free the
    latent means in every group after the first.
    """
    means_freed = "intercepts" in group_equal and "means" not in group_equal
    keys: dict[tuple, int] = {}
    for row in rows:
        if row.status == "mean" and means_freed and row.group > 0:
            row.status = "free"
        if row.status != "free":
            continue
        if row.label:
            key: tuple = ("label", row.label)
        elif n_groups > 1 and row.kind in group_equal:
            key = ("equal", row.lhs, row.op, row.rhs)
        else:
            key = ("own", row.group, row.lhs, row.op, row.rhs)
        row.free = keys.setdefault(key, len(keys))
    return len(keys)


# Estimation


@dataclass
class _Sample:
    """The sufficient statistics of one group: N-divisor covariance and means."""

    label: Any
    n: int
    cov: np.ndarray
    mean: np.ndarray
    logdet: float
    data: pd.DataFrame


@dataclass
class _Matrices:
    lam: np.ndarray
    psi: np.ndarray
    theta: np.ndarray
    nu: np.ndarray
    alpha: np.ndarray

    def implied(self) -> tuple[np.ndarray, np.ndarray]:
        sigma = self.lam @ self.psi @ self.lam.T + self.theta
        return sigma, self.nu + self.lam @ self.alpha


class _Structure:
    """The model matrices of every group as a function of the free parameters."""

    def __init__(
        self, model: MeasurementModel, rows: list[_Row], n_groups: int, n_free: int
    ) -> None:
        self.p = len(model.indicators)
        self.m = len(model.factors)
        self.rows = rows
        self.n_groups = n_groups
        self.n_free = n_free
        # Entries of symmetric matrices are written at both (r, c) and (c, r).
        self.positions: list[list[tuple[int, str, int, int]]] = [
            [] for _ in range(n_free)
        ]
        self.templates = [
            _Matrices(
                np.zeros((self.p, self.m)),
                np.zeros((self.m, self.m)),
                np.zeros((self.p, self.p)),
                np.zeros(self.p),
                np.zeros(self.m),
            )
            for _ in range(n_groups)
        ]
        for row in rows:
            places = {(row.row, row.col)}
            if row.matrix in ("psi", "theta"):
                places.add((row.col, row.row))
            for r, c in places:
                if row.free >= 0:
                    self.positions[row.free].append((row.group, row.matrix, r, c))
                else:
                    self._set(self.templates[row.group], row.matrix, r, c, row.value)

    @staticmethod
    def _set(matrices: _Matrices, name: str, r: int, c: int, value: float) -> None:
        if name == "lambda":
            matrices.lam[r, c] = value
        elif name == "psi":
            matrices.psi[r, c] = value
        elif name == "theta":
            matrices.theta[r, c] = value
        elif name == "nu":
            matrices.nu[r] = value
        else:
            matrices.alpha[r] = value

    def matrices(self, x: np.ndarray) -> list[_Matrices]:
        groups = [
            _Matrices(*(array.copy() for array in vars(template).values()))
            for template in self.templates
        ]
        for index, places in enumerate(self.positions):
            for group, name, r, c in places:
                self._set(groups[group], name, r, c, x[index])
        return groups

    def jacobian(self, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Derivatives of each group's Σ (q × p × p) and μ (q × p) in x."""
        result = []
        groups = self.matrices(x)
        for _ in groups:
            d_sigma = np.zeros((self.n_free, self.p, self.p))
            d_mu = np.zeros((self.n_free, self.p))
            result.append((d_sigma, d_mu))
        for index, places in enumerate(self.positions):
            for group, name, r, c in places:
                mats = groups[group]
                d_sigma, d_mu = result[group]
                if name == "lambda":
                    column = mats.lam @ mats.psi[:, c]
                    d_sigma[index, r, :] += column
                    d_sigma[index, :, r] += column
                    d_mu[index, r] += mats.alpha[c]
                elif name == "psi":
                    d_sigma[index] += np.outer(mats.lam[:, r], mats.lam[:, c])
                elif name == "theta":
                    d_sigma[index, r, c] += 1.0
                elif name == "nu":
                    d_mu[index, r] += 1.0
                else:
                    d_mu[index] += mats.lam[:, r]
        return result


class _Objective:
    """lavaan's ML fit function F = Σ_g (N_g / N) F_g, with its gradient.

    F_g = log|Σ_g| + tr(S_g Σ_g⁻¹) - log|S_g| - p + (ȳ_g - μ_g)' Σ_g⁻¹ (ȳ_g - μ_g),
    the last term only with a mean structure. S_g divides by N_g, as lavaan's
    default ``likelihood = "normal"`` does, so the chi-square is N·F at the minimum.
    """

    def __init__(
        self, structure: _Structure, samples: list[_Sample], meanstructure: bool
    ) -> None:
        self.structure = structure
        self.samples = samples
        self.meanstructure = meanstructure
        total = sum(sample.n for sample in samples)
        self.weights = [sample.n / total for sample in samples]

    def _pieces(self, x: np.ndarray):
        for matrices, sample, weight in zip(
            self.structure.matrices(x), self.samples, self.weights, strict=True
        ):
            sigma, mu = matrices.implied()
            try:
                chol = np.linalg.cholesky(sigma)
            except np.linalg.LinAlgError:
                yield None
                return
            inverse = np.linalg.inv(sigma)
            logdet = 2.0 * float(np.log(np.diag(chol)).sum())
            residual = sample.mean - mu if self.meanstructure else np.zeros_like(mu)
            yield matrices, sample, weight, sigma, inverse, logdet, residual

    def discrepancies(self, x: np.ndarray) -> list[float]:
        """F_g of each group; infinite where some Σ_g is not positive definite."""
        values = []
        p = self.structure.p
        for piece in self._pieces(x):
            if piece is None:
                return [math.inf] * len(self.samples)
            _, sample, _, _, inverse, logdet, residual = piece
            values.append(
                logdet
                + float(np.sum(sample.cov * inverse))
                - sample.logdet
                - p
                + float(residual @ inverse @ residual)
            )
        return values

    def value(self, x: np.ndarray) -> float:
        values = self.discrepancies(x)
        return sum(w * v for w, v in zip(self.weights, values, strict=True))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """dF/dx: the matrix derivatives of F summed over each parameter's places."""
        per_group = []
        for piece in self._pieces(x):
            if piece is None:
                return np.zeros(self.structure.n_free)
            matrices, sample, weight, _, inverse, _, residual = piece
            scaled = inverse @ residual
            w = (
                inverse
                - inverse @ (sample.cov + np.outer(residual, residual)) @ inverse
            )
            per_group.append(
                {
                    "lambda": weight
                    * (
                        2 * w @ matrices.lam @ matrices.psi
                        - 2 * np.outer(scaled, matrices.alpha)
                    ),
                    "psi": weight * matrices.lam.T @ w @ matrices.lam,
                    "theta": weight * w,
                    "nu": weight * -2 * scaled,
                    "alpha": weight * -2 * matrices.lam.T @ scaled,
                }
            )
        grad = np.zeros(self.structure.n_free)
        for index, places in enumerate(self.structure.positions):
            for group, name, r, c in places:
                derivative = per_group[group][name]
                grad[index] += (
                    derivative[r, c] if derivative.ndim == 2 else derivative[r]
                )
        return grad

    def information(self, x: np.ndarray) -> np.ndarray:
        """Expected information of one observation, Σ_g (N_g / N) I_g.

        I_g[s, t] = ½ tr(Σ⁻¹ ∂Σ/∂s Σ⁻¹ ∂Σ/∂t) + ∂μ/∂s' Σ⁻¹ ∂μ/∂t, lavaan's default
        ``information = "expected"`` for ML with complete data.
        """
        total = np.zeros((self.structure.n_free, self.structure.n_free))
        for (d_sigma, d_mu), matrices, weight in zip(
            self.structure.jacobian(x),
            self.structure.matrices(x),
            self.weights,
            strict=True,
        ):
            sigma, _ = matrices.implied()
            inverse = np.linalg.inv(sigma)
            scaled = np.einsum("ij,tjk->tik", inverse, d_sigma)
            info = 0.5 * np.einsum("sij,tji->st", scaled, scaled)
            if self.meanstructure:
                info += d_mu @ inverse @ d_mu.T
            total += weight * info
        return total


def _heuristic_start(row: _Row, sample: _Sample, model: MeasurementModel) -> float:
    """Start a parameter from the sample moments.

    Half of each marker's variance goes to its factor and half of each item's
    variance to its residual; a loading is then the item's covariance with the
    marker over the factor variance. These starts are crude but give a positive
    definite Σ, from which Fisher scoring converges.
    """
    cov = sample.cov
    index = {name: i for i, name in enumerate(model.indicators)}
    markers: dict[str, int] = {}
    for term in model.terms:
        if term.op == "=~":
            markers.setdefault(term.lhs, index[term.rhs])
    value = 0.0
    if row.kind == "loadings":
        marker = markers[row.lhs]
        value = (
            1.0
            if marker == row.row
            else cov[row.row, marker] / (0.5 * cov[marker, marker])
        )
    elif row.kind == "residuals":
        value = 0.5 * cov[row.row, row.row]
    elif row.kind == "lv.variances":
        marker = markers[row.lhs]
        value = 0.5 * cov[marker, marker]
    elif row.kind == "lv.covariances":
        value = 0.5 * cov[markers[row.lhs], markers[row.rhs]]
    elif row.kind == "intercepts":
        value = sample.mean[row.row]
    return float(value)


def _semopy_start(
    model: MeasurementModel, sample: _Sample
) -> dict[tuple[str, str, str], float]:
    """Estimates from semopy's own fit of one group, keyed by (lhs, op, rhs)."""
    import semopy

    lines = []
    for factor in model.factors:
        terms = [
            f"{term.fixed!r}*{term.rhs}" if term.fixed is not None else term.rhs
            for term in model.terms
            if term.op == "=~" and term.lhs == factor
        ]
        lines.append(f"{factor} =~ " + " + ".join(terms))
    for term in model.terms:
        if term.op == "~~":
            value = f"{term.fixed!r}*" if term.fixed is not None else ""
            lines.append(f"{term.lhs} ~~ {value}{term.rhs}")
    estimates: dict[tuple[str, str, str], float] = {}
    semopy_model = semopy.Model("\n".join(lines))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        semopy_model.fit(sample.data, obj="MLW")
    table = semopy_model.inspect()
    for lval, op, rval, estimate in table[
        ["lval", "op", "rval", "Estimate"]
    ].itertuples(index=False):
        if op == "~":
            estimates[(rval, "=~", lval)] = float(estimate)
        elif op == "~~":
            estimates[(lval, "~~", rval)] = float(estimate)
            estimates[(rval, "~~", lval)] = float(estimate)
    return estimates


StartTable = dict[tuple[int, str, str, str], float]


def _semopy_starts(model: MeasurementModel, samples: list[_Sample]) -> StartTable:
    starts: StartTable = {}
    for group, sample in enumerate(samples):
        try:
            estimates = _semopy_start(model, sample)
        # semopy is only a source of starting values: whatever stops it, the fit
        # below starts from the sample moments instead.
        except Exception as error:  # noqa: BLE001
            logger.warning(
                "semopy gave no starting values for group %s, using sample moments: %s",
                sample.label,
                error,
            )
            continue
        for (lhs, op, rhs), value in estimates.items():
            if math.isfinite(value):
                starts[(group, lhs, op, rhs)] = value
    return starts


def _start_vector(
    structure: _Structure,
    model: MeasurementModel,
    samples: list[_Sample],
    starts: StartTable,
) -> np.ndarray:
    """Average, over each parameter's rows, the start of each row."""
    values: list[list[float]] = [[] for _ in range(structure.n_free)]
    for row in structure.rows:
        if row.free < 0:
            continue
        if not math.isnan(row.value):
            value = row.value
        elif (row.group, row.lhs, row.op, row.rhs) in starts:
            value = starts[(row.group, row.lhs, row.op, row.rhs)]
        else:
            value = _heuristic_start(row, samples[row.group], model)
        values[row.free].append(value)
    return np.array([float(np.mean(v)) for v in values])


# Data


def read_csv_table(path: Path | str) -> pd.DataFrame:
    """Read a researcher's CSV as text cells, indexed by line number (header is 1).

    The delimiter is sniffed (``,``, ``;``, tab or ``|``) and the file decoded as
    UTF-8 (with or without a byte-order mark) or else Windows-1252, as Excel writes
    French text. Blank lines are dropped but keep the numbering of the file, so an
    error can name the line to fix. The `iota cfa` and `iota mixed` commands read
    their input with it; `numeric_columns` converts the columns a model uses.

    Raises
    ------
    OSError
        When the file cannot be read.
    CfaError
        ``empty_file`` when the file has no header.
    """
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CfaError("empty_file", f"{path} is empty", file=str(path))
    try:
        import csv

        delimiter = (
            csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t|").delimiter
        )
    except csv.Error:
        delimiter = ","
    import io

    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
    )
    frame.columns = [str(column).strip() for column in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    blank = frame.apply(lambda row: all(not str(cell).strip() for cell in row), axis=1)
    return frame.loc[~blank]


def _to_float(cell: Any) -> float:
    if isinstance(cell, str):
        text = cell.strip()
        if text.lower() in MISSING_MARKERS:
            return math.nan
        return float(text)
    if cell is None:
        return math.nan
    return float(cell)


def numeric_columns(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Convert `columns` of `df` to floats, NaN for a missing cell.

    Raises
    ------
    CfaError
        ``missing_column`` naming the absent columns and those present, or
        ``non_numeric`` naming the column, the row label (the line number for a
        frame from `read_csv_table`) and the value.
    """
    columns = list(columns)
    absent = [column for column in columns if column not in df.columns]
    if absent:
        raise CfaError(
            "missing_column",
            f"column(s) not found: {', '.join(absent)}; "
            f"columns present: {', '.join(map(str, df.columns))}",
            columns=absent,
            present=[str(column) for column in df.columns],
        )
    converted = {}
    for column in columns:
        if pd.api.types.is_numeric_dtype(df[column]) and not pd.api.types.is_bool_dtype(
            df[column]
        ):
            converted[column] = df[column].astype(float)
            continue
        values = []
        for row, cell in df[column].items():
            try:
                values.append(_to_float(cell))
            except (TypeError, ValueError):
                raise CfaError(
                    "non_numeric",
                    f"row {row}, column {column}: {cell!r} is not a number",
                    column=column,
                    row=row,
                    value=str(cell),
                ) from None
        converted[column] = pd.Series(values, index=df.index, dtype=float)
    return pd.DataFrame(converted, index=df.index)


def _samples(
    df: pd.DataFrame, model: MeasurementModel, group: str | None
) -> tuple[list[_Sample], int]:
    """Split complete rows into groups (in order of first appearance, as lavaan)."""
    data = numeric_columns(df, model.indicators)
    if group is not None:
        if group not in df.columns:
            numeric_columns(df, [group])  # raises missing_column
        labels = df[group].where(df[group].astype(str).str.strip() != "", None)
        data = data.assign(_group=labels)
    complete = data.dropna()
    dropped = len(data) - len(complete)
    if group is None:
        parts = [(None, complete)]
    else:
        parts = [
            (label, part.drop(columns="_group"))
            for label, part in complete.groupby("_group", sort=False)
        ]
        if len(parts) < 2:
            raise CfaError(
                "one_group",
                f"column {group} has fewer than two groups among complete rows",
                column=group,
            )
    p = len(model.indicators)
    samples = []
    for label, part in parts:
        values = part.to_numpy(dtype=float)
        where = "" if label is None else f"group {label}: "
        if len(values) <= p:
            raise CfaError(
                "too_few_rows",
                f"{where}{len(values)} complete rows for {p} indicators; "
                f"a covariance matrix needs more than {p}",
                group=label,
                found=len(values),
                needed=p + 1,
            )
        cov = np.cov(values, rowvar=False, bias=True)
        constant = [
            name
            for name, var in zip(model.indicators, np.diag(cov), strict=True)
            if var <= 0
        ]
        sign, logdet = np.linalg.slogdet(cov)
        if constant or sign <= 0:
            raise CfaError(
                "singular_covariance",
                f"{where}the sample covariance is singular (constant "
                f"columns: {', '.join(constant) or 'none'}, else collinear ones)",
                group=label,
                constant=constant,
            )
        samples.append(
            _Sample(label, len(values), cov, values.mean(axis=0), logdet, part)
        )
    return samples, dropped


# Results


@dataclass(frozen=True)
class FitMeasures:
    """lavaan's `fitMeasures()` for an ML fit, under the same names in snake case.

    ``loglik`` is the log-likelihood of the model with saturated means when the model
    has no mean structure; ``unrestricted_loglik`` that of the saturated model. RMSEA
    and its interval are multiplied by √G over G groups, as in lavaan.
    """

    n: int
    n_groups: int
    free_parameters: int
    chi_square: float
    df: int
    p_value: float
    baseline_chi_square: float
    baseline_df: int
    baseline_p_value: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_low: float
    rmsea_ci_high: float
    rmsea_p_close: float
    srmr: float
    loglik: float
    unrestricted_loglik: float
    aic: float
    bic: float

    def as_dict(self) -> dict[str, float | int]:
        return dict(vars(self))


@dataclass(frozen=True)
class CfaResult:
    """A fitted CFA: fit measures, the parameter table and per-group sample sizes.

    ``estimates`` has one row per parameter and group, with lavaan's columns
    ``lhs, op, rhs`` (``=~`` loading, ``~~`` variance or covariance, ``~1``
    intercept or latent mean), then ``group``, ``label``, ``free``, ``est``, ``se``
    (expected information), ``z``, ``p_value``, ``ci_low``, ``ci_high`` (95 % Wald),
    ``std_all`` (lavaan's completely standardised solution) and ``parameter``, the
    row and column of the free parameter in ``parameter_covariance`` (-1 when
    fixed; rows held equal share one). ``parameter_covariance`` is lavaan's
    ``vcov()``, None when the information matrix is singular.
    """

    model: MeasurementModel
    estimator: str
    group: str | None
    group_equal: tuple[str, ...]
    groups: pd.DataFrame  # group, n, chi_square, srmr
    n_dropped: int
    fit: FitMeasures
    estimates: pd.DataFrame
    converged: bool
    iterations: int
    start: str
    warnings: tuple[str, ...] = field(default=())
    parameter_covariance: np.ndarray | None = field(
        default=None, compare=False, repr=False
    )

    def _select(self, mask: pd.Series) -> pd.DataFrame:
        return self.estimates.loc[mask].reset_index(drop=True)

    @property
    def loadings(self) -> pd.DataFrame:
        return self._select(self.estimates["op"] == "=~")

    @property
    def factor_variances(self) -> pd.DataFrame:
        factors = self.estimates["lhs"].isin(self.model.factors)
        same = self.estimates["lhs"] == self.estimates["rhs"]
        return self._select((self.estimates["op"] == "~~") & factors & same)

    @property
    def factor_covariances(self) -> pd.DataFrame:
        factors = self.estimates["lhs"].isin(self.model.factors)
        same = self.estimates["lhs"] == self.estimates["rhs"]
        return self._select((self.estimates["op"] == "~~") & factors & ~same)

    def as_dict(self) -> dict[str, Any]:
        """Everything as plain JSON types, NaN as None."""
        return jsonable(
            {
                "estimator": self.estimator,
                "group": self.group,
                "group_equal": list(self.group_equal),
                "factors": list(self.model.factors),
                "indicators": list(self.model.indicators),
                "n_dropped": self.n_dropped,
                "converged": self.converged,
                "iterations": self.iterations,
                "start": self.start,
                "warnings": list(self.warnings),
                "fit": self.fit.as_dict(),
                "groups": self.groups.to_dict(orient="records"),
                "estimates": self.estimates.to_dict(orient="records"),
            }
        )


def jsonable(value: Any) -> Any:
    """Return `value` with NumPy scalars as Python ones and NaN or inf as None."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(value) else float(value)
    return value


# Fit measures


def _rmsea_interval(
    chi_square: float, df: int, n: int, n_groups: int, level: float = 0.90
) -> tuple[float, float]:
    """Invert the noncentral chi-square for the noncentrality bounds, as lavaan does.

    The lower bound λ_L solves P(χ²_df(λ) ≤ T) = (1 + level) / 2 and the upper λ_U
    solves it for (1 - level) / 2; each gives RMSEA = √(λ / (N df)) · √G, and a bound
    is 0 when even λ = 0 leaves the probability below its target.
    """
    if df <= 0:
        return 0.0, 0.0

    def bound(target: float) -> float:
        if stats.chi2.cdf(chi_square, df) < target:
            return 0.0
        high = max(chi_square, 1.0)
        while stats.ncx2.cdf(chi_square, df, high) > target:
            high *= 2.0
        return optimize.brentq(
            lambda nc: stats.ncx2.cdf(chi_square, df, nc) - target,
            0.0,
            high,
            xtol=1e-12,
        )

    scale = math.sqrt(n_groups / (n * df))
    low = bound((1 + level) / 2)
    high = bound((1 - level) / 2)
    return math.sqrt(low) * scale, math.sqrt(high) * scale


def _srmr(
    samples: list[_Sample], implied: list[tuple[np.ndarray, np.ndarray]], means: bool
) -> list[float]:
    """Bentler's SRMR of each group, residuals scaled by the sample SDs.

    With a mean structure the standardised mean residuals count as well, so the root
    mean square runs over p(p + 1)/2 + p elements; lavaan's ``srmr`` does the same.
    """
    values = []
    for sample, (sigma, mu) in zip(samples, implied, strict=True):
        sd = np.sqrt(np.diag(sample.cov))
        residual = (sample.cov - sigma) / np.outer(sd, sd)
        rows, cols = np.tril_indices(len(sd))
        squares = list(residual[rows, cols] ** 2)
        if means:
            squares.extend(((sample.mean - mu) / sd) ** 2)
        values.append(math.sqrt(float(np.mean(squares))))
    return values


def _loglik(sample: _Sample, sigma: np.ndarray, mu: np.ndarray, means: bool) -> float:
    """Normal log-likelihood of one group: -N/2 [p log 2π + log|Σ| + tr(SΣ⁻¹) + d'Σ⁻¹d].

    Without a mean structure μ is the sample mean, so d = 0.
    """
    p = len(mu)
    inverse = np.linalg.inv(sigma)
    _, logdet = np.linalg.slogdet(sigma)
    residual = sample.mean - mu if means else np.zeros(p)
    return (
        -0.5
        * sample.n
        * (
            p * math.log(2 * math.pi)
            + logdet
            + float(np.sum(sample.cov * inverse))
            + float(residual @ inverse @ residual)
        )
    )


def _fit_measures(
    samples: list[_Sample],
    implied: list[tuple[np.ndarray, np.ndarray]],
    minimum: float,
    n_free: int,
    means: bool,
) -> tuple[FitMeasures, list[float]]:
    n = sum(sample.n for sample in samples)
    n_groups = len(samples)
    p = samples[0].cov.shape[0]
    moments = n_groups * (p * (p + 1) // 2 + (p if means else 0))
    df = moments - n_free
    # A saturated model reaches F = 0 up to rounding, which can fall below zero.
    chi_square = max(n * minimum, 0.0)
    # Independence model: a diagonal Σ equal to diag(S) and saturated means, which is
    # its exact ML solution, so its chi-square needs no fit.
    baseline = sum(
        sample.n * (float(np.sum(np.log(np.diag(sample.cov)))) - sample.logdet)
        for sample in samples
    )
    baseline_df = n_groups * p * (p - 1) // 2
    excess = max(chi_square - df, 0.0)
    cfi_denominator = max(chi_square - df, baseline - baseline_df, 0.0)
    cfi = 1.0 if cfi_denominator == 0 else 1.0 - excess / cfi_denominator
    if df > 0:
        ratio = baseline / baseline_df
        tli = (ratio - chi_square / df) / (ratio - 1.0)
        rmsea = math.sqrt(excess / (df * n)) * math.sqrt(n_groups)
        p_value = float(stats.chi2.sf(chi_square, df))
        p_close = float(stats.ncx2.sf(chi_square, df, n * df * 0.05**2 / n_groups))
    else:
        tli, rmsea, p_close = 1.0, 0.0, math.nan
        p_value = math.nan
    low, high = _rmsea_interval(chi_square, df, n, n_groups)
    srmr_by_group = _srmr(samples, implied, means)
    srmr = sum(s.n / n * value for s, value in zip(samples, srmr_by_group, strict=True))
    loglik = sum(
        _loglik(sample, sigma, mu, means)
        for sample, (sigma, mu) in zip(samples, implied, strict=True)
    )
    unrestricted = sum(
        -0.5 * s.n * (p * math.log(2 * math.pi) + s.logdet + p) for s in samples
    )
    measures = FitMeasures(
        n=n,
        n_groups=n_groups,
        free_parameters=n_free,
        chi_square=chi_square,
        df=df,
        p_value=p_value,
        baseline_chi_square=baseline,
        baseline_df=baseline_df,
        baseline_p_value=float(stats.chi2.sf(baseline, baseline_df)),
        cfi=cfi,
        tli=tli,
        rmsea=rmsea,
        rmsea_ci_low=low,
        rmsea_ci_high=high,
        rmsea_p_close=p_close,
        srmr=srmr,
        loglik=loglik,
        unrestricted_loglik=unrestricted,
        aic=-2 * loglik + 2 * n_free,
        bic=-2 * loglik + n_free * math.log(n),
    )
    return measures, srmr_by_group


# Fitting

_Z_95 = float(stats.norm.ppf(0.975))


def _standardised(
    row: _Row, matrices: _Matrices, sigma: np.ndarray, est: float
) -> float:
    """lavaan's ``std.all``: latent and observed variables scaled to unit variance."""
    psi, diag = np.diag(matrices.psi), np.diag(sigma)
    with np.errstate(invalid="ignore", divide="ignore"):
        if row.matrix == "lambda":
            return est * math.sqrt(psi[row.col]) / math.sqrt(diag[row.row])
        if row.matrix == "psi":
            return est / math.sqrt(psi[row.row] * psi[row.col])
        if row.matrix == "theta":
            return est / math.sqrt(diag[row.row] * diag[row.col])
        if row.matrix == "nu":
            return est / math.sqrt(diag[row.row])
        return est / math.sqrt(psi[row.row])


def _estimates_table(
    structure: _Structure,
    samples: list[_Sample],
    x: np.ndarray,
    covariance: np.ndarray | None,
) -> pd.DataFrame:
    groups = structure.matrices(x)
    records = []
    for row in structure.rows:
        matrices = groups[row.group]
        sigma, _ = matrices.implied()
        est = float(x[row.free]) if row.free >= 0 else row.value
        se = math.nan
        if row.free >= 0 and covariance is not None:
            variance = covariance[row.free, row.free]
            se = math.sqrt(variance) if variance >= 0 else math.nan
        z = est / se if se > 0 else math.nan
        records.append(
            {
                "lhs": row.lhs,
                "op": row.op,
                "rhs": row.rhs,
                "group": samples[row.group].label,
                "label": row.label,
                "free": row.free >= 0,
                "parameter": row.free,
                "est": est,
                "se": se,
                "z": z,
                "p_value": 2 * float(stats.norm.sf(abs(z))) if se > 0 else math.nan,
                "ci_low": est - _Z_95 * se,
                "ci_high": est + _Z_95 * se,
                "std_all": _standardised(row, matrices, sigma, est),
            }
        )
    return pd.DataFrame.from_records(records)


def _admissibility_warnings(
    structure: _Structure, samples: list[_Sample], x: np.ndarray
) -> list[str]:
    messages = []
    for row in structure.rows:
        value = float(x[row.free]) if row.free >= 0 else row.value
        if row.kind in ("residuals", "lv.variances") and value < 0:
            where = f" in group {samples[row.group].label}" if len(samples) > 1 else ""
            messages.append(f"negative variance for {row.lhs}{where} (Heywood case)")
    for group, matrices in enumerate(structure.matrices(x)):
        if np.linalg.eigvalsh(matrices.psi).min() <= 0:
            where = f" in group {samples[group].label}" if len(samples) > 1 else ""
            messages.append(
                f"the factor covariance matrix is not positive definite{where}"
            )
    return messages


def _build_structure(
    model: MeasurementModel, n_groups: int, means: bool, group_equal: tuple[str, ...]
) -> _Structure:
    rows = [row for g in range(n_groups) for row in _group_rows(model, g, means)]
    n_free = _number_parameters(rows, n_groups, group_equal)
    p = len(model.indicators)
    moments = n_groups * (p * (p + 1) // 2 + (p if means else 0))
    if n_free > moments:
        raise CfaError(
            "not_identified",
            f"the model has {n_free} free parameters but the data only "
            f"{moments} moments: fix or constrain {n_free - moments} more",
            free=n_free,
            moments=moments,
        )
    return _Structure(model, rows, n_groups, n_free)


@dataclass(frozen=True)
class _Solution:
    x: np.ndarray
    converged: bool
    iterations: int
    message: str
    start: str


def _minimise(objective: _Objective, x0: np.ndarray, start: str) -> _Solution:
    """Minimise F by Fisher scoring in a trust region (scipy's trust-exact).

    The expected information stands in for the Hessian, and the trust region
    shrinks wherever a step would leave Σ not positive definite (F is infinite
    there). scipy may report a failure once the predicted decrease is below
    rounding error; a gradient norm under `_ACCEPTED_GRADIENT` counts as converged.
    """
    solution = optimize.minimize(
        objective.value,
        x0,
        jac=objective.gradient,
        hess=lambda x: 2.0 * objective.information(x),
        method="trust-exact",
        options={"gtol": _GRADIENT_TOLERANCE, "maxiter": _MAX_ITERATIONS},
    )
    gradient = float(np.linalg.norm(objective.gradient(solution.x)))
    converged = math.isfinite(solution.fun) and gradient < _ACCEPTED_GRADIENT
    return _Solution(
        solution.x, converged, int(solution.nit), str(solution.message), start
    )


def _estimate(
    objective: _Objective,
    model: MeasurementModel,
    samples: list[_Sample],
    starts: StartTable,
    start: str,
) -> _Solution:
    """Fit from `starts`, then from semopy's estimates if that fails to converge."""
    structure = objective.structure
    x0 = _start_vector(structure, model, samples, starts)
    solution = (
        _minimise(objective, x0, start) if math.isfinite(objective.value(x0)) else None
    )
    if solution is not None and solution.converged:
        return solution
    logger.info(
        "CFA from %s did not converge; starting again from semopy's fit.", start
    )
    retry_starts = _semopy_starts(model, samples)
    x0 = _start_vector(structure, model, samples, retry_starts)
    if not math.isfinite(objective.value(x0)):
        if solution is not None:
            return solution
        raise CfaError(
            "no_start",
            "no starting values give a positive definite implied covariance; "
            "check the fixed values in the model",
        )
    retry = _minimise(objective, x0, "semopy")
    if solution is None or retry.converged:
        return retry
    return solution


def _fit_model(
    model: MeasurementModel,
    samples: list[_Sample],
    group: str | None,
    group_equal: tuple[str, ...],
    starts: StartTable,
    start: str,
    n_dropped: int,
) -> CfaResult:
    means = group is not None or model.has_intercepts
    structure = _build_structure(model, len(samples), means, group_equal)
    objective = _Objective(structure, samples, means)
    solution = _estimate(objective, model, samples, starts, start)
    x = solution.x
    messages = []
    if not solution.converged:
        logger.warning(
            "CFA did not converge after %d iterations: %s",
            solution.iterations,
            solution.message,
        )
        messages.append(f"the optimiser did not converge: {solution.message}")
    n = sum(sample.n for sample in samples)
    try:
        covariance = np.linalg.inv(n * objective.information(x))
    except np.linalg.LinAlgError:
        covariance = None
        messages.append(
            "standard errors could not be computed because the information matrix "
            "is singular: the model is probably not identified"
        )
    messages.extend(_admissibility_warnings(structure, samples, x))
    implied = [matrices.implied() for matrices in structure.matrices(x)]
    measures, srmr_by_group = _fit_measures(
        samples, implied, objective.value(x), structure.n_free, means
    )
    groups = pd.DataFrame(
        {
            "group": [sample.label for sample in samples],
            "n": [sample.n for sample in samples],
            "chi_square": [
                sample.n * value
                for sample, value in zip(
                    samples, objective.discrepancies(x), strict=True
                )
            ],
            "srmr": srmr_by_group,
        }
    )
    return CfaResult(
        model=model,
        estimator="ML",
        group=group,
        group_equal=group_equal,
        groups=groups,
        n_dropped=n_dropped,
        fit=measures,
        estimates=_estimates_table(structure, samples, x, covariance),
        parameter_covariance=covariance,
        converged=solution.converged,
        iterations=solution.iterations,
        start=solution.start,
        warnings=tuple(messages),
    )


def _check_options(estimator: str, group_equal: Sequence[str]) -> tuple[str, ...]:
    if estimator.upper() not in ESTIMATORS:
        raise CfaError(
            "estimator",
            f"estimator {estimator!r} is not supported; use " + " or ".join(ESTIMATORS),
            estimator=estimator,
        )
    unknown = [kind for kind in group_equal if kind not in EQUALITY_KINDS]
    if unknown:
        raise CfaError(
            "group_equal",
            f"unknown group_equal value(s) {', '.join(unknown)}; "
            f"use {', '.join(EQUALITY_KINDS)}",
            values=unknown,
        )
    return tuple(group_equal)


def fit_cfa(
    df: pd.DataFrame,
    model_syntax: str,
    group: str | None = None,
    estimator: str = "ML",
    group_equal: Sequence[str] = (),
) -> CfaResult:
    r"""Fit a confirmatory factor model by maximum likelihood, as lavaan's `cfa()`.

    The estimates minimise lavaan's ML fit function summed over groups,

    .. math::

        F = \sum_g \frac{N_g}{N} \left[\log|\Sigma_g| + \operatorname{tr}(S_g
            \Sigma_g^{-1}) - \log|S_g| - p + (\bar y_g - \mu_g)' \Sigma_g^{-1}
            (\bar y_g - \mu_g)\right],

    with :math:`\Sigma = \Lambda\Psi\Lambda' + \Theta`, :math:`\mu = \nu +
    \Lambda\alpha`, and :math:`S_g` the covariance with divisor :math:`N_g`; the
    mean term appears with groups or intercepts in the model. The chi-square is
    :math:`N F`. Standard errors come from the expected information. Fit measures
    follow lavaan 0.6: CFI and TLI against the independence model, RMSEA
    :math:`\sqrt{\max(\chi^2 - df, 0) / (df\,N)}\sqrt{G}` with its 90 % interval
    from the noncentral chi-square, Bentler's SRMR, and AIC and BIC from the
    normal log-likelihood.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent. Indicator columns may be numbers or numeric text;
        rows with a missing indicator are dropped (listwise deletion).
    model_syntax : str
        lavaan measurement syntax, see `parse_model`.
    group : str, optional
        Column whose values define the groups, in order of first appearance.
    estimator : {"ML"}
        Only maximum likelihood is implemented.
    group_equal : sequence of str
        lavaan's ``group.equal``: parameter kinds held equal across groups, among
        `EQUALITY_KINDS`.

    Returns
    -------
    CfaResult

    Raises
    ------
    ModelSyntaxError
        For a model that `parse_model` rejects.
    CfaError
        For a missing or non-numeric column, too few rows, a singular covariance or
        an unidentified model; ``code`` says which.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    Journal of Statistical Software, 48(2).
    """
    group_equal = _check_options(estimator, group_equal)
    model = parse_model(model_syntax)
    samples, dropped = _samples(df, model, group)
    return _fit_model(model, samples, group, group_equal, {}, "sample moments", dropped)


def _starts_from(result: CfaResult) -> StartTable:
    index = {label: i for i, label in enumerate(result.groups["group"])}
    return {
        (index[row.group], row.lhs, row.op, row.rhs): row.est
        for row in result.estimates.itertuples()
    }


@dataclass(frozen=True)
class InvarianceResult:
    """Nested invariance models: one row per level in ``table``, each fit in ``fits``.

    ``table`` columns: ``model``, ``group_equal``, ``free_parameters``, ``chi_square``,
    ``df``, ``p_value``, ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_low``,
    ``rmsea_ci_high``, ``srmr``, ``aic``, ``bic``, then against the previous level
    ``delta_chi_square``, ``delta_df``, ``delta_p_value``, ``delta_cfi`` (this
    level's CFI minus the previous one's, so a loss of fit is negative) and
    ``delta_rmsea``.
    """

    group: str
    table: pd.DataFrame
    fits: dict[str, CfaResult]

    def as_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "group": self.group,
                "table": self.table.to_dict(orient="records"),
                "fits": {level: fit.as_dict() for level, fit in self.fits.items()},
            }
        )


def _check_levels(levels: Sequence[str]) -> list[str]:
    order = list(INVARIANCE_LEVELS)
    levels = list(levels)
    unknown = [level for level in levels if level not in INVARIANCE_LEVELS]
    if unknown or not levels:
        raise CfaError(
            "invariance_level",
            f"unknown invariance level(s) {', '.join(unknown) or '(none)'}; "
            f"use {', '.join(order)}",
            values=unknown,
        )
    positions = [order.index(level) for level in levels]
    if positions != sorted(set(positions)):
        raise CfaError(
            "invariance_order",
            f"levels must be distinct and in the order {', '.join(order)}",
            values=levels,
        )
    return levels


def fit_invariance(
    df: pd.DataFrame,
    model_syntax: str,
    group: str,
    levels: Sequence[str] = ("configural", "metric", "scalar"),
    estimator: str = "ML",
) -> InvarianceResult:
    """Fit nested multi-group models and test each against the previous one.

    Levels, as in semTools' ``measurementInvariance`` (lavaan's ``group.equal``):
    ``configural`` (same pattern, everything free), ``metric`` (equal loadings),
    ``scalar`` (equal loadings and intercepts, latent means free after the first
    group) and ``strict`` (equal residual variances too). Each level is compared
    with the one listed before it by the likelihood-ratio (chi-square difference)
    test, Δχ² on Δdf degrees of freedom, and by the change in CFI.

    Raises
    ------
    ModelSyntaxError, CfaError
        As `fit_cfa`, and ``invariance_level`` or ``invariance_order`` for levels
        that are unknown, repeated or out of order.
    """
    levels = _check_levels(levels)
    _check_options(estimator, ())
    model = parse_model(model_syntax)
    samples, dropped = _samples(df, model, group)
    starts: StartTable = {}
    source = "sample moments"
    fits: dict[str, CfaResult] = {}
    records = []
    previous: CfaResult | None = None
    for level in levels:
        equal = INVARIANCE_LEVELS[level]
        result = _fit_model(model, samples, group, equal, starts, source, dropped)
        logger.info(
            "Invariance model %s across %s: chi-square %.3f on %d df.",
            level,
            group,
            result.fit.chi_square,
            result.fit.df,
        )
        fits[level] = result
        records.append(
            invariance_record(
                level, equal, result.fit, previous.fit if previous else None
            )
        )
        starts, source = _starts_from(result), f"the {level} fit"
        previous = result
    return InvarianceResult(group, pd.DataFrame.from_records(records), fits)


def invariance_record(
    level: str,
    equal: Sequence[str],
    fit: FitMeasures,
    previous: FitMeasures | None,
) -> dict[str, Any]:
    """Return one row of `InvarianceResult.table`: the fit, then the change."""
    record: dict[str, Any] = {
        "model": level,
        "group_equal": ",".join(equal),
        "free_parameters": fit.free_parameters,
        "chi_square": fit.chi_square,
        "df": fit.df,
        "p_value": fit.p_value,
        "cfi": fit.cfi,
        "tli": fit.tli,
        "rmsea": fit.rmsea,
        "rmsea_ci_low": fit.rmsea_ci_low,
        "rmsea_ci_high": fit.rmsea_ci_high,
        "srmr": fit.srmr,
        "aic": fit.aic,
        "bic": fit.bic,
    }
    record.update(_difference(previous, fit))
    return record


def _difference(previous: FitMeasures | None, current: FitMeasures) -> dict[str, float]:
    if previous is None:
        return dict.fromkeys(
            (
                "delta_chi_square",
                "delta_df",
                "delta_p_value",
                "delta_cfi",
                "delta_rmsea",
            ),
            math.nan,
        )
    delta = current.chi_square - previous.chi_square
    delta_df = current.df - previous.df
    return {
        "delta_chi_square": delta,
        "delta_df": delta_df,
        "delta_p_value": float(stats.chi2.sf(delta, delta_df))
        if delta_df > 0
        else math.nan,
        "delta_cfi": current.cfi - previous.cfi,
        "delta_rmsea": current.rmsea - previous.rmsea,
    }
