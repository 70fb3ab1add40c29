"""Monitoring techniques (contract ``analysis``): feature drift tests (KS, chi-square, PSI, MMD),
fairness-metric drift, sequential tests (Wald's SPRT), CUSUM change points and ADWIN."""
