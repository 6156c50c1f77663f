"""Pages of risk management, one module per part: register, treatment, methodology, library."""
