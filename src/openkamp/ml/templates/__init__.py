"""Task templates: a standard model per kind of factory problem."""
