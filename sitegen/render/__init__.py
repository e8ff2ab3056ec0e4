"""Stage 4, renderers: each reads the model and writes through one Writer."""
