"""Exact solution of a linear compartment model under piecewise-constant input.

x'(t) = M x(t) + b u(t), with u constant on each segment [t_i, t_(i+1)). In the
eigenbasis of M every mode is a scalar ODE with the closed-form step
z(t_i + h) = e^(λh) z(t_i) + (e^(λh) - 1)/λ · g u_i, so the answer at any time is
exact to rounding: no step size, no tolerance, and the cost grows with the number
of segments plus the number of output times, never with how finely the curve is
asked for. The pump's delivery is piecewise constant by construction (a rate
schedule plus boluses), which is why this, and not a general ODE solver, is used.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from thecal.core.errors import InputError, Problem

Array = npt.NDArray[np.float64]

MIN_RELATIVE_EIGEN_GAP = 1e-3  # closer rates make the eigenbasis ill-conditioned


@dataclass(frozen=True)
class LinearSystem:
    """A diagonalisable x' = M x + b u, kept with its eigen-decomposition."""

    matrix: Array
    input_vector: Array
    eigenvalues: Array
    basis: Array  # columns are eigenvectors
    basis_inverse: Array

    @classmethod
    def build(cls, matrix: Array, input_vector: Array, names: tuple[str, ...]) -> LinearSystem:
        values, basis = np.linalg.eig(matrix)
        if np.iscomplexobj(values) and np.any(np.abs(values.imag) > 0):
            raise InputError("the compartment model oscillates", [])
        values = values.real.astype(np.float64)
        basis = basis.real.astype(np.float64)
        # A triangular matrix (a chain of compartments) has its rates on the diagonal,
        # which names the compartments at fault; otherwise only modes can be named.
        triangular = not np.any(np.triu(matrix, 1))
        if triangular:
            _require_distinct(np.diag(matrix).astype(np.float64), names)
        else:
            _require_distinct(values, tuple(f"mode {i}" for i in range(values.size)))
        return cls(matrix, input_vector, values, basis, np.linalg.inv(basis))

    @property
    def size(self) -> int:
        return int(self.matrix.shape[0])

    def modal(self, x: Array) -> Array:
        return self.basis_inverse @ x

    def physical(self, z: Array) -> Array:
        return z @ self.basis.T


def _require_distinct(values: Array, names: tuple[str, ...]) -> None:
    order = np.argsort(values)
    for a, b in itertools.pairwise(order):
        scale = max(abs(values[a]), abs(values[b]), 1e-300)
        if abs(values[a] - values[b]) / scale < MIN_RELATIVE_EIGEN_GAP:
            raise InputError(
                "two rate constants of the compartment model are (nearly) equal",
                [
                    Problem(
                        " / ".join(names[i] for i in sorted((int(a), int(b)))),
                        f"rates {-values[a]:.6g}/s and {-values[b]:.6g}/s must differ by at "
                        f"least {MIN_RELATIVE_EIGEN_GAP:.0%} of the larger",
                    )
                ],
            )


def _growth(values: Array, tau: Array) -> tuple[Array, Array]:
    """e^(λτ) and (e^(λτ) - 1)/λ, the latter = τ where λ = 0 (a mode with no loss)."""
    lt = np.multiply.outer(tau, values)
    e = np.exp(lt)
    if np.all(values != 0.0):
        return e, np.expm1(lt, out=lt) / values
    safe = np.where(values == 0.0, 1.0, values)
    integral = np.where(values == 0.0, np.multiply.outer(tau, np.ones_like(values)),
                        np.expm1(lt) / safe)
    return e, integral


def check_segments(starts_s: Array, rates: Array, times_s: Array) -> None:
    problems = []
    if starts_s.ndim != 1 or starts_s.size == 0:
        problems.append(Problem("starts_s", "need at least one segment start"))
    elif np.any(np.diff(starts_s) <= 0):
        problems.append(Problem("starts_s", "segment starts must increase strictly"))
    if rates.shape[:1] != starts_s.shape[:1]:
        problems.append(Problem("rates", "need one rate per segment start"))
    if times_s.size and starts_s.size and times_s.min() < starts_s[0]:
        problems.append(Problem("times_s", "output times must not precede the first segment"))
    if problems:
        raise InputError("piecewise input refused", problems)


def states_at_starts(system: LinearSystem, x0: Array, starts_s: Array, rates: Array) -> Array:
    """Modal state at each segment start; x0 is the physical state at starts_s[0]."""
    e, integral = _growth(system.eigenvalues, np.diff(starts_s))
    g = system.modal(system.input_vector)
    drive = integral * g * rates[:-1, None]
    z = np.empty((starts_s.size, system.size))
    z[0] = system.modal(x0)
    # A scalar recurrence per mode; plain floats keep the loop cheap.
    for mode in range(system.size):
        col_e, col_d = e[:, mode].tolist(), drive[:, mode].tolist()
        value = float(z[0, mode])
        out = [value]
        for a, d in zip(col_e, col_d, strict=True):
            value = a * value + d
            out.append(value)
        z[:, mode] = out
    return z


def solve(
    system: LinearSystem, x0: Array, starts_s: Array, rates: Array, times_s: Array
) -> Array:
    """Physical states at `times_s` (rows). rates[i] holds on [starts_s[i], starts_s[i+1]);
    the last rate holds for ever."""
    starts_s = np.asarray(starts_s, dtype=np.float64)
    rates = np.asarray(rates, dtype=np.float64)
    times_s = np.asarray(times_s, dtype=np.float64)
    check_segments(starts_s, rates, times_s)
    z_starts = states_at_starts(system, np.asarray(x0, dtype=np.float64), starts_s, rates)
    index = np.searchsorted(starts_s, times_s, side="right") - 1
    e, integral = _growth(system.eigenvalues, times_s - starts_s[index])
    g = system.modal(system.input_vector)
    e *= z_starts[index]
    integral *= g
    integral *= rates[index, None]
    e += integral
    return system.physical(e)


def step_matrices(system: LinearSystem, h_s: float) -> tuple[Array, Array]:
    """Φ, Γ with x(t + h) = Φ x(t) + Γ u for an input u held over h: the exact
    one-step update, for loops that advance by a fixed interval."""
    e, integral = _growth(system.eigenvalues, np.array([h_s]))
    phi = (system.basis * e[0]) @ system.basis_inverse
    gamma = system.basis @ (integral[0] * system.modal(system.input_vector))
    return phi, gamma
