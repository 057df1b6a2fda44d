"""What the steering committee decided and what happened, one Django app per
sub-domain (a "room"), each depending only on the rooms below it:

    units <- committees <- planning <- registrations <- demo, reporting

The modules at this level (``uploads``, ``downloads``, ``forms``) are the
helpers that several rooms share; they import nothing from the rooms.
"""
