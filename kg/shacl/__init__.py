"""Validate stage: SHACL completeness checks with pySHACL, one module per concern.

``run`` runs the shapes of a profile over a graph and flattens the report into rows; ``matrix`` turns a result
into the companies x requirements matrices (GDPR Art. 13, CCPA); ``render`` writes results and matrices as text,
Markdown or Turtle; ``validation`` validates policy graphs one at a time and merges all three into a
``Validation``, which is what ``kg.validate`` returns.
"""
from kg.shacl.matrix import (MATRIX_PROFILES, MATRIX_TITLES, MET, MISSING, NOT_APPLICABLE, Cell, Fact, Matrix,
                             Requirement, matrices, matrix, node_labels, requirements)
from kg.shacl.render import RENDERERS, matrix_to_markdown, matrix_to_text, render, to_markdown, to_text, to_turtle
from kg.shacl.run import FAIL_ON, PROFILES, ResultRow, ValidationResult, check, fails, load_shapes, profile_files
from kg.shacl.validation import Validation, validate_graphs

__all__ = ["FAIL_ON", "MATRIX_PROFILES", "MATRIX_TITLES", "MET", "MISSING", "NOT_APPLICABLE", "PROFILES",
           "RENDERERS", "Cell", "Fact", "Matrix", "Requirement", "ResultRow", "Validation", "ValidationResult",
           "check", "fails", "load_shapes", "matrices", "matrix", "matrix_to_markdown", "matrix_to_text",
           "node_labels", "profile_files", "render", "requirements", "to_markdown", "to_text", "to_turtle",
           "validate_graphs"]
