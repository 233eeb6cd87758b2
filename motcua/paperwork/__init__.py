"""Forms 01–07 of TT03/2025 rendered to HTML and PDF (WeasyPrint), with QR codes (segno).

The forms are filled from plain frozen dataclasses (``context.py``), never from models, so any
source — a dossier, its event log, a sample, a test — can print them: ``render.render_pdf(ctx)``.
"""
