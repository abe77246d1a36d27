"""Plots of study tables (PNG), drawn off-screen."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from thecal.services.study.studies import THRESHOLDS_ML, Table


def plot_study(name: str, table: Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if name == "dry-run-risk":
        labels = [r[0] for r in table.rows]
        width = 0.38
        for i, threshold in enumerate(THRESHOLDS_ML):
            values = [r[1 + 3 * i] for r in table.rows]
            ax.bar([x + (i - 0.5) * width for x in range(len(labels))], values, width,
                   label=f"low-reservoir alarm at {threshold:g} mL")
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
        ax.set_ylabel("% of patients running dry in a year")
        ax.set_xlabel("pump accuracy bias")
        ax.legend()
    elif name == "refill-interval":
        for r in table.rows:
            ax.scatter(r[1], r[2])
            ax.annotate(r[0], (r[1], r[2]), fontsize=7, xytext=(4, 4),
                        textcoords="offset points")
        ax.set_xlabel("clinic visits per patient-year")
        ax.set_ylabel("% of patients running dry in a year")
    else:
        labels = [f"{r[0]}\n{r[1]}" for r in table.rows]
        ax.bar(range(len(labels)), [r[3] for r in table.rows], label="trial success")
        ax.bar(range(len(labels)), [r[5] for r in table.rows], label="success at one year")
        ax.set_xticks(range(len(labels)), labels, fontsize=7)
        ax.set_ylabel("% of trialled patients")
        ax.legend()
    ax.set_title(table.title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
