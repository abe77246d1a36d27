"""Clinic use cases over the programmer services: the worklist, and the programming
and refill transactions run the same way from the web, the API and the demo seed."""
