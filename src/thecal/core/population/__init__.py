"""Virtual populations: a seeded generator and a vectorised engine for many pumps."""

from thecal.core.population.cohort import Cohort
from thecal.core.population.engine import CohortResult, run_cohort
from thecal.core.population.generator import Population, PopulationSpec, generate

__all__ = ["Cohort", "CohortResult", "Population", "PopulationSpec", "generate", "run_cohort"]
