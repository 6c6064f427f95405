"""One module per screen of the « Mon établissement » menu."""
