"""The report pages, one module per page group: ``reports`` (the report
centre, a report's progress, download and deletion) and ``texts`` (the texts
staff write for the phase reports)."""
