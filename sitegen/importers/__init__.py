"""sitegen import: the tables agencies already have (Excel, Word, PDF, CSV) → content YAML.

A second way into the same model, never back up the pipeline:
files → readers (one per file type, each a grid of cells with merged ranges)
→ forms (one recogniser per layout, found by its header labels)
→ the model's records → writer (YAML, the loader's mirror).
"""
