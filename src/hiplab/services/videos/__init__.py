"""Video analysis use-cases shared by the web app and the CLI: upload → job → result.

:mod:`~hiplab.services.videos.uploads` checks the options and keeps the uploaded
file, :mod:`~hiplab.services.videos.jobs` queues, runs and cleans up after the
analysis, and :mod:`~hiplab.services.videos.results` reads a finished analysis back
and stores its measured tests as an assessment (the one path for the web and
``hiplab analyze --save``). Nothing here speaks HTTP.
"""
