"""Programme generation: optimised selection, dosage, progression and re-planning."""
