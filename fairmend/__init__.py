"""fairmend: choose, apply and validate fairness interventions."""

__version__ = "0.1.0"
