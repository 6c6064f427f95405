"""What a login slip says and where: its French texts (wording is a requirement), its
geometry in points and its font sizes. ``slips`` draws them; ``readback`` reads the PDF back.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4

# --- French texts (wording is a requirement) ---------------------------------------------

SLIP_HEADING = "Papillon de connexion"
LABEL_CANDIDATE = "Candidat :"
LABEL_USAGE_NAME = "Nom d'usage :"
LABEL_INE = "INE :"
LABEL_DIVISION = "Classe :"
LABEL_EXAM = "Examen :"
TEXT_IDENTIFY = "Identifiez-vous avec le compte qui vous a été attribué :"
LABEL_LOGIN = "Votre identifiant de connexion :"
LABEL_PASSWORD = "Votre mot de passe (*) :"
TEXT_PROVISIONAL = (
    "(*) Ce mot de passe est provisoire : vous devrez le changer lors de votre première connexion."
)
LABEL_SITE = "Adresse du site candidat :"
TEXT_KEEP = "Conservez ce papillon : il est personnel."

# --- Geometry (points; slip-local coordinates, origin at the bottom left of a half page) ---

PAGE_WIDTH, PAGE_HEIGHT = A4
SLIP_HEIGHT = PAGE_HEIGHT / 2

FRAME_X = 34.0
FRAME_Y = 26.0
FRAME_W = PAGE_WIDTH - 2 * FRAME_X
FRAME_H = SLIP_HEIGHT - 2 * FRAME_Y
LEFT = FRAME_X + 16
RIGHT = PAGE_WIDTH - FRAME_X - 16
TEXT_WIDTH = RIGHT - LEFT

QR_SIZE = 96.0
QR_X = RIGHT - QR_SIZE + 6  # the QR quiet zone is white: let it eat into the margin
QR_Y = FRAME_Y + 8

Y_SCHOOL = 375.0
Y_TITLE = 353.0
Y_RULE = 343.0
Y_CANDIDATE = 321.0
Y_INE = 302.0
Y_EXAM = 283.0
Y_USAGE_NAME = 264.0
Y_CREDENTIALS_BOX = 166.0
Y_IDENTIFY = 226.0
Y_LOGIN = 204.0
Y_PASSWORD = 180.0
Y_PROVISIONAL = 150.0
Y_SITE = 118.0
Y_KEEP = 44.0
DIVISION_LABEL_X = 330.0

LABEL_SIZE = 11.0
NAME_SIZE = 12.5
VALUE_SIZE = 11.0
LOGIN_SIZE = 14.0
PASSWORD_SIZE = 17.0
MIN_SIZE = 7.0
# Stroke width that makes stroked-and-filled regular glyphs look bold.
FAKE_BOLD_STROKE = 0.4
FAKE_BOLD_TITLE_STROKE = 0.6

FORM_SLIP = "papillon"
FORM_CUT = "decoupe"
