"""The steps of a registry import (yakist.registry.importers.registry_import): cells are
parsed (cells), rows checked against each other and the database (rows), valid rows written
(apply). Reading the file itself is yakist.core.spreadsheets.read_table."""
