"""The catalogue: frameworks, their requirements and the mappings between them."""
