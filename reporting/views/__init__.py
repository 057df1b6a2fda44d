"""The report pages, one module per page group: ``reports`` (the report
centre, a report's progress, download and deletion), ``texts`` (the texts
staff write for the phase reports) and ``dashboard``. ``reporting/urls.py``
imports the modules and names each page."""
