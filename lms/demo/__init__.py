"""Demo data: a fictitious city administration ("Musterstadt") for trying the platform out."""
